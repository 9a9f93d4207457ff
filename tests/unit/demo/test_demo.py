"""The demo generator: deterministic, sane, carrying real churn signal, and safe to run."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace, to_url
from models.errors import UserFacingError, WorkspaceError
from models.schema import (
    INTERACTION_KINDS,
    ORDER_STATUSES,
    Alert,
    AuditEvent,
    Customer,
    Interaction,
    Opportunity,
    Order,
    Subscription,
)
from services.demo import (
    OWNERS,
    REFUSAL,
    DemoCancelled,
    DemoSummary,
    build_demo,
    is_demo_workspace,
)
from services.demo.truth import demo_truths
from services.settings import get_setting

TODAY = dt.date(2025, 6, 15)
MIDNIGHT = pd.Timestamp(TODAY)
# Every table build_demo owns, except audit_events whose row carries the build time.
COMPARED_TABLES = (
    "customers", "orders", "interactions", "opportunities", "subscriptions", "usage_days",
)  # fmt: skip


def _open(path: Path) -> Workspace:
    return open_workspace(to_url(str(path)), backup=False)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = _open(tmp_path / "demo.radar.sqlite")
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, DemoSummary]]:
    ws = _open(tmp_path_factory.mktemp("small") / "demo.radar.sqlite")
    summary = build_demo(ws.engine, customers=300, seed=11, today=TODAY)
    yield ws, summary
    ws.close()


@pytest.fixture(scope="module")
def default_size(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = _open(tmp_path_factory.mktemp("default") / "demo.radar.sqlite")
    build_demo(ws.engine, customers=2000, seed=7, today=TODAY)
    yield ws
    ws.close()


def _frame(ws: Workspace, sql: str) -> pd.DataFrame:
    with ws.engine.connect() as conn:
        return pd.read_sql(text(sql), conn)


def _dump(ws: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    with ws.engine.connect() as conn:
        return {
            t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY id"))]
            for t in COMPARED_TABLES
        }


def _count(ws: Workspace, model: type[Any]) -> int:
    with Session(ws.engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


# ----------------------------------------------------------------- counts and ranges


def test_summary_matches_the_rows_written(small: tuple[Workspace, DemoSummary]) -> None:
    ws, summary = small
    assert summary.customers == _count(ws, Customer) == 300
    assert summary.orders == _count(ws, Order)
    assert summary.interactions == _count(ws, Interaction)
    assert summary.opportunities == _count(ws, Opportunity)
    assert summary.subscriptions == _count(ws, Subscription)
    # About ten orders per customer over three years.
    assert 7 * 300 < summary.orders < 13 * 300
    assert summary.owners == OWNERS
    assert len(set(summary.owners)) == 5
    assert (summary.seed, summary.today) == (11, TODAY)


def test_marks_the_workspace_as_demo_and_audits_it(small: tuple[Workspace, DemoSummary]) -> None:
    ws, _ = small
    with Session(ws.engine) as s:
        assert is_demo_workspace(s)
        marker = get_setting(s, "workspace.demo")
        truths = demo_truths(s)
        home = get_setting(s, "workspace.home_currency")
        events = s.scalars(select(AuditEvent).where(AuditEvent.entity_type != "alert")).all()
    assert home == "USD"  # the demo's money is in US dollars
    assert marker["customers"] == 300
    assert marker["seed"] == 11
    assert marker["today"] == "2025-06-15"
    dt.datetime.fromisoformat(marker["built_at"])
    # One event for the build (the past alerts' own audit trail aside).
    assert [e.action for e in events] == ["demo_built"]
    assert events[0].details is not None
    assert events[0].details["orders"] > 0
    assert events[0].details["alerts"] == truths["outreach"]["alerts"] > 0
    # The simulated truth is kept in a table of its own, the marker stays small.
    assert set(truths) == {"outreach", "usage", "renewals", "calls", "people"}
    assert set(marker) == {"customers", "seed", "today", "built_at"}


def test_fresh_workspace_is_not_a_demo(workspace: Workspace) -> None:
    with Session(workspace.engine) as s:
        assert not is_demo_workspace(s)


def test_orders_cover_three_years_and_stop_before_today(
    small: tuple[Workspace, DemoSummary],
) -> None:
    ws, _ = small
    orders = _frame(ws, "SELECT * FROM orders")
    when = pd.to_datetime(orders.order_date)
    assert when.max() < MIDNIGHT
    assert when.max() >= MIDNIGHT - pd.Timedelta(days=7)
    three_years = MIDNIGHT - pd.Timedelta(days=3 * 365)
    assert three_years <= when.min() <= three_years + pd.Timedelta(days=30)
    assert when.dt.hour.between(7, 22).all()  # shop hours, not the middle of the night
    assert orders.amount_cents.map(type).eq(int).all()
    assert (orders.amount_cents > 0).all()
    assert orders.amount_cents.between(12_00, 2500_00).all()
    assert set(orders.status) <= set(ORDER_STATUSES)
    assert (orders.status == "paid").mean() > 0.9
    assert set(orders.currency) == {"USD"}
    assert set(orders.channel) == {"online", "store", "app"}
    assert len(set(orders.category)) == 8
    assert (orders["items"] >= 1).all()
    assert orders.external_id.is_unique
    assert orders.external_id.str.fullmatch(r"#\d+").all()
    # Pending orders are the ones still in flight, never old ones.
    pending = when[orders.status == "pending"]
    assert (pending >= MIDNIGHT - pd.Timedelta(days=4)).all()


def test_people_look_real_and_fictional(small: tuple[Workspace, DemoSummary]) -> None:
    ws, _ = small
    c = _frame(ws, "SELECT * FROM customers")
    assert c.email.is_unique
    assert c.external_id.is_unique
    assert c.email.str.fullmatch(r"[a-z]+\.[a-z]+\d+@example\.(com|org|net)").all()
    assert (c.email == c.email_normalized).all()
    assert c.name.nunique() > 250  # hundreds of first/last combinations
    phones = c.phone.dropna()
    assert 0.5 < len(phones) / len(c) < 0.9
    assert phones.str.fullmatch(r"\(\d{3}\) 555-01\d\d").all()
    assert set(c.owner) == set(OWNERS)
    assert set(c.tier) <= {"Bronze", "Silver", "Gold", "Platinum"}
    assert c.tier.nunique() >= 3
    assert set(c.region) <= {"Northeast", "Southeast", "Midwest", "Southwest", "West"}
    assert 0 < c.do_not_contact.mean() < 0.1
    first = _frame(ws, "SELECT customer_id, MIN(order_date) AS first FROM orders GROUP BY 1")
    joined = c.merge(first, left_on="id", right_on="customer_id")
    assert len(joined) == len(c)  # everyone bought at least once
    assert (pd.to_datetime(joined.signup_date) <= pd.to_datetime(joined["first"])).all()


def test_tiers_follow_spend(small: tuple[Workspace, DemoSummary]) -> None:
    ws, _ = small
    spend = _frame(
        ws,
        "SELECT c.tier, SUM(o.amount_cents) AS spend FROM customers c JOIN orders o "
        "ON o.customer_id = c.id WHERE o.status = 'paid' GROUP BY c.id",
    )
    median = spend.groupby("tier").spend.median()
    ranked = [t for t in ("Bronze", "Silver", "Gold", "Platinum") if t in median.index]
    assert list(median[ranked]) == sorted(median[ranked])


def test_interactions_use_the_schema_vocabulary(small: tuple[Workspace, DemoSummary]) -> None:
    ws, _ = small
    i = _frame(ws, "SELECT * FROM interactions")
    assert set(i.kind) <= set(INTERACTION_KINDS)
    assert {"email_sent", "email_open", "email_click", "ticket", "review"} <= set(i.kind)
    assert pd.to_datetime(i.occurred_at).max() < MIDNIGHT
    tickets = i[i.kind == "ticket"]
    assert set(tickets.status) <= {"solved", "open", "pending"}
    assert set(tickets.satisfaction) <= {"good", "bad", "offered", "unoffered"}
    assert tickets.subject.notna().all()
    assert tickets.text.notna().all()
    assert (tickets.satisfaction[tickets.status != "solved"] == "unoffered").all()
    reviews = i[i.kind == "review"]
    assert reviews.rating.between(1, 5).all()
    assert reviews.text.notna().all()
    assert reviews.sentiment.between(-1, 1).all()
    assert (reviews.sentiment[reviews.rating >= 4] > 0).all()
    assert (reviews.sentiment[reviews.rating <= 2] < 0).all()
    sent = i[i.kind == "email_sent"]
    assert sent.subject.notna().all()
    assert (sent.channel == "email").all()
    nps = i[i.kind == "nps"]  # the NPS survey (services/demo/surveys.py)
    assert len(nps) > 300  # quarterly invitations, about half answered
    assert nps.rating.between(0, 10).all()
    assert (nps.rating == nps.rating.round()).all()
    assert (nps.channel == "survey").all()
    ids = i.external_id.dropna()
    assert ids.is_unique
    assert len(ids) == len(tickets) + len(reviews) + len(nps)


def test_deals_and_memberships_are_plausible(small: tuple[Workspace, DemoSummary]) -> None:
    ws, _ = small
    o = _frame(ws, "SELECT * FROM opportunities")
    assert set(o.stage) <= {
        "Prospecting", "Qualified", "Proposal", "Negotiation", "Closed Won", "Closed Lost",
    }  # fmt: skip
    assert (o.won <= o.closed).all()
    assert (pd.to_datetime(o.stage_changed_at) >= pd.to_datetime(o.created_at)).all()
    assert (pd.to_datetime(o.created_at) < MIDNIGHT).all()
    assert (o.amount_cents > 0).all()
    assert o.probability.between(0, 1).all()
    s = _frame(ws, "SELECT * FROM subscriptions")
    assert set(s.status) <= {"active", "canceled", "past_due"}
    canceled = s[s.status == "canceled"]
    assert canceled.canceled_at.notna().all()
    assert s[s.status != "canceled"].canceled_at.isna().all()
    assert (pd.to_datetime(s.current_period_end) > pd.to_datetime(s.started_at)).all()
    active = s[s.status == "active"]
    assert (pd.to_datetime(active.current_period_end) > MIDNIGHT).all()


def test_default_today_is_the_current_date(workspace: Workspace) -> None:
    summary = build_demo(workspace.engine, customers=20)
    assert summary.today == dt.date.today()
    latest = _frame(workspace, "SELECT MAX(order_date) AS latest FROM orders").latest[0]
    assert pd.Timestamp(latest) < pd.Timestamp(dt.date.today())


def test_needs_at_least_one_customer(workspace: Workspace) -> None:
    with pytest.raises(UserFacingError):
        build_demo(workspace.engine, customers=0, today=TODAY)
    assert _count(workspace, Customer) == 0


def test_tiny_demo_still_builds(workspace: Workspace) -> None:
    summary = build_demo(workspace.engine, customers=3, seed=1, today=TODAY)
    assert summary.customers == _count(workspace, Customer) == 3


# ------------------------------------------------------------------------ determinism


def test_same_seed_gives_identical_rows(tmp_path: Path) -> None:
    dumps = []
    for name in ("a", "b"):
        ws = _open(tmp_path / f"{name}.radar.sqlite")
        try:
            build_demo(ws.engine, customers=200, seed=5, today=TODAY)
            dumps.append(_dump(ws))
        finally:
            ws.close()
    assert all(dumps[0][t] for t in COMPARED_TABLES)
    assert dumps[0] == dumps[1]


def test_different_seed_or_day_gives_different_rows(tmp_path: Path) -> None:
    dumps = []
    for name, seed, today in (("a", 5, TODAY), ("b", 6, TODAY), ("c", 5, dt.date(2025, 1, 2))):
        ws = _open(tmp_path / f"{name}.radar.sqlite")
        try:
            build_demo(ws.engine, customers=200, seed=seed, today=today)
            dumps.append(_dump(ws))
        finally:
            ws.close()
    for other in dumps[1:]:
        assert dumps[0]["customers"] != other["customers"]
        assert dumps[0]["orders"] != other["orders"]


# ------------------------------------------------------------------------------ signal


def _per_customer(ws: Workspace) -> pd.DataFrame:
    customers = _frame(ws, "SELECT id, attributes FROM customers").set_index("id")
    customers["archetype"] = customers.attributes.map(lambda a: json.loads(a)["demo_archetype"])
    # Customers the simulated past outreach (services/demo/outreach.py) brought back.
    customers["won_back"] = customers.attributes.map(
        lambda a: json.loads(a).get("demo_outreach", {}).get("reengaged", False)
    )
    orders = _frame(ws, "SELECT customer_id, order_date FROM orders")
    orders["order_date"] = pd.to_datetime(orders.order_date)
    last = orders.groupby("customer_id").order_date.max()
    customers["recency"] = (MIDNIGHT - last).dt.days
    customers["first_recency"] = (MIDNIGHT - orders.groupby("customer_id").order_date.min()).dt.days
    customers["orders"] = orders.groupby("customer_id").size()
    kinds = _frame(ws, "SELECT customer_id, kind, satisfaction, rating FROM interactions")
    by_kind = kinds.pivot_table(index="customer_id", columns="kind", aggfunc="size", fill_value=0)
    for kind in ("email_sent", "email_open", "email_click", "unsubscribe"):
        customers[kind] = by_kind[kind].reindex(customers.index, fill_value=0)
    bad = kinds[(kinds.kind == "ticket") & (kinds.satisfaction == "bad")]
    customers["bad_tickets"] = bad.groupby("customer_id").size().reindex(customers.index).fillna(0)
    reviews = kinds[kinds.kind == "review"]
    customers["rating"] = reviews.groupby("customer_id").rating.mean()
    orders = orders.sort_values(["customer_id", "order_date"])
    orders["gap"] = orders.groupby("customer_id").order_date.diff().dt.days
    customers["gap"] = orders.groupby("customer_id").gap.median()
    return customers


@pytest.fixture(scope="module")
def behaviour(default_size: Workspace) -> pd.DataFrame:
    return _per_customer(default_size)


def test_customers_gone_quiet_show_the_warning_signs(behaviour: pd.DataFrame) -> None:
    c = behaviour
    recent, quiet = c[c.recency <= 60], c[c.recency > 120]
    assert len(recent) > 500
    assert len(quiet) > 500

    def open_rate(group: pd.DataFrame) -> float:
        return float(group.email_open.sum() / group.email_sent.sum())

    def bad_rate(group: pd.DataFrame) -> float:
        return float((group.bad_tickets > 0).mean())

    # Real numbers at seed 7: bad-ticket share 0.05 vs 0.26, open rate 0.42 vs 0.18,
    # mean rating 4.3 vs 2.9, unsubscribed 3% vs 10%.
    assert bad_rate(quiet) > 2.5 * bad_rate(recent)
    assert open_rate(quiet) < 0.7 * open_rate(recent)
    assert c.loc[quiet.index, "rating"].mean() < c.loc[recent.index, "rating"].mean() - 0.4
    assert (quiet.unsubscribe > 0).mean() > 2 * (recent.unsubscribe > 0).mean()


def test_archetypes_behave_as_named(behaviour: pd.DataFrame) -> None:
    c = behaviour
    by = c.groupby("archetype")
    share = by.size() / len(c)
    assert share.round(2).to_dict() == {
        "vip": 0.04, "loyal": 0.16, "seasonal": 0.12, "occasional": 0.2, "new": 0.08,
        "one_time": 0.14, "lapsing": 0.12, "churned": 0.14,
    }  # fmt: skip
    assert (by.get_group("new").first_recency <= 70).all()
    assert (by.get_group("one_time").orders == 1).all()
    # Their own history ends long ago; only a simulated re-engagement order (in the
    # past outreach's 30-day windows, which close before today) is more recent.
    lapsing, churned = by.get_group("lapsing"), by.get_group("churned")
    assert lapsing[~lapsing.won_back].recency.between(120, 300).all()
    assert (churned[~churned.won_back].recency > 365).all()
    assert (c[c.won_back].recency <= 185).all()
    assert by.get_group("vip").recency.median() < 30
    # VIPs buy most often and open the most mail; leavers bought at ever longer gaps.
    assert by.orders.mean().idxmax() == "vip"
    open_rate = by.email_open.sum() / by.email_sent.sum()
    assert open_rate["vip"] > open_rate["loyal"] > open_rate["lapsing"] > open_rate["churned"]
    assert by.get_group("lapsing").gap.median() > by.get_group("loyal").gap.median()


def test_lapsing_gaps_lengthen_before_they_stop(default_size: Workspace) -> None:
    orders = _frame(
        default_size,
        "SELECT o.customer_id, o.order_date FROM orders o JOIN customers c ON c.id = o.customer_id "
        "WHERE c.attributes LIKE '%\"lapsing\"%' ORDER BY o.customer_id, o.order_date",
    )
    orders["order_date"] = pd.to_datetime(orders.order_date)
    gaps = orders.groupby("customer_id").order_date.diff().dt.days
    orders["gap"] = gaps
    orders["half"] = orders.groupby("customer_id").cumcount() >= (
        orders.groupby("customer_id").order_date.transform("size") / 2
    )
    early, late = orders[~orders.half].gap.median(), orders[orders.half].gap.median()
    assert late > 1.5 * early


def test_seasonal_buyers_cluster_in_spring_and_the_holidays(default_size: Workspace) -> None:
    orders = _frame(
        default_size,
        "SELECT o.order_date FROM orders o JOIN customers c ON c.id = o.customer_id "
        "WHERE c.attributes LIKE '%\"seasonal\"%'",
    )
    month = pd.to_datetime(orders.order_date).dt.month
    assert month.isin([3, 4, 5, 11, 12]).mean() > 0.85


def test_pipeline_has_stalled_deals_and_leavers_cancel_memberships(
    default_size: Workspace, behaviour: pd.DataFrame
) -> None:
    o = _frame(default_size, "SELECT stage, stage_changed_at FROM opportunities")
    assert set(o.stage) == {
        "Prospecting", "Qualified", "Proposal", "Negotiation", "Closed Won", "Closed Lost",
    }  # fmt: skip
    idle = (MIDNIGHT - pd.to_datetime(o.stage_changed_at)).dt.days
    assert (o.stage.isin(["Qualified", "Proposal"]) & (idle >= 28)).sum() >= 3
    s = _frame(default_size, "SELECT customer_id, status FROM subscriptions")
    s["archetype"] = s.customer_id.map(behaviour.archetype)
    canceled = (s.status == "canceled").groupby(s.archetype.isin(["lapsing", "churned"])).mean()
    assert canceled[True] > 2 * canceled[False]


# -------------------------------------------------------------------- safety of writes


def test_rebuild_replaces_everything(workspace: Workspace) -> None:
    build_demo(workspace.engine, customers=150, seed=1, today=TODAY)
    second = build_demo(workspace.engine, customers=120, seed=2, today=TODAY)
    assert _count(workspace, Customer) == 120
    assert _count(workspace, Order) == second.orders
    assert _count(workspace, Interaction) == second.interactions
    assert _count(workspace, Opportunity) == second.opportunities
    assert _count(workspace, Subscription) == second.subscriptions
    # One "demo built" event, and the audit trail of this build's past alerts only.
    with Session(workspace.engine) as s:
        events = s.execute(select(AuditEvent.action, AuditEvent.entity_id)).all()
        alerts = set(s.scalars(select(Alert.id)))
    assert [a for a, _ in events].count("demo_built") == 1
    trail = [e for a, e in events if a != "demo_built"]
    assert trail
    assert set(trail) == alerts
    dupes = _frame(
        workspace,
        "SELECT external_id FROM orders GROUP BY external_id HAVING COUNT(*) > 1 "
        "UNION ALL SELECT email FROM customers GROUP BY email HAVING COUNT(*) > 1",
    )
    assert dupes.empty
    with Session(workspace.engine) as s:
        assert get_setting(s, "workspace.demo")["seed"] == 2


def test_refuses_to_overwrite_real_data(workspace: Workspace) -> None:
    with Session(workspace.engine) as s, s.begin():
        s.add(Customer(name="Real Person", email="real@example.com", source="shopify"))
    with pytest.raises(WorkspaceError) as info:
        build_demo(workspace.engine, customers=50, today=TODAY)
    assert str(info.value) == REFUSAL
    assert "--db PATH" in str(info.value)
    with Session(workspace.engine) as s:
        names = s.scalars(select(Customer.name)).all()
        assert names == ["Real Person"]
        assert not is_demo_workspace(s)
    assert _count(workspace, Order) == 0


def test_cancel_while_writing_keeps_the_previous_demo(workspace: Workspace) -> None:
    build_demo(workspace.engine, customers=150, seed=1, today=TODAY)
    before = _dump(workspace)
    seen: list[float] = []

    def cancelled() -> bool:
        # Cancel once rows are being written, so the rollback has real work to undo.
        return bool(seen) and seen[-1] > 0.5

    with pytest.raises(DemoCancelled):
        build_demo(
            workspace.engine,
            customers=400,
            seed=2,
            today=TODAY,
            progress=lambda f, _m: seen.append(f),
            cancelled=cancelled,
        )
    assert seen[-1] > 0.5
    assert _dump(workspace) == before
    with Session(workspace.engine) as s:
        assert get_setting(s, "workspace.demo")["seed"] == 1


def test_cancel_at_the_start_writes_nothing(workspace: Workspace) -> None:
    with pytest.raises(DemoCancelled):
        build_demo(workspace.engine, customers=50, today=TODAY, cancelled=lambda: True)
    assert _count(workspace, Customer) == 0
    with Session(workspace.engine) as s:
        assert not is_demo_workspace(s)


def test_progress_runs_from_start_to_finish(workspace: Workspace) -> None:
    calls: list[tuple[float, str]] = []
    build_demo(
        workspace.engine,
        customers=100,
        today=TODAY,
        progress=lambda f, m: calls.append((f, m)),
    )
    fractions = [f for f, _ in calls]
    assert len(calls) >= 5
    assert fractions == sorted(fractions)
    assert fractions[0] >= 0
    assert fractions[-1] == 1.0
    assert all(m for _, m in calls)


def test_failure_mid_write_rolls_back(workspace: Workspace) -> None:
    build_demo(workspace.engine, customers=100, seed=1, today=TODAY)
    before = _dump(workspace)

    def explode(fraction: float, _message: str) -> None:
        if fraction > 0.6:
            raise RuntimeError("disk unplugged")

    with pytest.raises(RuntimeError):
        build_demo(workspace.engine, customers=100, seed=9, today=TODAY, progress=explode)
    assert _dump(workspace) == before
