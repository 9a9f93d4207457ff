"""Nothing the privacy setting withholds leaves by Ask's correction round.

A query the database cannot run goes back to the model once, with its error. An error
can quote data (SQLite's "JSON path error near '...'", PostgreSQL's 'invalid input syntax
for type integer: "..."'), so a query can make it carry every customer's name and email
address. On a real demo workspace, on SQLite and on PostgreSQL, through the loopback
server speaking the OpenAI wire format: no withheld value is in any request it received.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace
from services.ask.errors import AskError
from services.ask.generate import WITHHELD, ask_model, prepare_request
from services.ask.redact import error_for_model, error_kind
from services.settings import set_setting
from tests.support.databases import database_params, new_workspace_url
from tests.support.openai_server import FakeOpenAIServer

GOOD = "SELECT tier, count(*) AS customers FROM ask_customers GROUP BY tier ORDER BY tier"
EVERYONE = "(SELECT group_concat(name || ' <' || email || '>') FROM ask_customers)"
EVERYONE_PG = "(SELECT string_agg(name || ' <' || email || '>', ', ') FROM ask_customers)"

# Queries whose error quotes withheld values, by database.
LEAKS = {
    "sqlite": [
        f"SELECT json_extract('{{}}', {EVERYONE}) AS x",
        "SELECT json_extract('{}', email) FROM ask_customers",
        # Python's own error quotes the bytes it could not decode.
        "SELECT CAST(x'ff' || CAST(email AS BLOB) AS TEXT) AS x FROM ask_customers",
        # A value holding a quote must not end the quoted part early.
        "SELECT json_extract('{}', '$' || char(39) || ' ' || email) FROM ask_customers",
    ],
    "postgresql": [
        "SELECT CAST(email AS integer) FROM ask_customers",
        f"SELECT CAST({EVERYONE_PG} AS integer) AS x",
        "SELECT CAST(name AS date) FROM ask_customers",
        "SELECT CAST(email AS regclass) FROM ask_customers",
        "SELECT CAST(name AS json) FROM ask_customers",
        # "operator does not exist: <the text>", nothing quoted: what follows the colon
        # is the value.
        "SELECT CAST(translate((SELECT string_agg(name || email, 'x') FROM ask_customers), "
        "' @.<>-', '      ') AS regoper) AS x",
        "SELECT CAST(translate(name, ' ', '_') AS regoper) FROM ask_customers",
    ],
}


@pytest.fixture(scope="module", params=database_params())
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workspace]:
    """A small demo workspace, on SQLite, then on PostgreSQL."""
    from services.demo import build_demo

    url = new_workspace_url(request, request.param, tmp_path_factory.mktemp("privacy"))
    ws = open_workspace(url, backup=False)
    build_demo(ws.engine, customers=40, seed=3)
    yield ws
    ws.close()


def _reply(sql: str) -> str:
    return json.dumps({"sql": sql, "title": "t", "cannot_answer": None})


@pytest.fixture
def server(demo: Workspace) -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(models=["sqlcoder"], reply=_reply(GOOD)) as fake:
        with Session(demo.engine) as session, session.begin():
            set_setting(session, "llm.preset", "llamacpp")
            set_setting(session, "llm.base_url", fake.base_url)
            set_setting(session, "llm.model", "sqlcoder")
        yield fake


def _withheld(ws: Workspace) -> list[str]:
    """Every customer's full name and email address: withheld by the default privacy."""
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT name, email FROM customers").all()
    values = [v for row in rows for v in row if v]
    assert len(values) >= 60
    return values


def _leaked(server: FakeOpenAIServer, values: list[str]) -> list[str]:
    """The withheld values found in any request; and the parts of them (a query can split
    and rejoin them: 'Maya Chen' can come back as 'Maya_Chen') that a correction round
    carries and the first request did not (an owner may share a customer's first name)."""
    bodies = [json.dumps(r.body, ensure_ascii=False) for r in server.chat_requests]
    whole = [v for v in values if any(v in body for body in bodies)]
    parts = {p for v in values for p in re.split(r"[\s@.<>_-]+", v) if len(p) > 3}
    first = bodies[0] if bodies else ""
    return whole + sorted(p for p in parts if p not in first and any(p in b for b in bodies[1:]))


def _dialect(ws: Workspace) -> str:
    return "sqlite" if ws.engine.dialect.name == "sqlite" else "postgresql"


def test_an_error_that_quotes_withheld_values_goes_back_without_them(
    demo: Workspace, server: FakeOpenAIServer
) -> None:
    values = _withheld(demo)
    request = prepare_request(demo.engine, "Customers per tier")
    assert WITHHELD in request.messages[0]["content"]
    for sql in LEAKS[_dialect(demo)]:
        replies = iter([_reply(sql), _reply(GOOD)])

        def reply(_body: dict[str, Any], replies: Iterator[str] = replies) -> str:
            return next(replies)

        server.reply = reply
        before = len(server.chat_requests)
        answer = ask_model(demo.engine, request)
        assert answer.sql == GOOD
        assert len(server.chat_requests) == before + 2, sql  # the correction round ran
        second = server.chat_requests[-1].body
        assert second is not None
        correction = second["messages"][-1]["content"]
        assert "That query failed with this error:" in correction
        assert "left out of errors" in correction
    assert _leaked(server, values) == []


def test_a_query_that_fails_twice_sends_no_withheld_value_either(
    demo: Workspace, server: FakeOpenAIServer
) -> None:
    values = _withheld(demo)
    leak = LEAKS[_dialect(demo)][0]
    server.reply = _reply(leak)
    with pytest.raises(AskError, match="failed twice") as caught:
        ask_model(demo.engine, prepare_request(demo.engine, "Everyone"))
    assert len(server.chat_requests) == 2
    assert _leaked(server, values) == []
    assert len(str(caught.value)) < 500  # one line for the user, not the whole column


def test_errors_made_of_the_querys_own_words_keep_them(
    demo: Workspace, server: FakeOpenAIServer
) -> None:
    """The correction stays useful: a misspelt column is named, and where PostgreSQL says
    the error is, the position is given."""
    replies = iter([_reply("SELECT tierz FROM ask_customers"), _reply(GOOD)])
    server.reply = lambda _body: next(replies)
    ask_model(demo.engine, prepare_request(demo.engine, "Customers per tier"))
    last = server.chat_requests[-1].body
    assert last is not None
    correction = last["messages"][-1]["content"]
    if _dialect(demo) == "sqlite":
        assert "no such column: tierz" in correction
    else:
        assert 'column "tierz" does not exist (at character 8 of the query)' in correction


@pytest.mark.parametrize(
    ("error", "sql", "expected"),
    [
        ("no such column: tierz", "SELECT tierz FROM ask_customers", "no such column: tierz"),
        # A name that is not a word of the query is not the parser's: only the kind goes.
        ("no such column: maya", "SELECT tierz FROM ask_customers", "no such column: …"),
        ('near "FORM": syntax error', "SELECT * FORM ask_orders", 'near "FORM": syntax error'),
        ("JSON path error near 'Maya Chen <maya@example.com>'", "SELECT 1",
         "JSON path error near …"),
        ('invalid input syntax for type integer: "maya@example.com"', "SELECT 1",
         "invalid input syntax for type integer: …"),
        ('relation "maya" does not exist', "SELECT CAST(name AS regclass) FROM ask_customers",
         "relation … does not exist"),
        ('relation "ask_custmers" does not exist', "SELECT * FROM ask_custmers",
         'relation "ask_custmers" does not exist'),
        ("operator does not exist: Maya_Chenmaya_chen_example_com", "SELECT 1",
         "operator does not exist: …"),
        ("Maya Chen cannot be cast to type integer", "SELECT 1",
         "… cannot be cast to type integer"),
        ("date field value out of range: 2024-13-01", "SELECT 1",
         "date field value out of range: …"),
        ("requested character too large for encoding: 7340032", "SELECT 1",
         "requested character too large for encoding: …"),
        ("Could not decode to UTF-8 column 'x' with text '\xffmaya'", "SELECT 1",
         "Could not decode to UTF-… column …"),
    ],
)  # fmt: skip
def test_what_of_an_error_goes_back(error: str, sql: str, expected: str) -> None:
    assert error_for_model(error, sql) == expected


def test_an_error_kind_has_no_quoted_part_and_no_number() -> None:
    kind = error_kind("x " * 500 + "'secret'")
    assert "secret" not in kind
    assert len(kind) <= 160
    assert error_kind("") == "the database could not run it"
