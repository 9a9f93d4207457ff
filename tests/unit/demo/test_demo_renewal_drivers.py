"""Every driver of every upcoming renewal on the scored demo says the figure the customer
pane shows beside it, read by the same definition: the usage section's visits in the last
30 days against the 30 before, the last order tile, the timeline's emails, calls and
meetings, the churn risk snapshot and the renewal card's terms. A sentence that no
figure backs is a failure, and so is a figure that stands out with no sentence."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace
from models.schema import Interaction, Outreach, ScoreSnapshot
from models.schema.renewals import Contract, RenewalForecast
from models.vocab import OUTREACH_STATUSES
from services.demo import build_demo
from services.renewals.card import renewal_card
from services.settings.views import ScoringSettings
from services.usage.summary import customer_usage
from services.usecases.customer_detail import load_customer_detail
from services.usecases.refresh import score_and_alert
from views.customers.usage_words import change, session_count

CUSTOMERS = 1000
SEED = 11
DAYS = 180
# The timeline's kinds of contact with the customer (services/usecases/customer_detail.py).
CONTACT_EVENTS = {"email", "email_unopened", "call", "meeting"}


@dataclass(frozen=True)
class Upcoming:
    contract: Contract
    drivers: tuple[str, ...]
    as_of: dt.date


@pytest.fixture
def scored(workspace_url: str) -> Iterator[tuple[Workspace, list[Upcoming]]]:
    """The scored demo on SQLite and on PostgreSQL."""
    ws = open_workspace(workspace_url, backup=False)
    build_demo(ws.engine, customers=CUSTOMERS, seed=SEED)
    score_and_alert(ws.engine)
    with Session(ws.engine) as s:
        run = s.scalar(select(func.max(RenewalForecast.run_id)))
        rows = s.execute(
            select(Contract, RenewalForecast.drivers, RenewalForecast.as_of)
            .join(RenewalForecast, RenewalForecast.contract_id == Contract.id)
            .where(RenewalForecast.run_id == run, Contract.outcome == "open")
            .order_by(Contract.end_date, Contract.id)
        ).all()
        s.expunge_all()
    yield ws, [Upcoming(c, tuple(d), day) for c, d, day in rows]
    ws.close()


def _one(drivers: tuple[str, ...], pattern: str) -> re.Match[str] | None:
    found = [m for m in (re.fullmatch(pattern, d) for d in drivers) if m]
    assert len(found) <= 1, drivers
    return found[0] if found else None


def _usage(ws: Workspace, u: Upcoming) -> None:
    """The usage driver against the pane's usage section (its visits, change and words)."""
    with Session(ws.engine) as s:
        summary = customer_usage(s, u.contract.customer_id, as_of=u.as_of, features_seen=())
    noun = r"(sessions|logins|usage events)"
    moved = _one(u.drivers, noun + r" (up|down) ([\d,]+)% in 30 days \(([\d,]+) to ([\d,]+)\)")
    back = _one(u.drivers, r"([\d,]+) " + noun + r" in 30 days, none in the 30 before")
    none = _one(u.drivers, r"no " + noun + r" in 60 days")
    if summary is None:
        assert moved is back is none is None, u.drivers
        return
    field, _caption = session_count(summary)
    recent = getattr(summary.recent, field)
    previous = getattr(summary.previous, field)
    shown = change(recent, previous)  # what the pane writes beside the figure
    said = [m for m in (moved, back, none) if m]
    assert len(said) <= 1, u.drivers
    if moved:
        assert moved[1] == field
        assert shown.words == f"{moved[2]} {moved[3]}% on the 30 days before", (u.drivers, shown)
        assert (int(moved[4].replace(",", "")), int(moved[5].replace(",", ""))) == (
            previous,
            recent,
        )
    elif back:
        assert (back[2], int(back[1].replace(",", "")), previous) == (field, recent, 0)
        assert shown.words == "none in the 30 days before"
    elif none:
        assert (none[1], recent, previous) == (field, 0, 0)
    elif previous > 0:
        # No sentence: the pane shows a change under 20% either way.
        assert (
            abs(recent - previous) / previous < 0.2
            or round(abs(recent - previous) / previous * 100) < 20
        ), (u.drivers, recent, previous)
    else:
        assert recent == previous == 0
        assert field == "sessions"
        assert not said


def _orders_and_contacts(ws: Workspace, u: Upcoming) -> None:
    """ "no order in N days" against the last order tile; the absence of contact against
    the timeline's emails, calls and meetings (and the app's own emails)."""
    detail = load_customer_detail(ws.engine, u.contract.customer_id)
    quiet = _one(u.drivers, r"no order in ([\d,]+) days")
    days = None if detail.last_order is None else (u.as_of - detail.last_order.date()).days
    if quiet:
        assert days == int(quiet[1].replace(",", "")), (u.drivers, detail.last_order)
    else:
        assert days is None or days < 90, (u.drivers, detail.last_order)
    first = u.as_of - dt.timedelta(days=DAYS - 1)
    contacted = [e for e in detail.timeline
                 if e.kind in CONTACT_EVENTS and first <= e.when.date() <= u.as_of]  # fmt: skip
    with Session(ws.engine) as s:
        sent = s.scalar(
            select(func.count()).where(
                Outreach.customer_id == u.contract.customer_id,
                Outreach.status.in_(OUTREACH_STATUSES),
                func.date(func.coalesce(Outreach.sent_at, Outreach.created_at)).between(
                    first, u.as_of
                ),
            )
        )
        risk = s.scalar(
            select(ScoreSnapshot.churn_risk)
            .where(ScoreSnapshot.customer_id == u.contract.customer_id)
            .where(ScoreSnapshot.as_of <= u.as_of)
            .order_by(ScoreSnapshot.as_of.desc(), ScoreSnapshot.id.desc())
            .limit(1)
        )
        horizon = ScoringSettings.read(s).horizon_days
    silent = "no email, call or meeting with them in 180 days" in u.drivers
    assert silent == (not contacted and not sent and risk is not None and risk >= 0.5), (
        u.drivers,
        contacted[:3],
        sent,
        risk,
    )
    # The churn risk names its horizon: the chance of no order in scoring.horizon_days.
    said = _one(u.drivers, r"churn risk (\d+)% \(no order in (\d+) days\)")
    if risk is not None and risk >= 0.5:
        assert said is not None, (u.drivers, risk)
        assert said[1] == f"{risk:.0%}"[:-1], (u.drivers, risk)
        assert int(said[2]) == horizon, u.drivers
    else:
        assert said is None, (u.drivers, risk)


def _tickets(ws: Workspace, u: Upcoming) -> None:
    first = dt.datetime.combine(u.as_of - dt.timedelta(days=DAYS - 1), dt.time(), dt.UTC)
    last = dt.datetime.combine(u.as_of + dt.timedelta(days=1), dt.time(), dt.UTC)
    with Session(ws.engine) as s:
        negative = s.scalar(
            select(func.count()).where(
                Interaction.customer_id == u.contract.customer_id,
                Interaction.kind == "ticket",
                Interaction.occurred_at >= first,
                Interaction.occurred_at < last,
                func.coalesce(Interaction.sentiment, Interaction.text_sentiment) < -0.2,
            )
        )
    said = _one(u.drivers, r"(\d+) tickets? with negative sentiment in 180 days")
    assert (int(said[1]) if said else 0) == negative, u.drivers


def _terms(ws: Workspace, u: Upcoming) -> None:
    """Auto-renewal, notice and seats against the renewal card and the contracts."""
    card = renewal_card(ws.engine, u.contract.customer_id, u.as_of)
    assert card is not None
    shown = next(c for c in card.contracts if c.contract_id == u.contract.id)
    assert shown.forecast is not None
    assert shown.forecast.drivers == u.drivers
    notice = _one(u.drivers, r"auto-renews; notice (closes|closed) (\w{3}) (\d+)")
    if shown.auto_renew:
        assert notice is not None
        assert shown.notice_deadline is not None
        deadline = shown.notice_deadline
        assert (notice[2], int(notice[3])) == (f"{deadline:%b}", deadline.day)
        assert notice[1] == ("closed" if deadline < u.as_of else "closes")
    else:
        assert notice is None
        assert "does not renew on its own" in u.drivers
    seats = _one(u.drivers, r"seats (up|down) from (\d+) to (\d+)")
    with Session(ws.engine) as s:
        before = s.get(Contract, u.contract.renewal_of_id) if u.contract.renewal_of_id else None
        previous = before.seats if before is not None else None
    if seats:
        assert (int(seats[2]), int(seats[3])) == (previous, u.contract.seats)
        assert (seats[1] == "up") == (u.contract.seats > previous)
    else:
        assert not previous or previous == u.contract.seats, u.drivers


def test_every_driver_says_the_figure_the_pane_shows(
    scored: tuple[Workspace, list[Upcoming]],
) -> None:
    ws, upcoming = scored
    assert len(upcoming) > 60
    known = re.compile(
        r"(sessions|logins|usage events) (up|down) .*|.* none in the 30 before|no \w+ in 60 days"
        r"|no order in .*|\d+ tickets? .*|a subscription payment past due"
        r"|churn risk \d+% \(no order in \d+ days\)"
        r"|seats .*|auto-renews; .*|does not renew on its own"
        r"|no email, call or meeting with them in 180 days"
    )
    for u in upcoming:
        assert all(known.fullmatch(d) for d in u.drivers), u.drivers
        _usage(ws, u)
        _orders_and_contacts(ws, u)
        _tickets(ws, u)
        _terms(ws, u)
    # The demo's renewals show every kind of sentence the checks above read.
    said = " | ".join(d for u in upcoming for d in u.drivers)
    for words in ("sessions down", "no order in", "churn risk", "auto-renews", "seats "):
        assert words in said
