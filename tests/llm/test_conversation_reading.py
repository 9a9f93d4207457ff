"""Conversations read by the real (tiny) model on llama.cpp's server: three calls of known
content (a cancellation said plainly, a promise with a day, a competitor named), imported
and read through the app's own path (services/usecases/conversations.py). A small model's
wording is not judged: only what the parser guarantees (every quote is the customer's own
words, every kind is known, nothing else changes) and that the plain cancellation is found.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace, to_url
from services.conversations.reading import RISK_KINDS
from services.importing.service import run_import
from services.llm.providers import ProviderConfig
from services.settings import set_setting
from services.usecases import conversations as conv
from tests.llm.conftest import MODEL_NAME

CUSTOMERS = (
    "customer_id,name,email,company\n"
    "N1,Marco Ruiz,marco.ruiz@northwind.example,Northwind\n"
    "I1,Grace Hopper,grace@initech.example,Initech\n"
    "G1,Hiroshi Tanaka,h.tanaka@globex.example,Globex\n"
)
CALLS = {
    "2027-03-01 Northwind call.txt": (
        "Dana Whitfield: How is the team finding the product?\n"
        "Marco Ruiz: We are going to cancel our subscription. We will cancel at the end of "
        "this month.\n"
        "Dana Whitfield: I am sorry to hear that.\n"
    ),
    "2027-03-02 Initech call.txt": (
        "Sam Ortiz: Thanks for the time, Grace.\n"
        "Grace Hopper: The reports are slow again.\n"
        "Sam Ortiz: I will send you the fix by Friday.\n"
    ),
    "2027-03-03 Globex call.txt": (
        "Maria Lopez: How was the quarter?\n"
        "Hiroshi Tanaka: Acme Analytics offered us a lower price and we are looking at them.\n"
        "Maria Lopez: Let me check what we can do.\n"
    ),
}


@pytest.fixture
def ws(tmp_path: Path, config: ProviderConfig) -> Iterator[Workspace]:
    workspace = open_workspace(to_url(str(tmp_path / "talks.radar.sqlite")), backup=False)
    (tmp_path / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    assert run_import(workspace.engine, [tmp_path / "customers.csv"]).landed
    for name, words in CALLS.items():
        (tmp_path / name).write_text(words, encoding="utf-8")
        assert run_import(workspace.engine, [tmp_path / name]).landed
    with Session(workspace.engine) as session, session.begin():
        set_setting(session, "llm.preset", "llamacpp")
        set_setting(session, "llm.base_url", config.base_url)
        set_setting(session, "llm.model", MODEL_NAME)
        set_setting(session, "llm.timeout_s", 120)
    yield workspace
    workspace.close()


def _rows(ws: Workspace) -> int:
    with ws.engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM actions")).scalar_one())


def test_the_real_model_reads_three_calls_within_what_the_parser_guarantees(
    ws: Workspace,
) -> None:
    found: dict[str, list[str]] = {}
    kept_by: dict[str, str] = {}
    for line in conv.list_conversations(ws.engine):
        before = conv.load_conversation(ws.engine, line.id)
        assert before.method == "extractive"
        try:
            conv.read_with_model(ws.engine, line.id)
            refused = ""
        except conv.ConversationError as exc:
            refused = str(exc)
        if refused:
            # A tiny model's answer may be no reading at all (it echoes the conversation
            # back): said in words, and the reading made on this computer stays as it was.
            assert "stays" in refused
            after = conv.load_conversation(ws.engine, line.id)
            assert after == before
            found[line.customer] = [r.kind for r in after.risks]
            kept_by[line.customer] = "offline"
            continue
        shown = conv.load_conversation(ws.engine, line.id)
        assert shown.method == "model"
        assert shown.offline_kept
        theirs = [t.text for t in shown.turns if t.customer]
        for risk in shown.risks:
            assert risk.kind in RISK_KINDS
            assert any(risk.quote in words for words in theirs), risk
        found[line.customer] = [r.kind for r in shown.risks]
        kept_by[line.customer] = "model"
    assert set(found) == {"Northwind", "Initech", "Globex"}
    assert _rows(ws) == 0  # reading makes no task
    # The plain cancellation is in Northwind's reading whichever reading is kept: the
    # model's names it, or the app's rules found it and it stays beside the model's.
    assert "cancellation" in found["Northwind"], (found, kept_by)
