"""The reference central-CRM hub: FastAPI service over one data layer (SQLite or PostgreSQL).

Modules: ``errors`` (the hub's exception tree), ``store`` (the data layer: connections,
dialects, migrations and every SQL statement), ``ingest`` (interaction batch semantics),
``keys`` (member-code signing keys), ``seed`` (the demo world), ``app`` (HTTP),
``cli`` (``clerk hub …``), ``testing`` (a hub on loopback for tests), ``openapi``.
"""
