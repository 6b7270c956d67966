"""PyInstaller runtime hook: let pyzbar find the libzbar bundled next to the app.

pyzbar asks ``ctypes.util.find_library("zbar")``, which only searches the system (ldconfig);
on a machine without libzbar0 that fails although the bundle carries ``libzbar.so.0``. This
hook runs before any app code and answers "zbar" with the bundled file when there is one.
(On Windows pyzbar loads the DLLs from its own package folder, which the spec collects.)
"""

import ctypes.util
import os
import sys

_BUNDLE = getattr(sys, "_MEIPASS", None)
_system_find_library = ctypes.util.find_library


def _find_library(name):
    if name == "zbar" and _BUNDLE:
        candidate = os.path.join(_BUNDLE, "libzbar.so.0")
        if os.path.exists(candidate):
            return candidate
    return _system_find_library(name)


ctypes.util.find_library = _find_library
