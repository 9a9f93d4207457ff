"""The alert list's read at start-up: what it imports, its columns made in a few
C steps (the same values as before), the cards kept per filter, and the uplift fit put
off while the list is in use, so that a first sort or search of the list just shown does
not wait for the interpreter lock."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import SIGNAL, QObject, Signal

from app.gui.alerts_source import WorkspaceAlertSource
from app.workspace import Workspace, open_workspace, to_url
from services.alerts._db import fetch, reading, timestamps
from services.alerts.queries import _seconds, _stamps, alert_columns
from views.alerts import persuadable
from views.item_models.alert_list_data import SORTS, AlertFilter, AlertListData, _text_codes
from views.kit.jobs import JobRunner

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("pandas", "scipy", "sklearn")
_READ = """
import json, sys
from app.gui.alerts_source import WorkspaceAlertSource
from app.workspace import open_workspace, to_url
from views.item_models.alert_list_data import AlertListData
workspace = open_workspace(to_url(sys.argv[1]), backup=False)
data = AlertListData(WorkspaceAlertSource(workspace).load_alert_columns())
data.prepare_search()
workspace.close()
print(json.dumps({"alerts": data.n, "imported": [m for m in %r if m in sys.modules]}))
"""


@pytest.fixture
def alerts_ws(alerts_file: Path) -> Iterator[Workspace]:
    """The session's scored demo with its alerts (only read here)."""
    ws = open_workspace(to_url(str(alerts_file)), backup=False)
    yield ws
    ws.close()


def test_the_list_read_imports_neither_pandas_nor_scipy_nor_sklearn(alerts_file: Path) -> None:
    # A fresh interpreter: the read the window runs on its worker right after the first
    # paint (its imports held the lock for a second; the uplift model's only when a fit
    # is due, pandas where the export and the generation need it).
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", _READ % (HEAVY,), str(alerts_file)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["alerts"] > 0
    assert result["imported"] == []


def test_the_list_dates_are_those_pandas_reads(alerts_ws: Workspace) -> None:
    columns = alert_columns(alerts_ws.engine, statuses=None)
    with reading(alerts_ws.engine) as conn:
        rows = fetch(conn, "SELECT id, created_at, updated_at, snoozed_until FROM alerts")
    by_id = {int(r[0]): r for r in rows}
    order = [by_id[int(i)] for i in columns["id"]]
    for k, name in enumerate(("created_at", "updated_at", "snoozed_until"), start=1):
        stored = np.array([r[k] for r in order], dtype=object)
        expected = _seconds(timestamps(stored))
        assert columns[name].dtype == expected.dtype
        assert np.array_equal(columns[name], expected, equal_nan=True)
    assert np.isnat(columns["snoozed_until"]).any()  # missing values are compared too


def test_stored_forms_parse_as_pandas_does() -> None:
    stored = np.array(
        [
            "2026-11-26 09:15:02.999999",  # a fraction is cut, not rounded
            "2026-11-26 09:15:02",
            "2026-11-26T23:59:59.5",
            None,
            dt.datetime(2026, 2, 28, 23, 59, 59, 999_999),  # PostgreSQL's naive UTC
        ],
        dtype=object,
    )
    assert np.array_equal(_stamps(stored), _seconds(timestamps(stored)), equal_nan=True)
    odd = np.array(["20261126T091502"], dtype=object)  # numpy cannot: pandas does, as before
    assert _stamps(odd) == _seconds(timestamps(odd))


def test_text_codes_are_those_of_sorting_every_row() -> None:
    values = np.array(
        ["Priya", None, "", "zoë", float("nan"), "Ana", "Priya", "Émile", "ana", None], dtype=object
    )
    text = np.array(["" if v is None or v != v else str(v) for v in values], dtype=object)
    uniques, codes = np.unique(text, return_inverse=True)
    lookup, got = _text_codes(values)
    assert lookup == {str(u): i for i, u in enumerate(uniques)}
    assert got.tolist() == codes.tolist()
    empty_lookup, empty_codes = _text_codes(np.zeros(0, dtype=object))
    assert empty_lookup == {}
    assert empty_codes.size == 0


def test_counts_are_the_same_in_every_order_and_kept(alerts_ws: Workspace) -> None:
    data = AlertListData(WorkspaceAlertSource(alerts_ws).load_alert_columns())
    for status in ("active", "all"):
        base = data.cards(AlertFilter(status=status, queue=None), with_severity=False)
        for sort in SORTS:
            other = data.cards(AlertFilter(status=status, queue=None, sort=sort))
            assert len(other) == len(base)
            assert sorted(other.severity.tolist()) == sorted(base.severity.tolist())
            assert sorted(other.rows.tolist()) == sorted(base.rows.tolist())
    flt = AlertFilter(status="all", queue=None, sort="persuadable")
    assert data.cards(flt) is data.cards(flt)  # kept: asked again, not computed again
    first = data.cards(flt).rows.tolist()
    uplift = np.linspace(0.0, 1.0, data.n)  # the last alerts the most persuadable
    data.set_uplift(uplift, np.full(data.n, "", dtype=object))
    again = data.cards(flt).rows.tolist()
    assert again != first  # the new estimates reorder that list: nothing stale was kept...
    fresh = AlertListData(WorkspaceAlertSource(alerts_ws).load_alert_columns())
    fresh.set_uplift(uplift, np.full(data.n, "", dtype=object))
    assert fresh.cards(flt).rows.tolist() == again  # ...as a list read anew orders it


class _Changes(QObject):
    changed = Signal(dict)


class _Source:
    """Records when the estimates were asked for (the fit), and answers at once."""

    def __init__(self) -> None:
        self.asked_at: list[float] = []

    def load_uplift_columns(
        self, customer_ids: object, cancelled: object = None
    ) -> tuple[np.ndarray, np.ndarray, str]:
        self.asked_at.append(time.monotonic())
        n = len(customer_ids)  # type: ignore[arg-type]
        return np.full(n, 0.25), np.full(n, "about 25 points", dtype=object), ""


def test_the_fit_waits_until_the_list_is_left_alone(
    qtbot, jobs: JobRunner, alerts_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(persuadable, "QUIET_S", 0.4)
    monkeypatch.setattr(persuadable, "QUIET_FROM", 1)  # the demo's list stands for a long one
    data = AlertListData(WorkspaceAlertSource(alerts_ws).load_alert_columns())
    assert not persuadable.offered(data)
    source, changes = _Source(), _Changes()
    done: list[AlertListData] = []
    persuadable.fetch_estimates(
        jobs,
        changes,
        source,  # type: ignore[arg-type]
        data,
        done.append,
        changes.changed,
    )
    last = time.monotonic()
    for _ in range(3):  # the user sorts and searches: each change puts the fit off again
        qtbot.wait(250)
        assert source.asked_at == []
        changes.changed.emit({})
        last = time.monotonic()
    qtbot.waitUntil(lambda: bool(done), timeout=5_000)
    assert source.asked_at[0] - last >= 0.4
    assert done == [data]
    assert persuadable.offered(data)
    assert changes.receivers(SIGNAL("changed(QVariantMap)")) == 0  # let go once done


def test_on_a_short_list_the_fit_starts_at_once(
    qtbot, jobs: JobRunner, alerts_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(persuadable, "QUIET_S", 30.0)
    data = AlertListData(WorkspaceAlertSource(alerts_ws).load_alert_columns())
    assert 0 < data.n < persuadable.QUIET_FROM
    source, changes = _Source(), _Changes()
    done: list[AlertListData] = []
    persuadable.fetch_estimates(
        jobs,
        changes,
        source,  # type: ignore[arg-type]
        data,
        done.append,
        changes.changed,
    )
    qtbot.waitUntil(lambda: bool(done), timeout=5_000)  # not 30 s


def test_a_long_lists_fit_waits_for_the_other_tasks(
    qtbot, jobs: JobRunner, alerts_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its memory then adds to no one else's (the start-up's search keys, the first detail).
    monkeypatch.setattr(persuadable, "QUIET_S", 0.1)
    monkeypatch.setattr(persuadable, "QUIET_FROM", 1)
    data = AlertListData(WorkspaceAlertSource(alerts_ws).load_alert_columns())
    release = threading.Event()
    other_done: list[float] = []

    def other(_state: object) -> None:  # another task of the window, still running
        release.wait(10)
        other_done.append(time.monotonic())

    jobs.operation(other, pool="work").run()
    source, changes = _Source(), _Changes()
    done: list[AlertListData] = []
    persuadable.fetch_estimates(jobs, changes, source, data, done.append, changes.changed)  # type: ignore[arg-type]
    qtbot.wait(600)  # left alone long enough, but the other task runs
    assert source.asked_at == []
    release.set()
    qtbot.waitUntil(lambda: bool(done), timeout=5_000)
    assert source.asked_at[0] >= other_done[0]
    assert done == [data]
