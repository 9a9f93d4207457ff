"""`main.py import` on text files end to end, as a person hands them over: a four-line
transcript of two speakers is a transcript, a table saved as .txt is a table, and a
transcript's header block dates and names the conversation (tests/data/conversations)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.commands.test_cli import count, run
from tests.support.paths import DATA

FILES = DATA / "conversations"
CUSTOMERS = (
    "customer_id,name,email,company\n"
    "S1,Sam Lee,sam.lee@fabrikam.example,Fabrikam\n"
    "M1,Minh Williams,minh.williams@contoso.example,Contoso\n"
)


def _workspace(tmp_path: Path) -> Path:
    db = tmp_path / "w.radar.sqlite"
    book = tmp_path / "customers.csv"
    book.write_text(CUSTOMERS, encoding="utf-8")
    assert run("--db", str(db), "import", str(book), home=tmp_path).returncode == 0
    return db


def test_a_short_transcript_and_a_table_saved_as_text(tmp_path: Path) -> None:
    db = _workspace(tmp_path)
    call = run("--db", str(db), "import", str(FILES / "short_call.txt"), home=tmp_path)
    assert call.returncode == 0, call.stderr
    assert call.stdout.splitlines()[0] == (
        "short_call.txt (Text transcript, conversations): landed as import 2: 1 row read, "
        "1 inserted, 0 updated, 0 unchanged, 0 rejected"
    )
    assert "could not tell which column" not in call.stdout + call.stderr
    assert "dated by the file's last change, which may not be the day" in call.stdout
    assert count(db, "interactions") == 1
    table = DATA / "text_tables" / "customers_with_notes.txt"
    rows = run("--db", str(db), "import", str(table), home=tmp_path)
    assert rows.returncode == 0, rows.stderr
    assert rows.stdout.splitlines()[0].startswith(
        "customers_with_notes.txt (generic_customers, customers): landed as import 3: "
        "3 rows read, 3 inserted"
    )
    assert (count(db, "customers"), count(db, "interactions")) == (5, 1)


def test_a_header_block_dates_and_names_the_call(tmp_path: Path) -> None:
    db = _workspace(tmp_path)
    done = run("--db", str(db), "import", str(FILES / "headed_call.txt"), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 conversation(s) matched to their account: 1 by address" in done.stdout
    assert "held no date" not in done.stdout
    shown = run("--db", str(db), "conversations", "show", "1", home=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0] == "Meeting “Renewal check-in”, Nov 20, 2026, Contoso"
    assert "Date:" not in shown.stdout
    assert "Attendees" not in shown.stdout


def test_kind_conversations_reads_the_file_as_one_or_says_why_not(tmp_path: Path) -> None:
    db = _workspace(tmp_path)
    one_line = tmp_path / "note.txt"
    one_line.write_text("Sam Lee: The new price is hard to justify for us.\n", encoding="utf-8")
    told = run("--db", str(db), "import", "--kind", "conversations", str(one_line), home=tmp_path)
    assert told.returncode == 0, told.stderr
    assert told.stdout.startswith("note.txt (Text transcript, conversations): landed")
    assert count(db, "interactions") == 1
    table = tmp_path / "orders.csv"
    table.write_text("order_id,email,amount\n1,sam.lee@fabrikam.example,30\n", encoding="utf-8")
    refused = run("--db", str(db), "import", "--kind", "conversations", str(table), home=tmp_path)
    assert refused.returncode == 1
    assert "orders.csv is not a conversation file Account Radar can read" in refused.stdout
    assert "is not a kind of data" not in refused.stdout + refused.stderr


def test_an_email_in_a_charset_no_one_knows_is_shown_as_a_mail_reader_shows_it(
    tmp_path: Path,
) -> None:
    db = _workspace(tmp_path)
    mail = tmp_path / "unknown_charset.eml"
    mail.write_bytes(
        b"From: Minh Williams <minh.williams@contoso.example>\r\n"
        b"To: Priya Raman <priya@radar.example>\r\n"
        b"Subject: Renewal\r\n"
        b"Date: Fri, 20 Nov 2026 10:00:00 +0000\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: text/plain; charset="x-klingon-9"\r\n'
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        b"We plan to cancel \x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12\x13"
        b"\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f the contract in March.\r\n"
    )
    done = run("--db", str(db), "import", str(mail), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "not text" not in done.stdout + done.stderr
    assert count(db, "interactions") == 1
    shown = run("--db", str(db), "conversations", "show", "1", home=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "We plan to cancel \ufffd" in shown.stdout
    assert "the contract in March." in shown.stdout
    assert "\x00" not in shown.stdout


def test_a_mentions_file_whose_first_post_is_ten_megabytes_keeps_the_others(
    tmp_path: Path,
) -> None:
    db = _workspace(tmp_path)
    posts = tmp_path / "mentions.csv"
    posts.write_text(
        "author,date,text,link\n"
        f"@huge,2026-11-01,{'spam ' * 2_000_000},https://x.example/1\n"
        "@minh,2026-11-02,Contoso loves the new reports,https://x.example/2\n"
        "@sam,2026-11-03,Fabrikam is thinking of leaving,https://x.example/3\n",
        encoding="utf-8",
    )
    done = run("--db", str(db), "import", str(posts), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].endswith(": 2 rows read, 0 inserted, 0 updated, "
                                                "0 unchanged, 1 rejected")  # fmt: skip
    assert "a cell holds more than 131,072 characters: left out" in done.stdout
    assert "the social mention of Nov 03, 2026 with @sam" in done.stdout


def _mail(subject: str, parts: int) -> bytes:
    """An email from Minh Williams, multipart with ``parts`` text parts (0: plain)."""
    head = (
        "From: Minh Williams <minh.williams@contoso.example>\r\n"
        "To: Priya Raman <priya@radar.example>\r\n"
        f"Subject: {subject}\r\n"
        "Date: Fri, 20 Nov 2026 10:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
    )
    if not parts:
        return (head + "Content-Type: text/plain\r\n\r\nSee you on Friday.\r\n").encode()
    body = "".join(f"--PART\r\nContent-Type: text/plain\r\n\r\nline {i}\r\n" for i in range(parts))
    return (
        head + 'Content-Type: multipart/mixed; boundary="PART"\r\n\r\n' + body + "--PART--\r\n"
    ).encode()


def test_an_email_of_thousands_of_mime_parts_is_left_out_and_the_others_kept(
    tmp_path: Path,
) -> None:
    db = _workspace(tmp_path)
    hostile = tmp_path / "parts.eml"
    hostile.write_bytes(_mail("Parts", 5_000))
    done = run("--db", str(db), "import", str(hostile), home=tmp_path)
    said = done.stdout + done.stderr
    assert "more than 1,000 MIME parts (the most an email may have here): left out" in said, said
    assert count(db, "interactions") == 0

    # In a mailbox, the message is left out by its number and the others are read.
    box = tmp_path / "box.mbox"
    separator = b"From minh.williams@contoso.example Fri Nov 20 10:00:00 2026\n"
    box.write_bytes(
        b"".join(
            separator + mail.replace(b"\r\n", b"\n") + b"\n"
            for mail in (_mail("First", 0), _mail("Parts", 5_000), _mail("Third", 3))
        )
    )
    done = run("--db", str(db), "import", str(box), home=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "message 2" in done.stdout + done.stderr
    assert "more than 1,000 MIME parts" in done.stdout + done.stderr
    assert count(db, "interactions") == 2
