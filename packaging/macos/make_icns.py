"""The macOS app icon (build/AccountRadar.icns) from resources/icons/account-radar.svg:
Qt draws the SVG at each size an .iconset holds, then Apple's iconutil packs them.

    python packaging/macos/make_icns.py     (on macOS; build.sh runs it)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIZES = (16, 32, 128, 256, 512)


def render_iconset(svg: Path, iconset: Path) -> list[Path]:
    """icon_16x16.png ... icon_512x512@2x.png drawn from ``svg``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not an SVG Qt can draw")
    iconset.mkdir(parents=True, exist_ok=True)
    made = []
    for size in SIZES:
        for scale, suffix in ((1, ""), (2, "@2x")):
            pixels = size * scale
            image = QImage(pixels, pixels, QImage.Format.Format_ARGB32)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            renderer.render(painter)
            painter.end()
            path = iconset / f"icon_{size}x{size}{suffix}.png"
            if not image.save(str(path)):
                raise SystemExit(f"could not write {path}")
            made.append(path)
    return made


def main() -> int:
    iconset = ROOT / "build" / "AccountRadar.iconset"
    render_iconset(ROOT / "resources" / "icons" / "account-radar.svg", iconset)
    if shutil.which("iconutil") is None:
        print(f"iconutil not found (macOS only): the PNGs are in {iconset}")
        return 0 if sys.platform != "darwin" else 1
    icns = ROOT / "build" / "AccountRadar.icns"
    subprocess.run(["iconutil", "-c", "icns", str(iconset), "-o", str(icns)], check=True)
    print(icns)
    return 0


if __name__ == "__main__":
    sys.exit(main())
