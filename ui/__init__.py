"""The associate's terminal UI (PySide6, only through ``ui.qt``).

``ui.app.run_app`` starts it; ``ui.demo.run_demo`` drives it for the demo and screenshots.
Views lay out (``ui/views``), controllers decide (``ui/controllers``), item models carry the
data (``ui/models``); work runs off the GUI thread through ``ui.workers``.
"""
