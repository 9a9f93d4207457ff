"""One sign-off per email, with the name of the user who sends it under it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.core.profile import make_profile, save_profile
from services.outreach.drafting import finish_draft, strip_sign_off
from tests.unit.alerts.test_alerts_rules import Book, make_book
from tests.unit.outreach.test_outreach_context import context
from tests.unit.outreach.test_outreach_prompt import sample_context


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


@pytest.mark.parametrize(
    "reply_end",
    [
        "Best regards,\nAlex",
        "Warm wishes",
        "Kind regards,\n[Your name]",
        "Cheers,\nThe team at Fern & Co.",
        "Thanks,\nAlex Morgan\nAccount manager",
    ],
)
def test_a_model_sign_off_gives_way_to_the_apps_signature(reply_end: str) -> None:
    reply = f"Subject: Hello\n\nHi Ada,\n\nIt has been a while.\n\n{reply_end}"
    draft = finish_draft(reply, sample_context(), provider="p", model="m", max_words=200)
    assert draft.body == "Hi Ada,\n\nIt has been a while.\n\nBest regards,\nMaya Thompson"
    assert draft.body.count("regards") == 1


def test_text_that_only_mentions_thanks_is_kept() -> None:
    body = "Hi Ada,\n\nThanks for your order last spring; we have new linen in your size."
    assert strip_sign_off(body) == body


def test_the_user_signs_never_the_customers_owner(book: Book) -> None:
    ada = book.customer("Ada Lovelace", owner="Maya Thompson")
    book.orders(ada, [200, 100])
    assert context(book, ada).signature == "Best regards"  # nobody to name yet
    book.set("smtp.from_address", "Ana Lopez <ana.lopez@example.com>")
    assert context(book, ada).signature == "Best regards,\nAna Lopez"
    save_profile(make_profile("Dana Tester", "dana@example.com"))  # File ▸ Who I am…
    assert context(book, ada).signature == "Best regards,\nDana Tester"
    book.set("outreach.sender_name", "Sam Reyes")
    assert context(book, ada).signature == "Best regards,\nSam Reyes"
    book.set("outreach.signature", "Warm wishes,\n{owner}\nFern & Co.")
    assert context(book, ada).signature == "Warm wishes,\nSam Reyes\nFern & Co."
