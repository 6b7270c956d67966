"""Behaviour events in, Segment-compatible (issue 16): the HTTP Tracking API under
``/segment/v1`` (:mod:`.routes`), sources and write keys (:mod:`.sources`), calls checked and
timed (:mod:`.calls`), the e-commerce mapping and the write path (:mod:`.intake`), one member
per person (:mod:`.identity`), and the ``clerk hub source|identity`` commands (:mod:`.cli`).
See docs/ingest.md.
"""
