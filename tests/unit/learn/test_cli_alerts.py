"""`report alerts` through main(): the table, CSV and JSON carry the same figures (the
replay of test_alert_replay's hand-made history), --out writes the file, and the replay is
kept for the window."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.workspace import open_workspace
from services.learn.alert_replay import last_replay
from tests.unit.learn.test_alert_replay import HISTORY, _fill


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def url(workspace_url: str) -> str:
    _fill(workspace_url, list(HISTORY))
    return workspace_url


def test_table_csv_and_json_agree(url: str, tmp_path: Path) -> None:
    code, out, err = run("--db", url, "report", "alerts", "--weeks", "8", "--budget", "2")
    assert code == 0, err
    assert "Replay ready" in err  # progress on stderr
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    row = next(line for line in lines if line.startswith("All risk rules"))
    recency = next(line for line in lines if line.startswith("Recency rule"))
    assert "than the recency rule" in " ".join(lines)
    assert any(line.startswith("Suggested thresholds (budget: 2 alert(s)") for line in lines)

    path = tmp_path / "alerts.csv"
    code, out, err = run("--db", url, "report", "alerts", "--weeks", "8", "--format", "csv",
                         "--out", str(path))  # fmt: skip
    assert code == 0, err
    assert out == ""
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    overall = next(r for r in rows if r["group"] == "all")
    base = next(r for r in rows if r["group"] == "recency")
    assert row.split()[3] == f"{int(overall['alerts']):,}"
    assert f"{overall['caught']}/{overall['lapsed']}" in row
    assert f"{base['caught']}/{base['lapsed']}" in recency
    assert any(r["group"] == "suggestion" for r in rows)

    code, out, err = run("--db", url, "report", "alerts", "--weeks", "8", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["overall"]["alerts"] == int(overall["alerts"])
    assert data["overall"]["caught"] == int(overall["caught"])
    assert data["recency"]["caught"] == int(base["caught"])
    assert data["overall"]["recall"] == pytest.approx(float(overall["recall"]), abs=1e-4)
    assert "lapses" in data["definitions"]
    ws = open_workspace(url, backup=False)
    try:
        kept, current = last_replay(ws.engine)
    finally:
        ws.close()
    assert kept is not None
    assert current
    assert kept.overall.alerts == data["overall"]["alerts"]


def test_bad_weeks_are_refused(url: str) -> None:
    code, _out, err = run("--db", url, "report", "alerts", "--weeks", "0")
    assert code != 0
    assert "--weeks" in err


def _replays_kept(url: str) -> int:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from models.schema import AuditEvent
    from services.learn.alert_replay import REPLAYED_ACTION

    ws = open_workspace(url, backup=False)
    try:
        with Session(ws.engine) as s:
            return int(
                s.scalar(select(func.count()).where(AuditEvent.action == REPLAYED_ACTION)) or 0
            )
    finally:
        ws.close()


def test_a_replay_with_nothing_changed_prints_the_kept_one_and_again_replays(url: str) -> None:
    import datetime as dt

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from models.schema import Customer, Order
    from tests.unit.learn.test_alert_replay import END

    argv = ("--db", url, "report", "alerts", "--weeks", "8", "--format", "json")
    code, first, err = run(*argv)
    assert code == 0, err
    assert "Replay ready" in err
    assert _replays_kept(url) == 1
    code, second, err = run(*argv)
    assert code == 0, err
    assert "Nothing changed since the last replay" in err
    assert "Replay ready" not in err
    assert json.loads(second) == json.loads(first)  # the kept report, as it was
    assert _replays_kept(url) == 1  # not kept a second time
    code, _out, err = run(*argv, "--again")
    assert code == 0, err
    assert "Replay ready" in err
    assert _replays_kept(url) == 2
    # A day's order: replayed, with the lapse it prevents counted.
    ws = open_workspace(url, backup=False)
    try:
        with Session(ws.engine) as s, s.begin():
            buyer = s.scalar(select(Customer.id).where(Customer.external_id == "B"))
            s.add(Order(customer_id=buyer, external_id="B-next", source="t", status="paid",
                        amount_cents=5000, order_date=dt.datetime.combine(
                            END + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC)))  # fmt: skip
    finally:
        ws.close()
    code, third, err = run(*argv)
    assert code == 0, err
    assert "Replay ready" in err
    assert json.loads(third)["end"] != json.loads(first)["end"]
