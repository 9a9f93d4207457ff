"""One customer's detail for the window: the facts, the scores, the timeline, the
opportunities and the company (services/usecases/customers.py holds the customers table).

Plain functions over an Engine, no Qt; pandas and the ORM classes are imported inside
the functions that need them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Engine

from models.db import translate_db_errors
from services.core.local_dates import local_time
from services.core.records import (
    CustomerDetail,
    CustomerNotFoundError,
    OpportunitySummary,
    TimelineEvent,
)
from services.listen.proven_risks import workspace_proven
from services.usecases.conversation_events import CONVERSATION_SOURCE, conversation_event
from services.usecases.customers import ORDER_COLUMNS, TIMELINE_INTERACTION_KINDS, cents_to_units

if TYPE_CHECKING:
    from services.core.money import MoneyContext


def _as_utc(value: dt.datetime | dt.date | None) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)


def _money(cents: int | None, currency: str) -> str:
    from services.core.money import format_money

    return "" if cents is None else format_money(cents, currency, decimals=2)


def _home_units(ctx: MoneyContext, cents: int, currency: str) -> float:
    """An amount in home currency units; NaN when its currency has no exchange rate."""
    home = ctx.to_home(cents, currency)
    return float("nan") if home is None else home / 100.0


def _join(*parts: Any) -> str:
    return " · ".join(str(p) for p in parts if p not in (None, ""))


def _email_events(rows: Sequence[Any]) -> list[TimelineEvent]:
    """One event per email sent, saying whether it was opened or clicked.

    Opens and clicks are matched to the send by subject; those with no matching send
    (a source that exports only engagement) become events of their own.
    """
    sent = {r.subject for r in rows if r.kind == "email_sent"}
    opened = {r.subject for r in rows if r.kind == "email_open"}
    clicked = {r.subject for r in rows if r.kind == "email_click"}
    events = []
    for r in rows:
        when = local_time(r.occurred_at, r.utc_offset_minutes)
        assert when is not None
        subject = (r.subject or "").strip()
        if r.kind == "email_sent":
            if r.subject in clicked:
                events.append(TimelineEvent(when, "email", "Email opened and clicked", subject))
            elif r.subject in opened:
                events.append(TimelineEvent(when, "email", "Email opened", subject))
            else:
                events.append(TimelineEvent(when, "email_unopened", "Email not opened", subject))
        elif r.subject not in sent:
            title = "Opened an email" if r.kind == "email_open" else "Clicked a link in an email"
            events.append(TimelineEvent(when, "email", title, subject))
    return events


def _interaction_event(row: Any) -> TimelineEvent | None:
    kind: str = row.kind
    subject = (row.subject or "").strip()
    text = " ".join((row.text or "").split())
    if len(text) > 160:
        text = text[:157] + "…"
    when = local_time(row.occurred_at, row.utc_offset_minutes)
    assert when is not None
    if kind == "ticket":
        satisfaction = (row.satisfaction or "").lower()
        rated = f"rated {satisfaction}" if satisfaction in ("good", "bad") else None
        title = f"Ticket: {subject}" if subject else "Support ticket"
        # A ticket the customer rated bad is a churn signal: its own kind, its own colour.
        event_kind = "bad_ticket" if satisfaction == "bad" else "ticket"
        return TimelineEvent(when, event_kind, title, _join((row.status or "").lower(), rated))
    if kind == "review":
        rating = row.rating
        stars = f"Review {rating}★" if rating is not None else "Review"
        title = f"{stars}: {subject}" if subject else stars
        event_kind = "bad_review" if rating is not None and rating <= 2 else "review"
        return TimelineEvent(when, event_kind, title, text)
    if kind == "nps":
        score = f"NPS {row.rating}" if row.rating is not None else "NPS answer"
        return TimelineEvent(when, "nps", score, text or subject)
    if kind == "unsubscribe":
        return TimelineEvent(when, "unsubscribe", "Unsubscribed from emails", subject or text)
    if kind in ("call", "meeting", "note"):
        title = {"call": "Call", "meeting": "Meeting", "note": "Note"}[kind]
        return TimelineEvent(when, kind, _join(title, subject) if subject else title, text)
    return None


def load_customer_detail(engine: Engine, customer_id: int) -> CustomerDetail:  # noqa: PLR0915
    """Profile, orders, a newest-first timeline and open opportunities of one customer."""
    import pandas as pd
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from models.schema import Customer, Interaction, Opportunity, Order, Subscription

    with translate_db_errors(), Session(engine) as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise CustomerNotFoundError(f"Customer {customer_id} is not in this workspace.")
        order_rows = session.execute(
            select(
                Order.order_date,
                Order.utc_offset_minutes,
                Order.amount_cents,
                Order.status,
                Order.category,
                Order.channel,
                Order.currency,
            )
            .where(Order.customer_id == customer_id)
            .order_by(Order.order_date, Order.id)
        ).all()
        interaction_rows = session.execute(
            select(
                Interaction.id,
                Interaction.kind,
                Interaction.occurred_at,
                Interaction.utc_offset_minutes,
                Interaction.subject,
                Interaction.text,
                Interaction.rating,
                Interaction.status,
                Interaction.satisfaction,
                Interaction.source,
                Interaction.attributes,
            )
            .where(
                Interaction.customer_id == customer_id,
                Interaction.kind.in_(TIMELINE_INTERACTION_KINDS),
            )
            .order_by(Interaction.occurred_at.desc())
        ).all()
        opportunities = list(
            session.scalars(
                select(Opportunity)
                .where(Opportunity.customer_id == customer_id)
                .order_by(Opportunity.created_at)
            )
        )
        subscriptions = list(
            session.scalars(select(Subscription).where(Subscription.customer_id == customer_id))
        )
        from services.core.money import load_money_context

        ctx = load_money_context(session)
        from services.core.account_names import account_of

        # Named as every screen names the account (services/core/account_names.py): its
        # company, its person under it; the address of a person who left is not its own.
        account = account_of(session, customer_id)
        assert account is not None
        profile: dict[str, Any] = {
            "id": customer.id,
            "name": account.name,
            "person": account.person_line,
            "email": account.email,
            "company": customer.company,
            "phone": customer.phone,
            "owner": customer.owner,
            "tier": customer.tier,
            "region": customer.region,
            "signup_date": customer.signup_date,
            "do_not_contact": bool(customer.do_not_contact),
            "company_details": company_details(customer.attributes),
        }
        # Whether an email may go out now, as the Alerts tab says it (services/alerts).
        from services.alerts.detail import outreach_block
        from services.alerts.holdout import held_out
        from services.alerts.lifecycle import moment

        blocked, quiet_until = outreach_block(session, customer, now=moment(None))
        profile["outreach_blocked"] = blocked
        profile["quiet_until"] = quiet_until
        profile["holdout"] = held_out(session, customer.id)
        from services.people.tracking import consent_words, opted_out_at

        profile["tracking_opted_out_at"] = opted_out_at(session, customer.id)
        profile["tracking_words"] = consent_words(profile["tracking_opted_out_at"])
        # The relationship signals that hold now, marked unproven where they raise nothing.
        from services.alerts.signal_proofs import timeline_events

        signals = timeline_events(session, customer.id)
        proven = workspace_proven(session)

    orders = pd.DataFrame(
        {
            # On the shop's clock (services/local_dates): the chart, the last order and
            # the timeline show the date the customer placed the order.
            "order_date": pd.to_datetime(
                [
                    local_time(r.order_date, r.utc_offset_minutes).replace(tzinfo=None)
                    for r in order_rows
                ]
            ).astype("datetime64[ns]"),
            "amount": np.array(
                [_home_units(ctx, r.amount_cents, r.currency) for r in order_rows], dtype=float
            ),
            "status": pd.Series([r.status for r in order_rows], dtype=object),
            "category": pd.Series([r.category for r in order_rows], dtype=object),
            "channel": pd.Series([r.channel for r in order_rows], dtype=object),
            "currency": pd.Series([r.currency for r in order_rows], dtype=object),
            "original": np.array([r.amount_cents for r in order_rows], dtype=np.int64) / 100.0,
        },
        columns=list(ORDER_COLUMNS),
    )

    paid = orders[orders["status"] == "paid"]
    last_order = _as_utc(paid["order_date"].iloc[-1].to_pydatetime()) if len(paid) else None
    avg_gap: float | None = None
    # The usual gap, as scoring and its drivers define it: the median number of days
    # between distinct purchase days (UTC calendar days), so the tile and the reasons agree.
    purchase_days = np.unique(paid["order_date"].to_numpy().astype("datetime64[D]"))
    if len(purchase_days) >= 2:
        gaps = np.diff(purchase_days) / np.timedelta64(1, "D")
        avg_gap = float(np.median(gaps))

    events: list[TimelineEvent] = []
    for order_row in order_rows:
        amount = cents_to_units(order_row.amount_cents)
        when = local_time(order_row.order_date, order_row.utc_offset_minutes)
        assert when is not None
        what = f"Order · {order_row.category}" if order_row.category else "Order"
        if order_row.status == "paid":
            events.append(
                TimelineEvent(
                    when, "order", what, order_row.channel or "", amount, order_row.currency
                )
            )
        elif order_row.status == "pending":
            events.append(
                TimelineEvent(
                    when,
                    "order",
                    what,
                    _join(order_row.channel, "pending"),
                    amount,
                    order_row.currency,
                )
            )
        else:
            events.append(
                TimelineEvent(
                    when,
                    "refund",
                    f"{what} ({order_row.status})",
                    order_row.channel or "",
                    amount,
                    order_row.currency,
                )
            )
    email_kinds = ("email_sent", "email_open", "email_click")
    talks = [r for r in interaction_rows if r.source == CONVERSATION_SOURCE]
    others = [r for r in interaction_rows if r.source != CONVERSATION_SOURCE]
    events.extend(_email_events([r for r in others if r.kind in email_kinds]))
    events.extend(
        conversation_event(
            r, local_time(r.occurred_at, r.utc_offset_minutes), profile["name"], proven
        )
        for r in talks
    )
    for r in others:
        event = _interaction_event(r) if r.kind not in email_kinds else None
        if event is not None:
            events.append(event)
    open_opps: list[OpportunitySummary] = []
    for o in opportunities:
        amount = cents_to_units(o.amount_cents)
        created = _as_utc(o.created_at)
        assert created is not None
        events.append(
            TimelineEvent(
                created,
                "opportunity",
                f"Opportunity opened: {o.name}",
                _join(o.type, o.stage),
                amount,
                o.currency,
            )
        )
        if o.closed:
            closed_at = _as_utc(o.stage_changed_at) or _as_utc(o.close_date) or created
            outcome = "won" if o.won else "lost"
            events.append(
                TimelineEvent(
                    closed_at,
                    "opportunity",
                    f"Opportunity {outcome}: {o.name}",
                    "",
                    amount,
                    o.currency,
                )
            )
        else:
            open_opps.append(
                OpportunitySummary(
                    id=o.id,
                    name=o.name,
                    type=o.type,
                    stage=o.stage,
                    amount=amount,
                    probability=o.probability,
                    close_date=o.close_date,
                    owner=o.owner,
                    currency=o.currency,
                )
            )
    for s in subscriptions:
        amount = cents_to_units(s.amount_cents)
        per = f"/{s.interval}" if s.interval else ""
        started = _as_utc(s.started_at)
        if started is not None:
            events.append(
                TimelineEvent(
                    started,
                    "subscription",
                    f"Subscribed: {s.plan or 'plan'}",
                    f"{_money(s.amount_cents, s.currency)}{per}" if amount is not None else "",
                    amount,
                    s.currency,
                )
            )
        canceled = _as_utc(s.canceled_at)
        if canceled is not None:
            detail = "ends at period end" if s.cancel_at_period_end else s.status
            events.append(
                TimelineEvent(
                    canceled, "unsubscribe", f"Subscription canceled: {s.plan or 'plan'}", detail
                )
            )
    events.extend(signals)
    # Newest first (a stable sort: same-moment events keep the order they were added in).
    events.sort(key=lambda e: e.when, reverse=True)
    open_opps.sort(key=lambda o: (o.close_date is None, o.close_date or dt.date.max))

    return CustomerDetail(
        **profile,
        paid_orders=len(paid),
        revenue=float(paid["amount"].sum()) if len(paid) else 0.0,
        currency=ctx.home,
        revenue_left_out={
            str(code): float(units)
            for code, units in paid[paid["amount"].isna()]
            .groupby("currency")["original"]
            .sum()
            .items()
        },
        last_order=last_order,
        avg_gap_days=avg_gap,
        orders=orders,
        timeline=tuple(events),
        open_opportunities=tuple(open_opps),
    )


def company_details(attributes: Any) -> tuple[tuple[str, str], ...]:
    """(label, value) of the company a customer belongs to, from its "company_*"
    attributes (services/importing/companies.py), in reading order."""
    from services.importing.companies import COMPANY_LABELS

    if not isinstance(attributes, dict):
        return ()
    shown = []
    for key, label in COMPANY_LABELS:
        value = attributes.get(key)
        if value not in (None, "") and not isinstance(value, dict | list | bool):
            shown.append((label, str(value)))
    return tuple(shown)
