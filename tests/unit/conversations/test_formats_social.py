"""Social mentions from a CSV: headers under their common names in any case, a cell that
looks like a spreadsheet formula kept as the words it is, rows without words skipped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from services.conversations.formats import read_conversations
from tests.support.conversation_samples import write_sample


def test_each_row_is_one_mention_and_a_formula_stays_text(tmp_path: Path) -> None:
    mentions, skipped = read_conversations(write_sample(tmp_path, "mentions.csv"))
    assert [(m.kind, m.source, m.file) for m in mentions] == [
        ("social", "social_csv", "mentions.csv")
    ] * 3
    assert [(m.turns[0].speaker.name, m.turns[0].anchor, m.text) for m in mentions] == [
        (
            "@initech_grace",
            "line 2",
            "Loving the new dashboards from @ourco, setup took 10 minutes",
        ),
        (
            "Marco Ruiz",
            "line 3",
            '=HYPERLINK("https://evil.example","click") the renewal price is a joke',
        ),
        ("Jordan Lee", "line 5", "Anyone else seeing slow exports today?"),
    ]
    assert [m.started_at for m in mentions] == [
        dt.datetime(2026, 3, 7, 8, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 7, 19, 5, tzinfo=dt.UTC),
        None,  # "not a date"
    ]
    assert [m.link for m in mentions] == [
        "https://social.example/initech_grace/1001",
        "https://social.example/marco/1002",
        "",
    ]
    assert mentions[0].key == "social_csv:https://social.example/initech_grace/1001"
    assert mentions[2].key.startswith("social_csv:")
    # The row of only commas is nothing; the row with a link but no words is said.
    assert [(s.where, s.reason) for s in skipped] == [("line 6", "it has no words in it")]


def test_semicolons_windows_1252_and_other_header_names(tmp_path: Path) -> None:
    text = (
        "USER;Published;Message;Permalink\r\n"
        "Zoë Brandt;2026-03-09T12:00:00+01:00;Très déçue du support, 3 jours sans réponse;"
        "https://social.example/zoe/9\r\n"
    )
    path = write_sample(tmp_path, "export.csv", text, encoding="cp1252")
    [mention], _ = read_conversations(path)
    assert mention.turns[0].speaker.name == "Zoë Brandt"
    assert mention.text == "Très déçue du support, 3 jours sans réponse"
    assert mention.started_at == dt.datetime(2026, 3, 9, 11, 0, tzinfo=dt.UTC)
    assert mention.link == "https://social.example/zoe/9"


def test_a_multi_line_cell_keeps_its_lines_and_the_next_row_its_line(tmp_path: Path) -> None:
    text = 'author,text\nAnn,"first line\nsecond line"\nBo,short\n'
    mentions, _ = read_conversations(write_sample(tmp_path, "m.csv", text))
    assert [m.text for m in mentions] == ["first line\nsecond line", "short"]
    assert [m.turns[0].anchor for m in mentions] == ["line 2", "line 4"]


def test_a_cell_past_the_csv_limit_is_left_out_by_row_and_the_rest_kept(tmp_path: Path) -> None:
    text = (
        'author,text\nAnn,fine words\nBo,"'
        + "x" * 200_000
        + '"\nCy,after\n'
        + "Di,"
        + "y" * 10_000_000
        + "\nEd,last words\n"
    )
    mentions, skipped = read_conversations(write_sample(tmp_path, "m.csv", text))
    assert [m.text for m in mentions] == ["fine words", "after", "last words"]
    assert [m.turns[0].anchor for m in mentions] == ["line 2", "line 4", "line 6"]
    assert [s.where for s in skipped] == ["line 3", "line 5"]
    assert all(s.reason == "a cell holds more than 131,072 characters: left out" for s in skipped)
