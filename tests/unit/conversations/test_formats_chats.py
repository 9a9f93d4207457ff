"""Chat logs: an Intercom conversation (HTML bodies, authors by type, notes left out) and a
Zendesk Chat transcript (visitor and agent, ISO and epoch-millisecond times)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from services.conversations.formats import read_conversations
from services.conversations.formats._common import html_to_text
from tests.support.conversation_samples import INTERCOM_JSON, write_sample

GRACE = ("Grace Hopper", "grace@initech.example")
SAM = ("Sam Ortiz", "sam@ourco.example")


def _at(minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, 4, 10, minute, second, tzinfo=dt.UTC)


def test_an_intercom_conversation_reads_its_source_and_comments(tmp_path: Path) -> None:
    [chat], skipped = read_conversations(write_sample(tmp_path, "intercom.json"))
    assert skipped == []
    assert (chat.kind, chat.source, chat.key) == ("chat", "intercom", "intercom:1911149811")
    assert chat.started_at == _at(0)
    assert [((t.speaker.name, t.speaker.email), t.anchor, t.at, t.text) for t in chat.turns] == [
        (
            GRACE,
            "message 1",
            _at(0),
            "Hi, our exports to CSV have been failing since Monday.\nCan you help?",
        ),
        (SAM, "message 2", _at(2), "Sorry to hear that! Which report is it?"),
        (
            GRACE,
            "message 3",
            _at(6, 40),
            'The "Monthly revenue" one & the churn report.\nBoth fail.',
        ),
    ]
    # The team's note and the bot's assignment are not in the conversation.
    assert "Known problem" not in chat.text
    assert [(p.name, p.email) for p in chat.participants] == [GRACE, SAM]
    assert chat.extra == {"internal": "sam@ourco.example"}
    assert chat.link == "https://app.initech.example/reports"


def test_an_intercom_list_export_reads_each_conversation(tmp_path: Path) -> None:
    one = json.loads(INTERCOM_JSON)
    empty = {**one, "id": "2", "source": {**one["source"], "body": ""}, "conversation_parts": []}
    listing = {"type": "conversation.list", "conversations": [one, empty]}
    chats, skipped = read_conversations(write_sample(tmp_path, "export.json", json.dumps(listing)))
    assert [c.key for c in chats] == ["intercom:1911149811"]
    assert [(s.where, s.reason) for s in skipped] == [("conversation 2", "it has no messages")]


def test_a_zendesk_chat_reads_visitor_and_agent_turns(tmp_path: Path) -> None:
    [chat], skipped = read_conversations(write_sample(tmp_path, "zendesk_chat.json"))
    assert skipped == []
    assert (chat.kind, chat.source) == ("chat", "zendesk_chat")
    assert chat.key == "zendesk_chat:2603.10245.R7dT2wK9xYz1"
    assert chat.started_at == dt.datetime(2026, 3, 6, 14, 20, tzinfo=dt.UTC)
    hiroshi = ("Hiroshi Tanaka", "h.tanaka@globex.example")
    maria = ("Maria Lopez", "")
    assert [((t.speaker.name, t.speaker.email), t.anchor, t.at, t.text) for t in chat.turns] == [
        (
            hiroshi,
            "message 1",
            dt.datetime(2026, 3, 6, 14, 20, 5, tzinfo=dt.UTC),
            "Hello, I need to update our billing address.",
        ),
        (
            maria,
            "message 2",
            dt.datetime(2026, 3, 6, 14, 21, 10, tzinfo=dt.UTC),
            "Hi Hiroshi, I can help with that.",
        ),
        (
            hiroshi,
            "message 3",
            # Written as epoch milliseconds, 1772806950000.
            dt.datetime(2026, 3, 6, 14, 22, 30, tzinfo=dt.UTC),
            "Thanks! Also, can we cancel the extra seats?",
        ),
    ]
    assert chat.extra == {"internal": "Maria Lopez"}


def test_a_zendesk_offline_message_is_the_visitors_one_turn(tmp_path: Path) -> None:
    offline = [
        {
            "id": "2603.1.off",
            "type": "offline_msg",
            "timestamp": "2026-03-07T22:00:00Z",
            "visitor": {"name": "Ana Silva", "email": "ANA@Example.org"},
            "message": "Please call me back about the invoice.",
        }
    ]
    [chat], _ = read_conversations(write_sample(tmp_path, "off.json", json.dumps(offline)))
    assert [(t.speaker.email, t.text) for t in chat.turns] == [
        ("ana@example.org", "Please call me back about the invoice.")
    ]


def test_html_becomes_its_visible_words_only() -> None:
    markup = (
        "<style>p{color:red}</style><script>alert('x')</script>"
        "<p>Hello&nbsp;there</p><ul><li>one</li><li>two &lt;3</li></ul>"
        '<img src="https://tracker.example/p.gif"><blockquote>old words</blockquote>'
        "<p>Bye<br/>now</p><!-- a comment --><![CDATA[x]]>"
    )
    assert html_to_text(markup) == "Hello there\none\ntwo <3\nBye\nnow"
    assert html_to_text("<div><p>unclosed <b>bold") == "unclosed bold"
    assert html_to_text("") == ""
