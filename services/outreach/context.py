"""The structured context a draft is written from: one customer, a few small reads.

- The customer's record (first name and surname split from the name; the phone from the
  record, else from imported attributes), tenure from the sign-up date (else the first
  paid order), the latest paid order, the favourite categories (top 3 by paid spend), the
  average paid order.
- For an expansion draft, the workspace's best-selling categories the customer has not
  bought yet (at most 2).
- The latest score snapshot: segment, churn risk, 12-month value and drivers.
- Open tickets, and tickets and reviews with text from the last 120 days (at most 5,
  newest first). Their text is what the customer wrote: the prompt passes it as quoted
  data only. Each text is cut to 1,000 characters, or to an even share of 5,000 for all
  of them (subjects to 200), and says where it was cut.
- The goal: given, else the one the alert's next step calls for
  (services.alerts.next_step.step_outreach): after a recent complaint (a negative ticket
  or review), or for a negative experience or a ticket past SLA, apology; else from the
  rule (expansion: expansion; stalled deal: check in; anything else, or no alert: win
  back). The tone: given, else the setting outreach.default_tone (the customer's
  segment's own where Settings ▸ Per segment sets one: services/segment_policy).
- Whether the draft makes an offer of its own: not when a complaint comes first
  (``no_offer_why`` says so), whatever the goal chosen; the cap still bounds an offer the
  user adds.
- The incentive cap: the 12-month value times outreach.incentive_cap_percent (the
  segment's own where one is set; or the cap
  of the offer-size strategy a running experiment gave the alert), in whole
  units (services/core/incentive.py, as the alert's next step; None when there is no
  value or the share is 0%: no offer at all).
- Customers who asked not to be contacted or unsubscribed can be drafted for, but
  ``send_blocked`` says why nothing may be sent.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from email.utils import parseaddr
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.errors import UserFacingError
from models.schema import Alert, Contact, Customer, Interaction, Order, ScoreSnapshot
from services.alerts.experiments import strategy_for_alert
from services.alerts.next_step import RULE_GOALS as RULE_GOALS
from services.alerts.next_step import alert_outreach, workspace_categories
from services.alerts.next_step import goal_for_rule as goal_for_rule
from services.alerts.records import ACTIVE_STATUSES
from services.core.account_names import AccountName, account_names
from services.core.incentive import incentive_cap_cents
from services.core.local_dates import local_time
from services.core.money import format_money, load_money_context
from services.core.rollups import CLOSED_TICKET_STATUSES
from services.outreach.records import (
    CURRENCY_SYMBOLS,
    CustomerText,
    DraftContext,
    LastOrder,
)
from services.people.contacts import Person, is_mailbox, people_of, recipient
from services.scoring.queries import value_months
from services.segment_policy import value_for
from services.settings import GOALS, TONES
from services.settings.views import MailSettings, OutreachSettings, SenderSettings

FEEDBACK_DAYS = 120
FEEDBACK_LIMIT = 5
OPEN_TICKET_LIMIT = 5
DRIVER_LIMIT = 5
TEXT_LIMIT = 1000  # characters of one ticket or review kept for the prompt
SUBJECT_LIMIT = 200  # characters of one ticket's or review's subject
# The texts of all the tickets and reviews of one prompt together: with more items than
# fit, each gets an even share (10 items: 500 characters each), so the customer's words
# in a request stay under TEXTS_BUDGET + 10 x SUBJECT_LIMIT whatever was imported.
TEXTS_BUDGET = 5000
FIELD_LIMIT = 200  # characters of a name, company, region, tier or category
REASON_LIMIT = 500  # characters of the alert's reason or of one driver


class DraftContextError(UserFacingError):
    """The customer, alert, goal or tone asked for does not exist."""


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def tenure_words(days: int | None) -> str:
    """ "customer for 2 years" / "for 5 months" / "for 12 days"; "" when unknown."""
    if days is None or days < 0:
        return ""
    years, months = days // 365, days // 30
    if years >= 1:
        return f"customer for {years} year{'s' if years > 1 else ''}"
    if months >= 1:
        return f"customer for {months} month{'s' if months > 1 else ''}"
    return f"customer for {days} day{'s' if days != 1 else ''}"


def _split_name(customer: Customer) -> tuple[str, str]:
    attributes = customer.attributes or {}
    first = str(attributes.get("first_name") or "").strip()
    last = str(attributes.get("last_name") or "").strip()
    if first:
        return first, last
    parts = (customer.name or "").split()
    if not parts:
        return "", ""
    return parts[0], " ".join(parts[1:])


def _phone(customer: Customer) -> str | None:
    if customer.phone:
        return customer.phone
    attributes = customer.attributes or {}
    for key in ("phone", "phone_number", "mobile", "telephone"):
        if attributes.get(key):
            return str(attributes[key])
    return None


def cut(text: str | None, limit: int) -> str | None:
    """``text`` at most ``limit`` characters, and where it was cut it says so, so that the
    "What will be sent" view shows what the provider gets: "…[cut: 9,998,976 more
    characters]" (a 10 MB field imported before imports capped text goes as 1 KB)."""
    if text is None:
        return None
    clean = text.strip()
    if len(clean) <= limit:
        return clean
    return f"{clean[:limit]}…[cut: {len(clean) - limit:,} more characters]"


def text_share(items: int) -> int:
    """The characters one ticket's or review's text keeps when a prompt holds ``items``
    of them: TEXT_LIMIT, or an even share of TEXTS_BUDGET when that is smaller."""
    return min(TEXT_LIMIT, TEXTS_BUDGET // max(items, 1))


def _customer_text(row: Interaction, limit: int) -> CustomerText:
    return CustomerText(
        kind=row.kind,
        date=local_time(row.occurred_at, row.utc_offset_minutes).date(),
        subject=cut(row.subject, SUBJECT_LIMIT),
        text=cut(row.text, limit),
        status=row.status,
        rating=row.rating,
        satisfaction=row.satisfaction,
    )


def _driver_texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    texts = [str(d["text"]) for d in value if isinstance(d, dict) and d.get("text")]
    return tuple(cut(t, REASON_LIMIT) or "" for t in texts[:DRIVER_LIMIT])


def sender_name(session: Session) -> str:
    """Who signs: the person using the app (the Your name setting, else their name in
    File ▸ Who I am…, else the name in their From address, "Ana Lopez <ana@shop.com>");
    "" when none is known. Never the customer's account manager: someone writing to
    another owner's customer signs as themself."""
    from services.core.profile import load_profile

    name = SenderSettings.read(session).sender_name.strip()
    if name:
        return name
    name = load_profile().profile.name.strip()
    if name:
        return name
    display, _address = parseaddr(MailSettings.read(session).from_address)
    return display.strip()


def _signature(session: Session) -> str:
    template = SenderSettings.read(session).signature.strip()
    name = sender_name(session)
    if not template:
        template = "Best regards,\n{owner}" if name else "Best regards"
    # A plain replace, not str.format: other braces in a signature are the user's text.
    # "{owner}" is the signer (the name it had when the owner signed every draft).
    return template.replace("{owner}", name).strip()


def _addressee(
    session: Session, customer: Customer, contact_id: int | None
) -> tuple[str, str, str | None, Person | None, tuple[tuple[int, str], ...]]:
    """Whom the email goes to (first name, surname, address, the person) and the people
    it could go to instead (contact id, "Name <email> · Role")."""
    first, surname = _split_name(customer)
    email = customer.email
    people = people_of(session, int(customer.id))
    person = recipient(people, contact_id)
    if person is not None and person.contact_id is not None:
        email = person.email
        if is_mailbox(person.name, person.email):
            first, surname = "", ""  # a shared mailbox: greeted without a name
        elif person.name:
            first, _, surname = person.name.partition(" ")
    choices = tuple(
        (p.contact_id, f"{p.label} · {p.role_label}" if p.role_label else p.label)
        for p in people
        if p.contact_id is not None and p.reachable
    )
    return first, surname, email, person, choices


def build_context(
    session: Session,
    customer_id: int,
    *,
    alert_id: int | None = None,
    goal: str | None = None,
    tone: str | None = None,
    now: dt.datetime | None = None,
    contact_id: int | None = None,
) -> DraftContext:
    """The drafting context of one customer (and the alert being worked on, if any),
    written to ``contact_id`` when that person can be emailed, else to the account's
    champion (services.people.contacts.recipient), else to the customer itself."""
    when = _aware(now) if now is not None else utcnow()
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise DraftContextError(f"Customer {customer_id} does not exist in this workspace.")
    alert = None
    if alert_id is not None:
        alert = session.get(Alert, alert_id)
        if alert is None or alert.customer_id != customer.id:
            raise DraftContextError(f"Alert {alert_id} is not an alert of this customer.")
    # The goal and offer the alert's next step calls for (the card's advice): a complaint
    # comes first, with no offer in the draft.
    advice = alert_outreach(
        session,
        rule_key=alert.rule_key if alert is not None else None,
        customer_id=int(customer.id),
        now=when,
    )
    chosen_goal = goal or advice.goal
    if chosen_goal not in GOALS:
        raise DraftContextError(f"'{chosen_goal}' is not a goal; choose one of {', '.join(GOALS)}.")
    outreach = OutreachSettings.read(session)
    chosen_tone, tone_segment = _tone(session, tone, int(customer.id))
    if chosen_tone not in TONES:
        raise DraftContextError(f"'{chosen_tone}' is not a tone; choose one of {', '.join(TONES)}.")

    orders = session.execute(
        select(
            Order.order_date,
            Order.utc_offset_minutes,
            Order.amount_cents,
            Order.category,
            Order.currency,
        )
        .where(Order.customer_id == customer.id, Order.status == "paid", Order.order_date <= when)
        .order_by(Order.order_date.desc(), Order.id.desc())
    ).all()
    money = load_money_context(session)
    currency = Counter(str(o.currency or money.home).upper() for o in orders).most_common(1)
    code = currency[0][0] if currency else money.home
    symbol = CURRENCY_SYMBOLS.get(code, f"{code} ")
    last_order = None
    if orders:
        latest = orders[0]
        # The shop's date of the order: "your order of 19 September", not UTC's 20th.
        day = local_time(latest.order_date, latest.utc_offset_minutes).date()
        last_order = LastOrder(
            date=day,
            days_ago=(when.date() - day).days,
            category=latest.category,
            amount_cents=int(latest.amount_cents),
            amount=format_money(int(latest.amount_cents), code),
        )
    spend: Counter[str] = Counter()
    for o in orders:
        if o.category:
            spend[str(o.category)] += int(o.amount_cents)
    categories = tuple(
        cut(c, FIELD_LIMIT) or ""
        for c, _ in sorted(spend.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    )
    # Orders in the draft's currency only: amounts of different currencies never add up.
    same = [int(o.amount_cents) for o in orders if str(o.currency or money.home).upper() == code]
    average = int(round(sum(same) / len(same))) if same else None

    if customer.signup_date is not None:
        start: dt.date | None = customer.signup_date
    elif orders:
        start = local_time(orders[-1].order_date, orders[-1].utc_offset_minutes).date()
    else:
        start = None
    tenure_days = (when.date() - start).days if start is not None else None

    snapshot = session.scalars(
        select(ScoreSnapshot)
        .where(ScoreSnapshot.customer_id == customer.id)
        .order_by(ScoreSnapshot.as_of.desc(), ScoreSnapshot.id.desc())
        .limit(1)
    ).first()
    clv = snapshot.clv_12m_cents if snapshot is not None else None
    cap_percent, offer_from, cap_segment = _cap_percent(session, alert, int(customer.id))
    value = float(clv) if clv is not None else None
    if value is not None and code != money.home:
        # The 12-month value is in the home currency; the draft speaks the customer's.
        # Without an exchange rate there is no amount to offer.
        rate = money.rate(code)
        value = value / rate if rate else None
    cap = incentive_cap_cents(value, cap_percent)

    open_tickets = session.scalars(
        select(Interaction)
        .where(
            Interaction.customer_id == customer.id,
            Interaction.kind == "ticket",
            Interaction.occurred_at <= when,
            or_(
                Interaction.status.is_(None),
                func.lower(Interaction.status).not_in(CLOSED_TICKET_STATUSES),
            ),
        )
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(OPEN_TICKET_LIMIT)
    ).all()
    feedback = session.scalars(
        select(Interaction)
        .where(
            Interaction.customer_id == customer.id,
            Interaction.kind.in_(("ticket", "review")),
            Interaction.occurred_at >= when - dt.timedelta(days=FEEDBACK_DAYS),
            Interaction.occurred_at <= when,
            or_(Interaction.text.is_not(None), Interaction.subject.is_not(None)),
        )
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(FEEDBACK_LIMIT)
    ).all()
    unsubscribed = bool(
        session.scalar(
            select(
                exists().where(
                    Interaction.customer_id == customer.id, Interaction.kind == "unsubscribe"
                )
            )
        )
    )
    name = customer.name or customer.email or f"Customer {customer.id}"
    blocked = None
    if customer.do_not_contact:
        blocked = f"{name} asked not to be contacted: you can draft, but nothing can be sent."
    elif unsubscribed:
        blocked = f"{name} unsubscribed from emails: you can draft, but nothing can be sent."
    first, surname, email, person, choices = _addressee(session, customer, contact_id)
    share = text_share(len(open_tickets) + len(feedback))
    return DraftContext(
        customer_id=int(customer.id),
        external_id=customer.external_id,
        name=name,
        first_name=cut(first, FIELD_LIMIT) or "",
        surname=cut(surname, FIELD_LIMIT) or "",
        email=cut(email, 320),
        phone=cut(_phone(customer), 64),
        company=cut(customer.company, FIELD_LIMIT),
        region=cut(customer.region, FIELD_LIMIT),
        tier=cut(customer.tier, FIELD_LIMIT),
        owner=cut(customer.owner, FIELD_LIMIT),
        tenure_days=tenure_days,
        tenure=tenure_words(tenure_days),
        last_order=last_order,
        categories=categories,
        new_categories=_new_categories(session, spend) if chosen_goal == "expansion" else (),
        paid_orders=len(orders),
        average_order_cents=average,
        segment=snapshot.segment if snapshot is not None else None,
        churn_risk=snapshot.churn_risk if snapshot is not None else None,
        clv_12m_cents=int(clv) if clv is not None else None,
        drivers=_driver_texts(snapshot.drivers) if snapshot is not None else (),
        open_tickets=tuple(_customer_text(t, share) for t in open_tickets),
        recent_feedback=tuple(_customer_text(t, share) for t in feedback),
        alert_id=int(alert.id) if alert is not None else None,
        alert_rule=alert.rule_key if alert is not None else None,
        alert_reason=cut(alert.reason, REASON_LIMIT) if alert is not None else None,
        goal=chosen_goal,
        tone=chosen_tone,
        incentive_cap_percent=cap_percent,
        incentive_cap_cents=cap,
        offer_from=offer_from,
        # A running experiment's offer size holds (the draw must hold to mean anything).
        no_offer_why="" if advice.offer or offer_from else advice.why,
        contact_id=person.contact_id if person is not None else None,
        recipient_name=cut(person.name, FIELD_LIMIT) or "" if person is not None else "",
        people=choices,
        tone_segment=tone_segment,
        cap_segment=cap_segment,
        clv_months=value_months(session, snapshot.scoring_run_id) if snapshot is not None else 12,
        currency=code,
        currency_symbol=symbol,
        brand_voice=outreach.brand_voice.strip(),
        signature=_signature(session),
        do_not_contact=bool(customer.do_not_contact),
        unsubscribed=unsubscribed,
        send_blocked=blocked,
        as_of=when,
        team_domains=tuple(str(d) for d in outreach.team_domains),
    )


def _new_categories(session: Session, bought: Counter[str]) -> tuple[str, ...]:
    """The workspace's best-selling categories this customer has not bought (at most 2)."""
    fresh = [c for c in workspace_categories(session) if c not in bought][:2]
    return tuple(cut(c, FIELD_LIMIT) or "" for c in fresh)


def _tone(session: Session, given: str | None, customer_id: int) -> tuple[str, str]:
    """The draft's tone and the segment whose own tone it is ("": given, or the
    workspace's): the customer's segment may have one (Settings ▸ Per segment)."""
    if given:
        return given, ""
    own = value_for(session, "outreach.default_tone", customer_id)
    return str(own.value), own.segment


def _cap_percent(session: Session, alert: Alert | None, customer_id: int) -> tuple[float, str, str]:
    """The offer cap in percent, the experiment that set it and the segment whose own cap
    it is: an offer-size strategy of a running experiment wins over the setting for its
    alert ("": the setting); the setting is the customer's segment's where it has one."""
    strategy = strategy_for_alert(session, int(alert.id)) if alert is not None else None
    if strategy is not None and strategy.offer_percent is not None:
        return strategy.offer_percent, strategy.experiment, ""
    own = value_for(session, "outreach.incentive_cap_percent", customer_id)
    return float(own.value), "", own.segment


def top_alert_id(session: Session, customer_id: int) -> int | None:
    """The customer's highest-priority active alert (what a draft is most likely for)."""
    found = session.scalar(
        select(Alert.id)
        .where(Alert.customer_id == customer_id, Alert.status.in_(ACTIVE_STATUSES))
        .order_by(Alert.priority_cents.desc(), Alert.id)
        .limit(1)
    )
    return int(found) if found is not None else None


def find_customers(session: Session, text: str, *, limit: int = 6) -> list[tuple[int, str]]:
    """Customers matching ``text``: exact external id, email (theirs or one of their
    people's), name or company (any case) first; else names or companies containing it.
    Returns (id, "account (person) <email> [external id]") pairs."""
    wanted = text.strip().lower()
    if not wanted:
        return []
    exact = (
        select(Customer)
        .where(
            or_(
                func.lower(Customer.external_id) == wanted,
                Customer.email_normalized == wanted,
                func.lower(Customer.email) == wanted,
                func.lower(Customer.name) == wanted,
                func.lower(Customer.company) == wanted,
                Customer.id.in_(
                    select(Contact.customer_id).where(Contact.email_normalized == wanted)
                ),
            )
        )
        .order_by(Customer.id)
        .limit(limit)
    )
    found = list(session.scalars(exact))
    if not found:
        escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        partial = (
            select(Customer)
            .where(
                or_(
                    func.lower(Customer.name).like(f"%{escaped}%", escape="\\"),
                    func.lower(Customer.company).like(f"%{escaped}%", escape="\\"),
                )
            )
            .order_by(Customer.name, Customer.id)
            .limit(limit)
        )
        found = list(session.scalars(partial))
    names = account_names(session, [int(c.id) for c in found])
    return [(int(c.id), _label(c, names.get(int(c.id)))) for c in found]


def _label(customer: Customer, account: AccountName | None) -> str:
    """ "Willow Creek Clinic (Dana Cole) <dana@…> [0011]": the account's name, its person."""
    parts = [account.name if account is not None else customer.name or "(no name)"]
    if account is not None and account.person_line:
        parts.append(f"({account.person})")
    if customer.email:
        parts.append(f"<{customer.email}>")
    if customer.external_id:
        parts.append(f"[{customer.external_id}]")
    return " ".join(parts)
