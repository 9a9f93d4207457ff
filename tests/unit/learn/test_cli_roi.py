"""`report effectiveness` carries the return on outreach: its table lines, CSV rows and
JSON object hold the figures services.learn.roi computes, on the hand-made book."""

from __future__ import annotations

import csv
import io
import json

import pytest

from app.cli.main import main
from services.learn.roi import roi_report
from services.learn.roi_records import REDEEMED_WORDS
from tests.unit.alerts.test_alerts_rules import Book
from tests.unit.learn.test_learn_data import Names, book, names

__all__ = ["book", "names"]  # fixtures used by name


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_the_table_says_the_return_and_what_it_is_made_of(book: Book, names: Names) -> None:
    book.set("learn.cost_email", 2)
    book.set("learn.margin_percent", 50)
    code, out, err = run("--db", book.workspace.url, "report", "effectiveness", "--by", "rule")
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    start = lines.index("Return on outreach:")
    text = " ".join(" ".join(lines[start:]).split())
    # 4 emails at $2 and the offers redeemed at their value ($12 and $10): $30 of cost.
    # As of today H4's window has closed too: held out H1 $0, H2 $30, H4 $50; contacted
    # C1 $80, C2 $0, C5 $20: ($100 / 3 - $80 / 3) x 3 = $20, half of it $10 of margin.
    assert "Not enough data yet:" in text
    assert "incremental margin $10 (50% of $20 incremental revenue)" in text
    assert (
        "against a cost of $30: offers $22 (2 redeemed); 4 emails, 0 calls, 0 meetings $8" in text
    )
    assert "Return -67%: incremental margin" in text  # ($10 - $30) / $30
    assert REDEEMED_WORDS in text
    assert "Return by alert rule:" in lines
    gone = next(line for line in lines[start:] if line.startswith("Gone quiet "))
    assert gone.split()[-3:] == ["Not", "enough", "data"]


def test_no_costs_set_is_said_in_words_never_a_zero(book: Book, names: Names) -> None:
    book.set("learn.cost_offer_percent", 0)
    code, out, err = run("--db", book.workspace.url, "report", "effectiveness")
    assert code == 0, err
    text = " ".join(out.split())
    assert "No costs set:" in text
    assert "Settings ▸ Measuring outreach" in text


def test_csv_and_json_carry_the_services_figures(book: Book, names: Names) -> None:
    book.set("learn.cost_call", 1)
    book.set("learn.cost_email", 1.5)
    code, out, err = run("--db", book.workspace.url, "report", "effectiveness", "--by",
                         "owner", "--format", "csv")  # fmt: skip
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    roi = {r[2]: r for r in rows if r[0] == "roi"}
    expected = roi_report(book.engine, by="owner").overall  # as of now, as the command
    assert float(roi["incremental_cents"][3]) == pytest.approx(expected.incremental_cents)
    assert int(roi["cost_cents"][3]) == expected.cost.total_cents
    assert roi["cost_cents"][4] == "USD"
    assert roi["roi_enough_data"][3] == "false"
    assert {r[1] for r in rows if r[0] == "roi_by_owner"} == {"Lee", "Maya"}

    code, out, err = run("--db", book.workspace.url, "report", "effectiveness", "--format",
                         "json")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)["roi"]
    assert data["currency"] == "USD"
    assert data["overall"]["cost"]["emails"] == 4
    assert data["overall"]["cost"]["total_cents"] == 4 * 150 + 2200
    assert data["overall"]["contacted"]["customer_ids"] == list(names.of("C1", "C2", "C5"))
    assert data["redeemed"] == REDEEMED_WORDS
