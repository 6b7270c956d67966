"""What the PyInstaller specs leave out of the bundle (shared by the Linux and Windows specs).

Kept deliberately small and explicit: each rule names what it drops and why. scripts/build_dist.sh
prints the bundle size; bench/dist.py tracks it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

# Python modules the app never imports (some are pulled in by optional imports of libraries).
EXCLUDED_MODULES = [
    "tkinter",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebEngineQuick",
    "PySide6.QtWebChannel",
    "PySide6.QtWebSockets",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuick3D",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2",
    "PySide6.Qt3DCore",
    "PySide6.Qt3DRender",
    "PySide6.Qt3DInput",
    "PySide6.Qt3DLogic",
    "PySide6.Qt3DAnimation",
    "PySide6.Qt3DExtras",
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "PySide6.QtDesigner",
    "PySide6.QtHelp",
    "PySide6.QtUiTools",
    "PySide6.QtBluetooth",
    "PySide6.QtNfc",
    "PySide6.QtLocation",
    "PySide6.QtPositioning",
    "PySide6.QtSensors",
    "PySide6.QtSerialPort",
    "PySide6.QtSerialBus",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtTextToSpeech",
    "PySide6.QtDataVisualization",
    "PySide6.QtGraphs",
    "PySide6.QtGraphsWidgets",
    "PySide6.QtRemoteObjects",
    "PySide6.QtScxml",
    "PySide6.QtStateMachine",
    "PySide6.QtHttpServer",
    "PySide6.QtNetworkAuth",
    "PySide6.QtSpatialAudio",
    "PySide6.QtAxContainer",
    "PySide6.QtMultimediaWidgets",
    # development and test tools
    "pytest",
    "_pytest",
    "hypothesis",
    "schemathesis",
    "mypy",
    "ruff",
    "IPython",
    "matplotlib",
    "numpy.tests",
]


def lazy_qt_modules(root: Path) -> list[str]:
    """The Qt modules ui/qt.py loads by name on first use — PyInstaller cannot follow a name in
    a string, so the specs list them as hidden imports (QtCharts for the manager's dashboard,
    QtMultimedia for the camera, …); the excluded ones (QtTest: the tests') stay out."""
    text = (root / "ui" / "qt.py").read_text(encoding="utf-8")
    return sorted(set(re.findall(r'"(PySide6\.Qt\w+)"', text)) - set(EXCLUDED_MODULES))


# Qt platform plugins: the real screen (xcb on Linux, windows on Windows) and offscreen
# (screenshots, headless smoke tests). Wayland sessions use xcb through XWayland.
_PLATFORMS = {"libqxcb.so", "libqoffscreen.so", "qwindows.dll", "qoffscreen.dll"}

# Single plugins not worth their dependencies: the Qt virtual keyboard (QML; the OS has its
# own on-screen keyboard), PDF images (QtPdf).
_DROP_PLUGINS = {
    "libqtvirtualkeyboardplugin.so",
    "qtvirtualkeyboardplugin.dll",
    "libqpdf.so",
    "qpdf.dll",
}

_DROP_PLUGIN_DIRS = {
    "platformthemes",  # GTK/portal themes: would drag in the GTK stack
    "wayland-decoration-client",
    "wayland-graphics-integration-client",
    "wayland-shell-integration",
    "wayland-graphics-integration-server",
    "egldeviceintegrations",
    "qmltooling",
    "designer",
    "sqldrivers",
    "position",
    "sensors",
    "texttospeech",
    "geometryloaders",
    "sceneparsers",
    "renderers",
    "renderplugins",
    "assetimporters",
    "webview",
    "canbus",
    "networkinformation",
    "tls",  # Qt's TLS backends: the app talks HTTPS through httpx, not QtNetwork
    "generic",  # evdev/tuio input for framebuffer (eglfs/linuxfb) setups — not used with xcb
}

# Qt libraries that must never ship even if some plugin links them.
_DROP_LIBS = re.compile(
    r"(^|[\\/])(lib)?Qt6(WebEngine|Quick3D|Pdf|Designer|3D|Location|Bluetooth|Nfc|"
    r"TextToSpeech|DataVisualization|Graphs|RemoteObjects|Scxml|HttpServer|SpatialAudio|"
    r"WebView|VirtualKeyboard|WaylandClient|WlShellIntegration|EglFS|EglFsKms)[^\\/]*$"
)

_DROP_DATA = re.compile(
    r"[\\/]Qt[\\/](qml|resources|translations[\\/]qtwebengine_locales)([\\/]|$)"
)


def _plugin_parts(dest: str) -> tuple[str, str] | None:
    """(plugin folder, file name) for a Qt plugin's destination path, else None."""
    parts = re.split(r"[\\/]", dest)
    if "plugins" not in parts:
        return None
    i = parts.index("plugins")
    if len(parts) < i + 3:
        return None
    return parts[i + 1], parts[-1]


def keep_binary(dest: str, src: str) -> bool:
    """Whether a collected binary (destination name in the bundle, source path) ships."""
    if _DROP_LIBS.search(dest):
        return False
    plugin = _plugin_parts(dest)
    if plugin is not None:
        folder, name = plugin
        if folder in _DROP_PLUGIN_DIRS or name in _DROP_PLUGINS:
            return False
        if folder == "platforms" and name not in _PLATFORMS:
            return False
    return True


# Qt's own translations: only the languages the app ships (assets/i18n: zh_CN, en).
_TRANSLATIONS = re.compile(r"[\\/]Qt[\\/]translations[\\/][^\\/]+$")
_LANGUAGES = re.compile(r"_(zh_CN|en)\.qm$")


def keep_data(dest: str) -> bool:
    """Whether a collected data file ships (QML, WebEngine resources and locales do not)."""
    if _TRANSLATIONS.search(dest):
        return bool(_LANGUAGES.search(dest))
    return not _DROP_DATA.search(dest)


Entry = tuple[str, str, str]  # PyInstaller TOC entry: (destination, source, typecode)


def prune_orphans(
    kept: list[Entry], dropped: list[Entry], imports: Callable[[str], set[str]]
) -> list[Entry]:
    """``kept`` minus the libraries that only the ``dropped`` binaries needed.

    PyInstaller collects a plugin's dependencies before the spec filters the plugin out (the
    GTK theme brings ATK, cairo, GDK-pixbuf…). A kept library is removed only if a dropped
    binary reaches it and nothing else that is kept does; ``imports(source)`` gives the file
    names a binary links to. Libraries the dropped binaries never reach are never touched
    (they may be loaded through ctypes, which no linker table shows).
    """
    pool = {Path(e[0]).name: e for e in kept}
    cache: dict[str, set[str]] = {}

    def closure(start: list[Entry]) -> set[str]:
        seen: set[str] = set()
        todo = list(start)
        while todo:
            entry = todo.pop()
            if entry[1] not in cache:
                cache[entry[1]] = imports(entry[1])
            for name in cache[entry[1]]:
                dep = pool.get(name)
                if dep is not None and name not in seen:
                    seen.add(name)
                    todo.append(dep)
        return seen

    suspects = closure(dropped)
    roots = [e for e in kept if Path(e[0]).name not in suspects]
    needed = closure(roots) | {Path(e[0]).name for e in roots}
    return [e for e in kept if Path(e[0]).name not in suspects or Path(e[0]).name in needed]


def drop_dangling_symlinks(binaries: list[Entry], datas: list[Entry]) -> tuple[list[Entry], ...]:
    """Both lists without SYMLINK entries whose target no longer ships."""
    shipped = {os.path.normpath(e[0]) for e in binaries + datas if e[2] != "SYMLINK"}

    def alive(e: Entry) -> bool:
        if e[2] != "SYMLINK":
            return True
        target = os.path.normpath(os.path.join(os.path.dirname(e[0]), e[1]))
        return target in shipped

    return [e for e in binaries if alive(e)], [e for e in datas if alive(e)]
