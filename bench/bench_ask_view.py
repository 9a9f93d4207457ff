"""Ask benchmark, in the window: from Enter in the question box to the answer on screen.

    .venv/bin/python bench/bench_ask_view.py [--workspace PATH] [--customers N] [--runs 5]

Two paths, on a copy of a scored demo workspace (built with N customers when none is
given), offscreen:
- a saved question (no provider): the library's query, the job runner's hops and the
  table and chart drawn;
- a typed question answered by a model: a loopback OpenAI-wire server that replies at
  once with a query, so the time is what the app adds (the request built with its
  example rows, the query run, the answer drawn) plus a loopback round trip.
Prints the median and the slowest of the runs. No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

SAVED = "Show me customers in the Gold loyalty tier who haven't engaged with email in 60 days"
TYPED = "Count our clientele per loyalty level"
SQL = (
    "SELECT tier, count(*) AS customers, round(sum(revenue_home), 2) AS revenue_home "
    "FROM ask_customers GROUP BY tier ORDER BY customers DESC"
)


def build(path: Path, customers: int) -> None:
    from app.workspace import open_workspace, to_url
    from services.demo import build_demo
    from services.scoring.run import score_workspace

    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        build_demo(workspace.engine, customers=customers, seed=7)
        score_workspace(workspace.engine)
    finally:
        workspace.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)

    from app.gui.ask_source import WorkspaceAskSource
    from app.workspace import open_workspace, to_url
    from services.settings import set_settings
    from tests.support.openai_server import FakeOpenAIServer
    from views.ask.pane import AskPane
    from views.kit.jobs import JobRunner
    from views.kit.theme import ThemeManager, ThemeMode

    with tempfile.TemporaryDirectory() as tmp:
        source = args.workspace
        if source is None or not source.exists():
            source = source or Path(tmp) / "demo.radar.sqlite"
            print(f"building a {args.customers:,}-customer demo…")
            build(source, args.customers)
        copy = Path(tmp) / "bench.radar.sqlite"
        shutil.copy(source, copy)
        workspace = open_workspace(to_url(str(copy)), backup=False)
        jobs = JobRunner(error_presenter=lambda e: print("error:", repr(e), file=sys.stderr))
        ThemeManager(app, ThemeMode.LIGHT)
        pane = AskPane(jobs)
        pane.resize(1340, 640)
        pane.show()

        def wait(condition: Callable[[], bool], limit_ms: int = 120_000) -> None:
            # An event loop, as the app runs: QTest.qWait keeps the GIL while it waits
            # (PySide6), so the workers would crawl and the figures would be the bench's.
            loop = QEventLoop()
            poll = QTimer()
            poll.setInterval(2)
            poll.timeout.connect(lambda: condition() and loop.quit())
            QTimer.singleShot(limit_ms, loop.quit)
            poll.start()
            if not condition():
                loop.exec()
            poll.stop()

        def timed(text: str) -> float:
            pane.new_question()
            start = time.perf_counter()
            pane.ask(text)
            wait(lambda: not pane.busy)
            took = time.perf_counter() - start
            if pane.answer_view.answer is None:
                raise SystemExit(f"no answer to {text!r}: {pane.answer_view.message}")
            return took

        def report(name: str, times: list[float]) -> None:
            print(
                f"{name}: median {statistics.median(times) * 1000:.0f} ms, "
                f"slowest {max(times) * 1000:.0f} ms over {len(times)} runs"
            )

        pane.set_source(WorkspaceAskSource(workspace))
        pane.reload()
        wait(lambda: pane.provider is not None and jobs.is_idle())
        rows = 0
        saved = []
        for _ in range(args.runs):
            saved.append(timed(SAVED))
            answer = pane.answer_view.answer
            rows = len(answer.rows) if answer is not None else 0
        report(f"saved question ({rows:,} rows), Enter to answer drawn", saved)

        reply = json.dumps({"sql": SQL, "title": "By tier", "cannot_answer": None})
        with FakeOpenAIServer(models=["bench"], reply=reply) as server:
            with workspace.sessions() as session, session.begin():
                set_settings(
                    session,
                    {"llm.preset": "llamacpp", "llm.base_url": server.base_url,
                     "llm.model": "bench"},
                )  # fmt: skip
            pane.reload()
            wait(lambda: pane.provider is not None and pane.provider.configured)
            wait(jobs.is_idle)
            # The first request imports the LLM client (the app does that at start-up,
            # in the background): timed on its own.
            first = timed(TYPED)
            print(f"typed question, first (imports the LLM client): {first * 1000:.0f} ms")
            typed = [timed(TYPED) for _ in range(args.runs)]
            report("typed question, loopback model replying at once", typed)
        jobs.shutdown()
        pane.close()
        workspace.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
