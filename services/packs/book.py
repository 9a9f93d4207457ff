"""The book's review pack, or one segment's (an RFM segment or a tier): its totals, the
mix of its customers' health and churn risk, its top accounts at risk, and Results'
headline figures (the lift of outreach against the holdout, with its interval, worded as
Results words it: "No clear effect yet" first when the interval includes no effect).

The totals follow the dashboard's definitions (services/alerts/dashboard.py): the latest
scores, "at risk" at the high-risk rule's threshold and never the Lost segment
(NOT_AT_RISK_SEGMENTS), revenue at risk summed over the scored; the book's are the
dashboard's own figures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.errors import UserFacingError
from services.alerts.records import BOOK_HEALTH_WORDS, REVENUE_AT_RISK_WORDS, book_health
from services.alerts.risk_bands import AT_RISK_WORDS
from services.core.account_names import account_columns, account_names, mask_values
from services.core.formatting import format_percent, plural
from services.core.money import format_money
from services.packs.customer import Cancelled, Progress, _check, period_start
from services.packs.privacy import masked, read_privacy
from services.packs.records import (
    BOOK,
    CHURN_RISK,
    HEALTH_MIX,
    SEGMENT,
    Chart,
    Figure,
    Pack,
    Section,
)

TOP_AT_RISK = 10
AT_RISK_DEFINITION = f"{AT_RISK_WORDS} (the dashboard's definition)"
REVENUE_AT_RISK_DEFINITION = (
    f"each scored customer's {REVENUE_AT_RISK_WORDS}, summed (the dashboard's definition)"
)


class PackNotFoundError(UserFacingError):
    """No such segment or tier in the latest scores, or no scores at all."""


LIFT_NOTE = (
    "Lift: the re-engagement rate of the contacted minus that of the held-out customers, "
    "with its interval; an interval that includes zero is no clear effect yet."
)


def segment_names(engine: Engine) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The RFM segments of the latest scores and the tiers of the customers, sorted."""
    from models.schema import Customer
    from services.scoring.queries import latest_scores_columns

    with Session(engine) as session:
        scores = latest_scores_columns(session)
        tiers = session.scalars(select(Customer.tier).where(Customer.tier.is_not(None)).distinct())
        tier_names = tuple(sorted({str(t) for t in tiers if str(t).strip()}))
    segments = () if scores is None else tuple(sorted({str(s) for s in scores["segment"] if s}))
    return segments, tier_names


def book_pack(  # noqa: PLR0913
    engine: Engine,
    segment: str | None = None,
    *,
    now: dt.datetime | None = None,
    months: int = 3,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Pack:
    """The book's pack, or the pack of ``segment`` (an RFM segment's name, else a tier's;
    PackNotFoundError when neither); the privacy setting's withheld fields left out."""
    from services.alerts.dashboard import dashboard

    when = now or dt.datetime.now(dt.UTC)
    today = when.date()
    step = progress or (lambda _f, _m: None)
    step(0.05, "Reading the latest scores")
    figures = dashboard(engine, now=when)
    if figures is None:
        raise PackNotFoundError("The workspace is not scored yet: score it first (Score now).")
    rows = _rows(engine)
    by, chosen = _choose(rows, segment)
    _check(cancelled)
    step(0.35, "Adding up the totals")
    sections = [
        _totals(rows, chosen, figures, segment is None),
        _mix(rows, chosen, figures.at_risk_threshold),
        _top_at_risk(rows, chosen, figures.at_risk_threshold),
    ]
    _check(cancelled)
    if segment is None:
        step(0.45, "Reading the renewals and retention")
        sections.append(_renewals(engine, today))
    _check(cancelled)
    step(0.55, "Reading Results")
    sections.append(_results(engine, today, when, by, segment))
    _check(cancelled)
    # The only customers a book's pack names are its top accounts at risk: the mask needs
    # theirs alone (a mask of every name of a large book would take minutes to apply).
    shown = _top(rows, chosen, figures.at_risk_threshold)
    with Session(engine) as session:
        accounts = account_names(session, [int(rows["customer_id"][i]) for i in shown])
        people = mask_values(session, accounts, {})
        privacy = read_privacy(session, people, [str(rows["phone"][i]) for i in shown])
    name = str(rows[by][chosen][0]) if by is not None else ""
    title = "The book" if by is None else f"{'Segment' if by == 'segment' else 'Tier'} {name}"
    pack = Pack(
        scope=BOOK if segment is None else SEGMENT,
        title=title,
        subtitle="Book review" if segment is None else "Segment review",
        owner="",
        made_on=today,
        period_start=period_start(today, months),
        period_end=today,
        currency=rows["currency"],
        sections=tuple(sections),
    )
    step(0.9, "Keeping private fields out")
    return masked(pack, privacy.mask)


def _rows(engine: Engine) -> dict[str, Any]:
    """The latest scores by customer, with each customer's name, tier and phone."""
    from models.schema import Customer
    from services.core.money import load_money_context
    from services.scoring.queries import latest_scores_columns

    with Session(engine) as session:
        scores = latest_scores_columns(session)
        assert scores is not None
        found = session.execute(
            select(Customer.id, Customer.name, Customer.email, Customer.tier, Customer.phone,
                   Customer.company).order_by(Customer.id)
        ).all()  # fmt: skip
        currency = load_money_context(session).home
        # Named as every screen names the account (services/core/account_names.py).
        every = np.array([int(r[0]) for r in found], dtype=np.int64)
        named, _ = account_columns(
            session, every, *(np.array([r[k] for r in found], dtype=object) for k in (5, 1, 2))
        )
    info = {int(r[0]): (*r, named[k]) for k, r in enumerate(found)}
    ids = scores["customer_id"]
    rows: dict[str, Any] = dict(scores)
    rows["name"] = np.array([info[int(i)][6] if int(i) in info else "" for i in ids],
                            dtype=object)  # fmt: skip
    rows["tier"] = np.array([info[int(i)][3] if int(i) in info else None for i in ids], object)
    rows["phone"] = np.array([str(info[int(i)][4] or "") if int(i) in info else "" for i in ids],
                             dtype=object)  # fmt: skip
    rows["currency"] = currency
    return rows


def _choose(rows: dict[str, Any], segment: str | None) -> tuple[str | None, np.ndarray]:
    """Which customers the pack covers, and whether by "segment" or "tier"."""
    everyone = np.ones(len(rows["customer_id"]), dtype=bool)
    if segment is None:
        return None, everyone
    wanted = segment.strip().casefold()
    for by in ("segment", "tier"):
        values = np.array([str(v or "").casefold() for v in rows[by]], dtype=object)
        chosen = values == wanted
        if chosen.any():
            return by, chosen
    raise PackNotFoundError(
        f"No segment or tier is named {segment!r} in the latest scores; "
        "see the Customers tab's filters for the names."
    )


def _risky(rows: dict[str, Any], threshold: float) -> np.ndarray:
    from services.alerts.at_risk import at_risk_mask

    return at_risk_mask(rows["churn_risk"], rows["segment"], threshold)


def _totals(rows: dict[str, Any], chosen: np.ndarray, figures: Any, book: bool) -> Section:
    churn = rows["churn_risk"]
    scored = chosen & ~np.isnan(churn)
    customers = int(scored.sum())
    if book:  # the dashboard's own figures
        at_risk, cents = figures.at_risk_customers, figures.revenue_at_risk_cents
    else:
        at_risk = int((_risky(rows, figures.at_risk_threshold) & scored).sum())
        cents = int(round(float(np.nan_to_num(rows["revenue_at_risk_cents"])[scored].sum())))
    share = at_risk / customers if customers else 0.0
    health = book_health(rows["health_score"][scored])
    currency = rows["currency"]
    items = (
        Figure("Customers", f"{customers:,}", "customers in the latest scoring"),
        Figure("At risk", f"{at_risk:,} ({format_percent(share)})", AT_RISK_DEFINITION),
        Figure(
            "Revenue at risk", format_money(cents, currency, decimals=0), REVENUE_AT_RISK_DEFINITION
        ),  # fmt: skip
        Figure(
            "Mean health",
            f"{health:.0f} of 100" if health is not None else "-",
            f"{BOOK_HEALTH_WORDS} (the dashboard's definition)",
        ),  # fmt: skip
    )
    threshold = format_percent(figures.at_risk_threshold)
    lines = (f"Scored on {figures.as_of:%b} {figures.as_of.day}, {figures.as_of.year}; "
             f"at risk from a churn risk of {threshold}.",)  # fmt: skip
    return Section("Totals", items, lines)


def _mix(rows: dict[str, Any], chosen: np.ndarray, threshold: float) -> Section:
    from services.alerts.risk_bands import risk_bands

    churn = rows["churn_risk"][chosen]
    churn = churn[~np.isnan(churn)]
    total = len(churn)
    items = []
    for band in risk_bands(threshold):
        # RiskBand.holds over the array: [low, high), the top band including 1.
        held = (churn >= band.low) & ((churn < band.high) | ((band.high >= 1.0) & (churn == 1.0)))
        count = int(held.sum())
        share = format_percent(count / total) if total else "-"
        items.append(Figure(f"Churn risk {band.label.lower()}", f"{count:,} ({share})"))
        if band.key == "high":  # of them, at risk: the Lost are gone, not at risk
            scored = chosen & ~np.isnan(rows["churn_risk"])
            risky = int((_risky(rows, threshold) & scored).sum())
            share = format_percent(risky / total) if total else "-"
            lost = count - risky  # the high band's others: Lost (gone, not at risk)
            words = (
                f"{risky:,} ({share}), the other {lost:,} Lost" if lost else f"{risky:,} ({share})"
            )
            items.append(Figure("Of them at risk", words, AT_RISK_DEFINITION))
    charts = (
        Chart(HEALTH_MIX, "Health and engagement", {
            "health": rows["health_score"][chosen], "engagement": rows["engagement_score"][chosen],
        }),
        Chart(CHURN_RISK, "Churn risk", {"churn_risk": rows["churn_risk"][chosen],
                                         "threshold": threshold}),
    )  # fmt: skip
    notes = ("The churn-risk bands are the app's: low, medium and high, high from the "
             "high-risk rule's threshold.",)  # fmt: skip
    return Section("Health mix", tuple(items), (), charts, notes)


def _top(rows: dict[str, Any], chosen: np.ndarray, threshold: float) -> np.ndarray:
    """The rows of the top accounts at risk, the largest revenue at risk first."""
    risky = np.flatnonzero(chosen & _risky(rows, threshold))
    money = np.nan_to_num(rows["revenue_at_risk_cents"])[risky]
    top: np.ndarray = risky[np.argsort(-money, kind="stable")][:TOP_AT_RISK]
    return top


def _top_at_risk(rows: dict[str, Any], chosen: np.ndarray, threshold: float) -> Section:
    order = _top(rows, chosen, threshold)
    currency = rows["currency"]
    cents = np.nan_to_num(rows["revenue_at_risk_cents"])
    lines = tuple(
        f"{rows['name'][i]}: churn risk {format_percent(float(rows['churn_risk'][i]))}, "
        f"{format_money(float(cents[i]), currency, decimals=0)} at risk"
        for i in order
    ) or ("No customer is at risk.",)
    title = f"Top {plural(len(order), 'account')} at risk" if len(order) else "Accounts at risk"
    notes = ("Ordered by revenue at risk, the largest first.",)
    return Section(title, (), lines, (), notes)


def _renewals(engine: Engine, today: dt.date) -> Section:
    """The book's renewals ahead, its renewal calls due and its retention over the last 12
    months, as the dashboard shows them (services/usecases/book_lines.py)."""
    from services.renewals.records import AT_RISK_BELOW
    from services.retention.records import DEFINITIONS
    from services.retention.wording import rate
    from services.usecases.book_lines import AHEAD_DAYS, book_lines

    book = book_lines(engine, today)
    lines = (book.renewals_words, book.retention_words)
    meaning = dict(DEFINITIONS)
    items: list[Figure] = []
    if book.contracts:

        def money(cents: float) -> str:
            return format_money(cents, book.currency, compact=True)

        items += [
            Figure(f"Renewals, next {AHEAD_DAYS} days", f"{len(book.due):,}",
                   f"customers whose open contract ends within {AHEAD_DAYS} days"),
            Figure("Up for renewal", money(book.due_cents), "their recurring amount a year"),
            Figure("Expected", "–" if book.expected_cents is None
                   else money(book.expected_cents),
                   "each renewal's amount times its likelihood, summed"),
            Figure("Renewals at risk", f"{len(book.at_risk):,}",
                   f"likelihood below {AT_RISK_BELOW:.0%}, or the owner called it at risk "
                   "or lost"),
            Figure("Renewal calls due", f"{book.calls:,}",
                   "a contract's checkpoint reached and no call made at it"),
        ]  # fmt: skip
    if book.retention_empty is None:
        items.append(Figure("Customers kept, 12 months", rate(book.retention_rate),
                            f"of those active at the start of {book.period}, still active "
                            "at its end"))  # fmt: skip
        if book.nrr is not None:
            items += [
                Figure("NRR, 12 months", rate(book.nrr),
                       meaning["Net revenue retention (NRR)"]),
                Figure("GRR, 12 months", rate(book.grr),
                       meaning["Gross revenue retention (GRR)"]),
            ]  # fmt: skip
    return Section("Renewals and retention", tuple(items), lines, (), ())


def _results(
    engine: Engine, today: dt.date, when: dt.datetime, by: str | None, segment: str | None
) -> Section:
    from services.learn.effectiveness import effectiveness_report
    from services.learn.wording import headline, lift_note, period_words, report_headline

    report = effectiveness_report(engine, until=today, by="segment" if by == "segment" else None,
                                  now=when)  # fmt: skip
    part = report.overall
    words = report_headline(report)
    if by == "segment" and segment is not None:
        part = next((p for p in report.breakdown if p.key.casefold() == segment.casefold()), part)
        if part is not report.overall:
            words = headline(part)
    lines = [words]
    if by == "segment":
        lines.append("Results counts the outreach of the segment each alert was raised in.")
    if by == "tier":
        lines.append("Results does not break outreach down by tier: this is the whole book's.")
    lines.append(f"Period: {period_words(report)}; attribution window {report.window_days} days.")
    lift = part.lift
    items = (
        Figure(
            "Lift of outreach",
            lift_note(lift),
            "re-engagement of the contacted minus that of the held-out",
        ),  # fmt: skip
        Figure("Contacted", f"{lift.contacted.customers.count:,}"),
        Figure("Held out", f"{lift.holdout.customers.count:,}"),
    )
    return Section("Results", items, tuple(lines), (), (LIFT_NOTE,))


def dashboard_pack(engine: Engine, *, now: dt.datetime | None = None) -> Pack:
    """The dashboard as a pack (run-daily --dashboard-pdf): the book's totals, health mix
    and top accounts at risk, then the working alerts by severity and age, the dashboard's
    own figures (services/alerts/dashboard.py)."""
    from dataclasses import replace

    from services.alerts.dashboard import dashboard

    when = now or dt.datetime.now(dt.UTC)
    pack = book_pack(engine, None, now=when)
    figures = dashboard(engine, now=when)
    assert figures is not None  # book_pack refused an unscored workspace
    working = sum(figures.alerts_by_severity.values())
    items = [Figure("Working alerts", f"{working:,}", "alerts open or in progress")]
    items += [
        Figure(severity.capitalize(), f"{count:,}")
        for severity, count in figures.alerts_by_severity.items()
        if count
    ]
    lines = tuple(
        f"{bucket.label.capitalize()}: {sum(bucket.by_severity.values()):,}"
        for bucket in figures.alerts_by_age
    )
    alerted = format_money(figures.alerted_revenue_at_risk_cents, pack.currency, decimals=0)
    alerts = Section("Alerts", tuple(items), (f"Revenue at risk under working alerts: {alerted}.",
                                              *lines), (), ("Ages are whole days since the "
                                                            "alert was raised.",))  # fmt: skip
    sections = tuple(s for s in pack.sections if s.title != "Results") + (alerts,)
    return replace(pack, title="Dashboard", subtitle="Daily dashboard", sections=sections)
