"""Strategy experiments' assignment (services/alerts/experiments.py) on hand-made
workspaces: within the outreach arm only, stratified by band, stored, audited and the same
whatever order the rows were stored in."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from app.workspace import open_workspace, to_url
from models.experiments import ExperimentAssignment
from models.schema import Alert, AuditEvent, Customer, Outreach
from services.alerts.experiments import (
    ExperimentError,
    ExperimentSpec,
    Strategy,
    block_order,
    end_experiment,
    start_experiment,
    strategy_for_alert,
)
from tests.unit.alerts.test_alerts_rules import NOW, at

BANDS = ("low", "medium", "high")
TWO = (Strategy("warm", "Warm tone", "warm"), Strategy("concise", "Concise tone", "concise"))


def spec(seed: int = 5, **fields: object) -> ExperimentSpec:
    base: dict[str, object] = {
        "name": "Tone test",
        "kind": "tone",
        "strategies": TWO,
        "rules": ("gone_quiet", "high_risk_high_value"),
        "bands": ("medium", "high"),
        "seed": seed,
    }
    return ExperimentSpec(**(base | fields))  # type: ignore[arg-type]


def fill(engine: object, names: list[str]) -> dict[str, int]:
    """One customer per name (external id = the name), each with one alert: band by the
    name's number, every fifth held out, every seventh already emailed."""
    ids: dict[str, int] = {}
    with Session(engine) as s, s.begin():  # type: ignore[call-overload]
        for name in names:
            c = Customer(source="t", external_id=name, name=name, email=f"{name}@example.com")
            s.add(c)
            s.flush()
            ids[name] = int(c.id)
    rows = []
    for name in names:
        k = int(name[1:])
        rows.append(
            {
                "customer_id": ids[name],
                "rule_key": "gone_quiet",
                "severity": "warning",
                "status": "open",
                "reason": "test",
                "created_at": at(10 - (k % 3)),
                "holdout": k % 5 == 0,
                "holdout_band": BANDS[k % 3],
            }
        )
    with engine.begin() as conn:
        conn.execute(insert(Alert), rows)
        emailed = [ids[n] for n in names if int(n[1:]) % 7 == 0]
        alert_of = dict(conn.execute(text("SELECT customer_id, id FROM alerts")).all())
        if emailed:
            conn.execute(
                insert(Outreach),
                [
                    {
                        "customer_id": c,
                        "alert_id": alert_of[c],
                        "status": "sent",
                        "subject": "Hi",
                        "body": "Hello",
                        "created_at": at(1),
                        "sent_at": at(1),
                    }
                    for c in emailed
                ],
            )
    return ids


NAMES = [f"K{k:03d}" for k in range(1, 121)]


@pytest.fixture
def empty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("exp") / "empty.radar.sqlite"
    open_workspace(to_url(str(path)), backup=False).close()
    return path


@contextlib.contextmanager
def copy_of(empty: Path, tmp_path: Path, name: str) -> Iterator[Any]:
    target = tmp_path / f"{name}.radar.sqlite"
    target.write_bytes(empty.read_bytes())
    ws = open_workspace(to_url(str(target)), backup=False)
    try:
        yield ws
    finally:
        ws.close()


def assigned(engine: object) -> dict[str, str]:
    """Customer name -> strategy."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.external_id, x.strategy FROM experiment_assignments x "
                "JOIN customers c ON c.id = x.customer_id"
            )
        ).all()
    return {str(a): str(b) for a, b in rows}


def test_assignment_is_stratified_stored_audited_and_outside_the_holdout(
    empty: Path, tmp_path: Path
) -> None:
    with copy_of(empty, tmp_path, "one") as ws:
        engine = ws.engine
        fill(engine, NAMES)
        experiment_id = start_experiment(engine, spec(), actor="Maya", now=NOW)
        got = assigned(engine)
        eligible = {
            n
            for n in NAMES
            if int(n[1:]) % 5 and int(n[1:]) % 7 and BANDS[int(n[1:]) % 3] in ("medium", "high")
        }
        assert set(got) == eligible  # no held-out, no emailed, no low band
        for band in ("medium", "high"):
            split = Counter(s for n, s in got.items() if BANDS[int(n[1:]) % 3] == band)
            assert set(split) == {"warm", "concise"}
            assert abs(split["warm"] - split["concise"]) <= 2  # blocks of 4: at most 2 apart
        with Session(engine) as s:
            rows = s.scalars(select(ExperimentAssignment)).all()
            audits = s.scalars(
                select(AuditEvent).where(AuditEvent.action == "alert.experiment_assigned")
            ).all()
            started = s.scalars(select(AuditEvent).where(AuditEvent.action == "experiment.started"))
            assert [e.actor for e in started] == ["Maya"]
            assert len(audits) == len(rows) == len(eligible)
            by_alert = {a.entity_id: a.details for a in audits}
            for row in rows:
                details = by_alert[row.alert_id]
                assert details["strategy"] == row.strategy
                assert details["seed"] == 5
                # The stored block and position give the strategy back: the draw is a pure
                # function of the seed, band and block.
                order = block_order(5, row.band, row.block, 2)
                assert ("warm", "concise")[order[row.position]] == row.strategy
            one = rows[0]
            shown = strategy_for_alert(s, one.alert_id)
            assert shown is not None
            assert shown.key == one.strategy
            assert "Tone test" in shown.words
        end_experiment(engine, experiment_id, actor="Maya", now=NOW)
        with Session(engine) as s:
            assert strategy_for_alert(s, rows[0].alert_id) is None  # ended: no longer applied
        with pytest.raises(ExperimentError, match="already ended"):
            end_experiment(engine, experiment_id, now=NOW)


def test_the_same_seed_and_alerts_give_the_same_strategies_whatever_the_row_order(
    empty: Path, tmp_path: Path
) -> None:
    results = []
    for name, names in (("fwd", NAMES), ("rev", list(reversed(NAMES)))):
        with copy_of(empty, tmp_path, name) as ws:
            fill(ws.engine, names)
            start_experiment(ws.engine, spec(), now=NOW)
            results.append(assigned(ws.engine))
    assert results[0] == results[1]
    with copy_of(empty, tmp_path, "other") as ws:
        fill(ws.engine, NAMES)
        start_experiment(ws.engine, spec(seed=6), now=NOW)
        assert assigned(ws.engine) != results[0]


def test_new_alerts_are_assigned_when_raised_and_a_customer_keeps_their_strategy(
    empty: Path, tmp_path: Path
) -> None:
    from services.alerts.experiments import assign_pending

    with copy_of(empty, tmp_path, "gen") as ws:
        engine = ws.engine
        ids = fill(engine, NAMES[:12])
        start_experiment(engine, spec(), now=NOW)
        first = assigned(engine)
        name = next(iter(first))
        with engine.begin() as conn:
            conn.execute(
                insert(Alert),
                [
                    {
                        "customer_id": ids[name],
                        "rule_key": "high_risk_high_value",
                        "severity": "critical",
                        "status": "open",
                        "reason": "test",
                        "created_at": NOW + dt.timedelta(days=1),
                        "holdout": False,
                        "holdout_band": "high",
                    }
                ],
            )
        with Session(engine) as s, s.begin():
            assert assign_pending(s, NOW + dt.timedelta(days=1), "Account Radar") == 1
        with engine.connect() as conn:
            strategies = conn.execute(
                text("SELECT strategy FROM experiment_assignments WHERE customer_id = :c"),
                {"c": ids[name]},
            ).scalars()
            assert set(strategies) == {first[name]}


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"name": " "}, "name"),
        ({"strategies": TWO[:1]}, "2 to 6 strategies"),
        ({"rules": ("big_spender",)}, "risk rules"),
        ({"bands": ()}, "risk bands"),
        ({"strategies": (TWO[0], TWO[0])}, "same key"),
    ],
)
def test_an_experiment_that_cannot_run_is_refused_in_words(
    empty: Path, tmp_path: Path, fields: dict[str, object], words: str
) -> None:
    with copy_of(empty, tmp_path, "bad") as ws, pytest.raises(ExperimentError, match=words):
        start_experiment(ws.engine, spec(**fields), now=NOW)


def test_alerts_raised_by_a_generation_are_assigned_and_audited(workspace_url: str) -> None:
    from tests.unit.alerts.test_alerts_rules import make_book
    from tests.unit.learn.test_holdout import _risky

    for book in make_book(workspace_url):
        spec = ExperimentSpec(
            "Generated", "tone", TWO, ("high_risk_high_value",), ("high",), seed=9
        )
        start_experiment(book.engine, spec, now=NOW - dt.timedelta(days=1))  # nothing yet
        _risky(book, 40)
        result = book.generate()
        assert result.created > 0
        alerts = book.alerts("WHERE status = 'open'")
        arm = {a["id"] for a in alerts if not a["holdout"]}
        with book.engine.connect() as conn:
            given = dict(
                conn.execute(text("SELECT alert_id, strategy FROM experiment_assignments")).all()
            )
            audited = set(
                conn.execute(
                    text(
                        "SELECT entity_id FROM audit_events "
                        "WHERE action = 'alert.experiment_assigned'"
                    )
                ).scalars()
            )
        assert set(given) == arm == audited  # the outreach arm, every one, none held out
        assert set(given.values()) == {"warm", "concise"}
