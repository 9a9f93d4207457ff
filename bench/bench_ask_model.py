"""Ask benchmark: what the app adds to the model's own time, on the 100,000-customer demo.

    .venv/bin/python bench/bench_ask_model.py [--workspace PATH] [--runs 5]

A loopback server speaking the OpenAI wire format (tests/support/openai_server.py)
answers at once with a query, so the time of ``prepare_request`` + ``ask_model`` is what
the app adds: building the request (the views' schema, the masked example rows), the
HTTP round trip on loopback, reading the reply, running the query and making the answer.
The query's own time (the same SQL on a plain read-only sqlite3 connection, measured in
the same run) is printed beside it and taken off: the target is the app's share.

Target: the app adds under 200 ms to the model's own time.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_MS = 200.0
SQL = (
    "SELECT owner, count(*) AS customers, sum(CASE WHEN churn_risk >= 0.6 THEN 1 ELSE 0 END) "
    "AS at_risk FROM ask_customers GROUP BY owner ORDER BY at_risk DESC"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default="/tmp/account-radar-bench-ask.radar.sqlite")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    path = Path(args.workspace)
    if not path.exists():
        print(f"no workspace at {path}: run bench/bench_ask.py first (it builds it)")
        return 1
    import shutil
    import tempfile

    from sqlalchemy.orm import Session

    from app.workspace import open_workspace, to_url
    from services.ask.generate import ask_model, prepare_request
    from services.ask.views import view_sql
    from services.core.money import money_context
    from services.settings import set_setting
    from tests.support.openai_server import FakeOpenAIServer

    copy = Path(tempfile.mkdtemp()) / "ask.radar.sqlite"
    shutil.copy(path, copy)
    reply = json.dumps({"sql": SQL, "title": "At risk by owner", "cannot_answer": None})
    raw = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    for name, body in view_sql(money_context("USD", {})).items():
        raw.execute(f"CREATE TEMP VIEW {name} AS {body}")
    with FakeOpenAIServer(models=["m"], reply=reply) as server:
        ws = open_workspace(to_url(str(copy)), backup=False)
        with Session(ws.engine) as session, session.begin():
            set_setting(session, "llm.preset", "llamacpp")
            set_setting(session, "llm.base_url", server.base_url)
            set_setting(session, "llm.model", "m")
        totals, prepares, queries = [], [], []
        for _ in range(args.runs + 1):
            started = time.perf_counter()
            request = prepare_request(ws.engine, "How many customers at risk per owner?")
            prepared = time.perf_counter()
            ask_model(ws.engine, request)
            totals.append(time.perf_counter() - started)
            prepares.append(prepared - started)
            q0 = time.perf_counter()
            raw.execute(SQL).fetchall()
            queries.append(time.perf_counter() - q0)
        ws.close()
    totals, prepares, queries = totals[1:], prepares[1:], queries[1:]  # the first warms up
    total, prep, query = (statistics.median(x) * 1000 for x in (totals, prepares, queries))
    added = total - query
    print(f"request built (schema + masked examples): {prep:7.1f} ms")
    print(f"question answered end to end:            {total:7.1f} ms")
    print(f"the query alone on plain sqlite3:         {query:7.1f} ms")
    print(f"the app adds:                             {added:7.1f} ms "
          f"(target < {TARGET_MS:g} ms): {'met' if added < TARGET_MS else 'NOT met'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
