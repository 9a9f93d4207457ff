"""The Results tab's first open, each section's first show, and a section shown again.

    .venv/bin/python bench/bench_results.py [--workspace PATH] [--customers 2000] [--runs 3]
                                            [--smoke]

Builds a scored demo workspace (at --workspace if given and kept there, else in a
temporary folder), then, ``--runs`` times, in a fresh process (offscreen, the real
Results pane, the real job runner and the real source of app/gui/results_source.py, as
the window makes them) times:

- headline: the workspace given to the pane and the pane shown, until the headline
  report's figures are on it (the first open of a session: nothing kept yet);
- Outreach page: until every read of the page on screen has ended (time to action,
  satisfaction, the last alert replay);
- each section's first show: its tab picked until its reads have ended;
- each section shown again: in a second pane (a workspace reopened, the tab shown after a
  change that left the data as it was), its tab picked until shown: the report kept for
  the same data is returned, nothing computed.

The yardstick, measured in the same process: the same pane with no workspace, shown and
painted (what the tab costs before any figure). Each figure is printed beside it.

Targets: the headline within 1 s, any section's first show within 2 s (on the
2,000-customer demo; 5 s at 100,000), a section already computed within 0.2 s.

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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SMOKE_CUSTOMERS = 40
TIMEOUT_S = 600
TARGETS = {"headline": 1.0, "section": 2.0, "kept": 0.2}
BIG_BOOK = 100_000  # from this size a section's first show may take 5 s
BIG_SECTION = 5.0


def _wait(app: Any, done: Any) -> float:
    """Run the event loop until ``done()``; the seconds it took."""
    start = time.perf_counter()
    while not done():
        app.processEvents()
        if time.perf_counter() - start > TIMEOUT_S:
            raise TimeoutError("Results did not settle in time")
        time.sleep(0.001)
    app.processEvents()
    return time.perf_counter() - start


def child(workspace: str) -> dict[str, Any]:
    """One fresh process's figures (seconds)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.gui.results_source import WorkspaceResultsSource
    from app.workspace import open_workspace
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
    yardstick = time.perf_counter() - start
    bare.close()
    ws = open_workspace(f"sqlite:///{workspace}", backup=False)
    source = WorkspaceResultsSource(ws)
    pane = ResultsPane(jobs)
    pane.resize(1366, 720)
    start = time.perf_counter()
    pane.set_source(source)
    pane.show()
    headline = _wait(app, lambda: pane.report is not None)
    page = headline + _wait(app, jobs.is_idle)
    titles = [pane.tabs.tabText(i) for i in range(1, pane.tabs.count())]
    first: dict[str, float] = {}
    for index, title in enumerate(titles, start=1):
        start = time.perf_counter()
        pane.tabs.setCurrentIndex(index)
        first[title] = _wait(app, jobs.is_idle)
    again = ResultsPane(jobs)
    again.resize(1366, 720)
    again.set_source(source)
    again.show()
    _wait(app, lambda: again.report is not None and jobs.is_idle())
    kept: dict[str, float] = {}
    for index, title in enumerate(titles, start=1):
        start = time.perf_counter()
        again.tabs.setCurrentIndex(index)
        kept[title] = _wait(app, jobs.is_idle)
    for widget in (pane, again):
        widget.close()
    jobs.shutdown()
    ws.close()
    return {"yardstick": yardstick, "headline": headline, "page": page, "first": first,
            "kept": kept}  # fmt: skip


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


def run_child(workspace: Path) -> dict[str, Any]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(workspace)], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=TIMEOUT_S * 4, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"The measuring process failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


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
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return 0
    customers = SMOKE_CUSTOMERS if args.smoke else args.customers
    runs_wanted = 1 if args.smoke else args.runs
    with tempfile.TemporaryDirectory(prefix="bench-results-") as folder:
        workspace = args.workspace or Path(folder) / "demo.radar.sqlite"
        if not workspace.exists():
            build_workspace(workspace, customers)
        print(f"{customers:,}-customer demo workspace, {runs_wanted} run(s), each a fresh "
              "process", flush=True)  # fmt: skip
        runs = [run_child(workspace) for _ in range(runs_wanted)]
    report(runs, customers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
