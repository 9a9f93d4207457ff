"""The `conversations` commands on the hand-made call of tests/support/conversation_book.py:
listed (all, one customer's, the risky ones; table, CSV and JSON), shown with its reading
and transcript, read again on this computer and by a model on a loopback server (and
--show-request sending nothing), its promises made tasks once; the refusals in words; on
SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace
from services.settings import set_setting
from tests.support.conversation_book import build_book
from tests.support.openai_server import FakeOpenAIServer


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def book(workspace_url: str, tmp_path: Path) -> tuple[str, int]:
    ws = open_workspace(workspace_url, backup=False)
    try:
        call = build_book(ws.engine, tmp_path)
    finally:
        ws.close()
    return workspace_url, call


def test_the_list_names_each_conversation_with_its_risks(book: tuple[str, int]) -> None:
    url, call = book
    code, out, err = run("--db", url, "conversations", "list")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "1 conversation"
    assert lines[2].split()[0] == str(call)
    assert "raised cancellation" in lines[2]
    code, out, _ = run("--db", url, "conversations", "list", "--risks", "--format", "csv")
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert (row["customer"], row["with"], row["promises"], row["read_by"]) == (
        "Northwind", "Marco Ruiz", "2", "extractive",
    )  # fmt: skip
    code, out, _ = run("--db", url, "conversations", "list", "--customer", "Globex",
                       "--format", "json")  # fmt: skip
    assert (code, json.loads(out)) == (0, [])


def test_show_gives_the_reading_and_the_transcript(book: tuple[str, int]) -> None:
    url, call = book
    code, out, err = run("--db", url, "conversations", "show", str(call))
    assert code == 0, err
    assert "With Marco Ruiz (matched by name)" in out
    assert "no model was used" in out
    assert "raised cancellation: “Honestly, we are going to cancel" in out
    assert "1. Dana Whitfield: I will send you a revised quote by Friday. (by Mar 5, 2027)" in out
    assert "[line 2] Marco Ruiz (customer): Honestly" in out
    code, out, _ = run("--db", url, "conversations", "show", str(call), "--format", "json")
    data = json.loads(out)
    assert [r["kind"] for r in data["risks"]] == ["cancellation", "competitor", "budget_cut"]
    code, _, err = run("--db", url, "conversations", "show", "999")
    assert code != 0
    assert "There is no conversation 999" in err


def test_tasks_are_made_once(book: tuple[str, int]) -> None:
    url, call = book
    code, out, err = run("--db", url, "conversations", "tasks", str(call), "--action", "1")
    assert code == 0, err
    assert out.splitlines()[-1] == "Made 1 task."
    assert "due Mar 5, 2027, the day promised" in out
    code, out, _ = run("--db", url, "conversations", "tasks", str(call))
    assert "1. Dana Whitfield promised: I will send you a revised quote by Friday.: already" in out
    assert out.splitlines()[-1] == "Made 1 task; 1 was already a task."
    code, _, err = run("--db", url, "conversations", "tasks", str(call), "--action", "5")
    assert code != 0
    assert "no promise 5" in err


def test_read_again_here_and_with_the_model(book: tuple[str, int]) -> None:
    url, call = book
    code, out, err = run("--db", url, "conversations", "read", "--all")
    assert (code, out) == (0, f"Conversation {call} read on this computer: 3 risk(s), "
                              "2 promise(s).\n"), err  # fmt: skip
    code, _, err = run("--db", url, "conversations", "read", str(call), "--with-model")
    assert code != 0
    assert "No model can read it" in err
    code, _, err = run("--db", url, "conversations", "read", str(call), "--show-request")
    assert code != 0
    assert "add --with-model" in err
    answer = {"summary": ["They will cancel."], "actions": [],
              "risks": [{"kind": "cancellation", "quote": "cancel our subscription"}],
              "topics": []}  # fmt: skip
    with FakeOpenAIServer(models=["m1"], reply=json.dumps(answer)) as server:
        ws = open_workspace(url, backup=False)
        try:
            with Session(ws.engine) as session, session.begin():
                set_setting(session, "llm.preset", "llamacpp")
                set_setting(session, "llm.base_url", server.base_url)
                set_setting(session, "llm.model", "m1")
        finally:
            ws.close()
        code, out, err = run("--db", url, "conversations", "read", str(call), "--with-model",
                             "--show-request")  # fmt: skip
        assert code == 0, err
        assert "nothing is sent" in out
        assert "POST http://127.0.0.1" in out
        assert "[surname withheld]" in out
        assert server.chat_requests == []
        code, out, err = run("--db", url, "conversations", "read", str(call), "--with-model")
        assert code == 0, err
        assert len(server.chat_requests) == 1
    assert out == (
        f"Conversation {call} read by the model: 1 risk(s) (and 2 the app's rules found, "
        "kept), 0 promise(s).\n"
    )
    ws = open_workspace(url, backup=False)
    try:
        with ws.engine.connect() as conn:
            value = conn.execute(text("SELECT attributes FROM interactions")).scalar_one()
    finally:
        ws.close()
    attributes = json.loads(value) if isinstance(value, str) else value
    assert attributes["summary_method"] == "model"
    assert attributes["offline_reading"]["summary_method"] == "extractive"


def test_a_provider_off_this_computer_is_sent_to_only_once_confirmed(
    book: tuple[str, int],
) -> None:
    url, call = book
    answer = {"summary": ["x y z"], "actions": [], "risks": [], "topics": []}
    with FakeOpenAIServer(models=["m1"], reply=json.dumps(answer)) as server:
        ws = open_workspace(url, backup=False)
        try:
            with Session(ws.engine) as session, session.begin():
                # Named by its address rather than 127.0.0.1: not "this computer" to the app.
                set_setting(session, "llm.preset", "llamacpp")
                set_setting(session, "llm.base_url", server.base_url.replace(
                    "127.0.0.1", "localhost.localdomain"))  # fmt: skip
                set_setting(session, "llm.model", "m1")
        finally:
            ws.close()
        code, _, err = run("--db", url, "conversations", "read", str(call), "--with-model")
        if code == 0:  # the name resolved as this computer: nothing to confirm here
            pytest.skip("localhost.localdomain is this computer on this machine")
        assert "Review the request with --show-request, then add --confirm-send" in err
        assert server.chat_requests == []
