"""packaging/slim.py: what it strips, which ICU items it drops, how it shares duplicates,
tried on real libraries (one compiled here, PySide6's own ICU data)."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

import slim  # noqa: E402

needs_linux_tools = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("cc") is None,
    reason="needs Linux and a C compiler",
)


def _compile(where: Path, name: str) -> Path:
    source = where / "lib.c"
    source.write_text("int radar_answer(void) { return 42; }\n", encoding="utf-8")
    out = where / name
    subprocess.run(["cc", "-shared", "-fPIC", "-g", "-o", str(out), str(source)], check=True)
    return out


def test_icu_removals_keep_root_english_and_the_shared_data() -> None:
    items = [
        "root.res", "en.res", "en_GB.res", "fr.res", "fr_CA.res", "pt_BR.res", "res_index.res",
        "pool.res", "zoneinfo64.res", "metaZones.res", "coll/root.res", "coll/en.res",
        "coll/de_.res", "coll/de__PHONEBOOK.res", "coll/ucadata.icu", "zone/ja.res",
        "brkitr/line.brk", "brkitr/thaidict.dict", "uts46.nrm", "ibm-1390_P110-2003.cnv",
        "cnvalias.icu", "curr/supplementalData.res", "lang/en_001.res", "lang/zh_Hant.res",
    ]  # fmt: skip
    removed = set(slim.icu_removals(items))
    assert removed == {
        "fr.res", "fr_CA.res", "pt_BR.res", "coll/de_.res", "coll/de__PHONEBOOK.res",
        "zone/ja.res", "ibm-1390_P110-2003.cnv", "lang/zh_Hant.res",
    }  # fmt: skip


def test_share_duplicates_links_identical_libraries_only(tmp_path: Path) -> None:
    first = tmp_path / "numpy.libs"
    second = tmp_path / "scipy.libs"
    first.mkdir()
    second.mkdir()
    (first / "libgfortran-1.so.5").write_bytes(b"same bytes" * 100)
    (second / "libgfortran-1.so.5").write_bytes(b"same bytes" * 100)
    (first / "libother.so").write_bytes(b"one")
    (second / "libother.so").write_bytes(b"two")  # same name, other bytes: kept
    saved = slim.share_duplicates(tmp_path)
    assert saved == 1000
    linked = second / "libgfortran-1.so.5"
    assert linked.is_symlink()
    assert linked.read_bytes() == b"same bytes" * 100
    assert not (second / "libother.so").is_symlink()
    assert (second / "libother.so").read_bytes() == b"two"


@needs_linux_tools
def test_strip_leaves_patched_libraries_and_the_executable_alone(tmp_path: Path) -> None:
    bundle = tmp_path / "AccountRadar"
    (bundle / "_internal" / "numpy.libs").mkdir(parents=True)
    plain = _compile(bundle / "_internal", "libplain.so")
    patched = _compile(bundle / "_internal" / "numpy.libs", "libpatched.so")
    exe = _compile(bundle, "AccountRadar")
    sizes = {p: p.stat().st_size for p in (plain, patched, exe)}
    saved = slim.strip_binaries(bundle, exe)
    assert plain.stat().st_size < sizes[plain]
    assert saved == sizes[plain] - plain.stat().st_size
    assert patched.stat().st_size == sizes[patched]
    assert exe.stat().st_size == sizes[exe]
    assert ctypes.CDLL(str(plain)).radar_answer() == 42  # still a working library


@needs_linux_tools
@pytest.mark.skipif(shutil.which("icupkg") is None, reason="needs icupkg (icu-devtools)")
def test_trim_icu_rebuilds_pyside6s_data_with_english_and_root(tmp_path: Path) -> None:
    import PySide6

    found = sorted(Path(PySide6.__file__).parent.glob("Qt/lib/libicudata.so.*"))
    if not found:
        pytest.skip("this PySide6 uses the system's ICU")
    original = next(p for p in found if not p.is_symlink())
    bundle = tmp_path / "bundle"
    (bundle / "lib").mkdir(parents=True)
    library = bundle / "lib" / original.name
    shutil.copyfile(original, library)
    symbol, whole = slim._icu_blob(original)

    saved = slim.trim_icu(bundle)

    assert saved == original.stat().st_size - library.stat().st_size
    assert library.stat().st_size < original.stat().st_size / 2
    same_symbol, small = slim._icu_blob(library)
    assert same_symbol == symbol
    assert small[12:16] == b"CmnD"
    readelf = subprocess.run(["readelf", "-d", str(library)], capture_output=True, text=True)
    assert f"[{original.name}]" in readelf.stdout  # the same soname
    listed = tmp_path / "list"
    listed.mkdir()
    package = listed / f"{symbol.removesuffix('_dat')}l.dat"
    package.write_bytes(small)
    items = subprocess.run(
        ["icupkg", "-l", str(package)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert {"root.res", "en.res", "coll/ucadata.icu", "zoneinfo64.res"} <= set(items)
    assert "fr.res" not in items
    assert not slim.icu_removals(items)
    assert ctypes.CDLL(str(library))[symbol]  # the data symbol is exported


STUB_CHARTS = r"""
import runpy, sys
runpy.run_path(sys.argv[1])  # the bundle's runtime hook, before anything imports Qt
from PySide6.QtWidgets import QApplication
app = QApplication([])
import numpy as np
import pyqtgraph as pg
import views.charts.alert_charts, views.charts.orders_chart, views.charts.results_charts
import views.charts.sentiment_chart, views.charts.score_history_chart, views.charts.trends_chart
import PySide6.QtOpenGL as gl
assert type(gl).__name__ == "_NotBundled", type(gl)
plot = pg.PlotWidget()
plot.resize(400, 300)
plot.plot(np.arange(30), np.sin(np.arange(30) / 4), pen=pg.mkPen("#d04040", width=3))
plot.addItem(pg.BarGraphItem(x=[1, 2, 3], height=[1, 2, 3], width=0.6, brush="#3060c0"))
plot.addItem(pg.ScatterPlotItem(x=[5, 6], y=[0.5, 0.2], brush="#30a030", size=12))
plot.show()
app.processEvents()
image = plot.grab().toImage()
w, h = image.width(), image.height()
colours = {image.pixel(x, y) for x in range(0, w, 3) for y in range(0, h, 3)}
try:
    gl.QOpenGLBuffer
except AttributeError as exc:
    print("use says:", exc)
print("colours", len(colours))
"""


def test_charts_draw_with_the_bundles_stand_in_for_qt_opengl(tmp_path: Path) -> None:
    """The frozen app leaves PySide6.QtOpenGL out (packaging/rthooks/no_qt_opengl.py):
    with the stand-in loaded first, the app's chart modules import and pyqtgraph draws
    curves, bars and points."""
    script = tmp_path / "charts.py"
    script.write_text(STUB_CHARTS, encoding="utf-8")
    hook = ROOT / "packaging" / "rthooks" / "no_qt_opengl.py"
    result = subprocess.run(
        [sys.executable, str(script), str(hook)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "OpenGL drawing is not part of this build" in result.stdout
    colours = int(result.stdout.split("colours")[-1])
    assert colours >= 4  # background, axes, the red curve, blue bars, green points
