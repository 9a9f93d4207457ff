"""PyInstaller runtime hook: PySide6.QtOpenGL (8.7 MB) is not in the bundle.

pyqtgraph imports it when its plot items load, and uses it only to draw with OpenGL,
which the app never turns on (pyqtgraph's useOpenGL option stays off). This module
stands in for it: importing works, using anything in it says why it is missing.
tests/packaging/test_slim.py draws the app's charts with it in place.
"""

import sys
import types


class _NotBundled(types.ModuleType):
    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(
            f"PySide6.QtOpenGL.{name}: OpenGL drawing is not part of this build of Account Radar"
        )


sys.modules.setdefault("PySide6.QtOpenGL", _NotBundled("PySide6.QtOpenGL"))
