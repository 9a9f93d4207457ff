"""What a reply is (services/replies/definition.py), case by case: the subject's prefixes,
automatic answers, the id the app writes, the 30 days, the latest email answered; and
when a group may be named best."""

from __future__ import annotations

import datetime as dt

from services.mail.ids import outreach_message_id, outreach_tag, tag_of
from services.mail.message import build_email
from services.replies.definition import (
    Received,
    Sent,
    bare_subject,
    find_answers,
    is_automatic,
    is_reply_subject,
)
from services.replies.records import ReplyReport, SentEmail, wilson

T0 = dt.datetime(2025, 3, 1, 9)


def test_reply_prefixes_in_any_case_and_spacing() -> None:
    assert is_reply_subject("Re: Checking in", "Checking in")
    assert is_reply_subject("RE:  re :checking   IN", "Checking in")
    assert is_reply_subject("AW: Checking in", "Checking in")
    assert is_reply_subject("Sv: Re[2]: Checking in", "Checking in")
    assert is_reply_subject("Automatic reply: Re: Checking in", "Checking in")
    assert not is_reply_subject("Checking in", "Checking in")  # no prefix: not an answer
    assert not is_reply_subject("Fwd: Checking in", "Checking in")
    assert not is_reply_subject("Re: Checking in later", "Checking in")
    assert bare_subject("Re: AW:  Hello   There") == "hello there"


def _received(**fields: object) -> Received:
    base: dict[str, object] = {"interaction_id": 1, "customer_id": 1, "sender": "a@x.example",
                               "subject": "Re: Hi", "text": "Thanks", "at": T0}  # fmt: skip
    return Received(**(base | fields))  # type: ignore[arg-type]


def test_automatic_answers() -> None:
    assert is_automatic(_received(auto_submitted="auto-replied"))
    assert is_automatic(_received(subject="Out of Office: Hi"))
    assert is_automatic(_received(subject="Automatic reply: Hi"))
    assert is_automatic(_received(text="Ana: I am currently out of the office until May."))
    assert not is_automatic(_received(text="Ana: Back in the office, let's talk."))


def test_the_id_the_app_writes_gives_back_its_tag() -> None:
    message = build_email(
        "  We  miss you ", "Hello\r\nAna", "Ana <ana@alpha.example>", "f@o.example"
    )
    tag = tag_of(str(message["Message-ID"]))
    assert tag == outreach_tag("ana@alpha.example", "We miss you", "Hello\nAna\n")
    assert tag != outreach_tag("ana@alpha.example", "We miss you", "Hello Ana")
    # Two identical emails: one tag, two ids (mail services drop a repeated id).
    one = outreach_message_id("a@x.example", "S", "B", None)
    assert one != outreach_message_id("a@x.example", "S", "B", None)
    assert tag_of(one) == outreach_tag("a@x.example", "S", "B")
    assert tag_of("<CAF123@mail.gmail.com>") is None


def _sent(outreach_id: int, at: dt.datetime, subject: str = "Hi", customer: int = 1) -> Sent:
    return Sent(outreach_id, customer, "a@x.example", subject, "Body", at)


def test_the_latest_email_before_the_answer_and_the_thirty_days() -> None:
    first, second = _sent(1, T0), _sent(2, T0 + dt.timedelta(days=3))
    (answer,) = find_answers([first, second], [_received(at=T0 + dt.timedelta(days=5))])
    assert (answer.outreach_id, answer.how) == (2, "subject")
    late = _received(at=T0 + dt.timedelta(days=30, minutes=1))
    assert find_answers([first], [late]) == []
    # By its thread, a reply counts whenever it came, even under another subject.
    ours = outreach_message_id("a@x.example", "Hi", "Body", None)
    threaded = _received(at=T0 + dt.timedelta(days=90), subject="Something else",
                         replies_to=(ours,))  # fmt: skip
    (answer,) = find_answers([first], [threaded])
    assert (answer.outreach_id, answer.how) == (1, "thread")
    # From another customer and another address: not a reply.
    stranger = _received(customer_id=2, sender="z@other.example", at=T0 + dt.timedelta(days=1))
    assert find_answers([first], [stranger]) == []
    # From the recipient's own address, matched to another account: a reply.
    moved = _received(customer_id=2, at=T0 + dt.timedelta(days=1))
    assert [a.outreach_id for a in find_answers([first], [moved])] == [1]


def _emails(label: str, sent: int, replied: int) -> list[SentEmail]:
    return [
        SentEmail(i, i, "a@x.example", "Hi", label, "Warm", "No playbook", T0,
                  reply_at=T0 + dt.timedelta(hours=1) if i < replied else None)
        for i in range(sent)
    ]  # fmt: skip


def test_best_only_when_the_intervals_part() -> None:
    day = dt.date(2025, 1, 1)
    clear = ReplyReport(day, day, tuple(_emails("A", 40, 30) + _emails("B", 40, 5)))
    best = clear.best("template")
    assert best is not None
    assert best.label == "A"
    (a_low, _a_high), (_b_low, b_high) = wilson(30, 40) or (0, 0), wilson(5, 40) or (0, 0)
    assert a_low > b_high
    close = ReplyReport(day, day, tuple(_emails("A", 20, 9) + _emails("B", 20, 6)))
    assert close.best("template") is None  # 45% and 30%: the intervals overlap
    few = ReplyReport(day, day, tuple(_emails("A", 9, 9) + _emails("B", 40, 1)))
    assert few.best("template") is None  # A has too few to compare


def test_no_reply_among_many_emails_is_said_plainly_with_its_interval() -> None:
    from services.replies.wording import NONE_ANSWERS, best_words, headline, interval_words

    day = dt.date(2025, 1, 1)
    report = ReplyReport(day, day, tuple(_emails("A", 400, 0) + _emails("B", 392, 0)),
                         received=5)  # fmt: skip
    low, high = wilson(0, 792) or (1.0, 1.0)
    assert low == 0
    assert 0.004 < high < 0.006  # about 0.5 %: never shown as "0% to 0%"
    assert interval_words(report.overall) == f"0% to {high:.1%}"
    assert headline(report).startswith(f"0 of 792 emails got a reply (0%, likely 0% to {high:.1%})")
    assert NONE_ANSWERS in headline(report)
    assert best_words(report, "template").startswith("No email got a reply yet")


def test_a_built_in_template_is_named_as_the_window_names_it() -> None:
    from services.replies.report import NO_TEMPLATE, _template_label

    assert _template_label("win_back") == "Win back"
    assert _template_label("check_in") == "Check in"
    assert _template_label("Spring thank-you") == "Spring thank-you"
    assert _template_label("") == NO_TEMPLATE
