"""The demo's business accounts each have a company of their own (services/demo/companies.py),
so that a company's name means one account: no two customers share one, in one batch or
across a big demo's batches; the buyer stays the account's first person; the names come
from a stream of their own (every other generated row is what it was); and the window
names each account by its company, never by a champion who left."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from app.workspace import Workspace, open_workspace, to_url
from services.demo import build
from services.demo.companies import NAMES_THERE_ARE, company_names
from services.usecases.customers import load_customer_columns

TODAY = dt.date(2025, 6, 15)


def test_company_names_are_each_one_account() -> None:
    taken: set[str] = set()
    first = company_names(7, 500, taken)
    later = company_names(7 + 1_000_003, 500, taken)  # a big demo's next batch
    assert len(set(first)) == 500
    assert len(set(later)) == 500
    assert not set(first) & set(later)
    assert taken == set(first) | set(later)
    assert all(len(name.split()) in (2, 3, 4, 5) for name in first)
    # Past the names there are, a number tells two apart.
    every = company_names(1, NAMES_THERE_ARE + 3)
    assert len(set(every)) == len(every)
    assert every[-1].endswith(" 2")


def test_the_names_come_from_a_stream_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    def step(_fraction: float, _message: str) -> None:
        return None

    real = build._generate(600, 7, TODAY, step)
    monkeypatch.setattr(build, "company_names", lambda _seed, n, _taken=None: ["Same"] * n)
    shared = build._generate(600, 7, TODAY, step)
    for key, values in real.customers.columns.items():
        if key != "company":
            assert np.asarray(values).tolist() == np.asarray(shared.customers.columns[key]).tolist()
    real_company = real.customers.columns["company"].tolist()
    assert [c is None for c in real_company] == [
        c is None for c in shared.customers.columns["company"].tolist()
    ]
    orders = real.children[0].columns
    for key, values in orders.items():
        assert np.asarray(values).tolist() == np.asarray(shared.children[0].columns[key]).tolist()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path: Path = tmp_path_factory.mktemp("companies") / "demo.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    build.build_demo(ws.engine, customers=800, seed=7, today=TODAY)
    yield ws
    ws.close()


def test_every_business_account_has_a_company_of_its_own(demo: Workspace) -> None:
    with demo.engine.connect() as conn:
        companies = [r[0] for r in conn.execute(text("SELECT company FROM customers"))]
        buyers = conn.execute(
            text(
                "SELECT count(*) FROM customers c WHERE c.company IS NOT NULL AND EXISTS ("
                "SELECT 1 FROM contacts k WHERE k.customer_id = c.id AND k.role = 'champion' "
                "AND k.name = c.name AND k.email_normalized = c.email_normalized)"
            )
        ).scalar_one()
    named = [c for c in companies if c]
    assert len(named) > 20
    assert max(Counter(named).values()) == 1
    # The buyer is the account's first person, its champion.
    assert buyers == len(named)


def test_the_window_names_each_account_by_its_company(demo: Workspace) -> None:
    table = load_customer_columns(demo.engine, today=TODAY)
    with demo.engine.connect() as conn:
        gone = {
            (int(cid), str(name))
            for cid, name in conn.execute(
                text(
                    "SELECT customer_id, name FROM contacts WHERE left_on IS NOT NULL "
                    "OR attributes LIKE '%EmailBouncedDate%'"
                )
            )
        }
    assert gone  # the demo has champions who left
    rows = {int(i): k for k, i in enumerate(table["id"])}
    for cid, name in gone:
        k = rows[cid]
        if table["company"][k] is not None:
            assert table["name"][k] == table["company"][k]
        assert name not in (table["name"][k], table["person"][k])
