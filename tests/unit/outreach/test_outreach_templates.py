"""The template library: the built-in templates for every goal, the workspace's own
templates (refused with the reason when they do not render, the stored library left as it
was), and the offline draft built from a real customer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import text

from models.db import session_scope
from services.outreach.checks import check_draft
from services.outreach.drafting import draft_offline
from services.outreach.templates import (
    TemplateProblem,
    builtin_template,
    render_template_draft,
    reset_template,
    sample_context,
    save_template,
    template_library,
    templates_dir,
)
from services.settings import GOALS, get_setting, set_setting
from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book

LEFTOVER = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|\[|\]|<[A-Z]|\bNone\b|\bXX\b")


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def bare(goal: str) -> object:
    """A customer with nothing known but the name: no orders, value, company or tickets."""
    return replace(
        sample_context(goal),
        first_name="",
        company=None,
        tenure="",
        last_order=None,
        categories=(),
        new_categories=(),
        average_order_cents=None,
        incentive_cap_cents=None,
        open_tickets=(),
    )


@pytest.mark.parametrize("goal", GOALS)
def test_every_goal_has_a_template_that_renders_clean(goal: str) -> None:
    assert (templates_dir() / f"{goal}.j2").is_file()
    for context in (sample_context(goal), bare(goal)):
        draft = render_template_draft(context, max_words=220)  # type: ignore[arg-type]
        assert draft.source == "template"
        assert draft.template == goal
        assert draft.subject
        assert draft.body
        assert not LEFTOVER.search(draft.subject + draft.body), draft.text
        assert draft.problems == ()
        assert len(draft.body.split()) < 220
        assert "\n\n\n" not in draft.body
        assert draft.body.endswith(context.signature)  # type: ignore[attr-defined]
    full = render_template_draft(sample_context(goal))
    # The full sample has a $154 cap and $90 orders: the offer is a round amount within
    # both the cap and a quarter of an order ($22.50).
    assert "$20 off" in full.body
    assert "Ada" in full.subject
    assert full.body.startswith("Hi Ada,")
    assert "$" not in render_template_draft(bare(goal)).body  # type: ignore[arg-type]


def test_the_template_file_format() -> None:
    raw = (templates_dir() / "win_back.j2").read_text(encoding="utf-8")
    assert raw.startswith("Subject: ")
    entry = builtin_template("win_back")
    assert "\n" not in entry.subject
    # The body's first line is the greeting (its words follow the tone).
    assert "Hi {{ greeting_name }}," in entry.body.split("\n", 1)[0]
    assert not entry.custom


def test_a_saved_template_is_used_and_a_broken_one_refused(book: Book) -> None:
    sessions = book.workspace.sessions
    with session_scope(sessions) as s:
        save_template(s, "win_back", "Hello {{ first_name }}", "Hi {{ greeting_name }}!\n\n"
                      "{% if offer %}{{ offer }} off for you.{% endif %}\n\n{{ signature }}",
                      actor="maya")  # fmt: skip
    with session_scope(sessions) as s:
        library = template_library(s)
        stored = get_setting(s, "outreach.templates")
    assert library["win_back"].custom
    assert not library["apology"].custom
    assert library["win_back"].subject == "Hello {{ first_name }}"
    draft = render_template_draft(sample_context(), library=library)
    assert (draft.subject, draft.template) == ("Hello Ada", "win_back (custom)")
    assert draft.body == "Hi Ada!\n\n$20 off for you.\n\nBest regards,\nMaya Thompson"

    broken = [
        ("Hi {{ first_name }", "body", "line 1"),
        ("Hi", "{% if offer %}no end", "the body"),
        ("Hi", "Dear {{ nickname }}", "no value called 'nickname'"),
        ("Hi", "{{ last_order.date }}", "the body"),  # no last order for some customers
        ("Hi", "{{ ''.__class__.__mro__ }}", "the body"),  # the sandbox refuses
        ("  ", "Hello", "subject"),
    ]
    for subject, body, reason in broken:
        with session_scope(sessions) as s, pytest.raises(TemplateProblem, match=reason):
            save_template(s, "win_back", subject, body, actor="maya")
    with session_scope(sessions) as s:
        assert get_setting(s, "outreach.templates") == stored  # unchanged
        reset_template(s, "win_back", actor="maya")
    with session_scope(sessions) as s:
        assert not template_library(s)["win_back"].custom
        assert get_setting(s, "outreach.templates") == {}
    with book.engine.connect() as conn:
        actions = [r[0] for r in conn.execute(text("SELECT action FROM audit_events"))]
    assert actions.count("outreach.template_saved") == 1
    assert actions.count("outreach.template_reset") == 1


def test_the_offline_draft_of_a_customer(book: Book) -> None:
    cid = book.customer("Ada Lovelace", owner="Maya")
    book.set("outreach.sender_name", "Maya")  # the user, who signs (Your name)
    book.orders(cid, [300, 120], cents=8_000)
    book.score({cid: {"clv": 500.0}})
    from services.outreach.context import build_context

    with session_scope(book.workspace.sessions) as s:
        context = build_context(s, cid, now=NOW)
        draft = draft_offline(s, context, "no provider is set up")
    assert draft.source == "template"
    assert draft.reason == "no provider is set up"
    assert draft.subject == "We miss you, Ada"
    assert "$20 off" in draft.body  # within 10% of $500, and a quarter of an $80 order
    assert draft.body.endswith("Best regards,\nMaya")
    assert check_draft(draft.subject, draft.body, context, max_words=220) == []


def test_a_workspace_template_that_stopped_working_falls_back_to_the_built_in_one(
    book: Book,
) -> None:
    cid = book.customer("Ada")
    # Stored around the validation (e.g. by an older build): refers to a name that is gone.
    with session_scope(book.workspace.sessions) as s:
        stale = {"win_back": {"subject": "Hi", "body": "{{ gone }}"}}
        set_setting(s, "outreach.templates", stale)
    from services.outreach.context import build_context

    with session_scope(book.workspace.sessions) as s:
        draft = draft_offline(s, build_context(s, cid, now=NOW), None)
    assert draft.template == "win_back"
    assert [p.kind for p in draft.problems] == ["template"]
    assert "gone" in draft.problems[0].message
    assert "built-in" in draft.problems[0].message
    assert draft.body.startswith("Hi Ada,\n\nIt has been a little while")  # the built-in one
