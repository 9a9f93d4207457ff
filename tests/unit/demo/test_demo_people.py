"""The demo's accounts and their people (services/demo/people.py, their stories planned by
services/demo/people_plan.py): the demo with people has the same customers, orders and
scores as without them; every planted story is found by the relationship rules' reader on
its day and not the day before; the signals' replay on the demo finds the known answer
(every story where it was planted, champions who left followed by a lost renewal exactly
where the contracts say so, above the base rate); the Early-warning replay raises a
story's alert only in a week its signal was proven; and an account's people read as the
People tab shows them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace, to_url
from models.schema import Customer
from services.alerts._db import midnight
from services.alerts._relationship import RULES, read_relationships
from services.alerts.config import read_alert_config
from services.alerts.proof import Proof
from services.alerts.signal_records import RENEWAL
from services.alerts.signal_replay import replay_signals
from services.demo import build
from services.demo.truth import demo_truth
from services.people.contacts import read_people
from services.scoring.run import score_workspace

TODAY = dt.date(2025, 6, 15)
SIZE = 800
RULE_OF = {
    "left": "champion_left",
    "left_free": "champion_left",
    "dark": "key_contact_dark",
    "dark_free": "key_contact_dark",
    "single": "single_threaded",
    "new_dm": "new_decision_maker",
}


def _built(path: Path, monkeypatch: pytest.MonkeyPatch | None = None) -> Workspace:
    ws = open_workspace(to_url(str(path)), backup=False)
    build.build_demo(ws.engine, customers=SIZE, seed=7, today=TODAY)
    return ws


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = _built(tmp_path_factory.mktemp("people") / "demo.radar.sqlite")
    yield ws
    ws.close()


def stories(ws: Workspace) -> list[dict[str, Any]]:
    with Session(ws.engine) as s:
        people = demo_truth(s, "people")
    return list(people["stories"])


def ids_by_external(ws: Workspace) -> dict[str, int]:
    with ws.engine.connect() as conn:
        c = Customer.__table__.c
        return {str(e): int(i) for e, i in conn.execute(select(c.external_id, c.id))}


def _rows(ws: Workspace, sql: str) -> list[tuple[Any, ...]]:
    with ws.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_the_people_change_no_customer_order_or_score(
    demo: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "demo_people", lambda *_a: None)
    bare = _built(tmp_path / "bare.radar.sqlite")
    try:
        assert _rows(bare, "SELECT COUNT(*) FROM contacts") == [(0,)]
        assert _rows(demo, "SELECT COUNT(*) FROM contacts")[0][0] > 50
        for sql in ("SELECT * FROM customers ORDER BY id", "SELECT * FROM orders ORDER BY id"):
            assert _rows(bare, sql) == _rows(demo, sql)
        scores = []
        for ws in (bare, demo):
            score_workspace(ws.engine, as_of=TODAY, horizon_days=90)
            scores.append(
                _rows(
                    ws,
                    "SELECT customer_id, churn_risk, clv_12m_cents, engagement_score, "
                    "health_score, segment FROM score_snapshots ORDER BY customer_id",
                )
            )
        assert len(scores[0]) == SIZE
        assert scores[0] == scores[1]
    finally:
        bare.close()
        with demo.engine.begin() as conn:  # the module's demo unscored again
            conn.execute(text("DELETE FROM score_snapshots"))
            conn.execute(text("DELETE FROM scoring_runs"))


def _reasons(ws: Workspace, ids: list[int], day: dt.date) -> pd.DataFrame:
    """What the rules' reader finds, each signal taken as proven (the gate is apart)."""
    frame = pd.DataFrame({"customer_id": ids})
    with Session(ws.engine) as s:
        config = read_alert_config(s)
    proven = {key: Proof(key, 40, 40, 0.3, "a test") for key in RULES}
    with ws.engine.connect() as conn:
        read_relationships(conn, frame, config, midnight(day + dt.timedelta(days=1)),
                           proofs=proven)  # fmt: skip
    return frame.set_index("customer_id")


def test_each_planted_story_is_found_on_its_day_and_not_before(demo: Workspace) -> None:
    planted = stories(demo)
    assert {s["story"] for s in planted} == {*RULE_OF, "unmet_dm"}
    ids = ids_by_external(demo)
    for story in (s for s in planted if s["story"] in RULE_OF):
        cid, rule = ids[story["customer"]], RULE_OF[story["story"]]
        day = dt.date.fromisoformat(story["day"])
        on = _reasons(demo, [cid], day).loc[cid, f"rel_{rule}"]
        before = _reasons(demo, [cid], day - dt.timedelta(days=1)).loc[cid, f"rel_{rule}"]
        assert story["person"] in on, (story, on)
        assert before == "", (story, before)


def test_the_signals_replay_finds_the_known_answer(demo: Workspace) -> None:
    """Champion left's findings are the champions who left, on the first replayed week of
    each; those followed by a lost renewal are exactly the ones whose renewal the contracts
    record as churned; its precision is far above the base rate. The same for Key contact
    gone dark and the decision makers who went quiet."""
    with Session(demo.engine) as s:
        report = replay_signals(s, read_alert_config(s), TODAY, horizon=90)
    ids = ids_by_external(demo)
    lost = {
        (int(c), pd.Timestamp(end).date())
        for c, end in _rows(demo, "SELECT customer_id, end_date FROM contracts "
                                  "WHERE outcome = 'churned'")
    }  # fmt: skip
    for rule, kinds in (("champion_left", ("left", "left_free")),
                        ("key_contact_dark", ("dark", "dark_free"))):  # fmt: skip
        planted = [s for s in stories(demo) if s["story"] in kinds]
        judged = [s for s in planted if dt.date.fromisoformat(s["day"]) > report.start]
        hits = [
            s for s in judged
            if (ids[s["customer"]], dt.date.fromisoformat(s["renewal"])) in lost
            and s["story"] in ("left", "dark")
        ]  # fmt: skip
        figures = report.figure(rule, RENEWAL)
        assert figures is not None
        assert (figures.judged, figures.hits) == (len(judged), len(hits)), rule
        assert figures.precision is not None
        assert figures.base_rate is not None
        assert figures.precision > 2 * figures.base_rate, rule
        assert figures.lead_median is not None
        assert 14 <= figures.lead_median <= 90


def test_the_people_tab_reads_who_left_and_who_is_new(demo: Workspace) -> None:
    ids = ids_by_external(demo)
    by_story = {s["story"]: s for s in stories(demo)}
    gone = by_story["left"]
    people = read_people(demo.engine, ids[gone["customer"]])
    assert len(people) >= 3
    leaver = next(p for p in people if p.name == gone["person"])
    assert leaver.role == "champion"
    assert leaver.status
    new = by_story["new_dm"]
    people = read_people(demo.engine, ids[new["customer"]])
    person = next(p for p in people if p.name == new["person"])
    assert (person.role, person.last_two_way) == ("decision_maker", None)
    unmet = by_story["unmet_dm"]
    people = read_people(demo.engine, ids[unmet["customer"]])
    person = next(p for p in people if p.name == unmet["person"])
    assert (person.role, person.status) == ("decision_maker", "never heard from")


def test_the_early_warning_replay_raises_a_story_only_while_proven(demo: Workspace) -> None:
    from services.alerts.signal_proofs import proofs_of
    from services.alerts.signal_replay import WEEKS, figures_at, signal_weeks
    from services.learn.alert_replay import run_replay
    from services.scoring.compute import read_config
    from services.scoring.data import day_date

    with Session(demo.engine) as s:
        scoring, config = read_config(s), read_alert_config(s)
        signals = signal_weeks(s, config, TODAY, horizon=90, weeks=8 + WEEKS - 1)
    replay = run_replay(demo.engine, scoring, config, TODAY, 8, lambda _f, _m: None)
    ids = ids_by_external(demo)
    checked = unproven = 0
    for w in replay.weeks:
        k = replay.week_days.index(w.day)
        proofs = proofs_of(figures_at(signals, WEEKS - 1 + k, WEEKS, 90), config)
        held = (
            w.candidates
            if w.candidates is not None
            else pd.DataFrame({"customer_id": [], "rule_key": []})
        )
        raised = set(zip(held["customer_id"].tolist(), held["rule_key"].tolist(), strict=True))
        for rule in RULES:
            if not proofs[rule].proven:
                assert not any(r == rule for _c, r in raised), (day_date(w.day), rule)
                unproven += 1
        for story in stories(demo):
            planted = RULE_OF.get(story["story"])
            if planted is None or story["story"] == "single" or not proofs[planted].proven:
                continue
            day = dt.date.fromisoformat(story["day"])
            if day <= day_date(w.day) < day + dt.timedelta(days=7):
                assert (ids[story["customer"]], planted) in raised, story
                checked += 1
    # This small demo's year proves Champion left in its last weeks only, and the others
    # never: both paths are taken.
    assert unproven > 0


def _holds_as_the_alerts_read_them(
    history: Any, config: Any, day: dt.date
) -> tuple[dict[str, set[int]], set[int]]:
    """Each signal's accounts as of the end of ``day`` by the live alerts' definitions
    (people_frame, then found), before the single-threaded value floor."""
    from services.alerts._relationship import found
    from services.people.signals import people_frame, present

    people = people_frame(history, midnight(day + dt.timedelta(days=1)))
    if people.empty:
        return {key: set() for key in RULES}, set()
    held = found(people, config, midnight(day + dt.timedelta(days=1)))
    on_record = set(people.loc[present(people), "customer_id"].astype(int).tolist())
    return {key: set(held[key]["customer_id"].astype(int).tolist()) for key in RULES}, on_record


def test_the_replay_reads_each_week_as_the_alerts_would(demo: Workspace) -> None:
    """The replay's weekly reading in arrays (signal_replay._People) gives, week after week
    over a year and a half of the demo's stories, the accounts the alerts' own reading of
    that day gives, for each of the four signals."""
    from services.alerts.signal_replay import _all_rules, _day_number, _People
    from services.people.history import load_history

    with Session(demo.engine) as s:
        config = _all_rules(read_alert_config(s))
        history = load_history(s, midnight(TODAY + dt.timedelta(days=1)))
    people = _People(history)
    seen = dict.fromkeys(RULES, 0)
    for k in range(80):
        day = TODAY - dt.timedelta(days=7 * k + k % 7)
        expected, on_record = _holds_as_the_alerts_read_them(history, config, day)
        holds, record = people.holds(config, _day_number(day))
        assert set(record.tolist()) == on_record, day
        for key in RULES:
            assert set(holds[key].tolist()) == expected[key], (key, day)
            seen[key] += len(expected[key])
    assert all(count > 0 for count in seen.values()), seen
