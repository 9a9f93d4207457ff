"""A reply the server did not finish is never passed off as a finished draft."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.outreach.test_draft import REPLY, base, book, db, draft, stderr_lines  # noqa: F401
from tests.support.openai_server import FakeOpenAIServer
from tests.unit.alerts.test_alerts_rules import Book


@pytest.mark.parametrize(
    ("options", "why"),
    [
        ({"reply": REPLY, "fail_with": "end_early", "drop_after_chunks": 4}, "connection closed"),
    ],
)
def test_a_cut_off_reply_is_marked_and_exits_1(
    book: Book,  # noqa: F811
    db: Path,  # noqa: F811
    tmp_path: Path,
    options: dict[str, object],
    why: str,
) -> None:
    with FakeOpenAIServer(models=["llama3.2"], **options) as server:  # type: ignore[arg-type]
        book.set("llm.preset", "ollama")
        book.set("llm.base_url", server.base_url)
        book.set("llm.model", "llama3.2")
        result = draft(db, "Ada Lovelace", home=tmp_path)
    assert result.returncode == 1
    lines = stderr_lines(result)
    assert any(line.startswith("Check: This draft was cut off") and why in line for line in lines)
    assert lines[-1] == "error: the draft was cut off before the end; run the command again."
    assert result.stdout.startswith("Subject: ")  # what arrived is still shown


def test_a_finished_reply_is_not_marked(book: Book, db: Path, tmp_path: Path) -> None:  # noqa: F811
    with FakeOpenAIServer(models=["llama3.2"], reply=REPLY) as server:
        book.set("llm.preset", "ollama")
        book.set("llm.base_url", server.base_url)
        book.set("llm.model", "llama3.2")
        result = draft(db, "Ada Lovelace", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "cut off" not in result.stderr


def test_openai_base_url_is_the_provider_when_none_is_set_up(db: Path, tmp_path: Path) -> None:  # noqa: F811
    with FakeOpenAIServer(models=["llama3.2"], reply=REPLY, api_key="sk-local") as server:
        env = {
            "OPENAI_BASE_URL": server.base_url,
            "OPENAI_MODEL": "llama3.2",
            "OPENAI_API_KEY": "sk-local",
        }
        result = draft(db, "Ada Lovelace", home=tmp_path, env=env)
        chats = server.chat_requests
        url = server.base_url
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Subject: Sorry about your parcel, Ada")
    assert "Template draft" not in result.stderr
    assert len(chats) == 1
    assert chats[0].body is not None
    assert chats[0].body["model"] == "llama3.2"
    no_model = draft(db, "Ada Lovelace", home=tmp_path, env={"OPENAI_BASE_URL": url})
    assert no_model.returncode == 0
    assert "OPENAI_BASE_URL is set but no model is chosen" in no_model.stderr


def test_a_provider_in_the_settings_wins_over_openai_base_url(
    book: Book,  # noqa: F811
    db: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    with (
        FakeOpenAIServer(models=["llama3.2"], reply=REPLY) as chosen,
        FakeOpenAIServer(models=["llama3.2"], reply=REPLY) as other,
    ):
        book.set("llm.preset", "ollama")
        book.set("llm.base_url", chosen.base_url)
        book.set("llm.model", "llama3.2")
        env = {"OPENAI_BASE_URL": other.base_url, "OPENAI_MODEL": "llama3.2"}
        result = draft(db, "Ada Lovelace", home=tmp_path, env=env)
        assert result.returncode == 0, result.stderr
        assert len(chosen.chat_requests) == 1
        assert other.chat_requests == []
