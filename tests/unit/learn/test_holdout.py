"""Learn's holdout: drawn once when an alert is raised, stratified by risk band, from a seed
(services/alerts/holdout.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pytest
from sqlalchemy import text

from services.alerts.contact import log_call
from services.alerts.holdout import (
    HOLDOUT_RULES,
    HoldoutConfig,
    assign,
    block_shape,
    held_positions,
    risk_band,
)
from services.alerts.records import SentAs
from services.outreach.sent import record_email
from tests.support.databases import stored_json
from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book, only


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def _config(
    percent: float = 10, seed: int = 1, draws: dict[str, int] | None = None
) -> HoldoutConfig:
    return HoldoutConfig(percent=percent, seed=seed, draws=draws or {}, window_days=30)


def _fresh(n: int, rule: str = "gone_quiet", start: int = 1) -> pd.DataFrame:
    ids = list(range(start, start + n))
    return pd.DataFrame(
        {
            "customer_id": ids,
            "rule_key": rule,
            "priority_cents": [10_000 - i for i in ids],
            "tie": [1_000_003 * i % 65_537 for i in ids],
        }
    )


@pytest.mark.parametrize(
    ("percent", "shape"),
    [(10, (10, 1)), (25, (4, 1)), (12.5, (8, 1)), (33, (100, 33)), (50, (2, 1)), (7, (100, 7))],
)
def test_blocks_are_the_smallest_that_hold_the_share_exactly(
    percent: float, shape: tuple[int, int]
) -> None:
    assert block_shape(percent) == shape


def test_risk_bands_follow_the_churn_risk() -> None:
    assert [risk_band(r) for r in (0.0, 0.29, 0.3, 0.59, 0.6, 1.0, None, float("nan"))] == [
        "low", "low", "medium", "medium", "high", "high", "unscored", "unscored",
    ]  # fmt: skip


def test_equal_priorities_are_drawn_in_the_order_of_the_source_ids_not_the_row_ids() -> None:
    """The same 60 customers with one priority, imported in two orders (so with other
    internal ids): the same customers are held out, by their stable key (``tie``)."""
    keys = [f"crm\x1fC-{n:03d}" for n in range(60)]
    ties = pd.util.hash_array(pd.Series(keys).to_numpy(dtype=object))

    def frame(order: list[int]) -> pd.DataFrame:
        # Row id i + 1 goes to the customer imported i-th.
        return pd.DataFrame(
            {
                "customer_id": list(range(1, 61)),
                "rule_key": "gone_quiet",
                "priority_cents": 5_000,
                "tie": [ties[k] for k in order],
                "key": [keys[k] for k in order],
            }
        )

    def held(order: list[int]) -> set[str]:
        fresh = frame(order)
        churn = pd.Series(0.45, index=fresh["customer_id"])
        out, _, _ = assign(fresh, churn, {}, _config(percent=10, seed=3))
        return set(out.loc[out["holdout"], "key"])

    forward, backward = held(list(range(60))), held(list(reversed(range(60))))
    assert len(forward) == 6
    assert forward == backward


def test_every_band_holds_out_exactly_the_share_block_by_block() -> None:
    fresh = _fresh(600)
    # 200 customers in each band.
    churn = pd.Series(
        [0.1 if i % 3 == 0 else 0.45 if i % 3 == 1 else 0.8 for i in fresh["customer_id"]],
        index=fresh["customer_id"],
    )
    out, draws, audits = assign(fresh, churn, {}, _config())
    assert draws == {"low": 200, "medium": 200, "high": 200, "unscored": 0}
    for band in ("low", "medium", "high"):
        in_band = out[out["holdout_band"] == band]
        assert len(in_band) == 200
        assert int(in_band["holdout"].sum()) == 20
    assert len(audits) == 60
    assert {a["band"] for a in audits} == {"low", "medium", "high"}
    # Not the same position in every block: the draw is random within each block.
    assert len({a["position"] for a in audits}) > 3


def test_the_same_seed_gives_the_same_groups_and_another_seed_others() -> None:
    fresh = _fresh(300)
    churn = pd.Series(0.7, index=fresh["customer_id"])
    first, _, _ = assign(fresh, churn, {}, _config(seed=5))
    again, _, _ = assign(fresh, churn, {}, _config(seed=5))
    other, _, _ = assign(fresh, churn, {}, _config(seed=6))
    assert first["holdout"].tolist() == again["holdout"].tolist()
    assert first["holdout"].tolist() != other["holdout"].tolist()
    assert int(other["holdout"].sum()) == 30


def test_the_draw_continues_from_the_counters_of_earlier_generations() -> None:
    churn = pd.Series(0.7, index=range(1, 101))
    whole, _, _ = assign(_fresh(100), churn, {}, _config())
    first, draws, _ = assign(_fresh(37), churn, {}, _config())
    rest, after, _ = assign(_fresh(63, start=38), churn, {}, _config(draws=draws))
    assert after["high"] == 100
    assert first["holdout"].tolist() + rest["holdout"].tolist() == whole["holdout"].tolist()


def test_a_customer_keeps_the_group_of_their_active_alert() -> None:
    fresh = pd.concat([_fresh(3), _fresh(3, rule="high_risk_high_value")], ignore_index=True)
    churn = pd.Series(0.7, index=[1, 2, 3])
    out, draws, audits = assign(fresh, churn, {1: (True, "medium"), 2: (False, "high")}, _config())
    by = {(r.customer_id, r.rule_key): (r.holdout, r.holdout_band) for r in out.itertuples()}
    assert by[(1, "gone_quiet")] == (True, "medium")
    assert by[(1, "high_risk_high_value")] == (True, "medium")
    assert by[(2, "high_risk_high_value")] == (False, "high")
    # Customer 3 is drawn once for both alerts.
    assert by[(3, "gone_quiet")] == by[(3, "high_risk_high_value")]
    assert draws["high"] == 1
    # Audited once if drawn into the holdout, never for the inherited groups.
    assert [a["customer_id"] for a in audits] == ([3] if by[(3, "gone_quiet")][0] else [])
    # Everyone held out (100%): customer 3's one draw is audited once, with its band.
    out, _, audits = assign(fresh, churn, {1: (True, "medium"), 2: (False, "high")}, _config(100))
    assert [(a["customer_id"], a["band"], a["percent"]) for a in audits] == [(3, "high", 100)]
    assert out.loc[out["customer_id"] == 3, "holdout"].tolist() == [True, True]


def test_growth_and_pipeline_alerts_and_a_share_of_zero_are_in_no_group() -> None:
    assert "expansion" not in HOLDOUT_RULES
    assert "gone_quiet" in HOLDOUT_RULES
    churn = pd.Series(0.7, index=range(1, 51))
    growth, draws, _ = assign(_fresh(50, rule="expansion"), churn, {}, _config())
    assert growth["holdout_band"].isna().all()
    assert not growth["holdout"].any()
    assert draws["high"] == 0
    off, _, audits = assign(_fresh(50), churn, {}, _config(percent=0))
    assert off["holdout_band"].isna().all()
    assert not off["holdout"].any()
    assert audits == []


def test_positions_are_a_pure_function_of_seed_band_and_block() -> None:
    assert held_positions(3, "high", 7, 10, 1) == held_positions(3, "high", 7, 10, 1)
    drawn = {held_positions(3, "high", b, 10, 1) for b in range(40)}
    assert len(drawn) > 3


def _risky(book: Book, n: int, churn: float = 0.8) -> list[int]:
    only(book, "high_risk_high_value")
    book.set("alerts.daily_cap_per_owner", 0)
    ids = [book.customer(f"Risky {k}", owner="Maya", email=f"r{k}@example.com") for k in range(n)]
    book.score({c: {"churn": churn, "clv": 3000.0 + k} for k, c in enumerate(ids)})
    return ids


def test_alerts_are_raised_with_their_group_stored_and_audited(book: Book) -> None:
    _risky(book, 40)
    result = book.generate()
    alerts = book.alerts("WHERE status = 'open'")
    assert len(alerts) == result.created
    held = [a for a in alerts if a["holdout"]]
    # 40 alerts raised, all high risk: blocks of 10, one held out in each... but only
    # the top-20% by value meet the rule, so count what was raised.
    assert result.held_out == len(held) == result.created // 10
    assert {a["holdout_band"] for a in alerts} == {"high"}
    with book.engine.connect() as conn:
        audited = conn.execute(
            text("SELECT entity_id FROM audit_events WHERE action = 'alert.held_out'")
        ).scalars()
        assert sorted(audited) == sorted(a["id"] for a in held)
        draws = conn.execute(
            text("SELECT value FROM settings WHERE key = 'learn.holdout_draws'")
        ).scalar_one()
    assert stored_json(draws)["high"] == result.created
    # The next generation refreshes the same alerts: nothing is drawn again.
    again = book.generate(now=NOW + dt.timedelta(hours=2))
    assert again.created == 0
    assert again.held_out == 0
    assert [a["holdout"] for a in book.alerts("WHERE status = 'open'")] == [
        a["holdout"] for a in alerts
    ]


def test_with_the_holdout_off_alerts_are_in_no_group(book: Book) -> None:
    _risky(book, 30)
    book.set("learn.holdout_percent", 0)
    result = book.generate()
    assert result.created > 0
    assert result.held_out == 0
    assert all(a["holdout_band"] is None for a in book.alerts())


def _held_out_alert(book: Book) -> dict[str, object]:
    _risky(book, 60)
    book.generate()
    return next(a for a in book.alerts("WHERE status = 'open'") if a["holdout"])


def test_an_email_to_a_held_out_customer_takes_them_out_of_both_groups(book: Book) -> None:
    alert = _held_out_alert(book)
    when = NOW + dt.timedelta(days=2)
    record_email(
        book.engine,
        int(alert["customer_id"]),  # type: ignore[call-overload]
        alert_id=int(alert["id"]),  # type: ignore[call-overload]
        subject="Checking in",
        body="Hello",
        sent=SentAs(goal="win_back", tone="warm", variant=1, edited=True,
                    holdout_reason="They asked for a quote"),
        now=when,
    )  # fmt: skip
    after = book.alerts(f"WHERE id = {alert['id']}")[0]
    assert after["holdout"] == 1
    assert after["holdout_contact_reason"] == "They asked for a quote"
    assert after["holdout_contacted_at"] is not None
    with book.engine.connect() as conn:
        row = conn.execute(text("SELECT goal, tone, variant, edited FROM outreach")).one()
        audit = conn.execute(
            text("SELECT entity_id FROM audit_events WHERE action = 'alert.holdout_contacted'")
        ).scalar_one()
    assert tuple(row) == ("win_back", "warm", 1, 1)
    assert audit == alert["id"]


def test_a_conversation_by_phone_counts_as_contact_but_a_voicemail_does_not(book: Book) -> None:
    alert = _held_out_alert(book)
    log_call(book.engine, int(alert["id"]), "", outcome="voicemail", now=NOW)  # type: ignore[call-overload]
    assert book.alerts(f"WHERE id = {alert['id']}")[0]["holdout_contacted_at"] is None
    log_call(book.engine, int(alert["id"]), "Talked about the renewal", now=NOW)  # type: ignore[call-overload]
    after = book.alerts(f"WHERE id = {alert['id']}")[0]
    assert after["holdout_contacted_at"] is not None
    assert after["holdout_contact_reason"] == "a conversation by phone"


def test_an_email_to_a_customer_in_no_holdout_marks_nothing(book: Book) -> None:
    _risky(book, 60)
    book.generate()
    alert = next(a for a in book.alerts("WHERE status = 'open'") if not a["holdout"])
    record_email(
        book.engine, int(alert["customer_id"]), alert_id=int(alert["id"]), subject="Hi", now=NOW
    )
    assert all(a["holdout_contacted_at"] is None for a in book.alerts())


def test_the_list_and_the_detail_say_which_alerts_are_held_out(book: Book) -> None:
    from services.alerts.detail import HOLDOUT_STEP, alert_detail
    from services.alerts.queries import alert_columns

    alert = _held_out_alert(book)
    columns = alert_columns(book.engine, now=NOW)
    flags = dict(zip(columns["id"].tolist(), columns["holdout"].tolist(), strict=True))
    assert flags[alert["id"]] is True
    assert sum(flags.values()) == sum(
        1 for a in book.alerts("WHERE status = 'open'") if a["holdout"]
    )
    detail = alert_detail(book.engine, int(alert["id"]), now=NOW)  # type: ignore[call-overload]
    assert detail.holdout
    assert detail.recommendation == HOLDOUT_STEP
    assert any("Held out for measuring" in e.what for e in detail.history)
    record_email(
        book.engine,
        int(alert["customer_id"]),  # type: ignore[call-overload]
        alert_id=int(alert["id"]),  # type: ignore[call-overload]
        subject="Hello",
        sent=SentAs(holdout_reason="asked for a quote"),
        now=NOW + dt.timedelta(days=1),
    )
    after = alert_detail(book.engine, int(alert["id"]), now=NOW + dt.timedelta(days=1))  # type: ignore[call-overload]
    assert not after.holdout
    assert after.holdout_contacted is not None
    assert "asked for a quote" in after.holdout_contacted
    assert after.recommendation != HOLDOUT_STEP
    columns = alert_columns(book.engine, now=NOW + dt.timedelta(days=1))
    assert int(alert["id"]) not in columns["id"][columns["holdout"]].tolist()


def test_a_held_back_alert_a_user_raises_is_drawn_then(book: Book) -> None:
    from services.alerts.actions import apply_alert_action

    _risky(book, 60)
    book.set("alerts.daily_cap_per_owner", 1)
    # Warnings are capped (critical ones never are): make the rule's alerts warnings.
    book.set("alerts.high_risk_high_value.severity", "warning")
    book.set("learn.holdout_percent", 50)
    book.generate()
    held_back = book.alerts("WHERE status = 'held_back'")
    assert held_back
    assert all(a["holdout_band"] is None for a in held_back)
    raised = []
    for alert in held_back:
        apply_alert_action(book.engine, alert["id"], "raise", actor="Maya")
        raised.append(book.alerts(f"WHERE id = {alert['id']}")[0])
    assert {a["holdout_band"] for a in raised} == {"high"}
    out = [a["id"] for a in raised if a["holdout"]]
    # Blocks of two, one held out each: about half of those raised.
    assert abs(len(out) - len(raised) / 2) <= 1
    with book.engine.connect() as conn:
        audited = conn.execute(
            text("SELECT entity_id FROM audit_events WHERE action = 'alert.held_out'")
        ).scalars()
        assert set(out) <= set(audited)


def test_the_alerts_export_carries_the_group_and_the_contact_anyway(book: Book) -> None:
    from services.alerts.queries import alerts_export_frame

    alert = _held_out_alert(book)
    record_email(
        book.engine,
        int(alert["customer_id"]),  # type: ignore[call-overload]
        alert_id=int(alert["id"]),  # type: ignore[call-overload]
        subject="Hello",
        now=NOW + dt.timedelta(days=1),
    )
    frame = alerts_export_frame(book.engine, now=NOW + dt.timedelta(days=1))
    rows = frame.set_index("alert_id")
    assert rows.loc[alert["id"], "learn_group"] == "holdout"
    assert pd.notna(rows.loc[alert["id"], "holdout_contacted_at"])
    others = rows.drop(index=alert["id"])["holdout_contacted_at"]
    assert others.isna().all()
    groups = {a["id"]: "holdout" if a["holdout"] else "outreach" for a in book.alerts()}
    assert rows["learn_group"].to_dict() == groups
