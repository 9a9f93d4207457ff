"""The effectiveness report in words, the same on screen and on the command line: the
headline, points of lift, rates and intervals. Standard library only (views import it).
"""

from __future__ import annotations

from services.core.formatting import format_date
from services.core.money import format_money
from services.learn.claims import (
    LIFT_NO_EFFECT,
    NO_CLEAR_EFFECT,
    claim,
    no_clear_effect,
    why_unclear,
)
from services.learn.records import (
    AT_RISK_BREAKDOWNS,
    AlertQuality,
    EffectivenessReport,
    GroupRate,
    Lift,
    Revenue,
    Slice,
)


def points(value: float | None) -> str:
    """A difference of rates in percentage points: "+7.9 points"."""
    return "" if value is None else f"{value * 100:+.1f} points"


def signed(value: float | None) -> str:
    """A difference of rates as a signed number of points without the unit: "+7.9"."""
    if value is None:
        return ""
    points = round(value * 100, 1)
    return f"{points + 0.0:+.1f}"  # (+ 0.0: a rounded -0.04 reads "+0.0", never "-0.0")


def rate(value: float | None) -> str:
    """A rate as a percentage with one decimal: "20.1%" ("-" for none)."""
    return "-" if value is None else f"{value * 100:.1f}%"


def interval(lift: Lift) -> str:
    """The lift's interval: "95% CI +2.1 to +13.6"."""
    if lift.low is None or lift.high is None:
        return ""
    return f"{lift.confidence * 100:.0f}% CI {signed(lift.low)} to {signed(lift.high)}"


def lift_note(lift: Lift) -> str:
    """The lift's short note beside its figure: its interval, led by "No clear effect yet"
    when the interval includes zero ("Not enough data yet" without enough data)."""
    if not lift.enough:
        return "Not enough data yet"
    return claim(interval(lift), lift.low, lift.high, LIFT_NO_EFFECT, unclear=interval(lift))


def group_words(group: GroupRate) -> str:
    """ "20.1% of 412" """
    return f"{rate(group.rate)} of {group.customers.count:,}"


def verdict(lift: Lift) -> str:
    """What the lift says in a word or two: raised, lowered, or no clear effect yet."""
    if lift.low is not None and lift.low > 0:
        return "raised"
    if lift.high is not None and lift.high < 0:
        return "lowered"
    return "no clear effect"


def headline(part: Slice) -> str:
    """ "Outreach raised re-engagement by +7.9 points (95% CI +2.1 to +13.6), 412
    contacted vs 48 held out", or "Not enough data yet: ..." """
    lift = part.lift
    sizes = (
        f"{lift.contacted.customers.count:,} contacted vs {lift.holdout.customers.count:,} held out"
    )
    if not lift.enough or lift.lift is None:
        return f"Not enough data yet: {lift.not_enough_reason or sizes}."
    return claim(
        f"Outreach {verdict(lift)} re-engagement by {points(lift.lift)} ({interval(lift)}), "
        f"{sizes}.",
        lift.low,
        lift.high,
        LIFT_NO_EFFECT,
        unclear=(
            f"re-engagement {points(lift.lift)} ({interval(lift)}, {why_unclear('zero')}), {sizes}."
        ),
    )


def as_assigned_words(part: Slice) -> str:
    """The intention-to-treat line: every alert assigned outreach, emailed or not."""
    lift = part.as_assigned
    if lift is None:
        return ""
    text = (
        f"As assigned (intention to treat: every alert given outreach, emailed or not, "
        f"{group_words(lift.contacted)} re-engaged vs {group_words(lift.holdout)} held out): "
    )
    if not lift.enough or lift.lift is None:
        return text + f"not enough data yet ({lift.not_enough_reason or 'no groups'})."
    return text + f"{points(lift.lift)} ({interval(lift)})."


def report_headline(report: EffectivenessReport) -> str:
    """The whole report's headline: ``headline`` of the overall figures, or why there is
    nothing to measure yet."""
    if report.exposures == 0:
        return (
            "Nothing to measure yet: no alert of this period was raised with the holdout "
            "on, so there are no contacted and held-out customers to compare."
        )
    return headline(report.overall)


def period_words(report: EffectivenessReport) -> str:
    """ "Mar 1, 2026 to Jun 30, 2026", "since Mar 1, 2026", "all time" """
    since, until = report.since, report.until
    if since and until:
        return f"{format_date(since)} to {format_date(until)}"
    if since:
        return f"since {format_date(since)}"
    if until:
        return f"up to {format_date(until)}"
    return "all time"


def money(report: EffectivenessReport, cents: float | None) -> str:
    """Home-currency money of the report: "$12,400" ("-" for none)."""
    text = format_money(cents, report.currency, decimals=0)
    return text or "-"


def incremental_clear(revenue: Revenue) -> bool:
    """Whether the incremental revenue's interval excludes no effect ($0)."""
    low, high = revenue.incremental_low_cents, revenue.incremental_high_cents
    return not no_clear_effect(low, high, LIFT_NO_EFFECT)


def incremental_words(report: EffectivenessReport, revenue: Revenue) -> str:
    """The incremental revenue in a few words, "No clear effect yet" first when its
    interval includes $0 ("+$5,578 incremental" otherwise; the customers re-engaged when
    it could not be estimated)."""
    cents = revenue.incremental_cents
    if cents is None:
        return f"{revenue.reengaged.count:,} customers"
    figure = f"{'+' if cents >= 0 else ''}{money(report, cents)} incremental"
    return figure if incremental_clear(revenue) else f"{NO_CLEAR_EFFECT}: {figure}"


def incremental_shorter(report: EffectivenessReport, revenue: Revenue) -> tuple[str, ...]:
    """``incremental_words`` for a narrow tile, its lead words kept first."""
    cents = revenue.incremental_cents
    if cents is None or incremental_clear(revenue):
        return ()
    figure = f"{'+' if cents >= 0 else ''}{money(report, cents)}"
    return (f"No clear effect: {figure}", NO_CLEAR_EFFECT, "Unclear")


def revenue_words(report: EffectivenessReport, part: Slice) -> str:
    """Won-back revenue and its incremental part in one sentence."""
    revenue = part.revenue
    text = (
        f"Won back {money(report, revenue.won_back_cents)} from "
        f"{revenue.reengaged.count:,} re-engaged contacted customers"
    )
    if revenue.average_cents is not None:
        text += f" (average {money(report, revenue.average_cents)})"
    if revenue.incremental_cents is not None:
        text += f"; incremental {money(report, revenue.incremental_cents)}"
        if revenue.incremental_low_cents is not None:
            text += (
                f" ({part.lift.confidence * 100:.0f}% CI "
                f"{money(report, revenue.incremental_low_cents)} to "
                f"{money(report, revenue.incremental_high_cents)}"
            )
            low, high = revenue.incremental_low_cents, revenue.incremental_high_cents
            if no_clear_effect(low, high, LIFT_NO_EFFECT):
                text += f", {why_unclear(money(report, 0))}: {NO_CLEAR_EFFECT.lower()} on revenue"
            text += ")"
        # Say how it is made, so it never reads as a second, different estimate.
        per = revenue.per_customer_lift_cents
        if per is not None:
            sign = "+" if per >= 0 else "-"
            text += (
                f", that is {sign}{format_money(abs(per), report.currency, decimals=2)} per "
                f"customer for {part.lift.contacted.customers.count:,} contacted"
            )
    text += "."
    if report.money_note:
        # Never silently zero: what the figures could not count, and why.
        text += f" {report.money_note[:1].upper()}{report.money_note[1:]}."
    return text


def revenue_lift_words(report: EffectivenessReport, part: Slice) -> str:
    """Revenue per customer in the window, contacted minus held out, with its bootstrap
    interval ("" when a group is empty)."""
    revenue = part.revenue
    if revenue.per_customer_lift_cents is None:
        return ""
    lift = revenue.per_customer_lift_cents
    sign = "+" if lift >= 0 else "-"
    text = (
        f"Revenue per customer in the window, contacted minus held out: "
        f"{sign}{format_money(abs(lift), report.currency, decimals=2)}"
    )
    if revenue.per_customer_low_cents is not None and revenue.per_customer_high_cents is not None:
        text += (
            f" ({part.lift.confidence * 100:.0f}% CI, bootstrap: "
            f"{format_money(revenue.per_customer_low_cents, report.currency, decimals=2)} to "
            f"{format_money(revenue.per_customer_high_cents, report.currency, decimals=2)})"
        )
    return text + "."


def offers_words(report: EffectivenessReport) -> str:
    """What the emails offered, as found in their text."""
    offers = report.offers
    if not offers.emails:
        return "Offers: no emails counted yet."
    kinds = []
    if offers.money_offers:
        worth = money(report, offers.money_offer_cents)
        kinds.append(f"{offers.money_offers:,} amounts off, {worth} in all as written")
    if offers.percent_offers:
        worth = money(report, offers.percent_offer_max_cents)
        kinds.append(
            f"{offers.percent_offers:,} percentages off, worth at most {worth} on the "
            "orders that followed"
        )
    detail = f" ({'; '.join(kinds)})" if kinds else ""
    return (
        f"Offers: {offers.with_offer.count:,} of {offers.emails:,} counted emails made an "
        f"offer{detail}."
    )


def warning_words(quality: AlertQuality) -> str:
    """How much warning the risk alerts of the churned held-out customers gave."""
    median = quality.median_warning_days
    if median is None:
        return ""
    who = f"Risk alerts of churned held-out customers ({quality.warned.count:,})"
    if median >= 0:
        return (
            f"{who}: a median of {median:.0f} days of warning before the gap since the last "
            f"order reached {quality.horizon_days} days."
        )
    return (
        f"{who}: most came late, a median of {-median:.0f} days after the gap since the "
        f"last order had reached {quality.horizon_days} days."
    )


def at_risk_share(report: EffectivenessReport, part: Slice) -> str | None:
    """An owner's or segment's at-risk share in the report's scoring ("-": none scored);
    None for the breakdowns customers have no share in (rule, template...)."""
    if report.at_risk is None or report.by not in AT_RISK_BREAKDOWNS:
        return None
    found = report.at_risk.by.get(part.key)
    return rate(found.share) if found is not None else "-"


def notes_words(report: EffectivenessReport) -> str:
    """The notes under Results' figures: what was set aside, the as-assigned reading, the
    time to re-engagement, the revenue and its lift, the offers and the alerts' warning."""
    aside = report.overall.set_aside
    median = report.overall.time_contacted.median_days
    quality = report.alert_quality
    parts = [
        f"Set aside: {aside.contacted_anyway.count:,} held out but contacted anyway, "
        f"{aside.not_contacted.count:,} assigned outreach but not contacted, "
        f"{aside.repeats.count:,} repeat alerts, {aside.window_open.count:,} with the window "
        "still open.",
        as_assigned_words(report.overall),
        f"Median time to re-engagement: {median:.1f} days." if median is not None else "",
        revenue_words(report, report.overall),
        revenue_lift_words(report, report.overall),
        offers_words(report),
    ]
    if quality.median_warning_days is not None:
        parts.append(warning_words(quality))
    return " ".join(p for p in parts if p)
