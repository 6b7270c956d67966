"""Schema migrations for the terminal's SQLite files, through sqlite-utils — loaded lazily.

sqlite-utils (with click and dateutil behind it) costs ~45 ms to import, a quarter of the
app's start. Nearly every start finds nothing to migrate, so ``ensure`` first asks the
``_sqlite_migrations`` table with one query and imports sqlite-utils only when a migration is
actually pending. The migration set itself is sqlite-utils' ``Migrations`` (built on first
use), so the record of what ran stays the one sqlite-utils keeps.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils.db import Database
    from sqlite_utils.migrations import Migrations

MIGRATIONS_TABLE = "_sqlite_migrations"

MigrationFn = Callable[["Database"], None]


class LazyMigrations:
    """A named, ordered set of migration functions; a drop-in for sqlite-utils' Migrations."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._functions: list[tuple[str, MigrationFn]] = []
        self._real: Migrations | None = None

    def __call__(self, *, name: str | None = None) -> Callable[[MigrationFn], MigrationFn]:
        def register(fn: MigrationFn) -> MigrationFn:
            if self._real is not None:
                raise RuntimeError("migrations registered after first use")
            self._functions.append((name or fn.__name__, fn))
            return fn

        return register

    @property
    def names(self) -> list[str]:
        return [n for n, _ in self._functions]

    def real(self) -> Migrations:
        if self._real is None:
            from sqlite_utils.migrations import Migrations

            real = Migrations(self.name)
            for name, fn in self._functions:
                real(name=name)(fn)
            self._real = real
        return self._real

    def __getattr__(self, attr: str) -> Any:  # apply, applied, pending … of sqlite-utils
        return getattr(self.real(), attr)

    def up_to_date(self, conn: sqlite3.Connection) -> bool:
        """True when every migration of this set is recorded as applied (one query)."""
        try:
            rows = conn.execute(
                f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ?", (self.name,)
            ).fetchall()
        except sqlite3.OperationalError:  # no migrations table yet: a new file
            return False
        return set(self.names) <= {r[0] for r in rows}

    def ensure(self, conn: sqlite3.Connection) -> None:
        """Apply whatever is pending (importing sqlite-utils only then)."""
        if self.up_to_date(conn):
            return
        from clerk.db import database

        self.real().apply(database(conn))
