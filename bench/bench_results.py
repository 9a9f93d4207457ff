"""The Results tab in the real app: its first open, each section's first show, and each
section shown again.

    .venv/bin/python bench/bench_results.py [--workspace PATH] [--customers 2000] [--runs 3]
                                            [--smoke]

Builds a scored demo workspace (at --workspace if given and kept there, else in a
temporary folder), then starts the real app (``main.py --db WORKSPACE``, offscreen) in a
fresh process ``--runs`` times. In each, once the customers table is filled and the
reads that follow it have ended (the window as a person finds it a moment after it
opens), it times:

- headline: View ▸ Results picked until the headline report's figures are on the pane
  (the first open of a session: nothing computed yet);
- Outreach page: until every read of the page on screen has ended;
- each section's first show: its tab picked until its reads have ended;
- each section shown again: the workspace given to the pane again, as when it is
  reopened, then each tab picked until shown: the report kept for the same data is
  returned, nothing is computed.

The yardstick, measured in the same run: the same pane in a fresh process with no
workspace, shown and painted (what the tab costs before any figure). Each figure is
printed beside it.

Targets: the headline within 1 s, any section's first show within 2 s (on the
2,000-customer demo; 5 s at 100,000), a section shown again within 0.2 s.

``--smoke`` (the test suite runs it): a 40-customer workspace, one run.
"""

from __future__ import annotations

import argparse
import json
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
SMOKE_CUSTOMERS = 40
TIMEOUT_S = 600
TARGETS = {"headline": 1.0, "section": 2.0, "kept": 0.2}
BIG_BOOK = 100_000  # from this size a section's first show may take 5 s
BIG_SECTION = 5.0
POLL_MS = 2

# The child's start: the driver below is installed, then main.py runs as __main__.
APP_BOOT = """
import runpy, sys
sys.path.insert(0, {bench!r})
import bench_results
bench_results.install_driver()
sys.argv = [{main!r}, "--db", {db!r}]
runpy.run_path({main!r}, run_name="__main__")
"""

# ------------------------------------------------------------------------- in the child


def _say(figures: dict[str, Any]) -> None:
    sys.stdout.write("results " + json.dumps(figures) + "\n")
    sys.stdout.flush()


def _until(parent: Any, done: Callable[[], bool], then: Callable[[float], None]) -> None:
    """Poll ``done`` every few milliseconds; ``then(seconds)`` from now once it holds."""
    from PySide6.QtCore import QTimer

    start = time.perf_counter()
    timer = QTimer(parent)
    timer.setInterval(POLL_MS)

    def check() -> None:
        if done():
            timer.stop()
            then(time.perf_counter() - start)
        elif time.perf_counter() - start > TIMEOUT_S:
            timer.stop()
            raise TimeoutError("Results did not settle in time")

    timer.timeout.connect(check)
    timer.start()


class _Driver:
    """View ▸ Results, each tab, then each tab again after the source is set again."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.jobs = window._jobs
        self.figures: dict[str, Any] = {"first": {}, "kept": {}}

    def start(self) -> None:
        results = self.window.results

        def shown(seconds: float) -> None:
            self.figures["headline"] = seconds
            _until(self.window, self.jobs.is_idle, self.page_read)

        self.began = time.perf_counter()
        self.window.tabs.setCurrentIndex(results.index)
        _until(self.window, lambda: results.built and results.pane.report is not None, shown)

    def page_read(self, _seconds: float) -> None:
        self.figures["page"] = time.perf_counter() - self.began
        self.pane = self.window.results.pane
        self.each_tab("first", 1, self.again)

    def each_tab(self, key: str, index: int, then: Callable[[], None]) -> None:
        tabs = self.pane.tabs
        if index >= tabs.count():
            then()
            return

        def read(seconds: float) -> None:
            self.figures[key][tabs.tabText(index)] = seconds
            self.each_tab(key, index + 1, then)

        tabs.setCurrentIndex(index)
        _until(self.window, self.jobs.is_idle, read)

    def again(self) -> None:
        """The workspace given to the pane again (as on reopening it), on its first tab."""
        self.pane.tabs.setCurrentIndex(0)
        self.pane.set_source(self.pane._source)  # noqa: SLF001 - the same source again
        _until(
            self.window,
            lambda: self.pane.report is not None and self.jobs.is_idle(),
            lambda _s: self.each_tab("kept", 1, self.done),
        )

    def done(self) -> None:
        _say(self.figures)
        self.window.menus.quit_action.trigger()


def _drive(pane: Any, _quit_requested: Any) -> None:
    """Once the customers table is filled and the window quiet, the driver starts."""
    import bench_edges

    window = pane.window()

    def filled() -> bool:
        if pane.model.rowCount() == 0:
            return False
        driver = _Driver(window)
        window._bench_results = driver  # kept alive with the window
        bench_edges._when_idle(window._jobs, driver.start)
        return True

    _until(pane, filled, lambda _s: None)


def install_driver() -> None:
    """Replace the populated hook of app.gui.startup with the driver (before the window)."""
    import app.gui.startup as startup

    os.environ[startup.QUIT_WHEN_POPULATED] = "1"
    startup.quit_when_populated = _drive  # type: ignore[assignment]


def yardstick() -> float:
    """The Results pane with no workspace, shown and painted, in this fresh process."""
    sys.path.insert(0, str(ROOT))
    from PySide6.QtWidgets import QApplication

    from views.kit.jobs import JobRunner
    from views.results.pane import ResultsPane

    app = QApplication.instance() or QApplication([])
    jobs = JobRunner()
    start = time.perf_counter()
    bare = ResultsPane(jobs)
    bare.resize(1366, 720)
    bare.show()
    bare.repaint()
    app.processEvents()
    seconds = time.perf_counter() - start
    bare.close()
    jobs.shutdown()
    return seconds


# --------------------------------------------------------------------------- the parent


def build_workspace(path: Path, customers: int) -> None:
    sys.path.insert(0, str(ROOT))
    from app.workspace import open_workspace
    from services.demo import build_demo
    from services.usecases.refresh import score_and_alert

    print(f"Building a {customers:,}-customer demo workspace at {path}…", flush=True)
    began = time.time()
    ws = open_workspace(f"sqlite:///{path}", backup=False)
    try:
        build_demo(ws.engine, customers=customers, seed=7)
        score_and_alert(ws.engine)
    finally:
        ws.close()
    print(f"Built and scored in {time.time() - began:.0f} s", flush=True)


def _environment(home: str) -> dict[str, str]:
    env = dict(os.environ, HOME=home, XDG_DATA_HOME=f"{home}/data", QT_QPA_PLATFORM="offscreen")
    env["ACCOUNT_RADAR_LOG_DIR"] = f"{home}/log"
    for name in ("ACCOUNT_RADAR_DB", "ACCOUNT_RADAR_QUIT_WHEN_POPULATED"):
        env.pop(name, None)
    return env


def run_app(workspace: Path, home: str) -> dict[str, Any]:
    """One start of the real app, driven; its figures (seconds)."""
    code = APP_BOOT.format(bench=str(ROOT / "bench"), main=str(ROOT / "main.py"),
                           db=str(workspace))  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_environment(home),
        capture_output=True, text=True, timeout=TIMEOUT_S * 4, check=False,
    )  # fmt: skip
    said = [line for line in done.stdout.splitlines() if line.startswith("results ")]
    if done.returncode != 0 or not said:
        raise SystemExit(f"the app failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    return dict(json.loads(said[-1][len("results ") :]))


def run_yardstick(home: str) -> float:
    done = subprocess.run(
        [sys.executable, __file__, "--yardstick"], cwd=ROOT, env=_environment(home),
        capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"the yardstick failed:\n{done.stderr[-3000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def report(runs: list[dict[str, Any]], customers: int) -> bool:
    """Print the medians beside the yardstick; True when every target is met."""
    yard = statistics.median(r["yardstick"] for r in runs)
    section_target = BIG_SECTION if customers >= BIG_BOOK else TARGETS["section"]

    def line(label: str, value: float, target: float) -> bool:
        ratio = value / yard if yard > 0 else float("inf")
        met = value <= target
        print(f"{label:<34} {_ms(value):>10}   {ratio:7.1f}x the yardstick   "
              f"target {_ms(target)}: {'met' if met else 'NOT met'}")  # fmt: skip
        return met

    print(f"{'yardstick (the pane, no workspace)':<34} {_ms(yard):>10}")
    ok = line("headline shown", statistics.median(r["headline"] for r in runs),
              TARGETS["headline"])  # fmt: skip
    page = statistics.median(r["page"] for r in runs)
    print(f"{'Outreach page settled':<34} {_ms(page):>10}   {page / yard:7.1f}x the yardstick")
    for title in runs[0]["first"]:
        first = statistics.median(r["first"][title] for r in runs)
        ok &= line(f"{title}: first shown", first, section_target)
    for title in runs[0]["kept"]:
        kept = statistics.median(r["kept"][title] for r in runs)
        ok &= line(f"{title}: shown again", kept, TARGETS["kept"])
    print("every target met" if ok else "a target is missed")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace", type=Path, help="the demo workspace (built if absent)")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="a tiny workspace, one run")
    parser.add_argument("--yardstick", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.yardstick:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        print(yardstick())
        return 0
    customers = SMOKE_CUSTOMERS if args.smoke else args.customers
    runs_wanted = 1 if args.smoke else args.runs
    with tempfile.TemporaryDirectory(prefix="bench-results-") as folder:
        workspace = args.workspace or Path(folder) / "demo.radar.sqlite"
        if not workspace.exists():
            build_workspace(workspace, customers)
        print(f"{customers:,}-customer demo workspace, {runs_wanted} run(s), each a fresh "
              "start of the app", flush=True)  # fmt: skip
        runs = []
        for run in range(runs_wanted):
            # A home of its own each start: the window reopens on the tab it closed on.
            home = Path(folder) / f"home{run}"
            home.mkdir()
            figures = run_app(workspace, str(home))
            figures["yardstick"] = run_yardstick(str(home))
            runs.append(figures)
    report(runs, customers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
