"""The window's frame: the top bar, the health banner and the stack of screens. Layout only;
``ui.main_window.MainWindow`` puts it in the window with the status bar and the toasts."""

from __future__ import annotations

from ui.qt import QStackedWidget, QVBoxLayout, QWidget
from ui.views.top_bar_view import TopBarView
from ui.views.widgets import Banner


class WindowView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("central")
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        self.top = TopBarView()
        box.addWidget(self.top)
        self.banner_wrap = QWidget()
        wrap = QVBoxLayout(self.banner_wrap)
        wrap.setContentsMargins(16, 10, 16, 0)
        self.banner = Banner("warn", "warning")
        self.banner.setObjectName("healthBanner")
        wrap.addWidget(self.banner)
        box.addWidget(self.banner_wrap)
        self.pages = QStackedWidget()
        box.addWidget(self.pages, 1)

    def show_banner(self, show: bool) -> None:
        """The health banner's row (the banner itself says whether it has something)."""
        if self.banner_wrap.isVisibleTo(self.window()) != show:
            self.banner_wrap.setVisible(show)
