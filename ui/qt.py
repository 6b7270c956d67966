"""The one door to PySide6: every other module in ``ui/`` imports Qt names from here.

Keeping Qt behind one module (as qutebrowser does with ``qutebrowser/qt/``) means one place
to pin the binding, and a check that nothing else imports PySide6 (``tests/ui/test_layering``).
Every name is resolved on first use (``__getattr__`` below; type checkers see the imports):
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

if TYPE_CHECKING:  # the names, for type checkers; at run time each is resolved on first use
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
        Signal,
        Slot,
        qInstallMessageHandler,
    )
    from PySide6.QtGui import (
        QAction,
        QBrush,
        QColor,
        QDoubleValidator,
        QFont,
        QFontDatabase,
        QFontMetrics,
        QGuiApplication,
        QIcon,
        QIconEngine,
        QImage,
        QKeyEvent,
        QKeySequence,
        QLinearGradient,
        QPainter,
        QPainterPath,
        QPalette,
        QPen,
        QPixmap,
        QShortcut,
    )
    from PySide6.QtSvg import QSvgRenderer
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QApplication,
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
        QMessageBox,
        QPlainTextEdit,
        QPushButton,
        QScrollArea,
        QSizePolicy,
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


is_alive = shiboken6.isValid  # False once Qt deleted the C++ object behind a wrapper

_LAZY: dict[str, str] = {
    # PySide6.QtCore
    "QAbstractListModel": "PySide6.QtCore",
    "QAbstractTableModel": "PySide6.QtCore",
    "QByteArray": "PySide6.QtCore",
    "QCameraPermission": "PySide6.QtCore",
    "QCoreApplication": "PySide6.QtCore",
    "QDate": "PySide6.QtCore",
    "QDateTime": "PySide6.QtCore",
    "QElapsedTimer": "PySide6.QtCore",
    "QEvent": "PySide6.QtCore",
    "QEventLoop": "PySide6.QtCore",
    "QLibraryInfo": "PySide6.QtCore",
    "QLocale": "PySide6.QtCore",
    "QMargins": "PySide6.QtCore",
    "QModelIndex": "PySide6.QtCore",
    "QObject": "PySide6.QtCore",
    "QPersistentModelIndex": "PySide6.QtCore",
    "QPoint": "PySide6.QtCore",
    "QPointF": "PySide6.QtCore",
    "QRect": "PySide6.QtCore",
    "QRectF": "PySide6.QtCore",
    "QRunnable": "PySide6.QtCore",
    "QSize": "PySide6.QtCore",
    "Qt": "PySide6.QtCore",
    "QThread": "PySide6.QtCore",
    "QThreadPool": "PySide6.QtCore",
    "QTimer": "PySide6.QtCore",
    "QtMsgType": "PySide6.QtCore",
    "QTranslator": "PySide6.QtCore",
    "Signal": "PySide6.QtCore",
    "Slot": "PySide6.QtCore",
    "qInstallMessageHandler": "PySide6.QtCore",
    # PySide6.QtGui
    "QAction": "PySide6.QtGui",
    "QBrush": "PySide6.QtGui",
    "QColor": "PySide6.QtGui",
    "QDoubleValidator": "PySide6.QtGui",
    "QFont": "PySide6.QtGui",
    "QFontDatabase": "PySide6.QtGui",
    "QFontMetrics": "PySide6.QtGui",
    "QGuiApplication": "PySide6.QtGui",
    "QIcon": "PySide6.QtGui",
    "QIconEngine": "PySide6.QtGui",
    "QImage": "PySide6.QtGui",
    "QKeyEvent": "PySide6.QtGui",
    "QKeySequence": "PySide6.QtGui",
    "QLinearGradient": "PySide6.QtGui",
    "QPainter": "PySide6.QtGui",
    "QPainterPath": "PySide6.QtGui",
    "QPalette": "PySide6.QtGui",
    "QPen": "PySide6.QtGui",
    "QPixmap": "PySide6.QtGui",
    "QShortcut": "PySide6.QtGui",
    # PySide6.QtSvg
    "QSvgRenderer": "PySide6.QtSvg",
    # PySide6.QtWidgets
    "QAbstractButton": "PySide6.QtWidgets",
    "QAbstractItemView": "PySide6.QtWidgets",
    "QApplication": "PySide6.QtWidgets",
    "QButtonGroup": "PySide6.QtWidgets",
    "QCheckBox": "PySide6.QtWidgets",
    "QComboBox": "PySide6.QtWidgets",
    "QDateEdit": "PySide6.QtWidgets",
    "QFileDialog": "PySide6.QtWidgets",
    "QFrame": "PySide6.QtWidgets",
    "QGridLayout": "PySide6.QtWidgets",
    "QHBoxLayout": "PySide6.QtWidgets",
    "QHeaderView": "PySide6.QtWidgets",
    "QLabel": "PySide6.QtWidgets",
    "QLayout": "PySide6.QtWidgets",
    "QLayoutItem": "PySide6.QtWidgets",
    "QLineEdit": "PySide6.QtWidgets",
    "QListView": "PySide6.QtWidgets",
    "QMainWindow": "PySide6.QtWidgets",
    "QMessageBox": "PySide6.QtWidgets",
    "QPlainTextEdit": "PySide6.QtWidgets",
    "QPushButton": "PySide6.QtWidgets",
    "QScrollArea": "PySide6.QtWidgets",
    "QSizePolicy": "PySide6.QtWidgets",
    "QStackedLayout": "PySide6.QtWidgets",
    "QStackedWidget": "PySide6.QtWidgets",
    "QStatusBar": "PySide6.QtWidgets",
    "QStyle": "PySide6.QtWidgets",
    "QStyledItemDelegate": "PySide6.QtWidgets",
    "QStyleOptionViewItem": "PySide6.QtWidgets",
    "QTableView": "PySide6.QtWidgets",
    "QToolButton": "PySide6.QtWidgets",
    "QVBoxLayout": "PySide6.QtWidgets",
    "QWidget": "PySide6.QtWidgets",
    # loaded only when used: the camera, the dashboard's charts, tests
    "QCamera": "PySide6.QtMultimedia",
    "QCameraDevice": "PySide6.QtMultimedia",
    "QMediaCaptureSession": "PySide6.QtMultimedia",
    "QMediaDevices": "PySide6.QtMultimedia",
    "QVideoFrame": "PySide6.QtMultimedia",
    "QVideoFrameFormat": "PySide6.QtMultimedia",
    "QVideoSink": "PySide6.QtMultimedia",
    "QBarCategoryAxis": "PySide6.QtCharts",
    "QBarSeries": "PySide6.QtCharts",
    "QBarSet": "PySide6.QtCharts",
    "QChart": "PySide6.QtCharts",
    "QChartView": "PySide6.QtCharts",
    "QValueAxis": "PySide6.QtCharts",
    "QAbstractItemModelTester": "PySide6.QtTest",
    "QTest": "PySide6.QtTest",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "QT_TRANSLATE_NOOP",
    "QAbstractButton",
    "QAbstractItemView",
    "QAbstractListModel",
    "QAbstractTableModel",
    "QAction",
    "QApplication",
    "QBrush",
    "QButtonGroup",
    "QByteArray",
    "QCameraPermission",
    "QCheckBox",
    "QColor",
    "QComboBox",
    "QCoreApplication",
    "QDate",
    "QDateEdit",
    "QDateTime",
    "QDoubleValidator",
    "QElapsedTimer",
    "QEvent",
    "QEventLoop",
    "QFileDialog",
    "QFont",
    "QFontDatabase",
    "QFontMetrics",
    "QFrame",
    "QGridLayout",
    "QGuiApplication",
    "QHBoxLayout",
    "QHeaderView",
    "QIcon",
    "QIconEngine",
    "QImage",
    "QKeyEvent",
    "QKeySequence",
    "QLabel",
    "QLayout",
    "QLayoutItem",
    "QLibraryInfo",
    "QLineEdit",
    "QLinearGradient",
    "QListView",
    "QLocale",
    "QMainWindow",
    "QMargins",
    "QMessageBox",
    "QModelIndex",
    "QObject",
    "QPainter",
    "QPainterPath",
    "QPalette",
    "QPen",
    "QPersistentModelIndex",
    "QPixmap",
    "QPlainTextEdit",
    "QPoint",
    "QPointF",
    "QPushButton",
    "QRect",
    "QRectF",
    "QRunnable",
    "QScrollArea",
    "QShortcut",
    "QSize",
    "QSizePolicy",
    "QStackedLayout",
    "QStackedWidget",
    "QStatusBar",
    "QStyle",
    "QStyleOptionViewItem",
    "QStyledItemDelegate",
    "QSvgRenderer",
    "QTableView",
    "QThread",
    "QThreadPool",
    "QTimer",
    "QToolButton",
    "QTranslator",
    "QVBoxLayout",
    "QWidget",
    "Qt",
    "QtMsgType",
    "Signal",
    "Slot",
    "is_alive",
    "qInstallMessageHandler",
    "translate",
]
