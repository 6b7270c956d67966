"""Print the hub's OpenAPI document: ``python -m sync.hub.openapi > docs/openapi.json``.

The app is built over a throwaway SQLite file in a temporary directory: no database needed.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from sync.hub.app import create_app
from sync.hub.store import HubStore


def openapi_document() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="hub-openapi-") as tmp:
        store = HubStore.open(str(Path(tmp) / "hub.db"), keys_file=str(Path(tmp) / "hub.keys"))
        try:
            return create_app(store).openapi()
        finally:
            store.close()


def main() -> int:
    json.dump(openapi_document(), sys.stdout, ensure_ascii=False, indent=2, sort_keys=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
