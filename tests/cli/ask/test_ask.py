"""`python main.py ask` end to end on a real workspace file: the saved questions offline,
a model on loopback writing the query, the table, CSV and JSON outputs."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace, to_url
from services.settings import set_setting
from tests.support.openai_server import FakeOpenAIServer
from tests.unit.ask.test_ask_readonly import add_likely_deals, scored_file  # noqa: F401


@pytest.fixture
def db(scored_file: Path, tmp_path: Path) -> Path:  # noqa: F811
    target = tmp_path / "ask.radar.sqlite"
    shutil.copy(scored_file, target)
    return target


def ask(db: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", str(db), "ask", *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _settings(db: Path, **values: object) -> None:
    ws = open_workspace(to_url(str(db)), backup=False)
    try:
        with Session(ws.engine) as session, session.begin():
            for key, value in values.items():
                set_setting(session, key, value)
    finally:
        ws.close()


def test_typed_words_are_answered_by_a_saved_question(db: Path) -> None:
    ws = open_workspace(to_url(str(db)), backup=False)
    try:
        add_likely_deals(ws)
    finally:
        ws.close()
    code, out, err = ask(db, "open deals with probability over 70% and value above $200")
    assert code == 0, err
    assert "Answered by the saved question 'Open deals likely to close'" in err
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["opportunity_id", "customer_id", "customer"]
    assert re.search(r"^\d+ deals? about \d+ customers?\.$", out, re.MULTILINE)
    assert "How: Open: not closed." in out


def test_a_saved_question_with_parameters_and_its_sql(db: Path) -> None:
    code, out, err = ask(db, "--saved", "customer_360", "--param", "customer=42", "--show-sql")
    assert code == 0, err
    assert "Profile" in out
    assert "about 1 customer" in out
    assert "WITH who AS (" in out
    assert "-- parameters: customer=42" in out


def test_csv_neutralises_formulas_and_json_carries_the_rows(db: Path) -> None:
    with open_workspace(to_url(str(db)), backup=False).engine.begin() as conn:
        conn.exec_driver_sql("UPDATE customers SET name = '=HYPERLINK(\"http://x\")' WHERE id = 42")
    code, out, _ = ask(db, "--saved", "customer_360", "--param", "customer=42", "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["customer_id", "part", "day", "detail", "amount", "currency", "status"]
    assert rows[1][3].startswith("'=HYPERLINK")
    code, out, _ = ask(db, "--saved", "satisfaction_by_type", "--format", "json")
    data = json.loads(out)
    assert data["source"] == "library"
    assert data["saved_question"] == "satisfaction_by_type"
    assert {r["ticket_type"] for r in data["rows"]} >= {"Delivery", "Sizing & fit"}


def test_the_list_and_a_question_nothing_matches(db: Path) -> None:
    code, out, _ = ask(db, "--list")
    assert code == 0
    assert "customer_360" in out
    assert "parameters: customer=" in out
    code, out, err = ask(db, "what is the weather in Lisbon")
    assert code == 1
    assert "No saved question matches those words" in err
    assert out == ""


def test_a_local_model_writes_the_query(db: Path) -> None:
    sql = "SELECT owner, count(*) AS customers FROM ask_customers GROUP BY owner ORDER BY owner"
    reply = json.dumps({"sql": sql, "title": "Customers by owner", "cannot_answer": None})
    with FakeOpenAIServer(models=["m"], reply=reply) as server:
        _settings(db, **{"llm.preset": "llamacpp", "llm.base_url": server.base_url,
                         "llm.model": "m"})  # fmt: skip
        code, out, err = ask(db, "how many customers does each owner have?", "--format", "json")
        assert code == 0, err
        data = json.loads(out)
        assert data["source"] == "model"
        assert data["sql"] == sql
        assert sum(r["customers"] for r in data["rows"]) == 300
        preview_code, preview, _ = ask(db, "how many customers per owner?", "--show-request")
        assert preview_code == 0
        assert preview.startswith(f"To: {server.base_url} (this computer), model m")
        assert len(server.chat_requests) == 1  # --show-request sent nothing
        # A saved question that fits the words well answers without a request, as in
        # the window.
        saved_code, _, saved_err = ask(
            db, "Which customers have left 5-star reviews but haven't purchased in 90 days?"
        )
        assert saved_code == 0
        assert "Answered by the saved question '5-star reviewers who stopped buying'" in saved_err
        assert len(server.chat_requests) == 1
        offline_code, _, offline_err = ask(db, "biggest open deals", "--offline")
        assert offline_code == 0
        assert "Answered by the saved question 'Biggest open deals'" in offline_err
        assert len(server.chat_requests) == 1


def test_a_provider_off_this_computer_needs_the_request_reviewed(db: Path) -> None:
    _settings(db, **{"llm.preset": "llamacpp", "llm.base_url": "https://radar-test.invalid/v1",
                     "llm.model": "m"})  # fmt: skip
    code, out, err = ask(db, "customers per owner")
    assert code == 1
    assert "--show-request, then add --confirm-send" in err
    code, out, err = ask(db, "customers per owner", "--show-request")
    assert code == 0
    assert "(another computer)" in out
    assert "<workspace_examples>" in out


def _one_line_failure(code: int, out: str, err: str) -> str:
    """An expected outcome: exit 1, nothing on stdout, one plain error line on stderr (after
    any progress line, "Asking m at ...")."""
    assert code == 1
    assert out == ""
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, err
    assert err.splitlines()[-1] == errors[0], err
    assert "unexpected failure" not in err
    assert "Traceback" not in err
    return errors[0]


SPIN = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (json.dumps({"sql": "DELETE FROM customers", "title": None, "cannot_answer": None}),
         "The model's query was refused and nothing ran"),
        (json.dumps({"sql": "SELECT * FROM customers", "title": None, "cannot_answer": None}),
         "The model's query was refused and nothing ran"),
        (json.dumps({"sql": None, "title": None, "cannot_answer": "there is no weather data"}),
         "I can't answer that from this workspace: there is no weather data."),
        ("Sorry, I would rather not say.", "The model's reply held no query."),
        (json.dumps({"sql": None, "title": None, "cannot_answer": None}),
         "I can't answer that from this workspace: the model wrote no query."),
        (json.dumps({"sql": SPIN, "title": None, "cannot_answer": None}),
         "The query took longer than 1 s and was stopped"),
    ],
)  # fmt: skip
def test_what_a_model_says_ends_as_one_plain_line(db: Path, reply: str, expected: str) -> None:
    with FakeOpenAIServer(models=["m"], reply=reply) as server:
        _settings(db, **{"llm.preset": "llamacpp", "llm.base_url": server.base_url,
                         "llm.model": "m", "ask.time_limit_s": 1})  # fmt: skip
        line = _one_line_failure(*ask(db, "what is the weather like for our customers?"))
    assert expected in line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--saved", "nope"], "There is no saved question 'nope'. `ask --list` lists"),
        (["--saved", "biggest_open_deals", "--param", "top=abc"], "'abc' is not a whole number"),
        (["--saved", "biggest_open_deals", "--param", "top=-5"], "must be between 1 and"),
        (["--saved", "biggest_open_deals", "--param", "bogus=1"],
         "has no parameter 'bogus'; its parameters: top."),
        (["biggest open deals", "--offline", "--param", "days=30"], "has no parameter 'days'"),
        (["--saved", "negative_tickets", "--param", "days=-100000000"],
         "'Days back' (days) must be between 0 and 36,500"),
        (["--saved", "negative_tickets", "--param", "days=99999999999999999999999"],
         "'Days back' (days) must be between 0 and 36,500"),
        (["--saved", "likely_open_deals", "--param", "min_value=nan"], "is not an amount"),
        (["--saved", "at_risk_by_owner", "--param", "threshold=150"],
         "must be between 0% and 100%"),
    ],
)  # fmt: skip
def test_bad_parameters_and_unknown_questions_are_refused(
    db: Path, args: list[str], expected: str
) -> None:
    assert expected in _one_line_failure(*ask(db, *args))


def test_a_damaged_workspace_is_one_plain_line(db: Path) -> None:
    import sqlite3

    raw = sqlite3.connect(db)
    query = "SELECT rootpage FROM sqlite_master WHERE name = 'interactions'"
    (root,) = raw.execute(query).fetchone()
    (page_size,) = raw.execute("PRAGMA page_size").fetchone()
    raw.close()
    with db.open("r+b") as f:  # the tickets' table: its first page overwritten
        f.seek((root - 1) * page_size)
        f.write(b"\xff" * page_size)
    line = _one_line_failure(*ask(db, "--saved", "negative_tickets"))
    assert "The workspace is damaged and cannot be read. Open a backup" in line
