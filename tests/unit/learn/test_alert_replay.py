"""The alert replay on a hand-made history: a dozen customers with orders at known days, a
frozen end date, only the gone-quiet rule on (a rule of orders alone, so its alerts can be
worked out by hand). The alerts, precision, recall, lead times and the recency rule at the
same weekly volume are computed again here, straight from the definitions, by brute force
over the order lists - not with the replay's helpers."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterator

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Customer, Order
from services.alerts.config import read_alert_config
from services.learn.alert_replay import last_replay, replay_alerts, run_replay, save_replay
from services.learn.replay_records import report_from_dict, report_to_dict
from services.scoring.compute import read_config
from services.settings import ALERT_RULE_KEYS, set_setting

END = dt.date(2026, 3, 1)  # the latest order date: the last replayed week
H = 30  # the churn horizon set below
WEEKS = 8
END_DAY = (END - dt.date(1970, 1, 1)).days  # services.scoring.data.day_number(END)
ACTIVE = 30

# Each customer's paid orders, in days before END.
HISTORY: dict[str, list[int]] = {
    "A": list(range(-200, -99, 10)),
    "B": list(range(-160, -59, 10)),
    "C": list(range(-120, -49, 7)),
    "D": [-45],
    "E": list(range(-150, 1, 5)),
    "F": list(range(-125, -24, 10)),
    "G": list(range(-300, -199, 20)),
    "H": list(range(-90, -5, 12)),
    "I": [-80, -40, -28],
    "J": list(range(-100, -30, 15)),
    "K": [-60, -20],
    "L": list(range(-70, -34, 9)),
}
# Steady buyers the models need (at least 20 customers): never quiet, never lapsed.
HISTORY.update({f"M{k:02d}": list(range(-160 - k, 1, 2)) for k in range(10)})


def _fill(url: str, names: list[str], *, expansion: bool = False) -> None:
    """The history; only gone quiet on (and, with ``expansion``, the expansion rule too, at
    any engagement, with no daily cap, so that its alerts never crowd out gone quiet's)."""
    ws = open_workspace(url, backup=False)
    try:
        with Session(ws.engine) as s, s.begin():
            set_setting(s, "scoring.horizon_days", H, actor="test")
            set_setting(s, "alerts.cooldown_days", 0, actor="test")
            # The floor at its least, set (so the replay's choice does not apply): every
            # gone-quiet alert counts, as the definitions below compute them.
            set_setting(s, "alerts.lapse_floor_percent", 1, actor="test")
            on = {"gone_quiet", "expansion"} if expansion else {"gone_quiet"}
            for key in ALERT_RULE_KEYS:
                if key not in on:
                    set_setting(s, f"alerts.{key}.enabled", False, actor="test")
            if expansion:
                set_setting(s, "alerts.expansion.min_engagement", 0, actor="test")
                set_setting(s, "alerts.daily_cap_per_owner", 0, actor="test")
            for name in names:
                c = Customer(source="t", external_id=name, name=f"Customer {name}", owner="Maya")
                s.add(c)
                s.flush()
                s.execute(
                    insert(Order),
                    [
                        {
                            "customer_id": c.id,
                            "external_id": f"{name}{d}",
                            "source": "t",
                            "order_date": dt.datetime.combine(
                                END + dt.timedelta(days=d), dt.time(12), tzinfo=dt.UTC
                            ),
                            "amount_cents": 4000 + 100 * k,
                            "status": "paid",
                        }
                        for k, d in enumerate(reversed(HISTORY[name]))
                    ],
                )
    finally:
        ws.close()


@pytest.fixture
def engine(workspace_url: str) -> Iterator[object]:
    _fill(workspace_url, list(HISTORY))
    ws = open_workspace(workspace_url, backup=False)
    yield ws.engine
    ws.close()


# --- the definitions, by brute force ---------------------------------------------------------


def _weeks() -> list[int]:
    return [-7 * (WEEKS - 1 - k) for k in range(WEEKS)]


def _gone_quiet(days: list[int], w: int) -> bool:
    bought = sorted(d for d in set(days) if d <= w)
    if len(bought) < 2:
        return False
    gap = max(7.0, statistics.median(b - a for a, b in zip(bought, bought[1:], strict=False)))
    recency = w - bought[-1]
    return recency > 2 * gap and recency <= 365


def _lapses(days: list[int]) -> list[int]:
    out = []
    ds = sorted(set(days))
    for i, d in enumerate(ds):
        nxt = ds[i + 1] if i + 1 < len(ds) else None
        if (nxt is None or nxt - d > H) and d + H <= 0:
            out.append(d + H)
    return out


def _expected_app_alerts(*, win_back: bool = False) -> list[tuple[int, str]]:
    """Gone quiet's alerts: the early warnings (the customer bought within H of the week),
    or, with ``win_back``, those on customers already quiet for H days or more."""
    raised: list[tuple[int, str]] = []
    last: dict[str, int] = {}
    for w in _weeks():
        for name, days in HISTORY.items():
            if _gone_quiet(days, w) and (name not in last or w - last[name] >= ACTIVE):
                late = w - max(d for d in days if d <= w) >= H
                if late == win_back:
                    raised.append((w, name))
                last[name] = w
    return raised


def _measure(raised: list[tuple[int, str]]) -> dict[str, object]:
    lapses = {n: _lapses(d) for n, d in HISTORY.items()}
    judged = [(w, n) for w, n in raised if w + H <= 0]
    hits = [(w, n) for w, n in judged if any(w < p <= w + H for p in lapses[n])]
    first = {n: min(p for p in ps if _weeks()[0] < p <= 0) for n, ps in lapses.items()
             if any(_weeks()[0] < p <= 0 for p in ps)}  # fmt: skip
    leads = []
    for n, p in first.items():
        before = [w for w, m in raised if m == n and w < p <= w + H]
        if before:
            leads.append(p - min(before))
    return {
        "alerts": len(raised),
        "judged": len(judged),
        "hits": len(hits),
        "lapsed": len(first),
        "caught": len(leads),
        "lead_days": tuple(sorted(leads)),
    }


def _expected_recency(
    app: list[tuple[int, str]],
    tie: dict[str, int],
    notice: int = 0,
    value: dict[int, dict[str, float]] | None = None,
) -> list[tuple[int, str]]:
    """The recency rule at the app's weekly volume; with a ``notice``, only customers with
    at least that many days left before they lapse (recency <= H - notice); with a
    ``value`` (per week, per customer), those ranked by it instead of by quiet time."""
    picked: list[tuple[int, str]] = []
    last_pick: dict[str, int] = {}
    for w in _weeks():
        n = len({m for v, m in app if v == w})
        eligible = []
        for name, days in HISTORY.items():
            bought = [d for d in days if d <= w]
            if not bought:
                continue
            recency = w - max(bought)
            fresh = recency <= H - notice if notice else recency < H
            if fresh and (name not in last_pick or w - last_pick[name] >= ACTIVE):
                rank = -recency if value is None else -value.get(w, {}).get(name, 0.0)
                eligible.append((rank, tie[name], name))
        eligible.sort()
        for _, _, name in eligible[:n]:
            picked.append((w, name))
            last_pick[name] = w
    return picked


def _noticed(app: list[tuple[int, str]], notice: int) -> list[tuple[int, str]]:
    """The alerts raised on a customer with at least ``notice`` days left before the lapse
    point (gone quiet reads the orders: every alert here is a lapse warning)."""
    return [(w, n) for w, n in app if H - (w - max(d for d in HISTORY[n] if d <= w)) >= notice]


def _ties(engine: object) -> dict[str, int]:
    """The documented tie-break: each customer's stable hash (services.core._stable)."""
    import numpy as np

    from services.core._stable import stable_hashes

    with Session(engine) as s:  # type: ignore[call-overload]
        rows = [(int(c.id), str(c.external_id)) for c in s.query(Customer)]
        hashes = stable_hashes(s.connection(), np.array([i for i, _ in rows], np.int64))
    return {name: int(h) for (_, name), h in zip(rows, hashes.tolist(), strict=True)}


def test_the_replay_equals_the_definitions(engine: object) -> None:
    report = replay_alerts(engine, weeks=WEEKS, today=END + dt.timedelta(days=10), suggest=False)  # type: ignore[arg-type]
    assert (report.end, report.weeks, report.horizon_days) == (END, WEEKS, H)
    app = _expected_app_alerts()
    want = _measure(app)
    assert want["caught"]  # the history is not trivial
    assert want["lapsed"] > want["caught"]  # type: ignore[operator]
    for f in (report.overall, *(r for r in report.rules if r.key == "gone_quiet")):
        got = {k: getattr(f, k) for k in want}
        assert got == want
    assert report.overall.precision == pytest.approx(want["hits"] / want["judged"])  # type: ignore[operator]
    assert report.overall.recall == pytest.approx(want["caught"] / want["lapsed"])  # type: ignore[operator]
    assert report.overall.per_owner_week_mean == pytest.approx(len(app) / WEEKS, abs=1e-3)
    recency = _measure(_expected_recency(app, _ties(engine)))
    assert {k: getattr(report.recency, k) for k in recency} == recency
    # Alerts on customers already lapsed are win-back cases, in their own row: never hits.
    late = _measure(_expected_app_alerts(win_back=True))
    assert late["alerts"]
    assert not late["hits"]
    assert report.win_back is not None
    assert {k: getattr(report.win_back, k) for k in late} == late
    # Within the budget (25, above this history's weekly volume) the same early warnings.
    assert report.at_budget is not None
    assert report.recency_at_budget is not None
    assert {k: getattr(report.at_budget, k) for k in want} == want
    assert {k: getattr(report.recency_at_budget, k) for k in recency} == recency
    # Rules that read undated states are listed, with the reason.
    assert "Ticket past SLA" in report.not_replayed


def test_the_replay_is_kept_and_read_back(engine: object) -> None:
    report = replay_alerts(engine, weeks=4, today=END, suggest=False)  # type: ignore[arg-type]
    assert report_from_dict(report_to_dict(report)) == report
    save_replay(engine, report, actor="test")  # type: ignore[arg-type]
    kept, current = last_replay(engine)  # type: ignore[arg-type]
    assert kept == report
    assert current


def test_the_replay_does_not_depend_on_the_order_of_rows(
    workspace_url: str, tmp_path: object
) -> None:
    from tests.support.databases import new_workspace_url  # noqa: F401

    _fill(workspace_url, list(reversed(HISTORY)))
    ws = open_workspace(workspace_url, backup=False)
    try:
        report = replay_alerts(ws.engine, weeks=WEEKS, today=END, suggest=False)
    finally:
        ws.close()
    want = _measure(_expected_app_alerts())
    assert {k: getattr(report.overall, k) for k in want} == want


def test_the_overall_figures_and_the_recency_volume_count_the_risk_rules_only(
    workspace_url: str,
) -> None:
    """Expansion alerts are no warning of a lapse: they have their own row, but the overall
    figures (precision, recall, lead time, volume) and the recency rule's weekly volume are
    gone quiet's alone - the same as with expansion off, by the brute force above."""
    _fill(workspace_url, list(HISTORY), expansion=True)
    ws = open_workspace(workspace_url, backup=False)
    try:
        report = replay_alerts(ws.engine, weeks=WEEKS, today=END, suggest=False)
        ties = _ties(ws.engine)
    finally:
        ws.close()
    expansion = next(r for r in report.rules if r.key == "expansion")
    assert expansion.alerts > 0  # the growth rule did fire...
    app = _expected_app_alerts()
    want = _measure(app)
    assert report.overall.title == "All risk rules"
    assert {k: getattr(report.overall, k) for k in want} == want  # ...and is not counted
    assert report.overall.per_owner_week_mean == pytest.approx(len(app) / WEEKS, abs=1e-3)
    recency = _measure(_expected_recency(app, ties))
    assert {k: getattr(report.recency, k) for k in recency} == recency
    assert "risk-queue rules' early warnings only" in report.definitions


def test_within_a_budget_below_the_weekly_volume_both_rules_keep_to_it(engine: object) -> None:
    """At one alert per owner a week (below this history's weekly volume) the rules raise at
    most one new alert a week, critical or not, and the recency rule as many as they did."""
    report = replay_alerts(engine, weeks=WEEKS, budget=1, today=END, suggest=False)  # type: ignore[arg-type]
    assert report.at_budget is not None
    assert report.recency_at_budget is not None
    assert report.overall.per_owner_week_max > 1
    assert report.at_budget.per_owner_week_max == 1
    assert report.at_budget.alerts > 0
    assert report.recency_at_budget.alerts == report.at_budget.alerts
    assert report.budget_verdict is not None
    assert report.budget_verdict.startswith("Within a budget of 1 alert per owner a week")


def test_the_recency_rule_with_notice_equals_the_definitions(workspace_url: str) -> None:
    """With Lapse coming's notice at 10 days, the recency rule kept to customers with 10
    days or more left, at the early warnings' weekly volume, by brute force; the sentence
    counts the lapsing customers each warned 10 days or more ahead."""
    _fill(workspace_url, list(HISTORY))
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as s, s.begin():
            set_setting(s, "alerts.lapse_coming.notice_days", 10, actor="test")
        report = replay_alerts(ws.engine, weeks=WEEKS, today=END, suggest=False)
        ties = _ties(ws.engine)
    finally:
        ws.close()
    app = _noticed(_expected_app_alerts(), 10)
    picked = _expected_recency(app, ties, notice=10)
    want = _measure(picked)
    assert want["caught"]
    assert report.notice_days == 10
    assert report.warned_overall is not None
    assert {k: getattr(report.warned_overall, k) for k in want} == _measure(app)
    assert report.recency_notice is not None
    assert {k: getattr(report.recency_notice, k) for k in want} == want
    assert all(lead >= 10 for lead in report.recency_notice.lead_days)
    # Kept to customers with time left, it can only warn earlier than the plain rule.
    plain = _measure(_expected_recency(app, ties))
    assert picked != _expected_recency(app, ties)
    assert min(want["lead_days"]) >= 10 > min(plain["lead_days"])  # type: ignore[type-var,operator]
    warned = sum(d >= 10 for d in _measure(app)["lead_days"])  # type: ignore[attr-defined]
    assert report.notice_verdict is not None
    assert report.notice_verdict.startswith(
        f"With at least 10 days' notice, at equal weekly volume, the app's lapse warnings warned "
        f"{warned:,} lapsing customers, against {want['caught']:,} for the recency rule"
    )


def test_a_replayed_week_scores_only_the_customers_known_by_its_day(workspace_url: str) -> None:
    """Each week scores the customers known by its day (services/scoring/known.py): one who
    signs up between two replayed weeks, and one whose first order falls between them, are
    scored from the later week on, never in the earlier one."""
    _fill(workspace_url, list(HISTORY))
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as s, s.begin():
            signup = END - dt.timedelta(days=3)
            signed = Customer(source="t", external_id="N", owner="Maya", signup_date=signup)
            buyer = Customer(source="t", external_id="O", owner="Maya")
            s.add_all([signed, buyer])
            s.flush()
            ordered = dt.datetime.combine(END - dt.timedelta(days=2), dt.time(9), dt.UTC)
            s.add(
                Order(
                    customer_id=buyer.id, external_id="O1", source="t", amount_cents=4000,
                    order_date=ordered, status="paid",
                )
            )  # fmt: skip
            later = {int(signed.id), int(buyer.id)}
            scoring, config = read_config(s), read_alert_config(s)
        replay = run_replay(ws.engine, scoring, config, END, 2, lambda _f, _m: None)
    finally:
        ws.close()
    first, last = ({int(c) for c in w.inputs.customers["customer_id"]} for w in replay.weeks)
    assert len(first) == len(HISTORY)
    assert not later & first
    assert first | later == last


def test_the_value_warned_and_the_recency_rule_by_value_equal_the_definitions(
    workspace_url: str,
) -> None:
    """Within the budget, with 10 days' notice: the recency rule's customers with 10 days
    or more left ranked by their T-month value that week (by brute force), and for it and
    for the app the value warned: each lapsing customer warned 10 days or more ahead, at
    their value on the day of their first alert in the horizon before the lapse."""
    from services.learn.alert_replay import measure, week_values

    _fill(workspace_url, list(HISTORY))
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as s, s.begin():
            set_setting(s, "alerts.lapse_coming.notice_days", 10, actor="test")
        with Session(ws.engine) as s:
            scoring, config = read_config(s), read_alert_config(s)
        replay = run_replay(ws.engine, scoring, config, END, WEEKS, lambda _f, _m: None)
        report = measure(replay, budget=25, daily_cap=25)
        ties = _ties(ws.engine)
        with Session(ws.engine) as s:
            name_of = {int(c.id): str(c.external_id) for c in s.query(Customer)}
    finally:
        ws.close()
    values = {w - END_DAY: {name_of[c]: v for c, v in by.items()}
              for w, by in week_values(replay).items()}  # fmt: skip
    assert any(v > 0 for by in values.values() for v in by.values())
    app = _noticed(_expected_app_alerts(), 10)
    picked = _expected_recency(app, ties, notice=10, value=values)

    def warned_value(raised: list[tuple[int, str]]) -> int:
        total = 0
        for name, days in HISTORY.items():
            points = [p for p in _lapses(days) if _weeks()[0] < p <= 0]
            if not points:
                continue
            before = [w for w, m in raised if m == name and w < min(points) <= w + H]
            if before and min(points) - min(before) >= 10:
                total += round(values.get(min(before), {}).get(name, 0.0))
        return total

    by_value = report.value_notice_at_budget
    assert by_value is not None
    assert {k: getattr(by_value, k) for k in ("alerts", "caught", "lead_days")} == {
        k: _measure(picked)[k] for k in ("alerts", "caught", "lead_days")
    }
    assert by_value.warned_value(10) == warned_value(picked)
    assert report.warned_at_budget is not None
    assert report.warned_at_budget.warned_value(10) == warned_value(app) > 0
    assert report.queue_meets_target is not None
    assert report.budget_notice_verdict is not None
    assert "ranked by value" in report.budget_notice_verdict
    assert report_from_dict(report_to_dict(report)) == report


def test_admitting_a_replay_again_with_another_floor_equals_replaying_with_it(
    workspace_url: str,
) -> None:
    """A replay whose own choice changes the floor reports the queue the alerts will raise:
    its weeks admitted again with that floor (replay_queue.readmit) give the figures of a
    replay run with it set, and a floor above every chance leaves fewer warnings."""
    from services.alerts.worth import Worth
    from services.learn.alert_replay import measure
    from services.learn.replay_queue import readmit

    _fill(workspace_url, list(HISTORY))
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as s:
            scoring, config = read_config(s), read_alert_config(s)
        low = run_replay(ws.engine, scoring, config, END, WEEKS, lambda _f, _m: None)
        with Session(ws.engine) as s, s.begin():
            set_setting(s, "alerts.lapse_floor_percent", 99, actor="test")
        with Session(ws.engine) as s:
            high_config = read_alert_config(s)
        high = run_replay(ws.engine, scoring, high_config, END, WEEKS, lambda _f, _m: None)
    finally:
        ws.close()
    before = measure(low, budget=25, daily_cap=25).overall
    readmit(low, Worth(floor=0.99, weight=high_config.worth.weight))
    again = measure(low, budget=25, daily_cap=25).overall
    assert again == measure(high, budget=25, daily_cap=25).overall
    assert again.alerts < before.alerts
