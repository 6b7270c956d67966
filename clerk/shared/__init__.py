"""The pure kernel the terminal and the hub share: codecs and definitions, no state of ours.

``base45`` (RFC 9285), ``membercode`` (the MC1 format: issue, verify), ``phones`` (E.164,
keyed hash, masking), ``entities`` (the change feed's entities and their columns),
``barcodes`` (QR and Code 128 as PNG), ``interactions`` (the interaction vocabulary: every
kind, its typed payload and its spec), ``money`` (amounts into whole fen).

The rule that keeps it shareable: nothing here imports anything of ours outside
``clerk/shared/`` (tests/unit/test_hub_imports.py checks it). The hub (``sync/hub/``) imports
this package and nothing else of ``clerk/``.
"""
