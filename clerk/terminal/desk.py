"""The terminal around the customer: staff sign-in, the manager's settings, the
catalogue, recent customers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from clerk import outbox as outbox_mod
from clerk.errors import ConfigError
from clerk.terminal.storage import Storage, reads_cache

if TYPE_CHECKING:
    from clerk.model import Product
    from clerk.staff import Session, StaffMember


class Desk(Storage):
    """Staff, settings and the catalogue."""

    # -- staff ------------------------------------------------------------------------------------

    def roster(self) -> list[StaffMember]:
        """Everyone who may sign in here (active staff), by name."""
        from clerk.staff import StaffAuth

        cache, outbox = self._reader()
        return StaffAuth(cache, outbox, self.clock).roster()

    def sign_in(self, staff_id: str, pin: str) -> Session:
        """Check a PIN (:meth:`clerk.staff.StaffAuth.sign_in`: lockout, audit), writing
        through the terminal's writer — which is not held while the hash is checked. Raises
        SignInError with the reason."""
        from clerk.staff import StaffAuth

        cache, outbox = self._reader()
        return StaffAuth(cache, outbox, self.clock, write=self.write).sign_in(staff_id, pin)

    def sign_out(self, session: Session, reason: str = "manual") -> None:
        """Audit the end of a session (``reason``: manual | idle | command)."""
        from clerk.staff import StaffAuth

        cache, outbox = self._reader()
        StaffAuth(cache, outbox, self.clock, write=self.write).sign_out(session, reason)

    # -- the manager's ----------------------------------------------------------------------------

    def change_settings(
        self, session: Session | None, changes: Mapping[str, str]
    ) -> dict[str, Any]:
        """Set each of ``changes`` as the signed-in manager: validated, saved and audited
        (``settings_change``). Returns name → the new value, or the ConfigError refusing it
        (the others are saved). PermissionDeniedError, nothing changed, for anyone else."""
        from clerk.staff import require, set_setting

        require(session, "settings")
        now = int(self.clock())
        results: dict[str, Any] = {}
        for name, value in changes.items():
            try:
                with self._write_lock:
                    results[name] = set_setting(
                        session, self.settings, name, value, audit_conn=self.outbox, now=now
                    )
            except ConfigError as exc:
                results[name] = exc
        return results

    # -- the device, the catalogue, recent customers ----------------------------------------------

    def device_id(self) -> str | None:
        """This terminal's id at the hub (None: not enrolled yet) — without the rest of
        :meth:`status`, which counts the outbox."""
        _, outbox = self._reader()
        return outbox_mod.get_meta(outbox, outbox_mod.META_DEVICE_ID)

    @reads_cache
    def products(self, query: str, limit: int = 20) -> list[Product]:
        """Active products of the catalogue (cache.db ``products``) matching ``query``: the
        sku exactly first, then skus starting with it, then titles (Chinese or English,
        any case) containing it; at most ``limit``."""
        words = query.strip()
        if not words:
            return []
        cache, _ = self._reader()
        like = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = cache.execute(
            "SELECT sku, title_zh, title_en, category, price_cents, image, active FROM products"
            " WHERE active = 1 AND (sku = ?1 COLLATE NOCASE OR sku LIKE ?2 ESCAPE '\\'"
            " OR title_zh LIKE ?3 ESCAPE '\\' OR title_en LIKE ?3 ESCAPE '\\')"
            " ORDER BY sku = ?1 COLLATE NOCASE DESC, sku LIKE ?2 ESCAPE '\\' DESC, title_en"
            " LIMIT ?4",
            (words, like[1:], like, limit),
        ).fetchall()
        return [_product(r) for r in rows]

    @reads_cache
    def catalogue(self, limit: int = 5000) -> list[Product]:
        """The catalogue's active products (cache.db ``products``), at most ``limit``: what
        the window lays out while it waits for the first customer (ui/warmup.py)."""
        cache, _ = self._reader()
        rows = cache.execute(
            "SELECT sku, title_zh, title_en, category, price_cents, image, active FROM products"
            " WHERE active = 1 ORDER BY sku LIMIT ?",
            (limit,),
        ).fetchall()
        return [_product(r) for r in rows]

    @reads_cache
    def product_by_barcode(self, code: str) -> Product | None:
        """The catalogue's product with this barcode (an EAN-13, or a UPC-A read as its
        EAN-13), active or not; None when none has it. ValueError for a bad check digit."""
        from clerk.shared import gtin

        cache, _ = self._reader()
        row = cache.execute(
            "SELECT sku, title_zh, title_en, category, price_cents, image, active FROM products"
            " WHERE barcode = ?",
            (gtin.normalize(code),),
        ).fetchone()
        return None if row is None else _product(row)

    @reads_cache
    def staff_name(self, staff_id: str) -> str | None:
        """The name of a staff member of this store (cache.db ``staff``), or None."""
        cache, _ = self._reader()
        row = cache.execute("SELECT name FROM staff WHERE id = ?", (staff_id,)).fetchone()
        return None if row is None else str(row["name"])

    @reads_cache
    def recent_customers(self, limit: int = 10) -> list[tuple[str, str, int]]:
        """(member_id, name, at) of the latest identified visits at this terminal."""
        cache, outbox = self._reader()
        rows = outbox.execute(
            "SELECT member_id, max(created_at) AS at FROM interactions WHERE kind = 'visit' "
            "AND member_id IS NOT NULL GROUP BY member_id ORDER BY at DESC LIMIT ?",
            (limit,),
        ).fetchall()
        out: list[tuple[str, str, int]] = []
        for r in rows:
            m = cache.execute("SELECT name FROM members WHERE id = ?", (r["member_id"],)).fetchone()
            out.append((r["member_id"], m["name"] if m else r["member_id"], int(r["at"])))
        return out


def _product(r: Sequence[Any]) -> Product:
    """A row of ``SELECT sku, title_zh, title_en, category, price_cents, image, active FROM
    products`` as the catalogue's :class:`~clerk.model.Product`."""
    from clerk.model import Product

    return Product(r[0], r[1], r[2], r[3], int(r[4]), r[5], bool(r[6]))
