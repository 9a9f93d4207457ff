"""The relationship signals measured on history (services/alerts/signal_replay.py) on the
hand-made history of tests/support/signal_book.py, whose figures are counted by hand
(SQLite and PostgreSQL): Champion left's findings, hits, recall and lead time against
lost renewals and lapses, beside the base rate; a signal proven raises its alert with its
figure on the card, unproven it raises nothing and the People tab and the timeline say
so; the measure is kept and a second run on the same data does not compute again; and a
run of an earlier day measures on what existed then."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from models.schema import Contract
from services.alerts.config import read_alert_config
from services.alerts.detail import alert_detail
from services.alerts.signal_proofs import SIGNALS_ACTION, kept_signals, people_with_signals
from services.alerts.signal_records import LAPSE, RENEWAL, SignalReport
from services.alerts.signal_replay import replay_signals
from services.usecases.customer_detail import load_customer_detail
from tests.support.signal_book import ACCOUNTS, NOW, TODAY, gone_days, plant
from tests.unit.alerts.test_alerts_rules import Book, book, by_customer
from tests.unit.alerts.test_relationship import only_relationships

__all__ = ["book"]  # the fixture, used by name
HORIZON = 90


def _replay(book: Book, as_of: dt.date = TODAY) -> SignalReport:
    with Session(book.engine) as s:
        return replay_signals(s, read_alert_config(s), as_of, horizon=HORIZON)


def test_champion_left_is_counted_as_the_history_holds(book: Book) -> None:
    plant(book)
    report = _replay(book)
    f = report.figure("champion_left", RENEWAL)
    assert f is not None
    # The 24 leavers, all judged, and Fresh (5 days ago: not judged yet).
    assert (f.findings, f.judged, f.hits) == (ACCOUNTS + 1, ACCOUNTS, ACCOUNTS // 2)
    assert f.precision == 0.5
    assert (f.outcomes, f.caught) == (ACCOUNTS // 2, ACCOUNTS // 2)
    assert all(24 <= lead <= 30 for lead in f.lead_days)
    # The base rate by hand: each judged week, each account with a contract, whether one of
    # its terms was lost in the 90 days after.
    weeks = [TODAY - dt.timedelta(days=7 * (51 - k)) for k in range(52)]
    judged = [w for w in weeks if w + dt.timedelta(days=HORIZON) <= TODAY]
    lost = [TODAY - dt.timedelta(days=gone_days(i) - 30) for i in range(0, ACCOUNTS, 2)]
    hits = sum(1 for w in judged for e in lost if w < e <= w + dt.timedelta(days=HORIZON))
    assert (f.base_judged, f.base_hits) == (len(judged) * ACCOUNTS, hits)
    assert f.base_rate is not None
    assert f.precision is not None
    assert f.base_rate < f.precision / 2
    # No one lapses (an order every 20 days), and nothing else holds.
    lapse = report.figure("champion_left", LAPSE)
    assert lapse is not None
    assert (lapse.judged, lapse.hits, lapse.outcomes) == (ACCOUNTS, 0, 0)
    others = [f for f in report.figures if f.rule != "champion_left"]
    assert {f.findings for f in others} == {0}
    assert (report.accounts, report.with_contracts) == (ACCOUNTS + 1, ACCOUNTS)


def test_proven_it_raises_with_its_figure_unproven_it_raises_nothing(book: Book) -> None:
    only_relationships(book)
    ids = plant(book)
    book.score({cid: {"churn": 0.1, "clv": 500.0} for cid in ids.values()})
    book.generate()
    raised = by_customer(book, "champion_left")
    assert set(raised) == {ids["Fresh"]}  # 50 % on 24 judged: at least the 30 % asked
    detail = alert_detail(book.engine, int(raised[ids["Fresh"]]["id"]), now=NOW)
    assert detail.signal_proof == (
        "precision 50 % (31-69 %, 24 judged) on 52 weeks of this workspace's history, "
        "against lost renewals; the rule asks for 30 %"
    )
    with book.engine.connect() as conn:
        kept = conn.execute(
            text("SELECT COUNT(*) FROM audit_events WHERE action = :a"), {"a": SIGNALS_ACTION}
        ).scalar()
    assert kept == 1
    # Asking 60 %: unproven, it raises nothing; the People tab and the timeline say so.
    book.set("alerts.champion_left.min_precision_percent", 60)
    book.generate()
    assert [a["cleared_at"] is not None for a in by_customer(book, "champion_left").values()] == [
        True  # the alert raised before no longer holds
    ]
    # The People tab and the timeline read the people as of now: Fresh's champion left
    # two days ago.
    left_on = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=2)
    with book.engine.begin() as conn:
        conn.execute(
            text("UPDATE contacts SET left_on = :d WHERE name = 'Cham Fresh'"), {"d": left_on}
        )
    fresh = {p.name: p.status for p in people_with_signals(book.engine, ids["Fresh"])}
    assert fresh["Cham Fresh"] == (
        f"left {left_on:%b} {left_on.day}, {left_on.year}; unproven signal"
    )
    events = [e for e in load_customer_detail(book.engine, ids["Fresh"]).timeline
              if e.kind == "relationship"]  # fmt: skip
    assert [e.title for e in events] == ["Champion left (unproven)"]
    assert "it raises nothing" in events[0].detail


def test_a_second_run_on_the_same_data_computes_nothing(book: Book) -> None:
    only_relationships(book)
    ids = plant(book)
    book.score({cid: {"churn": 0.1, "clv": 500.0} for cid in ids.values()})
    book.generate()
    book.generate()
    with book.engine.connect() as conn:
        stamps = conn.execute(
            text("SELECT details FROM audit_events WHERE action = :a"), {"a": SIGNALS_ACTION}
        ).all()
    assert len(stamps) == 1
    with Session(book.engine) as s:
        first = kept_signals(s)
    # New data (a meeting logged): measured again, and kept beside the first.
    book.interaction(ids["Acct01"], "call", 1)
    book.generate()
    with Session(book.engine) as s:
        second = kept_signals(s)
    assert first is not None
    assert second is not None
    assert first.data_key != second.data_key


def test_an_earlier_day_measures_on_what_existed_then(book: Book) -> None:
    plant(book)
    day = TODAY - dt.timedelta(days=120)
    before = _replay(book, day)
    f = before.figure("champion_left", RENEWAL)
    assert f is not None
    # Judged by then: the leavers found on a week whose 90 days were over by that day; and
    # found at all: those who had left by then.
    weeks = [day - dt.timedelta(days=7 * (51 - k)) for k in range(52)]
    found = {
        i: min(w for w in weeks if w >= TODAY - dt.timedelta(days=gone_days(i)))
        for i in range(ACCOUNTS)
        if TODAY - dt.timedelta(days=gone_days(i)) <= day
    }
    judged = [i for i, w in found.items() if w + dt.timedelta(days=HORIZON) <= day]
    assert (f.findings, f.judged) == (len(found), len(judged))
    assert f.hits == sum(1 for i in judged if i % 2 == 0)
    assert 0 < f.judged < f.findings == ACCOUNTS
    assert before.as_of == day
    # A renewal lost after that day changes nothing of it.
    with book.engine.begin() as conn:
        end = TODAY - dt.timedelta(days=60)
        conn.execute(
            insert(Contract),
            [{"customer_id": 1, "source": "crm", "external_id": "T-late", "start_date": end
              - dt.timedelta(days=364), "end_date": end, "amount_cents": 100_000,
              "outcome": "churned", "decided_on": end}],
        )  # fmt: skip
    assert _replay(book, day).figures == before.figures
    # The generation of a scoring of that day keeps a measure of that day.
    only_relationships(book)
    with book.engine.connect() as conn:
        ids = [int(c) for (c,) in conn.execute(text("SELECT id FROM customers"))]
    book.score({cid: {"churn": 0.1, "clv": 500.0} for cid in ids}, as_of=day)
    book.generate(now=NOW - dt.timedelta(days=120))
    with Session(book.engine) as s:
        kept = kept_signals(s)
    assert kept is not None
    assert (kept.as_of, kept.figures) == (day, before.figures)
