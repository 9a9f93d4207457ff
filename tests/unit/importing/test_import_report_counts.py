"""An import report's counts say what they count: rows read from the file, and records
inserted, updated and unchanged per kind, so that no count adds records of different
kinds (a Mailchimp list of 33 rows updates customers and adds 33 events)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from services.importing import service
from services.importing.types import ImportReport, KindCounts, counts_words
from tests.support.paths import DATA

SAMPLES = DATA / "samples"
CUSTOMERS = SAMPLES / "generic" / "customers.csv"
UNSUBSCRIBED = SAMPLES / "mailchimp" / "unsubscribed_members.csv"
ORDERS = SAMPLES / "generic" / "orders.csv"


def _rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig") as f:
        return sum(1 for line in f if line.strip()) - 1


def test_a_file_feeding_two_kinds_counts_each_kind_on_its_own(ws: Engine) -> None:
    service.run_import(ws, [CUSTOMERS])
    report = service.run_import(ws, [UNSUBSCRIBED])
    (f,) = report.files
    rows = _rows(UNSUBSCRIBED)
    assert f.rows_read == rows
    kinds = {k.kind: k for k in f.by_kind}
    assert set(kinds) == {"customers", "interactions"}
    # Each kind's records add up to the rows read: one customer and one event a row.
    for k in kinds.values():
        assert k.inserted + k.updated + k.unchanged == rows
    assert kinds["customers"].updated > 0
    assert kinds["interactions"].inserted == rows
    # The totals stay the sum over the kinds (the fields are a contract).
    assert f.inserted == sum(k.inserted for k in f.by_kind)
    assert f.updated == sum(k.updated for k in f.by_kind)

    (line,) = report.lines()
    c, i = kinds["customers"], kinds["interactions"]
    assert line.endswith(
        f"{rows} rows read; customers: {c.inserted} inserted, {c.updated} updated, "
        f"0 unchanged; interactions: {rows} inserted, 0 updated, 0 unchanged; 0 rows rejected"
    )
    # Never more records inserted and updated in one count than rows read.
    assert f"{f.inserted} inserted, {f.updated} updated" not in line
    assert i.updated == 0


def test_a_file_of_one_kind_keeps_the_short_line(ws: Engine) -> None:
    report = service.run_import(ws, [ORDERS])
    (f,) = report.files
    assert [k.kind for k in f.by_kind] == ["orders"]
    rows = _rows(ORDERS)
    assert report.lines()[0].endswith(
        f"{rows} rows read, {rows} inserted, 0 updated, 0 unchanged, 0 rejected"
    )


def test_the_total_line_and_the_summary_count_per_kind(ws: Engine) -> None:
    service.run_import(ws, [CUSTOMERS])
    report = service.run_import(ws, [UNSUBSCRIBED, ORDERS])
    by_kind = {k.kind: k for k in report.by_kind}
    assert set(by_kind) == {"customers", "interactions", "orders"}
    total = report.lines()[-1]
    assert total.startswith("total: 2 of 2 files landed; customers: ")
    assert f"orders: {_rows(ORDERS)} inserted, 0 updated, 0 unchanged" in total
    assert report.counts_words(inserted="new").startswith("customers: ")


def test_counts_words_sums_kinds_over_files() -> None:
    parts = (
        KindCounts("customers", 1, 2, 3),
        KindCounts("orders", 4, 0, 0),
        KindCounts("customers", 10, 0, 0),
    )
    assert counts_words(parts, (15, 2, 3), rejected=1) == (
        "customers: 11 inserted, 2 updated, 3 unchanged; orders: 4 inserted, 0 updated, "
        "0 unchanged; 1 row rejected"
    )
    assert counts_words(parts[:1], (1, 2, 3), inserted="new") == "1 new, 2 updated, 3 unchanged"
    assert ImportReport(files=(), dry_run=False).counts_words() == (
        "0 inserted, 0 updated, 0 unchanged"
    )
