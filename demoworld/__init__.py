"""The demo world, in one place: a believable retail chain for demos, tests and benchmarks.

``world`` (stores, staff, members and their online life, deterministic by seed) and
``catalogue`` (the products); ``seed`` (the world streamed into a hub: ``clerk hub seed``, the
demo's hub, tests); ``home`` (an offline demo terminal, no hub: UI tests and benchmarks);
``day`` (a business day of the demo terminal's work, for the manager's dashboard); ``app``
(``clerk demo``: the app on an embedded, seeded hub).

It may import the terminal (``clerk``), ``sync`` and, inside ``app``, the UI. Nothing imports it
but the demo's entry points — ``clerk demo`` and ``clerk hub seed``, each inside its command —
and tests and benchmarks (tests/unit/test_hub_imports.py). Neither the terminal's core nor the
hub needs it for anything else.
"""
