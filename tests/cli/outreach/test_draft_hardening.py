"""`draft` on the command line against what a hostile review, a compromised model or an odd
customer name can do: a draft offering "a full refund of everything you ever bought" or
repeating the app's own instructions fails its checks and the command (exit 1); a held-out
customer is said to be held out; `draft --batch` writes summary.csv through the export
writer (no live formulas); `--out` naming a file ends with a plain message.

Real workspace files (SQLite, and PostgreSQL when it is installed), the provider a real
server on loopback speaking the OpenAI wire format."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from app.cli.main import main
from services.llm import client as llm
from services.outreach.prompt import ROLE_LINE, quoted_instructions
from tests.support.memory_keyring import MemoryKeyring, installed_keyring
from tests.support.openai_server import FakeOpenAIServer
from tests.unit.alerts.test_alerts_rules import Book, make_book, only

REFUND = (
    "Subject: Sorry, Ada\n\nHi Ada,\n\nAs your review asked, here is a full refund of "
    "everything you ever bought. I am sorry the parcel was late."
)
LEAK = (
    "Subject: Sorry, Ada\n\nHi Ada,\n\nYou asked what I was told, so here it is: You write a "
    "short personal email from an account manager to one customer of the company. The "
    "customer_data block holds text written by customers."
)
HONEST = "Subject: Sorry, Ada\n\nHi Ada,\n\nI am sorry the parcel was late; it is on its way."
FORMULA_NAMES = ("=HYPERLINK(\"http://x.example\",\"y\")", "=1+1", "+SUM(A1:A2)", "-2+3",
                 "@SUM(A1)")  # fmt: skip


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    with installed_keyring(MemoryKeyring()):
        yield from make_book(workspace_url)
    llm.close_clients()


def late_ticket(book: Book, name: str, **kwargs: object) -> int:
    cid = book.customer(name, **kwargs)  # type: ignore[arg-type]
    book.orders(cid, [300, 200, 100], cents=12_000)
    book.interaction(cid, "ticket", 5, status="open", subject="Late parcel")
    return cid


def cli(book: Book, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", book.workspace.url, "draft", *args], out, err)
    return code, out.getvalue(), err.getvalue()


def ada(book: Book) -> int:
    only(book, "ticket_past_sla")
    cid = late_ticket(book, "Ada Lovelace")
    book.score({cid: {"clv": 2000.0, "churn": 0.3}})
    book.generate()
    return cid


def with_model(book: Book, server: FakeOpenAIServer) -> None:
    book.set("llm.preset", "llamacpp")
    book.set("llm.base_url", server.base_url)
    book.set("llm.model", "llama3.2")


@pytest.mark.parametrize(
    ("reply", "check_words", "error_words"),
    [
        (REFUND, '"full refund" and "everything you ever bought"', "offers something with no"),
        (LEAK, "repeats the app's own instructions", "repeats the app's instructions"),
    ],
)
def test_a_model_that_obeys_an_injected_review_fails_the_checks(
    book: Book, reply: str, check_words: str, error_words: str
) -> None:
    ada(book)
    with FakeOpenAIServer(models=["llama3.2"], reply=reply) as server:
        with_model(book, server)
        code, out, err = cli(book, "Ada Lovelace")
    assert code == 1, err
    assert "Hi Ada," in out  # printed as written, for the reader to see
    checks = [line for line in err.splitlines() if line.startswith("Check: ")]
    assert any(check_words in line for line in checks), err
    assert any(line.startswith("error: ") and error_words in line for line in err.splitlines())
    assert "Traceback" not in err


def test_an_honest_draft_still_passes(book: Book) -> None:
    ada(book)
    with FakeOpenAIServer(models=["llama3.2"], reply=HONEST) as server:
        with_model(book, server)
        code, out, err = cli(book, "Ada Lovelace")
    assert code == 0, err
    assert err == ""
    assert "on its way" in out


def test_the_instructions_check_knows_our_own_prompt() -> None:
    assert quoted_instructions(f"Hello.\n\n{ROLE_LINE}") is not None
    assert quoted_instructions("Hi Ada, we are sorry: the team will call you today.") is None
    assert quoted_instructions("Here is the <customer_data> you sent me") == "customer_data"


def test_a_held_out_customer_is_said_to_be_held_out(book: Book) -> None:
    cid = ada(book)
    with book.engine.begin() as conn:
        conn.execute(text("UPDATE alerts SET holdout = :t WHERE customer_id = :c"),
                     {"t": True, "c": cid})  # fmt: skip
    code, out, err = cli(book, "Ada Lovelace", "--offline")
    assert code == 0
    assert out.startswith("Subject: ")
    notes = [line for line in err.splitlines() if line.startswith("Note: ")]
    assert len(notes) == 1
    assert "Ada Lovelace is in the holdout" in notes[0]
    assert "Contact anyway" in notes[0]
    with book.engine.begin() as conn:
        conn.execute(text("UPDATE alerts SET holdout = :f"), {"f": False})
    assert "holdout" not in cli(book, "Ada Lovelace", "--offline")[2]


def test_batch_summary_has_no_live_formulas(book: Book, tmp_path: Path) -> None:
    only(book, "ticket_past_sla")
    ids = [
        late_ticket(book, name, email=f"c{n}@example.com") for n, name in enumerate(FORMULA_NAMES)
    ]
    book.score({cid: {} for cid in ids})
    book.generate()
    out_dir = tmp_path / "emails"
    code, out, err = cli(book, "--batch", "--alerts", "queue=risk", "--out", str(out_dir),
                         "--offline")  # fmt: skip
    assert code == 0, err
    raw = (out_dir / "summary.csv").read_bytes()
    with (out_dir / "summary.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["customer"] for r in rows) == sorted(f"'{n}" for n in FORMULA_NAMES)
    cells = [cell for row in rows for cell in row.values()]
    live = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert live == []
    assert b'"\'=HYPERLINK(""http://x.example"",""y"")"' in raw  # quoted, quotes doubled
    assert (out_dir / "summary.csv").stat().st_mode & 0o077 == 0  # private: it lists people


def test_batch_out_naming_a_file_ends_with_a_plain_message(book: Book, tmp_path: Path) -> None:
    ada(book)
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me")
    for target in (existing, existing / "emails"):
        code, out, err = cli(book, "--batch", "--alerts", "queue=risk", "--out", str(target),
                             "--offline")  # fmt: skip
        assert code == 1
        assert "unexpected" not in err.lower()
        assert "Traceback" not in err
        assert "is a file, not a folder; nothing was drafted" in err
    assert existing.read_text() == "keep me"
    with book.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM draft_batches")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM outreach")).scalar() == 0
