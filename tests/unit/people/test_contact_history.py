"""People and roles as they were on each day (contact_changes, services/people/history.py),
through the real importer on the files of tests/data/contacts, each import made on a day
of its own: a role changed by a later export, a person gone from an export and back in the
next, a role the user set. The people signals of an earlier day read that day's roles and
people; undoing an import takes its dated changes away with it. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from services.importing.service import run_import, undo_import
from services.importing.storage import Store
from services.people.contacts import set_role
from services.people.signals import read_people_signals
from tests.support.paths import DATA

FILES = DATA / "contacts"
DAY0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def engine(workspace_url: str) -> Iterator[Engine]:
    ws = open_workspace(workspace_url, backup=False)
    try:
        yield ws.engine
    finally:
        ws.close()


def imported_on(
    monkeypatch: pytest.MonkeyPatch, engine: Engine, day: int, *files: Path
) -> list[int]:
    """Import ``files`` as the importer would ``day`` days after DAY0; their run ids."""
    when = DAY0 + dt.timedelta(days=day)
    original = Store.__init__

    def dated(self: Store, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        self.now, self.now_stored = when, self.stored_datetime_scalar(when)

    monkeypatch.setattr(Store, "__init__", dated)
    try:
        runs = []
        for file in files:
            report = run_import(engine, [file])
            assert report.landed, report
            runs.append(int(report.files[0].run_id or 0))
        return runs
    finally:
        monkeypatch.setattr(Store, "__init__", original)


def people_on(engine: Engine, day: int) -> dict[str, tuple[str | None, str]]:
    """Contoso's people as of the end of ``day``: name -> (role, how they were gone)."""
    end = DAY0.replace(hour=0) + dt.timedelta(days=day + 1)
    with Session(engine) as s:
        people = read_people_signals(s, [1], end)
    return {
        str(r["name"]): (None if pd.isna(r["role"]) else str(r["role"]), str(r["gone_how"]))
        for _, r in people.iterrows()
    }


def without_tom(tmp_path: Path) -> Path:
    lines = (FILES / "Contact.csv").read_text(encoding="utf-8").splitlines(True)
    later = tmp_path / "Contact.csv"
    later.write_text("".join(ln for ln in lines if "C0002" not in ln), encoding="utf-8")
    return later


def test_each_day_reads_the_roles_and_people_of_that_day(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    imported_on(monkeypatch, engine, 0, *(FILES / n for n in ("Account.csv", "Contact.csv")))
    imported_on(monkeypatch, engine, 0, FILES / "AccountContactRole.csv")
    imported_on(monkeypatch, engine, 100, FILES / "later" / "AccountContactRole.csv")
    imported_on(monkeypatch, engine, 150, without_tom(tmp_path))
    (back,) = imported_on(monkeypatch, engine, 200, FILES / "Contact.csv")
    maria, tom, lena = "Maria Delgado", "Tom Okafor", "Lena Fischer"
    early = people_on(engine, 50)
    assert (early[maria], early[tom], early[lena]) == (
        ("champion", ""), ("decision_maker", ""), ("user", ""),
    )  # fmt: skip
    later = people_on(engine, 120)
    assert (later[maria], later[lena], later[tom]) == (
        ("user", ""), ("champion", ""), ("decision_maker", ""),
    )  # fmt: skip
    assert people_on(engine, 170)[tom] == ("decision_maker", "left")
    assert people_on(engine, 220)[tom] == ("decision_maker", "")
    with engine.connect() as conn:
        changes = conn.execute(
            text(
                "SELECT c.name, x.field, x.before, x.after FROM contact_changes x "
                "JOIN contacts c ON c.id = x.contact_id ORDER BY x.changed_at, x.id"
            )
        ).all()
    roles = [(n, b, a) for n, f, b, a in changes if f == "role"]
    assert (maria, "champion", "user") in roles
    assert (lena, "user", "champion") in roles
    left = [(n, b, a) for n, f, b, a in changes if f == "left_on"]
    assert left == [(tom, None, "2026-06-04"), (tom, "2026-06-04", None)]
    # Undone, the import that brought Tom back takes its dated change with it.
    undo_import(engine, back)
    assert people_on(engine, 220)[tom] == ("decision_maker", "left")
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT field, after FROM contact_changes")).all()
    assert len(kept) == len(changes) - 1
    assert [tuple(r) for r in kept if r[0] == "left_on"] == [("left_on", "2026-06-04")]


def test_a_role_the_user_sets_is_the_role_from_that_moment(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    imported_on(monkeypatch, engine, -400, *(FILES / n for n in ("Account.csv", "Contact.csv")))
    imported_on(monkeypatch, engine, -400, FILES / "AccountContactRole.csv")
    with engine.connect() as conn:
        lena = conn.execute(
            text("SELECT id FROM contacts WHERE name = 'Lena Fischer'")
        ).scalar_one()
    before = dt.datetime.now(dt.UTC)
    assert set_role(engine, int(lena), "champion", "Maya") is None
    with Session(engine) as s:
        then = read_people_signals(s, [1], before).set_index("name")["role"]
        now = read_people_signals(s, [1], before + dt.timedelta(days=1)).set_index("name")["role"]
    assert (then["Lena Fischer"], now["Lena Fischer"]) == ("user", "champion")
    with engine.connect() as conn:
        logged = conn.execute(
            text("SELECT field, before, after, actor FROM contact_changes WHERE actor IS NOT NULL")
        ).all()
    assert [tuple(r) for r in logged] == [("user_role", None, "champion", "Maya")]
