"""The workspace's data state (services/core/data_state.py): unchanged while nothing is
written, changed by each kind of write a report can see (an alert dismissed, a setting,
a customer erased, a scoring run, a new day), and the results kept per state: computed
once while it holds, afresh after it changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace
from models.schema import Alert, Customer
from services.alerts.lifecycle import dismiss_in, transition_alert
from services.core.data_state import data_state, forget_kept, kept_result
from services.demo import build_demo
from services.settings import set_setting
from services.usecases.refresh import score_and_alert


@pytest.fixture
def ws(workspace_url: str) -> Iterator[Workspace]:
    workspace = open_workspace(workspace_url, backup=False)
    build_demo(workspace.engine, customers=40, seed=2)
    score_and_alert(workspace.engine)
    yield workspace
    forget_kept(workspace.engine)
    workspace.close()


def test_reading_changes_nothing(ws: Workspace) -> None:
    first = data_state(ws.engine)
    with Session(ws.engine) as s:
        s.scalar(select(func.count()).select_from(Alert))
    assert data_state(ws.engine) == first


def test_each_kind_of_write_changes_the_state(ws: Workspace) -> None:
    seen = [data_state(ws.engine)]
    with Session(ws.engine) as s:
        alert_id = s.scalar(select(Alert.id).where(Alert.status == "open").limit(1))
    assert alert_id is not None
    transition_alert(ws.engine, alert_id, dismiss_in)
    seen.append(data_state(ws.engine))
    with Session(ws.engine) as s, s.begin():
        set_setting(s, "alerts.cooldown_days", 9)
    seen.append(data_state(ws.engine))
    with Session(ws.engine) as s, s.begin():
        last = s.scalar(select(func.max(Customer.id)))
        s.execute(delete(Customer).where(Customer.id == last))
    seen.append(data_state(ws.engine))
    score_and_alert(ws.engine)
    seen.append(data_state(ws.engine))
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    seen.append(data_state(ws.engine, today=tomorrow))
    assert len(set(seen)) == len(seen), seen


def test_a_result_is_computed_once_per_state(ws: Workspace) -> None:
    computed: list[int] = []

    def compute() -> int:
        computed.append(1)
        with Session(ws.engine) as s:
            return int(s.scalar(select(func.count()).select_from(Customer)) or 0)

    first = kept_result(ws.engine, "customers", (), compute)
    assert kept_result(ws.engine, "customers", (), compute) == first
    assert len(computed) == 1
    # Other arguments are another result.
    kept_result(ws.engine, "customers", ("other",), compute)
    assert len(computed) == 2
    with Session(ws.engine) as s, s.begin():
        last = s.scalar(select(func.max(Customer.id)))
        s.execute(delete(Customer).where(Customer.id == last))
    assert kept_result(ws.engine, "customers", (), compute) == first - 1
    assert len(computed) == 3
