"""Offer-size and channel experiments where outreach is written: the composer and Draft
for all use the strategy's offer cap in place of the setting (no offer at 0%), the
prompt says so, and the next step names the cap or the channel."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from services.alerts.detail import alert_detail
from services.alerts.experiment_records import ExperimentError
from services.alerts.experiments import (
    ExperimentSpec,
    Strategy,
    end_experiment,
    start_experiment,
    strategy_for_alert,
)
from services.outreach.batch import create_batch, draft_batch, load_batch
from services.outreach.composer_text import incentive_words
from services.outreach.composing import prepare_composer
from services.outreach.prompt import incentive_line
from services.settings import set_setting
from tests.unit.alerts.test_alerts_rules import NOW, Book, at, make_book
from tests.unit.outreach.test_experiment_strategy import risk_alerts, start

OFFERS = (Strategy("0", "No offer", "0"), Strategy("15", "Up to 15% of the value", "15"))
CHANNELS = (
    Strategy("email", "Email", "email"),
    Strategy("call", "Call", "call"),
    Strategy("meeting", "Meeting", "meeting"),
)


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def test_the_composer_uses_the_strategy_cap_in_place_of_the_setting(book: Book) -> None:
    alerts = risk_alerts(book, 4)  # each customer's 12-month value: $100
    with Session(book.engine) as s, s.begin():
        set_setting(s, "outreach.incentive_cap_percent", 10)
    experiment = start(book, "offer", OFFERS)
    seen = set()
    with Session(book.engine) as s:
        for cid, alert_id in alerts.items():
            strategy = strategy_for_alert(s, alert_id)
            assert strategy is not None
            ctx = prepare_composer(
                s, cid, alert_id=alert_id, find_alert=False, goal=None, tone=None, now=NOW
            ).request.context
            seen.add(strategy.value)
            if strategy.value == "0":
                assert ctx.incentive_cap_cents is None
                assert ctx.incentive_cap_percent == 0
                assert incentive_words(ctx) == (
                    'No offers: experiment "Test" makes no offer to this customer.'
                )
                assert incentive_line(ctx).startswith("Incentive: make no offer")
            else:
                assert ctx.incentive_cap_cents == 1500  # 15% of $100, not the setting's 10%
                assert incentive_words(ctx) == (
                    "Any offer stays at or under $15 (15% of the predicted 12-month value, "
                    'the cap of experiment "Test").'
                )
                assert "at most $15" in incentive_line(ctx)
    assert seen == {"0", "15"}
    end_experiment(book.engine, experiment, now=at(0.5))
    with Session(book.engine) as s:
        cid, alert_id = next(iter(alerts.items()))
        ctx = prepare_composer(
            s, cid, alert_id=alert_id, find_alert=False, goal=None, tone=None, now=NOW
        ).request.context
    assert (ctx.incentive_cap_cents, ctx.offer_from) == (1000, "")  # the setting again


def test_draft_for_all_keeps_within_the_strategy_cap(book: Book) -> None:
    alerts = risk_alerts(book, 4)
    start(book, "offer", OFFERS)
    batch_id = create_batch(book.engine, list(alerts.values()), offline=True, now=NOW)
    draft_batch(book.engine, batch_id, now=NOW)
    view = load_batch(book.engine, batch_id)
    with Session(book.engine) as s:
        caps = {a: strategy_for_alert(s, a).value for a in alerts.values()}  # type: ignore[union-attr]
    assert sorted(caps.values()) == ["0", "0", "15", "15"]
    for row in view.rows:
        assert row.state == "drafted"
        assert row.checks == ()  # within the cap the draft was written to
        offers = "off your next order" in row.body
        assert offers == (caps[row.alert_id] == "15"), row.body


def test_the_next_step_names_the_offer_cap(book: Book) -> None:
    alerts = risk_alerts(book, 4)
    start(book, "offer", OFFERS)
    words = set()
    with Session(book.engine) as s:
        caps = {a: strategy_for_alert(s, a).value for a in alerts.values()}  # type: ignore[union-attr]
    for alert_id, cap in caps.items():
        detail = alert_detail(book.engine, alert_id, now=NOW).recommendation.detail
        if cap == "0":
            assert 'Experiment "Test": No offer (chosen at random' in detail
            assert "Make no offer: the email composer and Draft for all offer nothing." in detail
            assert "If an incentive helps" not in detail  # the step itself offers nothing
        else:
            assert "Any offer stays at or under 15% of the predicted value" in detail
            # The step's own words use the strategy's cap, not the setting's 10%.
            assert "keep it at or under $15 (15% of their" in detail
        words.add(cap)
    assert words == {"0", "15"}


def test_the_next_step_names_the_channel_and_where_to_record_it(book: Book) -> None:
    alerts = risk_alerts(book, 6)
    start(book, "channel", CHANNELS)
    expected = {
        "email": ("email this customer", "Draft email (E)"),
        "call": ("call this customer", "Log a call (C)"),
        "meeting": ("meet this customer", "Schedule a meeting… (M)"),
    }
    with Session(book.engine) as s:
        channels = {a: strategy_for_alert(s, a).value for a in alerts.values()}  # type: ignore[union-attr]
        # A channel sets no goal nor tone: the composer starts as it would without it.
        cid, alert_id = next(iter(alerts.items()))
        prepared = prepare_composer(
            s, cid, alert_id=alert_id, find_alert=False, goal=None, tone=None, now=NOW
        )
        assert prepared.request.context.tone == "warm"  # the default tone setting
    assert sorted(channels.values()) == ["call", "call", "email", "email", "meeting", "meeting"]
    for alert_id, channel in channels.items():
        step = alert_detail(book.engine, alert_id, now=NOW).recommendation
        assert step.channel == channel  # the action pane marks its button
        detail = step.detail
        does, where = expected[channel]
        assert f'Experiment "Test": {does} (chosen at random for this alert).' in detail
        assert where in detail


@pytest.mark.parametrize(
    ("kind", "value", "words"),
    [
        ("offer", "lots", "An offer cap is a percent"),
        ("offer", "150", "from 0 to 100"),
        ("channel", "fax", "Unknown channel: fax."),
    ],
)
def test_a_strategy_value_that_cannot_be_used_is_refused(
    book: Book, kind: str, value: str, words: str
) -> None:
    good = OFFERS[0] if kind == "offer" else CHANNELS[0]
    spec = ExperimentSpec(
        "Bad", kind, (good, Strategy("x", "X", value)), ("gone_quiet",), ("medium",)
    )
    with pytest.raises(ExperimentError, match=words):
        start_experiment(book.engine, spec, now=at(1))


def test_draft_for_all_leaves_out_the_alerts_given_a_call_or_a_meeting(book: Book) -> None:
    alerts = risk_alerts(book, 6)
    start(book, "channel", CHANNELS)
    with Session(book.engine) as s:
        channels = {a: strategy_for_alert(s, a).value for a in alerts.values()}  # type: ignore[union-attr]
    batch_id = create_batch(book.engine, list(alerts.values()), offline=True, now=NOW)
    view = load_batch(book.engine, batch_id)
    states = {r.alert_id: (r.state, r.skip_reason) for r in view.rows}
    assert len(states) == 6
    for alert_id, channel in channels.items():
        if channel == "email":
            assert states[alert_id] == ("queued", None)
        else:
            words = "a call" if channel == "call" else "a meeting"
            assert states[alert_id] == ("skipped", f'Experiment "Test": {words} instead')
