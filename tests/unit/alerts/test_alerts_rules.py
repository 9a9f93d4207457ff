"""Every alert rule on small hand-made workspaces: the data that should raise it does, the
data next to it that should not, does not. Scores are written by hand (a ScoringRun and
its snapshots) so that each rule sees exactly the churn risk, value and engagement the
test means; orders, tickets, reviews, emails and deals are real rows in a real SQLite
file. Other alert tests import ``Book`` and its fixture makers from here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace, to_url
from models.db import session_scope
from models.schema import (
    Action,
    Customer,
    Interaction,
    Opportunity,
    Order,
    Outreach,
    ScoreSnapshot,
    ScoringRun,
)
from services.alerts.generate import generate_alerts
from services.alerts.records import AlertRunResult
from services.settings import set_setting
from tests.support.databases import stored_json

UTC = dt.UTC
TODAY = dt.date(2025, 6, 15)
NOW = dt.datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


def at(days_ago: float, *, now: dt.datetime = NOW) -> dt.datetime:
    """A moment ``days_ago`` days before ``now`` (fractions are hours)."""
    return now - dt.timedelta(days=days_ago)


class Book:
    """A workspace filled by hand: customers, their rows, and scores written directly."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.engine: Engine = workspace.engine
        self._n = 0
        # The lapse warnings' floor at its least and no weight beyond the value: each
        # rule's own conditions decide, and a lapse warning's priority is the churn risk
        # (these scores carry no lapse chance) x the value written (tests/unit/alerts/
        # test_worth.py has the floor and the weight).
        self.set("alerts.lapse_floor_percent", 1)
        self.set("alerts.reach_weight", 0)

    def customer(
        self,
        name: str,
        *,
        owner: str | None = "Maya",
        dnc: bool = False,
        email: str | None = None,
        company: str | None = None,
    ) -> int:
        self._n += 1
        with Session(self.engine) as s, s.begin():
            c = Customer(
                source="t",
                external_id=f"C{self._n:03d}",
                name=name,
                email=email or f"{name.lower().replace(' ', '.')}@example.com",
                owner=owner,
                company=company,
                do_not_contact=dnc,
            )
            s.add(c)
            s.flush()
            return int(c.id)

    def orders(self, cid: int, days_ago: list[float], cents: int | list[int] = 5000) -> None:
        amounts = cents if isinstance(cents, list) else [cents] * len(days_ago)
        with self.engine.begin() as conn:
            conn.execute(
                insert(Order),
                [
                    {
                        "customer_id": cid,
                        "external_id": f"O{cid}-{k}",
                        "source": "t",
                        "order_date": at(d),
                        "amount_cents": a,
                        "status": "paid",
                    }
                    for k, (d, a) in enumerate(zip(days_ago, amounts, strict=True))
                ],
            )

    def interaction(self, cid: int, kind: str, days_ago: float, **fields: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(Interaction),
                [{"customer_id": cid, "kind": kind, "occurred_at": at(days_ago), **fields}],
            )

    def deal(
        self,
        cid: int,
        stage: str,
        days_in_stage: float,
        *,
        amount: int = 100_000,
        probability: float | None = 0.5,
        closed: bool = False,
        name: str = "Corporate gifting",
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(Opportunity),
                [
                    {
                        "customer_id": cid,
                        "name": name,
                        "stage": stage,
                        "amount_cents": amount,
                        "probability": probability,
                        "created_at": at(days_in_stage + 30),
                        "stage_changed_at": at(days_in_stage),
                        "closed": closed,
                    }
                ],
            )

    def call_logged(self, cid: int, days_ago: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(Action),
                [
                    {
                        "customer_id": cid,
                        "kind": "call",
                        "title": "Called",
                        "created_at": at(days_ago),
                    }
                ],
            )

    def email_sent(self, cid: int, days_ago: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(Outreach),
                [
                    {
                        "customer_id": cid,
                        "status": "sent",
                        "subject": "Hello",
                        "created_at": at(days_ago),
                        "sent_at": at(days_ago),
                    }
                ],
            )

    def score(
        self,
        scores: dict[int, dict[str, float]],
        *,
        as_of: dt.date = TODAY,
        horizon: int = 90,
        drivers: list[dict[str, Any]] | None = None,
    ) -> int:
        """Write a finished scoring run with one snapshot per customer given.

        Each customer's dict may hold churn (0-1), churn_low (the low end of its
        interval), clv (dollars: stored as the 12-month value and standing for the last
        12 months' revenue too), engagement, health, segment and stage (a lifecycle
        stage's key, as the scoring stores it); revenue at risk is
        churn x that revenue, as scoring stores it.
        """
        with Session(self.engine) as s, s.begin():
            run = ScoringRun(
                as_of=as_of,
                horizon_days=horizon,
                status="finished",
                started_at=NOW,
                finished_at=NOW,
                customers=len(scores),
            )
            s.add(run)
            s.flush()
            for cid, v in scores.items():
                churn = float(v.get("churn", 0.2))
                clv = int(round(float(v.get("clv", 100.0)) * 100))
                s.add(
                    ScoreSnapshot(
                        customer_id=cid,
                        as_of=as_of,
                        horizon_days=horizon,
                        churn_risk=churn,
                        clv_12m_cents=clv,
                        revenue_at_risk_cents=int(round(churn * clv)),
                        churn_risk_low=v.get("churn_low"),
                        engagement_score=float(v.get("engagement", 50.0)),
                        health_score=float(v.get("health", 50.0)),
                        segment=str(v.get("segment", "Loyal")),
                        stage=v.get("stage"),
                        confidence="high",
                        drivers=drivers
                        if drivers is not None
                        else [{"text": f"driver of {cid}", "direction": "risk", "weight": 0.5}],
                        scoring_run_id=run.id,
                    )
                )
            return int(run.id)

    def set(self, key: str, value: Any) -> None:
        with session_scope(self.workspace.sessions) as s:
            set_setting(s, key, value, actor="test")

    def generate(self, now: dt.datetime = NOW, **kwargs: Any) -> AlertRunResult:
        return generate_alerts(self.engine, now=now, **kwargs)

    def alerts(self, where: str = "") -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(f"SELECT * FROM alerts {where} ORDER BY customer_id, rule_key, id")
            ).mappings()
            return [dict(r) for r in rows]

    def keys(self, rule: str | None = None) -> set[tuple[int, str]]:
        """(customer id, rule) of the active alerts (of one rule)."""
        return {
            (a["customer_id"], a["rule_key"])
            for a in self.alerts("WHERE status IN ('open', 'snoozed', 'in_progress')")
            if rule is None or a["rule_key"] == rule
        }


def make_empty_workspace(factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty workspace file to copy (migrating one takes a moment)."""
    path = factory.mktemp("alerts-empty") / "empty.radar.sqlite"
    open_workspace(to_url(str(path)), backup=False).close()
    return path


def make_book(url: str) -> Iterator[Book]:
    """A Book on the new workspace at ``url`` (no cap on new alerts), closed after."""
    ws = open_workspace(url, backup=False)
    b = Book(ws)
    b.set("alerts.daily_cap_per_owner", 0)
    yield b
    ws.close()


# Test modules that use a Book declare it the same way: a new, empty workspace on
# SQLite, then on PostgreSQL (tests/conftest.py's workspace_url).
@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def only(book: Book, rule: str) -> None:
    """Disable every rule but ``rule``, and the cool-down after contact."""
    from services.settings import ALERT_RULE_KEYS

    book.set("alerts.cooldown_days", 0)
    for key in ALERT_RULE_KEYS:
        if key != rule:
            book.set(f"alerts.{key}.enabled", False)


def by_customer(book: Book, rule: str) -> dict[int, dict[str, Any]]:
    return {a["customer_id"]: a for a in book.alerts() if a["rule_key"] == rule}


# ----------------------------------------------------------------------------- the rules


def test_high_risk_high_value(book: Book) -> None:
    only(book, "high_risk_high_value")
    risky_rich = book.customer("Ada Risky")
    risky_poor = book.customer("Bo Poor")
    safe_rich = book.customer("Cy Safe")
    filler = [book.customer(f"Filler {k}") for k in range(7)]
    scores = {f: {"churn": 0.7, "clv": 50.0} for f in filler}
    scores[risky_rich] = {"churn": 0.82, "clv": 1540.0}
    scores[risky_poor] = {"churn": 0.95, "clv": 60.0}
    scores[safe_rich] = {"churn": 0.3, "clv": 2000.0}
    book.score(scores)
    result = book.generate()
    alerts = by_customer(book, "high_risk_high_value")
    # Top 20% of 10 customers by value: Cy (safe) and Ada (risky); only Ada is risky too.
    assert set(alerts) == {risky_rich}
    alert = alerts[risky_rich]
    assert alert["severity"] == "critical"
    assert alert["status"] == "open"
    assert alert["reason"] == "churn risk 82% and $1,540 paid in the last 12 months"
    assert alert["priority_cents"] == round(0.82 * 154_000)
    assert stored_json(alert["drivers"]) == [
        {"text": f"driver of {risky_rich}", "direction": "risk", "weight": 0.5}
    ]
    assert result.created == 1
    assert result.matches["high_risk_high_value"] == 1


def test_risk_rising_needs_a_previous_scoring(book: Book) -> None:
    only(book, "risk_rising")
    rising, slight, low = (book.customer(n) for n in ("Ada", "Bo", "Cy"))
    book.score(
        {rising: {"churn": 0.3}, slight: {"churn": 0.5}, low: {"churn": 0.1}},
        as_of=TODAY - dt.timedelta(days=30),
    )
    first = book.generate(now=NOW - dt.timedelta(days=30))
    # The first scoring has nothing to compare with: the rule is not evaluated.
    assert "risk_rising" not in first.matches
    assert book.alerts() == []
    book.score({rising: {"churn": 0.6}, slight: {"churn": 0.55}, low: {"churn": 0.3}})
    book.generate()
    alerts = by_customer(book, "risk_rising")
    # Bo rose 5 points only; Cy rose 20 points but is at 30%, under the 40% floor.
    assert set(alerts) == {rising}
    assert alerts[rising]["reason"] == "churn risk up from 30% to 60% since May 16, 2025"
    assert alerts[rising]["severity"] == "warning"


def test_engagement_drop(book: Book) -> None:
    only(book, "engagement_drop")
    dropped, steady = book.customer("Ada"), book.customer("Bo")
    book.score(
        {dropped: {"engagement": 70}, steady: {"engagement": 70}},
        as_of=TODAY - dt.timedelta(days=7),
    )
    book.score({dropped: {"engagement": 50}, steady: {"engagement": 60}})
    book.generate()
    alerts = by_customer(book, "engagement_drop")
    assert set(alerts) == {dropped}
    assert alerts[dropped]["reason"] == "engagement score down from 70 to 50 since Jun 8, 2025"
    assert alerts[dropped]["severity"] == "info"


def test_gone_quiet_uses_the_usual_gap_between_purchase_days(book: Book) -> None:
    only(book, "gone_quiet")
    quiet = book.customer("Ada Quiet")  # every 10 days, silent for 25
    regular = book.customer("Bo Regular")  # every 10 days, silent for 15
    once = book.customer("Cy Once")  # one purchase day (two orders that day) 100 days ago
    lost = book.customer("Di Lost")  # silent for 400 days: lost, not quiet
    book.orders(quiet, [85, 75, 65, 55, 45, 35, 25])
    book.orders(regular, [75, 65, 55, 45, 35, 25, 15])
    book.orders(once, [100, 100.01])
    book.orders(lost, [440, 430, 420, 410, 400])
    book.score({c: {"churn": 0.5, "clv": 100} for c in (quiet, regular, once, lost)})
    book.generate()
    alerts = by_customer(book, "gone_quiet")
    assert set(alerts) == {quiet}
    assert alerts[quiet]["reason"] == "no order in 25 days; usual gap 10 days"
    assert alerts[quiet]["priority_cents"] == 5000  # churn 50% x $100
    # Three times the usual gap: Ada (2.5 x) no longer qualifies.
    book.set("alerts.gone_quiet.gap_multiple", 3.0)
    book.generate()
    assert book.keys("gone_quiet") == {(quiet, "gone_quiet")}
    assert book.alerts()[0]["cleared_at"] is not None


def test_negative_experience(book: Book) -> None:
    only(book, "negative_experience")
    tickets = book.customer("Ada Tickets")
    one_ticket = book.customer("Bo One")
    review = book.customer("Cy Review")
    old = book.customer("Di Old")
    fine = book.customer("Ed Fine")
    for days in (5, 40):
        book.interaction(tickets, "ticket", days, satisfaction="bad", status="solved")
    book.interaction(one_ticket, "ticket", 5, satisfaction="Bad", status="solved")
    book.interaction(review, "review", 10, rating=1)
    for days in (70, 90):
        book.interaction(old, "ticket", days, satisfaction="bad", status="solved")
    book.interaction(old, "review", 61, rating=1)
    book.interaction(fine, "review", 3, rating=3)
    book.interaction(fine, "ticket", 3, satisfaction="good", status="solved")
    book.score({c: {} for c in (tickets, one_ticket, review, old, fine)})
    book.generate()
    alerts = by_customer(book, "negative_experience")
    assert set(alerts) == {tickets, review}
    assert alerts[tickets]["reason"] == "2 negative tickets in 60 days"
    assert alerts[review]["reason"] == "a 1-star review in 60 days"


def test_negative_words_count_as_a_bad_rating_would(book: Book) -> None:
    only(book, "negative_experience")
    words = book.customer("Ada Words")  # unrated tickets whose words read very negative
    mild = book.customer("Bo Mild")  # negative, but not as low as the setting asks
    review = book.customer("Cy Review")  # 4 stars, but the help desk read it as furious
    for days in (5, 20):
        book.interaction(words, "ticket", days, status="solved", text_sentiment=-0.8)
        book.interaction(mild, "ticket", days, status="solved", text_sentiment=-0.3)
    book.interaction(review, "review", 10, rating=4, sentiment=-0.9, text_sentiment=0.6)
    book.score({c: {} for c in (words, mild, review)})
    book.generate()
    alerts = by_customer(book, "negative_experience")
    assert set(alerts) == {words, review}
    assert alerts[words]["reason"] == "2 negative tickets in 60 days"
    assert alerts[review]["reason"] == "a negative review in 60 days"


def test_ticket_past_sla(book: Book) -> None:
    only(book, "ticket_past_sla")
    late = book.customer("Ada Late")
    fresh = book.customer("Bo Fresh")
    solved = book.customer("Cy Solved")
    unknown = book.customer("Di Unknown")
    pending = book.customer("Ed Pending")
    book.interaction(late, "ticket", 5, status="open")
    book.interaction(late, "ticket", 9, status="Hold")
    book.interaction(fresh, "ticket", 1, status="open")
    book.interaction(solved, "ticket", 10, status="Solved")
    book.interaction(unknown, "ticket", 10)
    book.interaction(pending, "ticket", 4, status="pending")
    book.score({c: {} for c in (late, fresh, solved, unknown, pending)})
    book.generate()
    alerts = by_customer(book, "ticket_past_sla")
    assert set(alerts) == {late, pending}
    assert alerts[late]["reason"] == (
        "2 tickets unresolved past the 3-day SLA, the oldest for 9 days"
    )
    assert alerts[pending]["reason"] == "a ticket unresolved for 4 days (3-day SLA)"
    book.set("alerts.ticket_past_sla.sla_hours", 5 * 24 + 1)
    book.generate()
    assert book.keys("ticket_past_sla") == {(late, "ticket_past_sla"), (pending, "ticket_past_sla")}
    assert [a["cleared_at"] is None for a in book.alerts()] == [True, False]


def test_expansion_is_an_opportunity_with_its_upside_as_priority(book: Book) -> None:
    only(book, "expansion")
    spender = book.customer("Ada Spender")
    quiet = book.customer("Bo Lukewarm")
    clicker = book.customer("Cy Clicker")
    blocked = book.customer("Di Blocked", dnc=True)
    for cid in (spender, quiet, blocked):
        book.orders(cid, [150, 120, 60, 30, 10], [5000, 5000, 10000, 5000, 5000])
    book.orders(clicker, [150, 60])
    for days in (10, 20, 30, 40):
        book.interaction(clicker, "email_click", days)
    book.score(
        {
            spender: {"engagement": 80, "clv": 1000},
            quiet: {"engagement": 50, "clv": 1000},
            clicker: {"engagement": 75, "clv": 400},
            blocked: {"engagement": 90, "clv": 1000},
        }
    )
    result = book.generate()
    alerts = by_customer(book, "expansion")
    assert set(alerts) == {spender, clicker}
    assert alerts[spender]["severity"] == "opportunity"
    assert alerts[spender]["reason"] == (
        "engagement 80 and spend up 100% vs the previous 90 days ($200 vs $100)"
    )
    assert alerts[spender]["priority_cents"] == 25_000  # 25% of $1,000
    assert alerts[clicker]["reason"] == (
        "engagement 75 and email clicks up from 0 to 4 vs the previous 90 days"
    )
    # The do-not-contact customer qualifies but gets no expansion alert.
    assert result.suppressed == 1
    assert result.matches["expansion"] == 3


def test_stalled_opportunity(book: Book) -> None:
    only(book, "stalled_opportunity")
    stalled = book.customer("Ada Stalled")
    called = book.customer("Bo Called")
    later_stage = book.customer("Cy Negotiating")
    young = book.customer("Di Young")
    closed = book.customer("Ed Closed")
    quote = book.customer("Fay Quote")
    book.deal(stalled, "Proposal", 20, amount=200_000, probability=0.4, name="Gifts Q3")
    book.deal(stalled, "Qualified", 16, amount=50_000, probability=None)
    book.interaction(stalled, "email_sent", 2)  # a campaign email is no conversation
    book.interaction(stalled, "call", 12)
    book.deal(called, "Proposal", 20)
    book.interaction(called, "call", 3)
    book.deal(later_stage, "Negotiation", 30)
    book.deal(young, "Qualified", 5)
    book.deal(closed, "Proposal", 40, closed=True)
    book.deal(quote, "Proposal/Price Quote", 15)
    book.call_logged(quote, 11)
    book.score({c: {} for c in (stalled, called, later_stage, young, closed, quote)})
    book.generate()
    alerts = by_customer(book, "stalled_opportunity")
    assert set(alerts) == {stalled, quote}
    assert alerts[stalled]["reason"] == (
        "in Proposal for 20 days, no contact for 12 days: deal 'Gifts Q3' and 1 more stalled deal"
    )
    # 40% of $2,000 plus the whole $500 of the deal without a probability.
    assert alerts[stalled]["priority_cents"] == 80_000 + 50_000
    assert alerts[quote]["reason"] == (
        "in Proposal/Price Quote for 15 days, no contact for 11 days: deal 'Corporate gifting'"
    )


def test_disabled_rules_and_severity_settings(book: Book) -> None:
    only(book, "ticket_past_sla")
    late = book.customer("Ada")
    book.interaction(late, "ticket", 5, status="open")
    book.score({late: {}})
    book.set("alerts.ticket_past_sla.severity", "critical")
    book.generate()
    assert [a["severity"] for a in book.alerts()] == ["critical"]
    # Severity follows the settings on refresh; a disabled rule leaves its alerts alone.
    book.set("alerts.ticket_past_sla.severity", "info")
    book.generate()
    assert [a["severity"] for a in book.alerts()] == ["info"]
    book.set("alerts.ticket_past_sla.enabled", False)
    result = book.generate()
    assert "ticket_past_sla" not in result.matches
    assert [(a["status"], a["cleared_at"]) for a in book.alerts()] == [("open", None)]
    with book.engine.connect() as conn:
        mirror = conn.execute(
            text("SELECT severity, enabled, params FROM alert_rules WHERE key = 'ticket_past_sla'")
        ).one()
    assert mirror[0] == "info"
    assert not mirror[1]
    assert stored_json(mirror[2]) == {"sla_hours": 72}
