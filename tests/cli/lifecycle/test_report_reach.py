"""`report reach-times` on the hand-made book of tests/support/reach_book.py: the table,
one breakdown, the CSV and JSON, against the counts written out in that book."""

from __future__ import annotations

import csv
import io
import json

import pytest

from app.cli.main import main
from app.workspace import open_workspace
from tests.support.reach_book import fill_reach_book

PERIOD = ("--from", "2025-01-01", "--to", "2025-06-30")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def url(workspace_url: str) -> str:
    ws = open_workspace(workspace_url, backup=False)
    try:
        fill_reach_book(ws.engine)
    finally:
        ws.close()
    return workspace_url


def test_the_table(url: str) -> None:
    code, out, err = run("--db", url, "report", "reach-times", *PERIOD)
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    words = " ".join(out.split())
    assert (
        "All customers (130 emails, by weekday and two hours): Best reached: Tuesday 9–11, 30 "
        "of 60 replied or came back after (50%, likely 38% to 62%), against 24% (likely 16% "
        "to 35%, 17 of 70) at other times; more than chance among 2 times "
        "(two-proportion test, p = 0.001)."
    ) in words
    assert "Answered: a reply to the email, or the customer came back after it" in out
    tuesday = next(line for line in lines if line.lstrip().startswith("Tuesday 9–11"))
    assert tuesday.endswith("best")
    monday = next(line for line in lines if line.lstrip().startswith("Monday 7–9"))
    assert monday.endswith("too few")
    assert "Hibernating (40 emails, by weekday and two hours): No time stands out: Tuesday" in words


def test_one_breakdown_csv_and_json(url: str) -> None:
    code, out, _ = run("--db", url, "report", "reach-times", *PERIOD, "--by", "segment",
                       "--format", "csv")  # fmt: skip
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert {r["label"] for r in table} == {"Champions", "Hibernating"}
    best = [r for r in table if r["best"] == "true"]
    assert [(r["label"], r["level"], r["time"], r["emails"], r["answered"]) for r in best] == [
        ("Champions", "slot", "Tuesday 9–11", "40", "25")
    ]
    assert {r["answered_by"] for r in table} == {"either"}
    code, out, _ = run("--db", url, "report", "reach-times", *PERIOD, "--format", "json")
    body = json.loads(out)
    whole = next(g for g in body["groups"] if g["by"] == "all")
    assert (whole["level"], whole["best"], whole["top"]) == ("slot", "Tuesday 9–11", "Tuesday 9–11")
    assert body["floor"] == 20
    assert (body["answered_by"], body["attribution_days"]) == ("either", 30)


def test_answered_by_returns_or_replies(
    workspace_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """On the book answered by returns: --answered-by return names Tuesday 9–11 and says
    "came back after"; --answered-by reply finds no reply to learn from."""
    ws = open_workspace(workspace_url, backup=False)
    try:
        fill_reach_book(ws.engine, answer="return")
    finally:
        ws.close()
    code, out, err = run("--db", workspace_url, "report", "reach-times", *PERIOD, "--by", "all",
                         "--answered-by", "return")  # fmt: skip
    assert code == 0, err
    assert "Best reached: Tuesday 9–11, 30 of 60 came back after (50%" in " ".join(out.split())
    assert "not proof the email brought it" in " ".join(out.split())
    assert "brought back" not in out
    code, out, _ = run("--db", workspace_url, "report", "reach-times", *PERIOD, "--by", "all",
                       "--answered-by", "reply", "--format", "json")  # fmt: skip
    assert code == 0
    (whole,) = json.loads(out)["groups"]
    assert (whole["emails"], whole["answered"], whole["best"]) == (130, 0, None)
    code, _, _ = run("--db", workspace_url, "report", "reach-times", "--answered-by", "opens")
    assert code == 2
    assert "'opens' is not one of either, reply, return" in capsys.readouterr().err


def test_an_empty_period(url: str) -> None:
    code, out, _ = run("--db", url, "report", "reach-times", "--from", "2024-01-01", "--to",
                       "2024-02-01")  # fmt: skip
    assert code == 0
    assert "No emails sent in this period" in out
