"""The reference central-CRM hub: a FastAPI service over one data layer (SQLite or PostgreSQL).

It stands alone: it imports the wire protocol (``sync.protocol``), the pure kernel it shares
with the terminal (``clerk.shared``) and its own modules — nothing else of ours
(tests/unit/test_hub_imports.py). The one exception is ``clerk hub seed``, which loads the demo
world (``demoworld``) inside the command.

Modules: ``app`` (HTTP), ``errors`` (the exception tree), ``db`` (connections, dialects,
migration files), ``store`` (:class:`~sync.hub.store.HubStore`: connections, the write lock,
migrations, stores) and its aggregates ``devices``, ``keys``, ``feed``, ``members``, ``staff``,
``interactions``, ``bulk``; ``ingest`` (interaction batches), ``cli`` (``clerk hub …``),
``embedded`` (the hub served by a thread on loopback: ``clerk demo``, tests), ``openapi``.
"""
