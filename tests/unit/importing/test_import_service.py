"""The import pipeline end to end on real SQLite workspaces: land, upsert, reject, undo."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from models.errors import UserFacingError
from models.vocab import GUEST_EXTERNAL_ID
from services.importing import service, storage, writer
from services.importing.canonical import Batch
from services.importing.types import ImportCancelled, RejectedRow
from tests.support.databases import json_sql, stored_datetime, stored_json
from tests.support.paths import DATA

GENERIC = DATA / "samples" / "generic"
MALFORMED = DATA / "malformed"

DATA_TABLES = (
    "customers",
    "orders",
    "interactions",
    "opportunities",
    "subscriptions",
    "customer_identities",
    "customer_rollups",
    "import_changes",
    "mapping_profiles",
)


def dump(engine: Engine, tables: tuple[str, ...] = DATA_TABLES) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))]
            for t in tables
        }


def scalar(engine: Engine, sql: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def rows(engine: Engine, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def test_generic_samples_reach_the_manifest_truth(ws: Engine) -> None:
    engine = ws
    report = service.run_import(engine, [GENERIC / "orders.csv", GENERIC / "customers.csv"])
    assert report.landed
    assert all(f.error is None for f in report.files)
    orders, customers = report.files
    assert (orders.detected_format, orders.kind) == ("generic_orders", "orders")
    assert (customers.detected_format, customers.kind) == ("generic_customers", "customers")
    assert orders.inserted == 246
    assert orders.rejected == 0
    assert scalar(engine, "SELECT COUNT(*) FROM orders") == 246
    assert scalar(engine, "SELECT SUM(amount_cents) FROM orders WHERE status = 'paid'") == 5_380_537
    assert scalar(engine, "SELECT COUNT(*) FROM customers") == 300
    assert scalar(engine, "SELECT COUNT(DISTINCT email_normalized) FROM customers") == 300
    # Zip codes are text: leading zeros kept, in the attributes.
    zips = scalar(
        engine,
        "SELECT COUNT(*) FROM customers "
        f"WHERE {json_sql(engine, 'attributes', 'zip', as_text=True)} LIKE '0%'",
    )
    assert zips == 172
    # The order customers (by email) and the customer list are the same people.
    assert scalar(engine, "SELECT COUNT(*) FROM customers WHERE external_id IS NULL") == 0
    assert scalar(engine, "SELECT SUM(paid_revenue_cents) FROM customer_rollups") == 5_380_537


def test_reimport_changes_nothing(ws: Engine) -> None:
    engine = ws
    service.run_import(engine, [GENERIC])
    before = dump(engine)
    again = service.run_import(engine, [GENERIC])
    assert [(f.inserted, f.updated, f.unchanged) for f in again.files] == [
        (0, 0, 300),
        (0, 0, 246),
    ]
    assert dump(engine) == before


def _edited_orders(tmp_path: Path) -> Path:
    rows = list(csv.reader((GENERIC / "orders.csv").open(encoding="utf-8")))
    rows[1][3] = "999.99"  # a corrected amount
    rows.append(["new.buyer@example.com", "POS-999999", "2026-11-14", "10.00", "tops"])
    out = tmp_path / "orders_newer.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return out


def test_newer_export_upserts_and_undo_restores_exactly(ws: Engine, tmp_path: Path) -> None:
    engine = ws
    first = service.run_import(engine, [GENERIC / "customers.csv", GENERIC / "orders.csv"])
    snapshot = dump(engine)
    report = service.run_import(engine, [_edited_orders(tmp_path)])
    newer = report.files[0]
    assert (newer.inserted, newer.updated, newer.unchanged) == (1, 1, 245)
    assert scalar(engine, "SELECT COUNT(*) FROM orders") == 247
    assert (
        scalar(engine, "SELECT amount_cents FROM orders WHERE external_id = 'POS-200001'") == 99999
    )
    assert scalar(engine, "SELECT COUNT(*) FROM customers") == 301  # the new buyer
    assert newer.run_id is not None
    undo = service.undo_import(engine, newer.run_id)
    assert (undo.deleted, undo.restored) == (2, 1)  # the new order and its new customer
    assert dump(engine) == snapshot
    # The history shows it undone; the earlier imports can be undone too, in turn.
    runs = {r.run_id: r for r in service.list_imports(engine)}
    assert runs[newer.run_id].status == "undone"
    assert not runs[newer.run_id].can_undo
    customers_run, orders_run = (f.run_id for f in first.files)
    assert orders_run is not None
    assert customers_run is not None
    service.undo_import(engine, orders_run)
    service.undo_import(engine, customers_run)
    assert all(scalar(engine, f"SELECT COUNT(*) FROM {t}") == 0 for t in DATA_TABLES)
    with pytest.raises(UserFacingError, match="already undone"):
        service.undo_import(engine, customers_run)


def test_undo_refused_while_a_later_import_builds_on_it(ws: Engine) -> None:
    engine = ws
    orders = service.run_import(engine, [GENERIC / "orders.csv"]).files[0]
    customers = service.run_import(engine, [GENERIC / "customers.csv"]).files[0]
    assert orders.run_id is not None
    assert customers.run_id is not None
    # The customers file updated the 81 customers the orders file created.
    info = {r.run_id: r for r in service.list_imports(engine)}
    assert not info[orders.run_id].can_undo
    assert info[orders.run_id].undo_blocked_reason == (
        f"import {customers.run_id} (customers.csv) changed the same records; undo it first"
    )
    before = dump(engine)
    with pytest.raises(UserFacingError, match=rf"import {customers.run_id} \(customers.csv\)"):
        service.undo_import(engine, orders.run_id)
    assert dump(engine) == before
    service.undo_import(engine, customers.run_id)
    service.undo_import(engine, orders.run_id)
    assert scalar(engine, "SELECT COUNT(*) FROM customers") == 0


def test_rejected_rows_are_reported_and_good_rows_land(ws: Engine) -> None:
    engine = ws
    report = service.run_import(engine, [MALFORMED / "orders_bad_rows.csv"])
    f = report.files[0]
    assert f.landed
    assert f.inserted == 2
    assert f.rejected == 7
    reasons = {r.row: r.reason for r in f.rejects}
    assert reasons == {
        3: "cannot read '2026-13-45' as a date (order_date)",
        4: "negative amount '-5.00' (a refund is an order status, not a negative amount)",
        5: "no customer id or email",
        6: "missing amount",
        7: "row 7 has 6 fields, the header has 5",
        8: "row 8 has 3 fields, the header has 5",
        11: "cannot read 'not a date' as a date (order_date)",
    }
    assert sorted(r[0] for r in dump(engine, ("orders",))["orders"]) == [1, 2]
    stored = scalar(
        engine, f"SELECT {json_sql(engine, 'report', 'rejects_total')} FROM import_runs"
    )
    assert stored == 7
    lines = report.lines()
    assert any("orders_bad_rows.csv row 4: negative amount" in line for line in lines)


@pytest.mark.parametrize(
    "name",
    [
        "empty_0_bytes.csv",
        "blank_lines_only.csv",
        "header_only.csv",
        "image_renamed.csv",
        "archive_renamed.csv",
        "unclosed_quote.csv",
        "undecodable.csv",
        "mystery_columns.csv",
    ],
)
def test_a_file_that_cannot_be_imported_changes_nothing(ws: Engine, name: str) -> None:
    engine = ws
    service.run_import(engine, [GENERIC / "orders.csv"])
    before = dump(engine, (*DATA_TABLES, "import_runs"))
    report = service.run_import(engine, [MALFORMED / name])
    f = report.files[0]
    assert not report.landed
    assert not f.landed
    assert f.run_id is None
    assert f.error and name in f.error or "could not tell which column" in (f.error or "")
    assert dump(engine, (*DATA_TABLES, "import_runs")) == before


def test_text_stays_text_and_encodings_are_read(ws: Engine) -> None:
    engine = ws
    report = service.run_import(
        engine,
        [MALFORMED / "customers_quoted_newlines.csv", MALFORMED / "customers_cp1252.csv"],
    )
    assert all(f.landed for f in report.files)
    companies = dict(rows(engine, "SELECT external_id, company FROM customers"))
    assert companies["Q1"] == '=HYPERLINK("http://evil.example","click")'
    assert companies["Q2"] == "+Plus Corp"
    assert companies["Q3"] == "@At Company"
    assert companies["K-003"] == "€uro Trading"
    assert any("Windows-1252" in n for n in report.files[1].notes)


def test_semicolons_decimal_commas_tabs_and_us_dates(ws: Engine) -> None:
    engine = ws
    report = service.run_import(
        engine,
        [MALFORMED / "orders_semicolon_decimal_comma.csv", MALFORMED / "orders_tab_us.tsv"],
    )
    assert [f.inserted for f in report.files] == [3, 3]
    amounts = dict(rows(engine, "SELECT external_id, amount_cents FROM orders"))
    dates = {
        k: stored_datetime(v) for k, v in rows(engine, "SELECT external_id, order_date FROM orders")
    }
    emails = {r[0] for r in rows(engine, "SELECT email_normalized FROM customers")}
    assert amounts["B-1"] == 123450
    assert amounts["B-3"] == 99
    assert amounts["T-1"] == 123450
    assert dates["B-1"].date() == dt.date(2026, 11, 21)
    assert dates["T-1"].replace(second=0, microsecond=0) == dt.datetime(2026, 11, 21, 15, 4)
    assert {"a@example.com", "b@example.com"} <= emails  # one customer for A@/a@


def test_xlsx_imports_like_a_csv(ws: Engine) -> None:
    engine = ws
    f = service.run_import(engine, [MALFORMED / "orders_workbook.xlsx"]).files[0]
    assert f.landed
    assert f.inserted == 3
    assert scalar(engine, "SELECT SUM(amount_cents) FROM orders") == 12050 + 8000 + 1525


def test_crash_halfway_leaves_the_workspace_as_it_was(
    ws: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = ws
    service.run_import(engine, [GENERIC / "customers.csv"])
    before = dump(engine, (*DATA_TABLES, "import_runs"))
    original = storage.Store.insert_records

    def half_then_crash(self: storage.Store, table: str, cols: Any, stored: Any, idx: Any) -> None:
        original(self, table, cols, stored, idx[: len(idx) // 2])
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr(storage.Store, "insert_records", half_then_crash)
    # The failure is reported as that file's error (other files would still be tried).
    report = service.run_import(engine, [GENERIC / "orders.csv"])
    assert not report.landed
    error = report.files[0].error
    assert error is not None
    assert "unexpected failure (RuntimeError)" in error
    assert dump(engine, (*DATA_TABLES, "import_runs")) == before


def test_cancel_leaves_the_workspace_as_it_was(ws: Engine) -> None:
    engine = ws
    before = dump(engine, (*DATA_TABLES, "import_runs"))
    seen: list[str] = []

    def progress(fraction: float, message: str) -> None:
        seen.append(message)

    # Cancel once the writer has started.
    with pytest.raises(ImportCancelled, match="nothing from orders.csv was saved"):
        service.run_import(
            engine,
            [GENERIC / "orders.csv"],
            progress=progress,
            cancelled=lambda: any(m.startswith("writing") for m in seen),
        )
    assert dump(engine, (*DATA_TABLES, "import_runs")) == before


def test_a_list_of_files_each_with_its_kind_and_a_precise_cancel(ws: Engine) -> None:
    """The window hands the service its whole list (one kind per file); a cancel during
    the second file keeps the first, saves nothing of the second and names the rest."""
    engine = ws
    seen: list[str] = []
    requests = [
        service.FileRequest(GENERIC / "customers.csv", kind="customers"),
        service.FileRequest(GENERIC / "orders.csv", kind="orders"),
        service.FileRequest(GENERIC / "customers.csv", kind="customers"),
    ]

    def progress(fraction: float, message: str) -> None:
        seen.append(message)

    with pytest.raises(ImportCancelled) as stopped:
        service.import_requests(
            engine,
            requests,
            progress=progress,
            cancelled=lambda: any(m.startswith("writing orders from orders.csv") for m in seen),
        )
    stop = stopped.value
    assert [r.file for r in stop.landed] == ["customers.csv"]
    assert stop.landed[0].landed
    assert stop.file == "orders.csv"
    assert stop.skipped == ("customers.csv",)
    assert "1 earlier file(s) had already landed: customers.csv" in str(stop)
    assert scalar(engine, "SELECT count(*) FROM orders") == 0
    assert scalar(engine, "SELECT count(*) FROM customers") > 0
    assert any(m.endswith("(file 2 of 3)") for m in seen)
    # Without a cancel every file lands with its own kind.
    report = service.import_requests(engine, requests[1:2])
    assert [(f.file, f.kind) for f in report.files] == [("orders.csv", "orders")]
    assert scalar(engine, "SELECT count(*) FROM orders") > 0


def test_dry_run_saves_nothing(ws: Engine) -> None:
    engine = ws
    before = dump(engine, (*DATA_TABLES, "import_runs"))
    report = service.run_import(engine, [GENERIC], dry_run=True)
    assert report.dry_run
    assert report.landed
    assert [f.inserted for f in report.files] == [300, 246]
    assert all(f.run_id is None for f in report.files)
    assert report.lines()[0] == "dry run: nothing was saved"
    assert dump(engine, (*DATA_TABLES, "import_runs")) == before


def test_rows_without_ids_reimport_as_no_ops(ws: Engine, tmp_path: Path) -> None:
    engine = ws
    src = tmp_path / "no_ids.csv"
    src.write_text(
        "customer_email,order_date,amount\n"
        "a@example.com,2026-01-01,10.00\n"
        "a@example.com,2026-01-01,10.00\n"  # the same purchase twice: two orders
        "b@example.com,2026-01-02,5.00\n",
        encoding="utf-8",
    )
    first = service.run_import(engine, [src]).files[0]
    assert first.inserted == 3
    again = service.run_import(engine, [src]).files[0]
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert scalar(engine, "SELECT COUNT(*) FROM orders") == 3


def test_mapping_profiles_are_saved_and_reused(ws: Engine, tmp_path: Path) -> None:
    engine = ws
    src = MALFORMED / "mystery_columns.csv"
    preview = service.preview_file(engine, src)
    assert preview.needs_mapping
    assert preview.profile_name is None
    assert preview.header == ("a", "b", "c")
    mapping: dict[str, str | None] = {"a": "customer_id", "b": "tier", "c": None}
    report = service.run_import(
        engine,
        [src],
        kind="customers",
        mappings={str(src): mapping},
        save_profiles={str(src): "mystery list"},
    )
    assert report.files[0].inserted == 2
    assert service.list_profiles(engine) == [("mystery list", "customers")]
    # A file with the same header now maps by itself.
    copy = tmp_path / "mystery_again.csv"
    copy.write_text("a,b,c\nfoo,3,z\nbaz,1,w\n", encoding="utf-8")
    again = service.preview_file(engine, copy)
    assert not again.needs_mapping
    assert again.profile_name == "mystery list"
    f = service.run_import(engine, [copy]).files[0]
    assert (f.inserted, f.updated) == (1, 1)
    assert scalar(engine, "SELECT tier FROM customers WHERE external_id = 'foo'") == "3"
    assert (
        scalar(
            engine,
            f"SELECT {json_sql(engine, 'attributes', 'c')} FROM customers "
            "WHERE external_id = 'baz'",
        )
        == "w"
    )
    with pytest.raises(UserFacingError, match="no mapping profile named 'nope'"):
        service.run_import(engine, [copy], profile="nope")


def test_preview_of_a_plain_orders_file(ws: Engine) -> None:
    engine = ws
    preview = service.preview_file(engine, GENERIC / "orders.csv")
    assert preview.detected_format == "generic"
    assert preview.kind == "orders"
    assert not preview.needs_mapping
    fields = {g.column: g.field for g in preview.columns}
    assert fields == {
        "customer_email": "customer_email",
        "order_id": "order_id",
        "order_date": "order_date",
        "amount": "amount",
        "category": "category",
    }
    assert preview.sample_rows[0][0] == "eben.zephyrwood@example.net"
    assert 200 < preview.rows_estimate < 300
    assert [f.name for f in service.fields_for_kind("orders")][:2] == [
        "customer_id",
        "customer_email",
    ]


def _customers_batch(rows: list[dict[str, Any]], source: str) -> Batch:
    frame = pd.DataFrame(rows)
    frame["source"] = source
    frame["row"] = range(2, 2 + len(rows))
    return Batch(
        file="x.csv", detected_format="test", frames={"customers": frame}, rows_read=len(rows)
    )


def _write(engine: Engine, batch: Batch) -> int:
    """Write a batch through the writer in its own run (what run_import does)."""
    from sqlalchemy import insert

    from models.schema import ImportRun
    from services.core.rollups import refresh_rollups

    with engine.begin() as conn:
        run_id = conn.execute(
            insert(ImportRun).values(source_path="x", file_name="x.csv", status="landed")
        ).inserted_primary_key[0]
        writer.Writer(conn, int(run_id)).write(batch)
        refresh_rollups(Session(bind=conn))
    return int(run_id)


def test_guest_orders_go_to_one_hidden_guest_customer(ws: Engine) -> None:
    engine = ws
    orders = pd.DataFrame(
        {
            "row": [2, 3, 4],
            "source": "shop",
            "external_id": ["#1", "#2", "#3"],
            "customer_source": "shop",
            "customer_external_id": [None, None, "77"],
            "customer_email": [None, None, "real@example.com"],
            "guest": [True, True, False],
            "order_date": pd.to_datetime(["2026-01-01"] * 3, utc=True),
            "amount_cents": [1000, 2000, 3000],
            "status": "paid",
        }
    )
    _write(engine, Batch(file="o.csv", detected_format="t", frames={"orders": orders}))
    guests = rows(
        engine, "SELECT id, attributes FROM customers WHERE external_id = :g", g=GUEST_EXTERNAL_ID
    )
    assert len(guests) == 1
    assert stored_json(guests[0][1])["guest"] is True
    assert scalar(engine, f"SELECT COUNT(*) FROM orders WHERE customer_id = {guests[0][0]}") == 2
    from services.usecases.customers import load_customer_table, workspace_summary

    table = load_customer_table(engine)
    assert list(table["email"]) == ["real@example.com"]
    assert workspace_summary(engine).customers == 1


def test_one_record_naming_two_customers_merges_them_and_undo_splits(
    ws: Engine,
) -> None:
    engine = ws
    _write(engine, _customers_batch([{"external_id": "1", "email": "a@example.com"}], "crm"))
    _write(engine, _customers_batch([{"external_id": "2", "email": "b@example.com"}], "shop"))
    orders = pd.DataFrame(
        {
            "row": [2],
            "source": "shop",
            "external_id": ["#9"],
            "customer_source": "shop",
            "customer_external_id": ["2"],
            "order_date": pd.to_datetime(["2026-01-01"], utc=True),
            "amount_cents": [500],
        }
    )
    _write(engine, Batch(file="o.csv", detected_format="t", frames={"orders": orders}))
    before = dump(engine)
    merged_batch = _customers_batch(
        [{"external_id": "C-1", "identities": [("crm", "1"), ("shop", "2")], "name": "Ann"}],
        "erp",
    )
    run = _write(engine, merged_batch)
    assert scalar(engine, "SELECT COUNT(*) FROM customers") == 1
    survivor = scalar(engine, "SELECT id FROM customers")
    assert scalar(engine, "SELECT customer_id FROM orders") == survivor
    assert scalar(engine, "SELECT email FROM customers") == "a@example.com"
    assert scalar(engine, "SELECT name FROM customers") == "Ann"
    service.undo_import(engine, run)
    assert dump(engine) == before


def test_expand_paths_and_rejects_csv(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(GENERIC / "orders.csv", folder / "b.csv")
    shutil.copy(GENERIC / "customers.csv", folder / "a.CSV")
    (folder / "notes.md").write_text("not data")
    assert [p.name for p in service.expand_paths([folder])] == ["a.CSV", "b.csv"]
    with pytest.raises(UserFacingError, match="does not exist"):
        service.expand_paths([tmp_path / "missing.csv"])
    out = tmp_path / "rejects.csv"
    service.write_rejects_csv(
        [RejectedRow("=evil.csv", 3, "+cmd"), RejectedRow("ok.csv", 4, "fine")], out
    )
    assert out.read_text(encoding="utf-8").splitlines() == [
        "file,row,reason",
        "'=evil.csv,3,'+cmd",
        "ok.csv,4,fine",
    ]
