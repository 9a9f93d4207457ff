"""The draft command prints a link to a domain that is not the team's, and a request for a
password, as checks under the draft."""

from __future__ import annotations

from pathlib import Path

from tests.cli.outreach.test_draft import base, book, db, draft, stderr_lines  # noqa: F401
from tests.support.openai_server import FakeOpenAIServer
from tests.unit.alerts.test_alerts_rules import Book

PHISHING = (
    "Subject: Sorry about your parcel, Ada\n\nHi Ada,\n\nI am sorry the parcel was late. "
    "Your refund is ready: sign in at https://example.com@evil.test/refund with your "
    "password. Our spring range is at https://shop.example.com/spring."
)


def test_a_link_off_the_teams_domains_is_printed_as_a_check(
    book: Book,  # noqa: F811
    db: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    with FakeOpenAIServer(models=["llama3.2"], reply=PHISHING) as server:
        book.set("llm.preset", "ollama")
        book.set("llm.base_url", server.base_url)
        book.set("llm.model", "llama3.2")
        book.set("outreach.team_domains", ["example.com"])
        result = draft(db, "Ada Lovelace", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "https://example.com@evil.test/refund" in result.stdout  # shown as written...
    checks = [line for line in stderr_lines(result) if line.startswith("Check: ")]
    assert len(checks) == 2, checks  # ...and flagged; the team's own link is not
    assert checks[0].startswith("Check: Link to evil.test is not one of your team's domains")
    assert "'example.com@' in front of it is only a user name" in checks[0]
    assert checks[1].startswith("Check: The draft asks the customer to sign in")
    assert "Traceback" not in result.stderr


def test_the_teams_own_link_passes(book: Book, db: Path, tmp_path: Path) -> None:  # noqa: F811
    reply = "Subject: Sorry, Ada\n\nHi Ada,\n\nTrack it at https://shop.example.com/track/1."
    with FakeOpenAIServer(models=["llama3.2"], reply=reply) as server:
        book.set("llm.preset", "ollama")
        book.set("llm.base_url", server.base_url)
        book.set("llm.model", "llama3.2")
        book.set("outreach.team_domains", ["example.com"])
        result = draft(db, "Ada Lovelace", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Check: " not in result.stderr
