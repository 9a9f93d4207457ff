"""The effectiveness report on a hand-made SQLite workspace: customers, alerts with their
holdout flags and bands, outreach rows and orders written explicitly, and every figure
checked against what the exposure definition says by hand."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from models.schema import Alert, Outreach
from services.learn.data import load_learn_data
from services.learn.effectiveness import effectiveness_report
from services.learn.records import NO_VALUE, EffectivenessReport
from tests.support.databases import stored_json
from tests.unit.alerts.test_alerts_rules import NOW, Book, at, make_book

DAY = dt.timedelta(days=1)


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def alert(book: Book, cid: int, days_ago: float, **fields: Any) -> int:
    row = {
        "customer_id": cid,
        "rule_key": "gone_quiet",
        "severity": "warning",
        "status": "open",
        "reason": "test",
        "created_at": at(days_ago),
        "holdout": False,
        "holdout_band": "medium",
        **fields,
    }
    with book.engine.begin() as conn:
        return int(conn.execute(insert(Alert).returning(Alert.id), [row]).scalar_one())


def email(book: Book, cid: int, alert_id: int | None, days_ago: float, **fields: Any) -> int:
    row = {
        "customer_id": cid,
        "alert_id": alert_id,
        "status": "sent",
        "subject": "Hello",
        "body": "We miss you.",
        "created_at": at(days_ago),
        "sent_at": at(days_ago),
        "goal": "win_back",
        "tone": "warm",
        "variant": 0,
        **fields,
    }
    with book.engine.begin() as conn:
        return int(conn.execute(insert(Outreach).returning(Outreach.id), [row]).scalar_one())


class Names:
    """The customer ids of the hand-made workspace, by name."""

    def __init__(self, ids: dict[str, int]) -> None:
        self.ids = ids

    def __getitem__(self, name: str) -> int:
        return self.ids[name]

    def of(self, *names: str) -> tuple[int, ...]:
        return tuple(sorted(self.ids[n] for n in names))


@pytest.fixture
def names(book: Book) -> Names:
    return build_names(book)


def build_names(book: Book) -> Names:
    """Held out: H1 (churned, 60 days of warning), H2 (re-engaged on day 15), H3
    (contacted anyway), H4 (window still open). Contacted: C1 (template, re-engaged on
    day 8, 15% off), C2 (model draft, its order 35 days after its first email), C5 (two
    alerts, re-engaged on day 4 of the first, $10 credit). Assigned outreach but not
    contacted: C3 (no email), C4 (a draft only). In no group: N1 (holdout off), B1
    (held back by the daily cap)."""
    ids = {
        n: book.customer(n, owner="Maya" if n.startswith(("H1", "C1")) else "Lee")
        for n in ("H1", "H2", "H3", "H4", "C1", "C2", "C3", "C4", "C5", "N1", "B1")
    }
    book.score(
        {
            cid: {"churn": 0.7 if n in ("H1", "C1") else 0.2, "segment": "At risk"}
            for n, cid in ids.items()
        }
        | {ids["N1"]: {"churn": 0.9, "segment": "Lost"}, ids["B1"]: {"engagement": 30}}
    )
    with book.engine.connect() as conn:
        snapshot = dict(conn.execute(text("SELECT customer_id, id FROM score_snapshots")).all())

    def raise_(n: str, days_ago: float, **fields: Any) -> int:
        return alert(book, ids[n], days_ago, score_snapshot_id=snapshot[ids[n]], **fields)

    raise_("H1", 100, holdout=True)
    book.orders(ids["H1"], [130])
    raise_("H2", 95, holdout=True, rule_key="high_risk_high_value", severity="critical")
    book.orders(ids["H2"], [80], 3000)
    raise_("H3", 50, holdout=True, holdout_contacted_at=at(45), holdout_contact_reason="asked")
    book.orders(ids["H3"], [44])
    raise_("H4", 10, holdout=True)
    book.orders(ids["H4"], [5])

    c1 = raise_("C1", 60)
    email(book, ids["C1"], c1, 58, template="winback_a", body="Enjoy 15% off your next order.")
    book.orders(ids["C1"], [50], 8000)
    c2 = raise_("C2", 60, rule_key="high_risk_high_value", severity="critical")
    email(book, ids["C2"], c2, 55, provider="openai", model="gpt-4o-mini", goal="check_in",
          variant=1)  # fmt: skip
    email(book, ids["C2"], c2, 40, template="winback_a")
    book.orders(ids["C2"], [20])
    raise_("C3", 70)
    c4 = raise_("C4", 45)
    email(book, ids["C4"], c4, 44, status="draft")
    c5 = raise_("C5", 80, status="resolved")
    email(book, ids["C5"], c5, 79, template="winback_b", tone="concise",
          body="Here is a $10 credit for your next visit.")  # fmt: skip
    book.orders(ids["C5"], [75], 2000)
    c5b = raise_("C5", 40)
    email(book, ids["C5"], c5b, 39, template="winback_b")

    n1 = raise_("N1", 60, holdout_band=None)
    email(book, ids["N1"], n1, 59)
    book.orders(ids["N1"], [55])
    raise_("B1", 60, status="held_back", holdout=True)
    return Names(ids)


def report(book: Book, **kwargs: Any) -> EffectivenessReport:
    return effectiveness_report(book.engine, now=NOW, resamples=200, **kwargs)


def test_groups_follow_the_exposure_definition(book: Book, names: Names) -> None:
    with Session(book.engine) as session:
        data = load_learn_data(session)
    groups = {(int(r.customer_id), r.group) for r in data.exposures.itertuples()}
    assert groups == {
        (names["H1"], "holdout"),
        (names["H2"], "holdout"),
        (names["H3"], "holdout"),
        (names["H4"], "holdout"),
        (names["C1"], "contacted"),
        (names["C2"], "contacted"),
        (names["C5"], "contacted"),
    }
    assert len(data.exposures) == 8  # C5 twice
    c2 = data.exposures[data.exposures["customer_id"] == names["C2"]].iloc[0]
    assert c2["start"] == at(55)  # the first email of the alert starts the clock
    assert c2["template"] == "model: openai/gpt-4o-mini"
    assert c2["variant"] == 1
    h3 = data.exposures[data.exposures["customer_id"] == names["H3"]].iloc[0]
    assert bool(h3["excluded"])
    assert h3["start"] == at(50)
    assert set(data.not_contacted["customer_id"]) == {names["C3"], names["C4"]}


def test_rates_lift_and_what_was_set_aside(book: Book, names: Names) -> None:
    r = report(book)
    lift = r.overall.lift
    assert lift.contacted.customers.customer_ids == names.of("C1", "C2", "C5")
    assert lift.contacted.reengaged.customer_ids == names.of("C1", "C5")
    assert lift.holdout.customers.customer_ids == names.of("H1", "H2")
    assert lift.holdout.reengaged.customer_ids == names.of("H2")
    assert lift.contacted.rate == pytest.approx(2 / 3)
    assert lift.holdout.rate == pytest.approx(1 / 2)
    assert lift.lift == pytest.approx(2 / 3 - 1 / 2)
    assert lift.low is not None
    assert lift.high is not None
    assert lift.low < lift.lift < lift.high
    assert not lift.enough
    assert "at least 30" in lift.not_enough_reason
    aside = r.overall.set_aside
    assert aside.contacted_anyway.customer_ids == names.of("H3")
    assert aside.not_contacted.customer_ids == names.of("C3", "C4")
    assert aside.repeats.customer_ids == names.of("C5")
    assert aside.window_open.customer_ids == names.of("H4")
    assert r.exposures == 8
    assert r.window_days == 30
    assert r.currency == "USD"


def test_time_revenue_offers_and_months(book: Book, names: Names) -> None:
    r = report(book)
    time = r.overall.time_contacted
    assert time.median_days == pytest.approx(6.0)  # days 4 (C5) and 8 (C1)
    assert time.week_counts[:2] == (1, 1)
    assert time.week_customer_ids[0] == names.of("C5")
    assert time.week_customer_ids[1] == names.of("C1")
    assert r.overall.time_holdout.median_days == pytest.approx(15.0)
    revenue = r.overall.revenue
    assert revenue.won_back_cents == 10_000
    assert revenue.average_cents == pytest.approx(5000)
    # The revenue lift per customer x the contacted: one figure, made one way.
    assert revenue.per_customer_lift_cents is not None
    assert revenue.incremental_cents == pytest.approx(revenue.per_customer_lift_cents * 3)
    offers = r.offers
    assert offers.emails == 3
    assert offers.with_offer.customer_ids == names.of("C1", "C5")
    assert (offers.money_offers, offers.money_offer_cents, offers.percent_offers) == (1, 1000, 1)
    # C1's 15% off is worth at most 15% of the $80 order that followed it.
    assert offers.percent_offer_max_cents == 1200
    months = {p.month: p for p in r.over_time}
    assert sorted(months) == [dt.date(2025, 3, 1), dt.date(2025, 4, 1)]
    march, april = months[dt.date(2025, 3, 1)], months[dt.date(2025, 4, 1)]
    assert march.contacted.customers.customer_ids == names.of("C5")
    assert march.holdout.customers.customer_ids == names.of("H1", "H2")
    assert march.holdout.rate == pytest.approx(0.5)
    assert april.contacted.customers.customer_ids == names.of("C1", "C2")
    assert april.contacted.rate == pytest.approx(0.5)
    assert april.holdout.customers.count == 0


def test_alert_quality_by_hand(book: Book, names: Names) -> None:
    quality = report(book).alert_quality
    assert quality.horizon_days == 90
    assert quality.decided.customer_ids == names.of("H1", "H2")  # 100 and 95 days ago
    assert quality.churned.customer_ids == names.of("H1")  # H2 ordered on day 15
    assert quality.churn_share == pytest.approx(0.5)
    assert quality.pending.customer_ids == names.of("H4")
    # H1's last order 130 days ago reached 90 days of gap 40 days ago; alerted 100 days ago.
    assert quality.warned.customer_ids == names.of("H1")
    assert quality.median_warning_days == pytest.approx(60.0)
    bucket = {b.label: b.alerts.count for b in quality.warning_buckets}
    assert bucket["60-89 days"] == 1
    assert sum(bucket.values()) == 1


def test_the_period_filter_takes_local_start_dates(book: Book, names: Names) -> None:
    since = (NOW - 60 * DAY).date()
    r = report(book, since=since)
    lift = r.overall.lift
    # C5's first email (79 days ago) is outside: its second (39 days ago) counts instead,
    # with no order after it; H1 and H2 were held out before the period.
    assert lift.contacted.customers.customer_ids == names.of("C1", "C2", "C5")
    assert lift.contacted.reengaged.customer_ids == names.of("C1")
    assert lift.holdout.customers.count == 0
    assert r.overall.set_aside.repeats.count == 0
    assert r.overall.set_aside.not_contacted.customer_ids == names.of("C4")  # C3: 70 days
    until = report(book, until=(NOW - 57 * DAY).date()).overall
    assert until.lift.contacted.customers.customer_ids == names.of("C1", "C5")
    assert until.set_aside.not_contacted.customer_ids == names.of("C3")  # C4: 45 days ago
    with pytest.raises(ValueError, match="after it ends"):
        report(book, since=NOW.date(), until=since)


def test_breakdowns(book: Book, names: Names) -> None:
    by_rule = {s.key: s for s in report(book, by="rule").breakdown}
    assert sorted(by_rule) == ["gone_quiet", "high_risk_high_value"]
    quiet = by_rule["gone_quiet"].lift
    assert quiet.contacted.customers.customer_ids == names.of("C1", "C5")
    assert quiet.holdout.customers.customer_ids == names.of("H1")
    assert by_rule["gone_quiet"].set_aside.not_contacted.customer_ids == names.of("C3", "C4")
    assert by_rule["high_risk_high_value"].lift.holdout.reengaged.customer_ids == names.of("H2")

    by_template = {s.key: s.lift for s in report(book, by="template").breakdown}
    assert list(by_template) == ["model: openai/gpt-4o-mini", "winback_a", "winback_b"]
    # Emails are compared with every held-out customer of the period.
    assert by_template["winback_a"].contacted.customers.customer_ids == names.of("C1")
    assert by_template["winback_a"].holdout.customers.customer_ids == names.of("H1", "H2")
    assert by_template["winback_b"].contacted.reengaged.customer_ids == names.of("C5")

    assert NO_VALUE not in by_template  # the not contacted sent no email to compare by
    by_variant = {s.key: s.lift for s in report(book, by="variant").breakdown}
    assert by_variant["1"].contacted.customers.customer_ids == names.of("C2")
    by_owner = {s.key: s.lift for s in report(book, by="owner").breakdown}
    assert by_owner["Maya"].contacted.customers.customer_ids == names.of("C1")
    assert by_owner["Maya"].holdout.customers.customer_ids == names.of("H1")
    by_segment = {s.key: s.lift for s in report(book, by="segment").breakdown}
    assert list(by_segment) == ["At risk"]
    with pytest.raises(ValueError, match="break the report down"):
        report(book, by="colour")


def test_at_risk_share_of_the_latest_scoring(book: Book, names: Names) -> None:
    at_risk = report(book).at_risk
    assert at_risk is not None
    assert at_risk.scored == 11
    # H1 and C1 at 70%; N1 at 90% is Lost, not counted (as the dashboard).
    assert at_risk.at_risk.customer_ids == names.of("H1", "C1")
    assert at_risk.at_risk_share == pytest.approx(2 / 11)
    assert at_risk.low_engagement.customer_ids == names.of("B1")


def test_an_empty_workspace_reports_no_data(book: Book) -> None:
    r = report(book)
    assert r.exposures == 0
    assert r.at_risk is None
    assert r.overall.lift.lift is None
    assert not r.overall.lift.enough
    assert r.over_time == ()
    assert r.alert_quality.churn_share is None


def _scan_offers(text: str) -> tuple[list[int], list[float]]:
    """The incentive check's patterns over the whole text (what find_offers must match)."""
    from services.outreach import checks

    amounts = [
        checks._cents(m.group("a") or m.group("b"), bool(m.group("ak")))
        for m in checks._MONEY.finditer(text)
        if checks._is_offer(text, m.start(), m.end())
    ]
    percents = [
        float(m.group("p").replace(",", ""))
        for m in checks._PERCENT.finditer(text)
        if checks._is_offer(text, m.start(), m.end())
    ]
    return amounts, percents


def test_offers_are_found_as_a_full_scan_finds_them() -> None:
    import random

    from services.outreach.checks import find_offers

    words = ["$", "€", "£", "%", " ", "\n", "1", "0", "5", ",", ".", "1,000", "12.50", "k",
             "off", "credit", "USD", "dollars", "euros", "bucks", "percent", "per cent",
             "A$", "US$", "CA", "CHF", "x", "save"]  # fmt: skip
    rng = random.Random(16)
    texts = [
        "Enjoy 15% off, a $10 credit, 20 dollars off or a 1,200.50 EUR voucher; 5k views.",
        "Your 3 orders came to $40 in total.",
    ] + ["".join(rng.choice(words) for _ in range(rng.randint(1, 20))) for _ in range(20_000)]
    assert find_offers(texts[0]) == ([1000, 2000, 120050], [15.0])
    assert find_offers(texts[1]) == ([], [])
    assert [find_offers(t) for t in texts] == [_scan_offers(t) for t in texts]


def test_an_alert_of_the_outreach_arm_not_emailed_yet_waits_with_the_open_windows(
    book: Book, names: Names
) -> None:
    fresh = book.customer("Fresh", owner="Maya")
    alert(book, fresh, 10)  # raised 10 days ago: an email may still come within 30 days
    aside = report(book).overall.set_aside
    assert fresh in aside.window_open.customer_ids
    assert fresh not in aside.not_contacted.customer_ids
    assert aside.not_contacted.customer_ids == names.of("C3", "C4")  # their windows closed


def test_as_assigned_counts_the_never_emailed_from_their_alert(book: Book, names: Names) -> None:
    # Intention to treat: the outreach arm as assigned, emailed or not. C6 and C7 were
    # never emailed; their clocks start at the alert (50 days ago): C6's order 15 days
    # later re-engages, C7's 35 days later does not. C3 and C4 (never emailed, no order)
    # join the arm as not re-engaged; the contacted (C1, C2, C5) are in it as they are.
    late = {}
    for name, order_days_ago in (("C6", 35), ("C7", 15)):
        late[name] = book.customer(name, owner="Lee")
        alert(book, late[name], 50)
        book.orders(late[name], [order_days_ago])
    r = report(book)
    itt = r.overall.as_assigned
    assert itt is not None
    arm = set(names.of("C1", "C2", "C5", "C3", "C4")) | set(late.values())
    assert set(itt.contacted.customers.customer_ids) == arm
    assert set(itt.contacted.reengaged.customer_ids) == {names["C1"], names["C5"], late["C6"]}
    assert itt.holdout == r.overall.lift.holdout  # the same held-out group
    assert itt.contacted.rate == pytest.approx(3 / 7)
    assert itt.lift == pytest.approx(3 / 7 - 1 / 2)
    assert itt.low is not None
    assert itt.high is not None
    assert itt.low < itt.lift < itt.high
    # The contacted-only figures are untouched by the never emailed.
    assert r.overall.lift.contacted.customers.customer_ids == names.of("C1", "C2", "C5")
    # And the command line prints and exports the same figures.
    from app.cli.report import report_rows, report_table

    table = "\n".join(report_table(r))
    assert "As assigned (intention to treat" in table
    assert "42.9% of 7 re-engaged vs 50.0% of 2 held out" in table.replace("\n  ", " ")
    measures = {(s, m): v for s, _k, m, v in report_rows(r)}
    assert measures[("overall", "assigned_customers")] == 7
    assert measures[("overall", "assigned_reengaged")] == 3
    assert measures[("overall", "assigned_lift")] == pytest.approx(3 / 7 - 1 / 2)


def test_at_risk_share_per_owner_and_as_of_the_period_end(book: Book, names: Names) -> None:
    r = report(book, by="owner")
    assert r.at_risk is not None
    shares = r.at_risk.by
    assert set(shares) == {"Maya", "Lee"}
    assert shares["Maya"].at_risk.customer_ids == names.of("H1", "C1")
    assert (shares["Maya"].scored, shares["Maya"].share) == (2, 1.0)
    assert (shares["Lee"].at_risk.count, shares["Lee"].scored, shares["Lee"].share) == (0, 9, 0.0)
    from app.cli.report import report_rows, report_table

    table = report_table(r)
    header = next(line for line in table if "Held out" in line and "95% CI" in line)
    assert header.rstrip().endswith("At risk")
    assert any(line.startswith("Maya") and line.rstrip(" *").endswith("100.0%") for line in table)
    rows = {(k, m): v for s, k, m, v in report_rows(r) if s == "by_owner"}
    assert rows[("Maya", "at_risk_share")] == 1.0
    assert rows[("Lee", "at_risk_scored")] == 9
    # Rules have no at-risk share of their own; a period that ends before the only
    # scoring has no at-risk figures at all.
    assert report(book, by="rule").at_risk.by == {}  # type: ignore[union-attr]
    assert report(book, until=(NOW - dt.timedelta(days=3)).date()).at_risk is None


def test_offers_are_stored_when_an_email_is_recorded_and_read_from_there(
    book: Book, names: Names
) -> None:
    from services.outreach.sent import record_email_in

    cid = book.customer("Stored", owner="Lee")
    with Session(book.engine) as session:
        record_email_in(
            session,
            cid,
            alert_id=None,
            subject="A gift",
            body="Here is $25 off and 10% off your next order.",
            actor="dana",
        )
        session.commit()
    with book.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT offers FROM outreach WHERE customer_id = :c"), {"c": cid}
        ).scalar_one()
    assert stored_json(stored) == {"amounts": [2500], "percents": [10.0]}
    # The report takes what was stored, not the text: C5's email says "$10 credit"; once
    # its stored offers say $40, the report counts $40 (C1's, not stored, is still read).
    with book.engine.begin() as conn:
        conn.execute(
            text("UPDATE outreach SET offers = :o WHERE customer_id = :c AND body LIKE '%credit%'"),
            {"o": json.dumps({"amounts": [4000], "percents": []}), "c": names["C5"]},
        )
    offers = report(book).offers
    assert (offers.money_offers, offers.money_offer_cents, offers.percent_offers) == (1, 4000, 1)
    assert offers.with_offer.customer_ids == names.of("C1", "C5")
