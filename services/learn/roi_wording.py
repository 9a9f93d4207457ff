"""The return on outreach in words, the same on screen and on the command line.
Standard library only (views import it)."""

from __future__ import annotations

from services.core.formatting import plural
from services.core.money import format_money
from services.learn.claims import (
    BREAK_EVEN,
    LIFT_NO_EFFECT,
    NO_CLEAR_EFFECT,
    NOT_CLEARLY_PAYING,
    ROI_NO_EFFECT,
    claim,
    includes,
    why_unclear,
)
from services.learn.roi_records import NO_COSTS_WORDS, Cost, RoiReport, RoiRow


def percent(value: float | None) -> str:
    """A return as a signed percentage: "+35%", "-12%" ("-" for none)."""
    if value is None:
        return "-"
    shown = round(value * 100)
    return f"{shown + 0:+,d}%"


def roi_interval(row: RoiRow) -> str:
    """ "95% CI -10% to +80%" ("" without an interval)."""
    if row.low is None or row.high is None:
        return ""
    return f"{row.confidence * 100:.0f}% CI {percent(row.low)} to {percent(row.high)}"


def amount(report: RoiReport, cents: float | None) -> str:
    """Money of the report in its currency: "$1,250" ("-" for none, never a silent 0)."""
    return format_money(cents, report.currency, decimals=0) or "-"


def roi_figure(report: RoiReport, row: RoiRow) -> str:
    """The ROI as a table cell: "+35% (95% CI +10% to +80%)", led as strongly as its
    interval allows ("No clear effect yet: -30% (95% CI -992% to +561%)" when it includes
    -100 %, "Not clearly paying for itself yet: ..." when it includes break-even, as the
    headline says it), "Not enough data", "No costs set" or "No cost"."""
    if row.incremental_cents is None:
        return "Not enough data"  # a group is empty: no incremental revenue to set
    if row.roi is None:
        return "No costs set" if not report.costs.contact_costs_set else "No cost"
    if not row.enough:
        return "Not enough data"
    figure = f"{percent(row.roi)} ({roi_interval(row)})"
    if includes(row.low, row.high, ROI_NO_EFFECT):
        return f"{NO_CLEAR_EFFECT}: {figure}"
    if includes(row.low, row.high, BREAK_EVEN):
        return f"{NOT_CLEARLY_PAYING}: {figure}"
    return figure


def cost_words(report: RoiReport, cost: Cost) -> str:
    """ "$6,500: offers $1,100 (2 redeemed), 4 emails, 1 call and 1 meeting $4,300, the
    team's time $1,100" """
    parts = [f"offers {amount(report, cost.offers_cents)} ({cost.redeemed.count:,} redeemed)"]
    contacts = [
        plural(cost.emails, "email"),
        plural(cost.calls, "call"),
        plural(cost.meetings, "meeting"),
    ]
    parts.append(f"{', '.join(contacts)} {amount(report, cost.contacts_cents)}")
    if report.costs.team_month_cents:
        parts.append(f"the team's time {amount(report, cost.team_cents)}")
    return f"{amount(report, cost.total_cents)}: {'; '.join(parts)}"


def gain_words(report: RoiReport, row: RoiRow) -> str:
    """ "incremental margin $2,200 (40% of $5,500 incremental revenue)" or "incremental
    revenue $5,500 (no margin rate set)" """
    revenue = amount(report, row.incremental_cents)
    if row.margin_cents is not None:
        rate = f"{report.costs.margin_percent:g}%"
        return (
            f"incremental margin {amount(report, row.margin_cents)} "
            f"({rate} of {revenue} incremental revenue)"
        )
    return f"incremental revenue {revenue} (no margin rate set)"


def roi_words(report: RoiReport, row: RoiRow) -> str:
    """The return of one row in a sentence or two."""
    gain = gain_words(report, row)
    costs = cost_words(report, row.cost)
    if row.incremental_cents is None:
        return f"Not enough data yet: {row.reason or 'no contacted or no held-out customers'}."
    if row.roi is None:
        if not report.costs.contact_costs_set and row.cost.total_cents == 0:
            where = "Set them in Settings ▸ Measuring outreach."
            return f"{NO_COSTS_WORDS} {where} {gain[:1].upper()}{gain[1:]}."
        return f"No cost in this period, so no return to work out; {gain}."
    if not row.enough:
        return (
            f"Not enough data yet: {row.reason}. Return {percent(row.roi)}: {gain} against a "
            f"cost of {costs}."
        )
    said = f"{returned(row)}: {gain} against a cost of {costs}."
    return _led(said, row, unclear=said)


def return_is_clear(row: RoiRow) -> bool:
    """Whether the return may be stated as a figure: enough data, and an interval that
    leaves out both -100 % (no effect) and break-even (whether it paid)."""
    return row.enough and not (
        includes(row.low, row.high, ROI_NO_EFFECT) or includes(row.low, row.high, BREAK_EVEN)
    )


def _led(said: str, row: RoiRow, *, unclear: str) -> str:
    """``said`` as strongly as the return's interval allows: "No clear effect yet: " when
    it includes -100 %, "Not clearly paying for itself yet: " (with ``unclear``, which
    claims no return per dollar) when it includes break-even, else ``said``."""
    if not includes(row.low, row.high, ROI_NO_EFFECT) and includes(row.low, row.high, BREAK_EVEN):
        return f"{NOT_CLEARLY_PAYING}: {unclear}"
    return claim(said[:1].upper() + said[1:], row.low, row.high, ROI_NO_EFFECT, unclear=unclear)


def returned(row: RoiRow) -> str:
    """ "outreach returned +35% (95% CI ...)": the words every surface leads the return
    with, after "No clear effect yet: " when its interval includes no effect."""
    return f"outreach returned {percent(row.roi)} ({interval_words(row)})"


def interval_words(row: RoiRow) -> str:
    """The ROI's interval and what it leaves possible: "95% CI -120% to +80%, the
    interval includes -100%, the return of outreach that changed nothing", "95% CI -10% to
    +80%, the interval includes 0%: it may not pay for itself", or the interval alone."""
    text = roi_interval(row)
    if includes(row.low, row.high, ROI_NO_EFFECT):
        nothing = "the return of outreach that changed nothing"
        return f"{text}, {why_unclear(percent(ROI_NO_EFFECT))}, {nothing}"
    if includes(row.low, row.high, BREAK_EVEN):
        return f"{text}, {why_unclear('0%')}: it may not pay for itself"
    return text


def roi_note(row: RoiRow) -> str:
    """The ROI's short note beside its figure: its interval, led by "No clear effect yet"
    when the interval includes no effect ("Not enough data yet" without enough data)."""
    if not row.enough:
        return "Not enough data yet"
    return _led(roi_interval(row), row, unclear=roi_interval(row))


def incremental_note(report: RoiReport, row: RoiRow) -> str:
    """The incremental revenue's interval, led by "No clear effect yet" when it includes
    $0 (no revenue caused: the lift's no effect); "" without an interval."""
    low, high = row.incremental_low_cents, row.incremental_high_cents
    if low is None or high is None:
        return ""
    text = f"{row.confidence * 100:.0f}% CI {amount(report, low)} to {amount(report, high)}"
    return claim(text, low, high, LIFT_NO_EFFECT, unclear=text)


def return_headline(report: RoiReport) -> str:
    """The overall return, with what it means and, when money was left out, why."""
    text = roi_words(report, report.overall)
    text += " ROI = (incremental " + ("margin" if report.uses_margin else "revenue")
    text += " - cost) / cost."
    if report.money_note:
        text += f" {report.money_note[:1].upper()}{report.money_note[1:]}."
    return text


def return_verdict(report: RoiReport) -> str:
    """The overall return in one short sentence, for a headline."""
    row = report.overall
    if row.incremental_cents is None or (row.roi is not None and not row.enough):
        return f"Not enough data yet: {row.reason or 'no contacted or no held-out customers'}."
    if row.roi is None:
        if not report.costs.contact_costs_set and row.cost.total_cents == 0:
            return NO_COSTS_WORDS
        return "No cost in this period, so no return to work out."
    per = format_money((row.gain_cents or 0.0) / row.cost.total_cents * 100, report.currency,
                       decimals=2)  # fmt: skip
    one = format_money(100, report.currency, decimals=0)
    what = "margin" if report.uses_margin else "revenue"
    said = returned(row)
    return _led(f"{said}: each {one} it cost brought {per} of incremental {what}.", row,
                unclear=f"{said}.")  # fmt: skip
