"""`customers list` on the hand-made book of tests/support/lifecycle_book.py scored for
real (its stages stored with the scores): --stage by key, label or "none", repeated or
as a comma list, keeps exactly the customers the stored stages name; the stage is in the
table, the CSV and the JSON; an unknown stage is a plain error naming the stages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace
from models.schema import ScoreSnapshot
from services.usecases.refresh import score_and_alert
from tests.support.lifecycle_book import fill_lifecycle_book
from tests.unit.lifecycle.test_stored_stages import _add_regulars

# After the book's own runs (06-28, 07-15): the latest scoring, whose stages are listed.
SCORED = dt.date(2025, 7, 20)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def book(workspace_url: str) -> tuple[str, dict[int, str | None], dict[str, int]]:
    """The scored book's url, each customer's stored stage (None: no snapshot or no stage)
    and the ids by letter."""
    ws = open_workspace(workspace_url, backup=False)
    try:
        ids = fill_lifecycle_book(ws.engine)
        _add_regulars(ws.engine)
        run_id = score_and_alert(ws.engine, as_of=SCORED).scores.run_id
        with Session(ws.engine) as s:
            stored = dict(
                s.execute(
                    select(ScoreSnapshot.customer_id, ScoreSnapshot.stage).where(
                        ScoreSnapshot.scoring_run_id == run_id
                    )
                ).all()
            )
            every = ids.values()
        stages = {int(c): stored.get(c) for c in (*every, *stored)}
    finally:
        ws.close()
    return workspace_url, stages, ids


def _json_ids(out: str) -> set[int]:
    return {int(r["customer_id"]) for r in json.loads(out)}


def test_stage_keeps_the_customers_the_stored_stages_name(
    book: tuple[str, dict[int, str | None], dict[str, int]],
) -> None:
    url, stages, ids = book
    # The scoring scores the customers with orders: E ordered 40 days before, onboarding.
    assert stages[ids["E"]] == "onboarding"
    code, out, err = run("--db", url, "customers", "list", "--stage", "onboarding", "--format",
                         "json")  # fmt: skip
    assert code == 0, err
    assert _json_ids(out) == {c for c, s in stages.items() if s == "onboarding"}
    assert {r["stage"] for r in json.loads(out)} == {"onboarding"}
    # Labels in any case, a comma list and a repeat add up.
    code, out, _ = run("--db", url, "customers", "list", "--stage", "AT RISK,Onboarding",
                       "--stage", "mature", "--format", "json")  # fmt: skip
    assert code == 0
    wanted = {"at_risk", "onboarding", "mature"}
    assert _json_ids(out) == {c for c, s in stages.items() if s in wanted}
    # "none": the customers without a stage: J (no order by 07-20) and B (a contract and no
    # order: not scored, so no stage stored).
    code, out, _ = run("--db", url, "customers", "list", "--stage", "none", "--format", "json")
    assert code == 0
    assert _json_ids(out) == {c for c, s in stages.items() if s is None}
    assert {ids["J"], ids["B"]} <= _json_ids(out)
    assert {r["stage"] for r in json.loads(out)} == {None}


def test_the_stage_in_the_table_and_the_csv(
    book: tuple[str, dict[int, str | None], dict[str, int]],
) -> None:
    url, stages, ids = book
    code, out, _ = run("--db", url, "customers", "list")
    assert code == 0
    assert out.splitlines()[0] == f"{len(stages)} customers"
    line_e = next(x for x in out.splitlines() if "Customer E" in x)
    assert line_e.rstrip().endswith("Onboarding")
    line_j = next(x for x in out.splitlines() if "Customer J" in x)
    assert line_j.rstrip().endswith("No stage")
    code, out, _ = run("--db", url, "customers", "list", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {int(r["customer_id"]): r["stage"] or None for r in rows} == stages


def test_an_unknown_stage_is_a_plain_error(
    workspace_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run("--db", workspace_url, "customers", "list", "--stage", "churned")
    err = capsys.readouterr().err  # argparse's own words
    assert code == 2
    assert out == ""
    assert "argument --stage: 'churned' is no lifecycle stage" in err
    assert "renewal (Renewal)" in err
    assert err.rstrip().endswith("at_risk (At risk), none")
    assert "Traceback" not in err


def test_owner_is_named_in_any_case_and_an_unknown_one_is_said(book) -> None:  # type: ignore[no-untyped-def]
    from models.schema import Customer

    url, _stages, ids = book
    chosen = next(iter(ids.values()))
    ws = open_workspace(url, backup=False)
    try:
        with Session(ws.engine) as s, s.begin():
            s.get(Customer, chosen).owner = "Hannah Becker"
    finally:
        ws.close()
    code, out, err = run("--db", url, "customers", "list", "--owner", "hannah BECKER",
                         "--format", "json")  # fmt: skip
    assert (code, err) == (0, "")
    assert _json_ids(out) == {chosen}
    code, out, err = run("--db", url, "customers", "list", "--owner", "Nobody")
    assert code == 2
    assert out == ""
    assert "no customer has the owner 'Nobody' (owners: " in err
    assert "Hannah Becker" in err
