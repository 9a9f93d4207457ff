"""One account's review pack: its scores and their trend with the reasons in words, its
orders and product use, its renewal, the outreach of the period and what came of it, its
open tasks and the next steps of its open alerts.

Every figure is read through the service the window reads it through (the customer
detail, the scores and their history, the usage summary, the renewal card, Replies'
emails, Learn's attribution, My work's tasks, an alert's recommended step): a pack never
counts anything its own way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.core.formatting import format_date, format_percent, plural
from services.core.money import format_money
from services.core.records import CustomerDetail, CustomerScores, ScoreHistoryPoint
from services.packs.privacy import Privacy, masked, read_privacy
from services.packs.records import (
    CUSTOMER,
    ORDERS,
    SCORE_HISTORY,
    USAGE,
    Chart,
    Figure,
    Pack,
    PackCancelled,
    Section,
)

Cancelled = Callable[[], bool]
Progress = Callable[[float, str], None]

DEFAULT_MONTHS = 3  # a quarter: the period of a review

CHURN_DEFINITION = (
    "the calibrated probability of no paid order in the scoring horizon, from the model "
    "the backtest chose"
)
HEALTH_DEFINITION = (
    "0 to 100, a weighted blend of recency, frequency, satisfaction, email engagement, "
    "reviews, tickets and product use (Settings ▸ Scores)"
)
DRIVERS_NOTE = "The reasons are directional, not causal: what moved the scores most."


def period_start(end: dt.date, months: int) -> dt.date:
    """The first day of a period of ``months`` months ending on ``end`` (included)."""
    month = end.month - months
    year = end.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    day = min(end.day, 28)
    return dt.date(year, month, day) + dt.timedelta(days=1)


def _check(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise PackCancelled("The review pack was cancelled.")


def customer_pack(  # noqa: PLR0913
    engine: Engine,
    customer_id: int,
    *,
    now: dt.datetime | None = None,
    months: int = DEFAULT_MONTHS,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Pack:
    """The review pack of one account over the last ``months`` months (CustomerNotFound
    when it is not in the workspace); the privacy setting's withheld fields left out."""
    from services.scoring.queries import customer_scores, score_history
    from services.usecases.customer_detail import load_customer_detail

    when = now or dt.datetime.now(dt.UTC)
    today = when.date()
    start = period_start(today, months)
    step = progress or (lambda _f, _m: None)
    step(0.05, "Reading the account")
    detail = load_customer_detail(engine, customer_id)
    with Session(engine) as session:
        scores = customer_scores(session, customer_id)
        history = tuple(score_history(session, customer_id))
        privacy = _privacy(session, detail)
    _check(cancelled)
    step(0.25, "Reading the scores and orders")
    sections = [
        _scores_section(scores, history, privacy),
        _orders_section(engine, detail, when, start, privacy),
    ]
    _check(cancelled)
    step(0.45, "Reading the renewal")
    renewal = _renewal_section(engine, customer_id, today)
    if renewal is not None:
        sections.append(renewal)
    _check(cancelled)
    step(0.6, "Reading the outreach")
    sections.append(_outreach_section(engine, customer_id, start, today, when))
    _check(cancelled)
    step(0.8, "Reading the tasks and next steps")
    sections.append(_next_steps_section(engine, customer_id, when))
    _check(cancelled)
    pack = Pack(
        scope=CUSTOMER,
        title=_title(detail),
        subtitle="Account review",
        owner=detail.owner or "No owner",
        made_on=today,
        period_start=start,
        period_end=today,
        currency=detail.currency,
        sections=tuple(sections),
    )
    step(0.9, "Keeping private fields out")
    return masked(pack, privacy.mask)


def customer_pack_title(engine: Engine, customer_id: int) -> str:
    """The account's name as its pack's title shows it (services/core/account_names.py):
    through the same privacy mask as the whole pack, so a file named after it withholds
    what the pack withholds ("Maria [surname withheld]", "[company withheld]").
    CustomerNotFound when it is not in the workspace."""
    from services.usecases.customer_detail import load_customer_detail

    detail = load_customer_detail(engine, customer_id)
    with Session(engine) as session:
        return _privacy(session, detail).mask(_title(detail))


def _title(detail: CustomerDetail) -> str:
    return detail.name  # the account's name, as the customer detail reads it


def _privacy(session: Session, detail: CustomerDetail) -> Privacy:
    """The privacy setting with the mask of this account's own values (its pack's): its
    company, its person and every one of its people (those who left too)."""
    from services.core.account_names import account_names, mask_values

    accounts = account_names(session, [detail.id])
    people = mask_values(session, accounts, {detail.id: detail.owner})
    return read_privacy(session, people, [detail.phone or ""])


def _trend(now: float | None, before: float | None, scale: float, unit: str) -> str:
    if now is None or before is None:
        return ""
    change = (now - before) * scale
    if abs(change) < 0.5:
        return " (unchanged since the scoring before)"
    return f" ({change:+.0f}{unit} since the scoring before)"


def _scores_section(
    scores: CustomerScores | None, history: tuple[ScoreHistoryPoint, ...], privacy: Privacy
) -> Section:
    chart = Chart(SCORE_HISTORY, "Health and churn risk over time", {"points": history})
    if scores is None:
        return Section("Health and churn risk", lines=("Not scored yet.",), charts=(chart,))
    before = scores.previous
    figures = []
    if scores.health_score is not None:
        trend = _trend(scores.health_score, before.health_score if before else None, 1, " points")
        figures.append(Figure("Health", f"{scores.health_score:.0f} of 100{trend}",
                              HEALTH_DEFINITION))  # fmt: skip
    if scores.churn_risk is not None:
        trend = _trend(scores.churn_risk, before.churn_risk if before else None, 100, " points")
        value = format_percent(scores.churn_risk) + trend
        if scores.churn_risk_low is not None and scores.churn_risk_high is not None:
            value += (
                f"; likely {format_percent(scores.churn_risk_low)} to "
                f"{format_percent(scores.churn_risk_high)}"
            )
        days = scores.horizon_days
        figures.append(Figure("Churn risk", value, f"{CHURN_DEFINITION} ({days} days)"))
    if scores.segment and privacy.allows("segment"):
        figures.append(Figure("Segment", scores.segment, "the RFM segment of the latest scoring"))
    lines: list[str] = [f"Scored on {format_date(scores.as_of)}."]
    if privacy.allows("drivers"):
        drivers = sorted(scores.drivers, key=lambda d: -d.weight)[:3]
        for d in drivers:
            effect = "raises churn risk" if d.direction == "risk" else "lowers churn risk"
            lines.append(f"{d.text[:1].upper()}{d.text[1:]} ({effect}).")
        if not drivers:
            lines.append("No strong signal either way.")
    return Section("Health and churn risk", tuple(figures), tuple(lines), (chart,),
                   (DRIVERS_NOTE,))  # fmt: skip


def _orders_section(
    engine: Engine,
    d: CustomerDetail,
    when: dt.datetime,
    start: dt.date,
    privacy: Privacy,
) -> Section:
    from services.usecases.customer_usage import FeaturesSeen, load_customer_usage

    orders = d.orders
    currencies = set(orders["currency"].dropna()) if "currency" in orders else set()
    single = next(iter(currencies)) if len(currencies) == 1 else None
    paid = orders[orders["status"] == "paid"] if len(orders) else orders
    in_period = paid[paid["order_date"].dt.date >= start] if len(paid) else paid
    period_revenue = float(in_period["amount"].fillna(0).sum()) if len(in_period) else 0.0
    figures = [
        Figure("Paid orders", f"{d.paid_orders:,}", "every paid order of the account"),
        Figure(
            "Revenue",
            format_money(d.revenue * 100, d.currency, decimals=0),
            "paid revenue, in the home currency",
        ),  # fmt: skip
        Figure(
            "In the period",
            f"{plural(len(in_period), 'order')}, "
            f"{format_money(period_revenue * 100, d.currency, decimals=0)}",
            "paid orders placed in the review's period",
        ),  # fmt: skip
    ]
    if d.last_order is not None and privacy.allows("last_order"):
        figures.append(Figure("Last order", format_date(d.last_order.date())))
    if d.avg_gap_days is not None:
        figures.append(Figure("Usual gap", f"{d.avg_gap_days:.0f} days",
                              "the usual time between two orders"))  # fmt: skip
    charts = [
        Chart(
            ORDERS,
            "Orders",
            {
                "dates": orders["order_date"].to_numpy(),
                "amounts": (orders["original"] if single else orders["amount"]).to_numpy(),
                "statuses": orders["status"].to_numpy(dtype=object),
                "currency": single or d.currency,
                "today": when,
            },
        )  # fmt: skip
    ]
    lines: list[str] = []
    usage = load_customer_usage(engine, d.id, now=when, seen=FeaturesSeen(), features=False)
    summary = usage.summary
    if summary is not None:
        recent = summary.recent
        lines.append(
            f"Product use in the last 30 days: {plural(recent.active_users, 'active user')}, "
            f"{plural(recent.sessions, 'session')}, {plural(recent.days_active, 'day')} active."
        )
        charts.append(Chart(USAGE, "Product use a week", {"summary": summary}))
    elif usage.workspace_has_usage:
        lines.append("No product use recorded for this account.")
    return Section("Orders and usage", tuple(figures), tuple(lines), tuple(charts))


def _renewal_section(engine: Engine, customer_id: int, today: dt.date) -> Section | None:
    from services.renewals.card import renewal_card

    card = renewal_card(engine, customer_id, today, None)
    if card is None or not card.contracts:
        return None
    lines = []
    figures = []
    for contract in card.contracts:
        lines.append(f"{contract.name}: {contract.terms()}.")
        if contract.forecast is not None:
            figures.append(Figure(
                f"Likely to renew ({contract.name})",
                f"{format_percent(contract.forecast.likelihood)}, {contract.model_words}",
                "the model's likelihood that the contract renews, as of the latest scoring",
            ))  # fmt: skip
        if contract.calls:
            call = contract.calls[-1]
            lines.append(f"Owner's call at {call.checkpoint_months} months: {call.label}.")
        if contract.disagreement:
            lines.append(contract.disagreement)
    return Section("Renewal", tuple(figures), tuple(lines))


def _outreach_section(
    engine: Engine, customer_id: int, start: dt.date, today: dt.date, when: dt.datetime
) -> Section:
    from services.replies.report import replies_report

    report = replies_report(engine, start, today, today=today)
    emails = [e for e in report.emails if e.customer_id == customer_id]
    replied = sum(1 for e in emails if e.reply_at is not None)
    reengaged, counted = _reengaged(engine, customer_id, start, today, when)
    figures = (
        Figure("Emails sent", f"{len(emails):,}", "emails sent from the app in the period"),
        Figure(
            "Replies",
            f"{replied:,}",
            "emails the customer answered (Results ▸ Replies' "
            "definition: a reply, not an automatic answer)",
        ),  # fmt: skip
        Figure(
            "Re-engaged",
            f"{reengaged:,} of {counted:,}",
            "outreach followed by a paid order within the attribution window "
            "(Results' definition); counted once its window has closed",
        ),  # fmt: skip
    )
    lines = tuple(
        f"{format_date(e.sent_at.date())}: {e.subject or '(no subject)'}"
        + (f" — replied {format_date(e.reply_at.date())}" if e.reply_at else "")
        for e in emails[-6:]
    ) or ("No email sent from the app in the period.",)
    return Section("Outreach and outcomes", figures, lines)


def _reengaged(
    engine: Engine, customer_id: int, start: dt.date, today: dt.date, when: dt.datetime
) -> tuple[int, int]:
    """Of the account's contacted exposures of the period whose window closed: how many
    re-engaged, and how many were counted (services/learn's attribution)."""
    from services.core.local_dates import workspace_zone
    from services.learn.attribution import attribute
    from services.learn.data import load_learn_data
    from services.settings.views import DateSettings, LearnSettings

    with Session(engine) as session:
        window = LearnSettings.read(session).attribution_days
        zone = workspace_zone(DateSettings.read(session).time_zone or None)
        data = load_learn_data(session, start, today, zone)
    exposures = data.exposures[
        (data.exposures["customer_id"] == customer_id) & (data.exposures["group"] == "contacted")
    ]
    if exposures.empty:
        return 0, 0
    attributed = attribute(exposures, data.orders, window, as_of=when.replace(tzinfo=None))
    counted = attributed[attributed["counted"]]
    return int(counted["reengaged"].sum()), len(counted)


def _next_steps_section(engine: Engine, customer_id: int, when: dt.datetime) -> Section:
    from models.schema import Alert
    from models.vocab import ACTIVE_ALERT_STATUSES
    from services.alerts.detail import alert_detail
    from services.alerts.work import my_work

    work = my_work(engine, user="", everyone=True, now=when)
    tasks = [t for t in work.tasks if t.customer_id == customer_id]
    with Session(engine) as session:
        ids = list(session.scalars(
            select(Alert.id).where(
                Alert.customer_id == customer_id, Alert.status.in_(ACTIVE_ALERT_STATUSES)
            ).order_by(Alert.priority_cents.desc(), Alert.id)
        ))  # fmt: skip
    lines = [f"Task: {t.title} (due {format_date(t.due_date)})" for t in tasks] or ["No open task."]
    steps = []
    for alert_id in ids[:5]:
        detail = alert_detail(engine, alert_id, now=when)
        step = detail.recommendation
        steps.append(f"{detail.rule}: {step.title}. {step.detail}".strip())
    lines.extend(steps or ["No open alert, so no next step is suggested."])
    figures = (
        Figure("Open tasks", f"{len(tasks):,}", "tasks not yet done, anyone's"),
        Figure("Open alerts", f"{len(ids):,}", "alerts open, in progress or snoozed"),
    )
    return replace(Section("Open tasks and next steps", figures, tuple(lines)),
                   notes=("Each next step is the one the Alerts tab recommends for the "
                          "alert.",))  # fmt: skip
