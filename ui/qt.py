"""The one door to PySide6: every other module in ``ui/`` imports Qt names from here.

Keeping Qt behind one module (as qutebrowser does with ``qutebrowser/qt/``) means one place
to pin the binding, and a check that nothing else imports PySide6
(``tests/ui/test_ui_layering.py``). Every name is listed once, by module, in ``_MODULES`` and
resolved on first use (``__getattr__`` below; type checkers see the same names imported):
PySide6 builds a class's Python type — for ``Qt`` and ``QStyle``, hundreds of enums — when the
name is first looked up, and the first screen needs well under half of them. QtMultimedia,
QtCharts and QtTest are loaded the same way: the camera, the dashboard and the tests pay for
them, the start-up does not.
"""

from __future__ import annotations

import ctypes
import importlib
import sys
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QCoreApplication as _QCoreApplication

if TYPE_CHECKING:  # the names of _MODULES, for type checkers (tests/ui/test_qt.py)
    from PySide6.QtCharts import (
        QBarCategoryAxis,
        QBarSeries,
        QBarSet,
        QChart,
        QChartView,
        QValueAxis,
    )
    from PySide6.QtCore import (
        QAbstractListModel,
        QAbstractTableModel,
        QByteArray,
        QCameraPermission,
        QCoreApplication,
        QDate,
        QDateTime,
        QElapsedTimer,
        QEvent,
        QEventLoop,
        QLibraryInfo,
        QLocale,
        QMargins,
        QModelIndex,
        QObject,
        QPersistentModelIndex,
        QPoint,
        QPointF,
        QRect,
        QRectF,
        QRunnable,
        QSize,
        Qt,
        QThread,
        QThreadPool,
        QTimer,
        QtMsgType,
        QTranslator,
        QUrl,
        Signal,
        Slot,
        qInstallMessageHandler,
    )
    from PySide6.QtGui import (
        QAction,
        QBrush,
        QColor,
        QDesktopServices,
        QDoubleValidator,
        QFont,
        QFontDatabase,
        QFontMetrics,
        QGuiApplication,
        QIcon,
        QIconEngine,
        QImage,
        QInputEvent,
        QIntValidator,
        QKeyEvent,
        QKeySequence,
        QLinearGradient,
        QMouseEvent,
        QPainter,
        QPainterPath,
        QPalette,
        QPen,
        QPixmap,
        QShortcut,
        QStaticText,
        QTouchEvent,
        QWheelEvent,
    )
    from PySide6.QtMultimedia import (
        QCamera,
        QCameraDevice,
        QMediaCaptureSession,
        QMediaDevices,
        QVideoFrame,
        QVideoFrameFormat,
        QVideoSink,
    )
    from PySide6.QtNetwork import (
        QLocalServer,
        QLocalSocket,
    )
    from PySide6.QtSvg import (
        QSvgRenderer,
    )
    from PySide6.QtTest import (
        QAbstractItemModelTester,
        QTest,
    )
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QApplication,
        QBoxLayout,
        QButtonGroup,
        QCheckBox,
        QComboBox,
        QDateEdit,
        QFileDialog,
        QFrame,
        QGridLayout,
        QHBoxLayout,
        QHeaderView,
        QLabel,
        QLayout,
        QLayoutItem,
        QLineEdit,
        QListView,
        QMainWindow,
        QMenu,
        QMessageBox,
        QPlainTextEdit,
        QPushButton,
        QScrollArea,
        QSizePolicy,
        QSpinBox,
        QStackedLayout,
        QStackedWidget,
        QStatusBar,
        QStyle,
        QStyledItemDelegate,
        QStyleOptionViewItem,
        QTableView,
        QToolButton,
        QVBoxLayout,
        QWidget,
    )


def _immortalize_singletons() -> None:
    """Work around PySide6 6.12 on Python 3.11: make None, True and False immortal.

    PySide6 6.12 hands ``None`` (a null pointer, an invalid QVariant such as
    ``QModelIndex.data()`` of a role a model does not answer, ``widget.parentWidget()`` of a
    top-level widget) and booleans travelling through QVariant or queued signals to Python
    without taking a reference — correct on Python ≥ 3.12, where these objects are immortal,
    but on 3.11 every such call drains their reference count until the interpreter aborts
    ("Fatal Python error: none_dealloc"). Python 3.12 gives them a huge count that never
    reaches zero; do the same here (ob_refcnt is the first field of every PyObject).
    """
    if sys.version_info >= (3, 12) or not hasattr(sys, "getrefcount"):
        return
    for obj in (None, True, False):
        refcnt = ctypes.c_ssize_t.from_address(id(obj))
        if refcnt.value < 1 << 40:
            refcnt.value += 1 << 40


_immortalize_singletons()


translate = _QCoreApplication.translate


def QT_TRANSLATE_NOOP(context: str, source: str, disambiguation: str | None = None) -> str:
    """Marks ``source`` for pyside6-lupdate (in ``context``) and returns it untranslated;
    translate it with ``translate(context, source)`` where it is shown."""
    return source


def copy_text(text: str) -> None:
    """Put ``text`` on the system clipboard (QGuiApplication.clipboard)."""
    from PySide6.QtGui import QGuiApplication

    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        clipboard.setText(text)


def clipboard_text() -> str:
    """What the system clipboard holds as text."""
    from PySide6.QtGui import QGuiApplication

    clipboard = QGuiApplication.clipboard()
    return "" if clipboard is None else clipboard.text()


def open_url(url: str) -> bool:
    """Hand ``url`` (an ``sms:`` or ``mailto:`` link) to the OS (QDesktopServices.openUrl)."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    return bool(QDesktopServices.openUrl(QUrl(url)))


is_alive = shiboken6.isValid  # False once Qt deleted the C++ object behind a wrapper

# Every Qt name ui/ uses, by the module it comes from: the one list the names above follow.
# QtCharts, QtMultimedia, QtNetwork and QtTest load only when one of their names is first used.
_MODULES: dict[str, tuple[str, ...]] = {
    "PySide6.QtCore": (
        "QAbstractListModel",
        "QAbstractTableModel",
        "QByteArray",
        "QCameraPermission",
        "QCoreApplication",
        "QDate",
        "QDateTime",
        "QElapsedTimer",
        "QEvent",
        "QEventLoop",
        "QLibraryInfo",
        "QLocale",
        "QMargins",
        "QModelIndex",
        "QObject",
        "QPersistentModelIndex",
        "QPoint",
        "QPointF",
        "QRect",
        "QRectF",
        "QRunnable",
        "QSize",
        "Qt",
        "QThread",
        "QThreadPool",
        "QTimer",
        "QtMsgType",
        "QTranslator",
        "QUrl",
        "Signal",
        "Slot",
        "qInstallMessageHandler",
    ),
    "PySide6.QtGui": (
        "QAction",
        "QBrush",
        "QColor",
        "QDesktopServices",
        "QDoubleValidator",
        "QFont",
        "QFontDatabase",
        "QFontMetrics",
        "QGuiApplication",
        "QIcon",
        "QIconEngine",
        "QImage",
        "QInputEvent",
        "QIntValidator",
        "QKeyEvent",
        "QKeySequence",
        "QLinearGradient",
        "QMouseEvent",
        "QPainter",
        "QPainterPath",
        "QPalette",
        "QPen",
        "QPixmap",
        "QShortcut",
        "QStaticText",
        "QTouchEvent",
        "QWheelEvent",
    ),
    "PySide6.QtNetwork": ("QLocalServer", "QLocalSocket"),  # the doorbell (ui/doorbell.py)
    "PySide6.QtSvg": ("QSvgRenderer",),
    "PySide6.QtWidgets": (
        "QAbstractButton",
        "QAbstractItemView",
        "QApplication",
        "QBoxLayout",
        "QButtonGroup",
        "QCheckBox",
        "QComboBox",
        "QDateEdit",
        "QFileDialog",
        "QFrame",
        "QGridLayout",
        "QHBoxLayout",
        "QHeaderView",
        "QLabel",
        "QLayout",
        "QLayoutItem",
        "QLineEdit",
        "QListView",
        "QMainWindow",
        "QMenu",
        "QMessageBox",
        "QPlainTextEdit",
        "QPushButton",
        "QScrollArea",
        "QSizePolicy",
        "QSpinBox",
        "QStackedLayout",
        "QStackedWidget",
        "QStatusBar",
        "QStyle",
        "QStyledItemDelegate",
        "QStyleOptionViewItem",
        "QTableView",
        "QToolButton",
        "QVBoxLayout",
        "QWidget",
    ),
    "PySide6.QtMultimedia": (
        "QCamera",
        "QCameraDevice",
        "QMediaCaptureSession",
        "QMediaDevices",
        "QVideoFrame",
        "QVideoFrameFormat",
        "QVideoSink",
    ),
    "PySide6.QtCharts": (
        "QBarCategoryAxis",
        "QBarSeries",
        "QBarSet",
        "QChart",
        "QChartView",
        "QValueAxis",
    ),
    "PySide6.QtTest": (
        "QAbstractItemModelTester",
        "QTest",
    ),
}
_LAZY = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
