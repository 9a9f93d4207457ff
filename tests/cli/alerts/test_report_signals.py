"""`report alerts --signals-only` end to end (a real process, a real workspace file holding
the hand-made history of tests/support/signal_book.py): the section "Relationship signals
against lost renewals and lapses" in 100 columns, with Champion left's figures against both
outcomes and its base rate, and each signal's proof in words; the CSV and JSON carry the
same figures; and a second run on the same data keeps the first measure (nothing computed
again)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

from app.workspace import to_url
from tests.cli.commands.test_cli import run
from tests.support.signal_book import plant
from tests.unit.alerts.test_alerts_rules import make_book


def _kept(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [
            str(r[0])
            for r in conn.execute(
                "SELECT details FROM audit_events WHERE action = 'alerts.signals_measured'"
            )
        ]


def test_the_signals_section_in_words_csv_and_json(tmp_path: Path) -> None:
    db = tmp_path / "signals.radar.sqlite"
    for book in make_book(to_url(str(db))):
        plant(book)
    done = run("--db", str(db), "report", "alerts", "--signals-only", home=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines[0].startswith("Relationship signals against lost renewals and lapses (52 weeks")
    row = next(line for line in lines if line.startswith("Champion left "))
    # Findings; judged, precision, base rate, recall, lead against lost renewals; the same
    # against lapses (none: an order every 20 days).
    cells = row.split()[2:]
    assert cells[:2] == ["24", "24"]
    assert cells[2] == "50%"
    assert cells[4] == "100%"
    assert 24 <= int(cells[5]) <= 30  # each lost renewal 24 to 30 days after its finding
    assert cells[6:9] == ["24", "0%", "0%"]
    said = " ".join(lines)
    assert "Champion left: precision 50 % (31-69 %, 24 judged)" in said
    assert "Single-threaded: unproven: not measured yet" in said
    assert "Definitions: The relationship signals" in said
    assert "Early warning: the alert rules replayed" not in said  # --signals-only
    assert len(_kept(db)) == 1

    done = run("--db", str(db), "report", "alerts", "--signals-only", "--format", "csv",
               home=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    champion = next(r for r in rows if r["group"] == "signal_renewal" and r["key"] ==
                    "champion_left")  # fmt: skip
    assert (champion["alerts"], champion["judged"], champion["hits"]) == ("24", "24", "12")
    assert (champion["precision"], champion["lapsed"], champion["caught"]) == ("0.5", "12", "12")
    assert {r["group"] for r in rows} == {"signal_renewal", "signal_lapse", "conversation_risk"}

    done = run("--db", str(db), "report", "alerts", "--signals-only", "--format", "json",
               home=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)["relationship_signals"]
    assert data["proofs"]["champion_left"]["proven"] is True
    assert data["proofs"]["key_contact_dark"]["proven"] is False
    assert data["measured_on"] == "renewal"
    figures = next(f for f in data["figures"] if f["rule"] == "champion_left"
                   and f["outcome"] == "renewal")  # fmt: skip
    assert (figures["hits"], figures["judged"], figures["precision"]) == (12, 24, 0.5)
    # Three runs on the same data: one measure kept.
    assert len(_kept(db)) == 1
