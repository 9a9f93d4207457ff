"""The window's edges on the demo workspace: opening Settings, changing the theme, quitting.

    .venv/bin/python bench/bench_edges.py [--workspace PATH] [--customers 2000] [--runs 3]
                                          [--smoke]

Builds a demo workspace with the app's own command line (``main.py demo``; at --workspace
if given and kept there, else in a temporary folder), then starts the real app
(``main.py --db WORKSPACE``) offscreen in a fresh process ``--runs`` times. In each start,
once the customers table is filled (the hook ACCOUNT_RADAR_QUIT_WHEN_POPULATED gives) and
the background reads that follow it have ended, it times:

- Settings: File ▸ Settings… triggered until the dialog's first page is painted;
- theme: View ▸ Theme ▸ Dark (then Light, alternately) triggered until the new palette is
  applied and the window painted with it;
- quit: File ▸ Quit (Ctrl+Q) triggered until the window is hidden, and until the process
  has exited (wall clock, seen from this process).

The yardstick, measured in the same run and the same conditions: a bare PySide6
QMainWindow (an empty table view in it) in a fresh process doing the same: a bare QDialog
shown and painted, a bare palette change painted, the window closed until hidden and until
its process has exited. Each figure is printed beside its yardstick with their ratio.

Targets: Settings within 1 s, a theme change within 0.5 s, quit within 2 s (the window is
hidden at once: a person sees it go).

``--smoke`` (the test suite runs it): a 40-customer workspace and one start of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"settings": 1.0, "theme": 0.5, "quit_hidden": 2.0, "quit_exited": 2.0}
LABELS = {
    "settings": "Settings shown",
    "theme": "theme changed",
    "quit_hidden": "quit: hidden",
    "quit_exited": "quit: exited",
}
SMOKE_CUSTOMERS = 40
IDLE_MS = 300  # the window counts as settled once no job ran for this long
TIMEOUT_S = 180

# The child's start: the driver below is installed, then main.py runs as __main__.
APP_BOOT = """
import runpy, sys
sys.path.insert(0, {bench!r})
import bench_edges
bench_edges.install_driver()
sys.argv = [{main!r}, "--db", {db!r}]
runpy.run_path({main!r}, run_name="__main__")
"""


# ------------------------------------------------------------------------- in the child


def _say(name: str, value: float) -> None:
    sys.stdout.write(f"edge {name} {value:.6f}\n")
    sys.stdout.flush()


class _Watch:
    """Stamps, once armed, the end of the event-loop turn in which ``widget`` was painted
    (the whole window's paint that turn is done), or the time ``widget`` was hidden."""

    def __init__(self, widget: Any, kind: str, done: Callable[[float], None]) -> None:
        from PySide6.QtCore import QEvent, QObject, QTimer

        wanted = QEvent.Type.Paint if kind == "paint" else QEvent.Type.Hide
        self.armed = False

        class Filter(QObject):
            def eventFilter(self_, _obj: Any, event: Any) -> bool:  # noqa: N802, N805
                if self.armed and event.type() == wanted:
                    self.armed = False
                    if kind == "paint":
                        QTimer.singleShot(0, lambda: done(time.perf_counter()))
                    else:
                        done(time.time())
                return False

        self._filter = Filter(widget)
        widget.installEventFilter(self._filter)


def _when_idle(jobs: Any, fn: Callable[[], None]) -> None:
    """Call ``fn`` once the job runner has been idle for IDLE_MS."""
    from PySide6.QtCore import QTimer

    quiet = [0.0]

    def check() -> None:
        if not jobs.is_idle():
            quiet[0] = 0.0
        elif quiet[0] == 0.0:
            quiet[0] = time.perf_counter()
        elif time.perf_counter() - quiet[0] >= IDLE_MS / 1000:
            timer.stop()
            fn()

    timer = QTimer(jobs)
    timer.setInterval(20)
    timer.timeout.connect(check)
    timer.start()


def _time_settings(window: Any, then: Callable[[], None]) -> None:
    from PySide6.QtCore import QTimer

    from app.gui.settings_controller import SettingsController

    controller = window.findChild(SettingsController)
    show_modal = controller._show
    started = [0.0]

    def painted(at: float, dialog: Any) -> None:
        _say("settings", at - started[0])
        dialog.reject()

    def show(dialog: Any) -> bool:
        watch = _Watch(dialog, "paint", lambda at: painted(at, dialog))
        watch.armed = True
        return bool(show_modal(dialog))

    controller._show = show

    def trigger() -> None:
        started[0] = time.perf_counter()
        window.menus.settings_action.trigger()

    def closed() -> None:
        controller._show = show_modal
        then()

    QTimer.singleShot(0, trigger)
    _when_settings_closed(controller, closed)


def _when_settings_closed(controller: Any, fn: Callable[[], None]) -> None:
    from PySide6.QtCore import QTimer

    seen = [False]

    def check() -> None:
        seen[0] = seen[0] or controller.dialog is not None
        if seen[0] and controller.dialog is None:
            timer.stop()
            fn()

    timer = QTimer(controller)
    timer.setInterval(20)
    timer.timeout.connect(check)
    timer.start()


def _time_theme(window: Any, dark: bool, then: Callable[[], None]) -> None:
    from PySide6.QtCore import QTimer

    from views.kit.theme import ThemeMode

    started = [0.0]

    def painted(at: float) -> None:
        window.theme_manager.theme_changed.disconnect(arm)
        _say("theme", at - started[0])
        then()

    watch = _Watch(window, "paint", painted)

    def arm(_theme: object) -> None:
        watch.armed = True

    window.theme_manager.theme_changed.connect(arm)

    def trigger() -> None:
        started[0] = time.perf_counter()
        window.menus.theme_actions[ThemeMode.DARK if dark else ThemeMode.LIGHT].trigger()

    QTimer.singleShot(0, trigger)


def _time_quit(window: Any) -> None:
    _Watch(window, "hide", lambda at: _say("hidden_at", at)).armed = True
    _say("quit_at", time.time())
    window.menus.quit_action.trigger()


def _drive(pane: Any, _quit_requested: Any) -> None:
    """Once the table is filled: Settings, the theme twice, then quit."""
    from PySide6.QtCore import QTimer

    window = pane.window()
    jobs = window._jobs

    def filled() -> bool:
        if pane.model.rowCount() == 0:
            return False
        _say("populated", pane.model.rowCount())
        steps: list[Callable[[Callable[[], None]], None]] = [
            lambda then: _time_settings(window, then),
            lambda then: _time_theme(window, True, then),
            lambda then: _time_theme(window, False, then),
        ]

        def step() -> None:
            if not steps:
                _when_idle(jobs, lambda: _time_quit(window))
                return
            _when_idle(jobs, lambda: steps.pop(0)(step))

        step()
        return True

    timer = QTimer(pane)
    timer.setInterval(10)
    timer.timeout.connect(lambda: filled() and timer.stop())
    timer.start()


def install_driver() -> None:
    """Replace the populated hook of app.gui.startup with the driver (before the window)."""
    import app.gui.startup as startup

    os.environ[startup.QUIT_WHEN_POPULATED] = "1"
    startup.quit_when_populated = _drive  # type: ignore[assignment]


# ------------------------------------------------------------------ the yardstick's child

BARE = """
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (QApplication, QDialog, QLabel, QMainWindow, QPushButton,
                               QTableView, QVBoxLayout)

def say(name, value):
    sys.stdout.write(f"edge {name} {value:.6f}\\n"); sys.stdout.flush()

class Watch(QObject):
    def __init__(self, widget, wanted, done):
        super().__init__(widget); self.armed = False; self.wanted = wanted; self.done = done
        widget.installEventFilter(self)
    def eventFilter(self, obj, event):
        if self.armed and event.type() == self.wanted:
            self.armed = False
            if self.wanted == QEvent.Type.Paint:
                QTimer.singleShot(0, lambda: self.done(time.perf_counter()))
            else:
                self.done(time.time())
        return False

app = QApplication(sys.argv[:1])
app.setStyle("Fusion")
window = QMainWindow(); window.setCentralWidget(QTableView()); window.resize(1200, 800)
window.show()
started = [0.0]

def dialog_step():
    dialog = QDialog(window); layout = QVBoxLayout(dialog)
    layout.addWidget(QLabel("A setting")); layout.addWidget(QPushButton("OK"))
    def painted(at):
        say("settings", at - started[0]); dialog.reject(); QTimer.singleShot(50, palette_step)
    watch = Watch(dialog, QEvent.Type.Paint, painted); watch.armed = True
    started[0] = time.perf_counter(); dialog.show()

def palette_step(dark=True):
    def painted(at):
        say("theme", at - started[0])
        QTimer.singleShot(50, (lambda: palette_step(False)) if dark else quit_step)
    watch = Watch(window, QEvent.Type.Paint, painted); watch.armed = True
    started[0] = time.perf_counter()
    palette = QPalette(app.palette())
    palette.setColor(QPalette.ColorRole.Window, QColor("#1e1f22" if dark else "#f5f5f5"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#2b2d30" if dark else "#ffffff"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#dfe1e5" if dark else "#1e1f22"))
    app.setPalette(palette)

def quit_step():
    Watch(window, QEvent.Type.Hide, lambda at: say("hidden_at", at)).armed = True
    say("quit_at", time.time()); window.close()

QTimer.singleShot(300, dialog_step)
sys.exit(app.exec())
"""


# --------------------------------------------------------------------------- the parent


def _environment(home: str) -> dict[str, str]:
    env = dict(os.environ, HOME=home, XDG_DATA_HOME=f"{home}/data", QT_QPA_PLATFORM="offscreen")
    env["ACCOUNT_RADAR_LOG_DIR"] = f"{home}/log"
    env.pop("ACCOUNT_RADAR_DB", None)
    env.pop("ACCOUNT_RADAR_QUIT_WHEN_POPULATED", None)
    return env


def build_workspace(path: Path, customers: int, env: dict[str, str]) -> None:
    if path.exists():
        return
    print(f"Building a {customers:,}-customer demo workspace at {path}…", flush=True)
    subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(path), "demo",
         "--customers", str(customers)],
        env=env, check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip


def run_child(code: str, env: dict[str, str]) -> dict[str, float]:
    """Run one child to its end; its figures, the quit's two as seconds from the trigger."""
    figures: dict[str, float] = {}
    with tempfile.TemporaryFile("w+") as errors, subprocess.Popen(
        [sys.executable, "-c", code], env=env, cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=errors,
    ) as process:  # fmt: skip
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("edge "):
                _, name, value = line.split()
                figures[name] = float(value)
        # The output ends when the process has exited (or closed it on its way out).
        process.wait(timeout=TIMEOUT_S)
        exited = time.time()
        errors.seek(0)
        err = errors.read()[-4000:]
    missing = {"settings", "theme", "quit_at", "hidden_at"} - figures.keys()
    if process.returncode != 0 or missing:
        raise SystemExit(f"the child failed (exit {process.returncode}; missing {missing}):\n{err}")
    return {
        "settings": figures["settings"],
        "theme": figures["theme"],
        "quit_hidden": figures["hidden_at"] - figures["quit_at"],
        "quit_exited": exited - figures["quit_at"],
    }


def report(app_runs: list[dict[str, float]], bare_runs: list[dict[str, float]]) -> bool:
    """Print each figure beside its yardstick; True when every target is met."""
    met = True
    print(f"{'':16}{'app':>10}{'yardstick':>12}{'ratio':>9}{'target':>9}")
    for key, label in LABELS.items():
        app = statistics.median(run[key] for run in app_runs)
        bare = statistics.median(run[key] for run in bare_runs)
        ok = app <= TARGETS[key]
        met = met and ok
        ratio = app / bare if bare > 0 else float("inf")
        print(
            f"{label:16}{app * 1000:8.0f} ms{bare * 1000:9.0f} ms{ratio:8.1f}x"
            f"{TARGETS[key]:7.1f} s {'ok' if ok else 'OVER'}"
        )
    print(
        "runs (app): "
        + "; ".join(", ".join(f"{k} {v * 1000:.0f}" for k, v in run.items()) for run in app_runs)
    )
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace", type=Path, help="the demo workspace (built if absent)")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="a tiny workspace, one run")
    args = parser.parse_args()
    customers, runs = (SMOKE_CUSTOMERS, 1) if args.smoke else (args.customers, args.runs)
    with tempfile.TemporaryDirectory(prefix="ar-edges-") as home:
        env = _environment(home)
        workspace = args.workspace or Path(home) / f"demo{customers}.radar.sqlite"
        build_workspace(workspace, customers, env)
        boot = APP_BOOT.format(
            bench=str(ROOT / "bench"), main=str(ROOT / "main.py"), db=str(workspace)
        )
        app_runs: list[dict[str, float]] = []
        bare_runs: list[dict[str, float]] = []
        for _ in range(runs):  # alternately, so that both see the same machine
            app_runs.append(run_child(boot, env))
            bare_runs.append(run_child(BARE, env))
    print(f"{customers:,}-customer demo workspace, {runs} run(s) each, medians:")
    met = report(app_runs, bare_runs)
    print("every target met" if met else "a target is missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
