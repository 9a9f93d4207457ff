"""The effectiveness report's headline in words: raised, lowered, no clear effect, or not
enough data yet, with the interval and the sample sizes."""

from __future__ import annotations

from dataclasses import replace

from services.learn.lift import proportion_lift
from services.learn.records import (
    Customers,
    GroupRate,
    Lift,
    Revenue,
    SetAside,
    Slice,
    TimeToReengagement,
)
from services.learn.wording import headline, interval, points


def part(x1: int, n1: int, x0: int, n0: int) -> Slice:
    figures = proportion_lift(x1, n1, x0, n0)
    none = Customers(0)

    def group(x: int, n: int) -> GroupRate:
        return GroupRate(Customers(n), Customers(x), x / n if n else None)

    lift = Lift(
        group(x1, n1), group(x0, n0), figures.lift, figures.low, figures.high,
        figures.confidence, figures.enough, "" if figures.enough else "too few so far",
    )  # fmt: skip
    time = TimeToReengagement(0, None, (), (), ())
    revenue = Revenue(none, 0, None, None, None, None, None, None, None, None, False)
    return Slice("", lift, time, time, revenue, SetAside(none, none, none, none))


def test_a_clear_rise_says_raised_with_the_interval_and_sizes() -> None:
    text = headline(part(99, 412, 2, 48))
    lift = part(99, 412, 2, 48).lift
    assert text.startswith(f"Outreach raised re-engagement by {points(lift.lift)} (95% CI ")
    assert text.endswith("412 contacted vs 48 held out.")
    assert interval(lift) in text
    assert lift.low is not None
    assert lift.low > 0


def test_a_clear_fall_says_lowered() -> None:
    assert headline(part(20, 400, 30, 100)).startswith("Outreach lowered re-engagement by -")


def test_an_interval_across_zero_says_no_clear_effect() -> None:
    text = headline(part(50, 400, 11, 100))
    assert text.startswith("No clear effect yet: re-engagement ")
    assert "the interval includes zero" in text


def test_too_few_says_not_enough_data_with_the_reason() -> None:
    few = part(5, 20, 1, 10)
    assert headline(few) == "Not enough data yet: too few so far."
    empty = replace(few, lift=replace(few.lift, lift=None, not_enough_reason=""))
    assert headline(empty) == "Not enough data yet: 20 contacted vs 10 held out."


def test_a_report_without_exposures_says_there_is_nothing_to_measure() -> None:
    import datetime as dt

    from services.learn.records import AlertQuality, EffectivenessReport, Offers
    from services.learn.wording import report_headline

    none = Customers(0)
    quality = AlertQuality(90, none, none, None, none, none, None, ())
    report = EffectivenessReport(
        None, None, dt.datetime.now(dt.UTC), 30, "USD", None, part(0, 0, 0, 0), None, (), (),
        quality, Offers(0, none, 0, 0, 0), 0,
    )  # fmt: skip
    assert report_headline(report).startswith("Nothing to measure yet: no alert of this")
    measured = replace(report, exposures=510, overall=part(99, 412, 2, 48))
    assert report_headline(measured) == headline(measured.overall)
