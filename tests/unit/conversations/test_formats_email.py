"""Emails: a reply (.eml) with an encoded sender and subject, a signature, a quoted earlier
message and an attachment; an HTML-only reply; and a Google Takeout mbox holding a thread
of three messages. The customer's turn never carries our own quoted words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from services.conversations.formats import read_conversations
from services.conversations.formats.emails import reply_text
from tests.support.conversation_samples import HTML_ONLY_EML, THREAD_MBOX, write_sample

FIRST = "20260304171500.A1B2@ourco.example"
REPLY = "CAF3x9Qv8kz@mail.northwind.example"
ANSWER = "20260305100200.C3D4@ourco.example"


def test_a_reply_eml_with_encoded_headers_signature_quote_and_attachment(
    tmp_path: Path,
) -> None:
    [mail], skipped = read_conversations(write_sample(tmp_path, "reply.eml"))
    assert skipped == []
    assert (mail.kind, mail.source, mail.file) == ("email", "eml", "reply.eml")
    assert (mail.key, mail.message_id) == (REPLY, REPLY)
    assert mail.title == "Re: Renewal — revised quote"
    assert mail.sender is not None
    assert (mail.sender.name, mail.sender.email) == ("Marco Ruíz", "marco.ruiz@northwind.example")
    assert [(p.name, p.email) for p in mail.recipients] == [
        ("Dana Whitfield", "dana.whitfield@ourco.example"),
        ("", "finance@northwind.example"),
        ("Lee, Jordan", "jlee@northwind.example"),
    ]
    assert mail.replies_to == (FIRST, "20260301090000.Z9Y8@ourco.example")
    # 09:15 at +01:00.
    assert mail.started_at == dt.datetime(2026, 3, 5, 8, 15, tzinfo=dt.UTC)
    [turn] = mail.turns
    assert turn.text == (
        "Hi Dana,\n\nThanks for the quote. 12% is still too high for us; can you do 5%?"
        "\n\nBest,\nMarco"
    )
    assert turn.speaker == mail.sender
    assert turn.at == mail.started_at
    assert "revised quote attached" not in turn.text
    assert "Head of Operations" not in turn.text
    assert mail.extra == {"attachments": "quote-v2.pdf"}


def test_an_html_only_reply_is_read_without_its_quote(tmp_path: Path) -> None:
    [mail], _ = read_conversations(write_sample(tmp_path, "html_only.eml"))
    assert [turn.text for turn in mail.turns] == ["Hi Sam,\nThe exports work again — thank you!"]
    assert mail.replies_to == ("def456@ourco.example",)
    assert mail.started_at == dt.datetime(2026, 3, 6, 21, 40, tzinfo=dt.UTC)
    assert "color" not in mail.text


def test_an_mbox_thread_is_three_emails_chained_by_their_ids(tmp_path: Path) -> None:
    mails, skipped = read_conversations(write_sample(tmp_path, "thread.mbox"))
    assert skipped == []
    assert [(m.source, m.message_id, m.replies_to) for m in mails] == [
        ("mbox", FIRST, ()),
        ("mbox", REPLY, (FIRST,)),
        ("mbox", ANSWER, (REPLY, FIRST)),
    ]
    assert [m.sender.email if m.sender else "" for m in mails] == [
        "dana.whitfield@ourco.example",
        "marco.ruiz@northwind.example",
        "dana.whitfield@ourco.example",
    ]
    assert [[turn.anchor for turn in m.turns] for m in mails] == [
        ["message 1"],
        ["message 2"],
        ["message 3"],
    ]
    assert mails[1].text == "Hi Dana,\n12% is still too high for us; can you do 5%?\nMarco"
    assert mails[2].text == "Marco, 8% is the best I can do, with a two-year term.\nDana"
    assert [(p.name, p.email) for p in mails[2].recipients] == [
        ("Marco Ruiz", "marco.ruiz@northwind.example"),
        ("Sales Desk", "sales@ourco.example"),
    ]
    assert [m.started_at for m in mails] == [
        dt.datetime(2026, 3, 4, 17, 15, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 5, 8, 15, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 5, 10, 2, tzinfo=dt.UTC),
    ]


def test_a_thunderbird_mbox_with_a_message_without_id_or_date(tmp_path: Path) -> None:
    text = THREAD_MBOX.replace("From 18260011111111111", "From - Thu Mar 05 10:02:00 2026\nX-Id: ")
    text = text.replace(f"Message-ID: <{ANSWER}>\n", "").replace(
        "Date: Thu, 05 Mar 2026 10:02:00 +0000\n", "Date: the day after\n"
    )
    path = write_sample(tmp_path, "Inbox.mbox", text)
    mails, _ = read_conversations(path)
    again, _ = read_conversations(path)
    assert len(mails) == 3
    assert mails[2].message_id == ""
    assert mails[2].key.startswith("mbox:")
    assert mails[2].key == again[2].key != mails[1].key
    assert mails[2].started_at is None
    assert mails[2].replies_to == (REPLY, FIRST)


def test_an_eml_saved_with_windows_line_ends_and_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "saved.eml"
    path.write_bytes(b"\xef\xbb\xbf" + HTML_ONLY_EML.replace("\n", "\r\n").encode())
    [mail], _ = read_conversations(path)
    assert mail.sender is not None
    assert mail.sender.email == "grace@initech.example"
    assert mail.text == "Hi Sam,\nThe exports work again — thank you!"


def test_reply_text_cuts_quotes_outlook_separators_and_signatures() -> None:
    assert reply_text("Yes.\n\n> old\n>> older\nThanks") == "Yes.\n\nThanks"
    assert reply_text("Sure.\r\n\r\n-----Original Message-----\r\nFrom: us") == "Sure."
    assert reply_text("Ok.\nFrom: Dana\nSent: Monday\nTo: Marco\nold words") == "Ok."
    assert reply_text("Fine\n________________________________\nFrom: x") == "Fine"
    assert reply_text("Deal.\n-- \nMarco\nCEO") == "Deal."
    assert reply_text("On Monday we start.\nGreat.") == "On Monday we start.\nGreat."
    assert reply_text("Ja.\n\nAm 04.03.2026 um 18:15 schrieb Dana <d@x.example>:\n> Hallo") == "Ja."
    assert reply_text("Oui.\nLe mer. 4 mars 2026 à 18:15, Dana <d@x.example> a écrit :\n> x") == (
        "Oui."
    )
    assert reply_text("Sí.\nEl mié, 4 mar 2026 a las 18:15, Dana escribió:\n> x") == "Sí."
    assert (
        reply_text(
            "Agreed.\n\nOn Wed, 4 Mar 2026 at 18:15, Dana Whitfield\n<d@x.example> wrote:\n> hi"
        )
        == "Agreed."
    )


def test_a_long_mailbox_tells_its_progress_and_stops_when_asked(tmp_path: Path) -> None:
    # 300 messages: the thread a hundred times.
    path = write_sample(tmp_path, "big.mbox", THREAD_MBOX * 100)
    told: list[tuple[float, str]] = []
    mails, _ = read_conversations(path, progress=lambda f, words: told.append((f, words)))
    assert len(mails) == 300
    assert told == [
        (0.0, "Reading email 1 of 300"),
        (100 / 300, "Reading email 101 of 300"),
        (200 / 300, "Reading email 201 of 300"),
    ]
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) == 2  # stop at the second look, before message 101

    stopped, _ = read_conversations(path, cancelled=cancelled)
    assert len(stopped) == 100


_EIGHT_BIT = """From: Zoë Brandt <Zoe@Brandt.example>
To: dana.whitfield@ourco.example
Subject: Grüße - réunion
Date: Mon, 09 Mar 2026 10:00:00 +0100
Message-ID: <z1@brandt.example>
Content-Type: text/plain; charset={charset}
Content-Transfer-Encoding: 8bit

Bonjour, très bien.
"""


def test_eight_bit_headers_in_utf_8_or_windows_1252_and_an_unknown_charset(
    tmp_path: Path,
) -> None:
    utf8 = write_sample(tmp_path, "a.eml", _EIGHT_BIT.format(charset="utf-8"))
    legacy = write_sample(
        tmp_path, "b.eml", _EIGHT_BIT.format(charset="x-mac-unknown"), encoding="cp1252"
    )
    for path in (utf8, legacy):
        [mail], skipped = read_conversations(path)
        assert skipped == []
        assert mail.sender is not None
        assert (mail.sender.name, mail.sender.email) == ("Zoë Brandt", "zoe@brandt.example")
        assert mail.title == "Grüße - réunion"
        assert mail.text == "Bonjour, très bien."
