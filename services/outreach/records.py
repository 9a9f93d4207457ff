"""What the outreach services hand around: vocabularies and frozen records, stdlib only.

The window's composer imports this module without loading SQLAlchemy or openai (views
never import those), so it holds no logic beyond formatting money.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.core.money import ISO_CODES, currency_symbol, format_money

# Kept in step with services.settings.GOALS and TONES (a test checks they match).
GOAL_LABELS = {
    "win_back": "Win back",
    "check_in": "Check in",
    "expansion": "Introduce a new line",
    "apology": "Apologise after a bad experience",
}
TONE_LABELS = {
    "warm": "Warm",
    "friendly": "Friendly",
    "professional": "Professional",
    "concise": "Concise",
}

# ISO currency -> the symbol a customer reads ("€", "CHF "): services/core/money.py's one table.
CURRENCY_SYMBOLS = {code: currency_symbol(code) for code in ISO_CODES}

# No draft offers more than this percent off, whatever the customer's value: deeper
# discounts teach customers to wait for them (and "90% off" is what an injected
# instruction asks for).
MAX_PERCENT_OFF = 50


@dataclass(frozen=True)
class LastOrder:
    """The customer's latest paid order."""

    date: dt.date
    days_ago: int
    category: str | None
    amount_cents: int
    amount: str  # formatted in the customer's currency


@dataclass(frozen=True)
class CustomerText:
    """A ticket or review: what the customer wrote (data, never instructions)."""

    kind: str  # "ticket" or "review"
    date: dt.date
    subject: str | None
    text: str | None
    status: str | None = None  # tickets
    rating: int | None = None  # reviews, 1-5
    satisfaction: str | None = None  # tickets: good / bad / ...


@dataclass(frozen=True)
class DraftContext:
    """Everything a draft is written from, about one customer (no ORM objects).

    Built by services.outreach.context.build_context. Money is in cents; ``money``
    formats cents in the customer's currency. ``incentive_cap_cents`` is the most an
    offer may be worth (None: no offer at all). ``send_blocked`` says why nothing may be
    sent to this customer (drafting is still allowed), else None.
    """

    customer_id: int
    external_id: str | None
    name: str
    first_name: str
    surname: str
    email: str | None
    phone: str | None
    company: str | None
    region: str | None
    tier: str | None
    owner: str | None
    tenure_days: int | None
    tenure: str  # "customer for 2 years"; "" when unknown
    last_order: LastOrder | None
    categories: tuple[str, ...]  # top 3 by spend
    new_categories: tuple[str, ...]  # expansion: best sellers they have not bought (top 2)
    paid_orders: int
    average_order_cents: int | None
    segment: str | None
    churn_risk: float | None  # 0-1
    clv_12m_cents: int | None
    drivers: tuple[str, ...]
    open_tickets: tuple[CustomerText, ...]
    recent_feedback: tuple[CustomerText, ...]  # tickets and reviews with text, newest first
    alert_id: int | None
    alert_rule: str | None
    alert_reason: str | None
    goal: str
    tone: str
    incentive_cap_percent: float
    incentive_cap_cents: int | None
    currency: str
    currency_symbol: str
    brand_voice: str
    signature: str
    do_not_contact: bool
    unsubscribed: bool
    send_blocked: str | None
    as_of: dt.datetime
    # The team's own domains (setting outreach.team_domains): links elsewhere are flagged.
    team_domains: tuple[str, ...] = ()
    # T of the snapshot's T-month value (clv_12m_cents): what the offer cap's words name.
    clv_months: int = 12
    # The experiment whose offer-size strategy set incentive_cap_percent ("": the setting).
    offer_from: str = ""
    # Why the draft makes no offer of its own although the cap would allow one (the alert's
    # next step puts things right first); "": it may offer. An offer the user adds is
    # still checked against the cap.
    no_offer_why: str = ""
    # The person at the account the email goes to (services/people/contacts.py): their id
    # (None: the customer itself, its one person) and name, and everyone it could go to
    # instead as (contact id, "Name <email> · Role"), for the composer's To list.
    contact_id: int | None = None
    recipient_name: str = ""
    people: tuple[tuple[int, str], ...] = ()
    # The segment whose own tone and offer cap apply (Settings ▸ Per segment); "": the
    # workspace's (or the tone was chosen for this draft).
    tone_segment: str = ""
    cap_segment: str = ""

    @property
    def addressee(self) -> str:
        """Whom it goes to, as the composer and the review queue say it: "Maria Delgado
        (Contoso Freight)" for a person at an account, else the customer's name."""
        if self.recipient_name and self.recipient_name != self.name:
            return f"{self.recipient_name} ({self.company or self.name})"
        return self.name

    def money(self, cents: int | float) -> str:
        """Cents in the customer's currency ("$25", "€12.50")."""
        return format_money(round(float(cents)), self.currency)

    @property
    def incentive(self) -> str | None:
        """The cap as the customer would read it, in whole units rounded down ("$101" for
        $101.38: nobody offers the cents), or None when no offer. Under one unit, as is."""
        cap = self.incentive_cap_cents
        if cap is None:
            return None
        return self.money(cap - cap % 100 if cap >= 100 else cap)

    @property
    def max_percent_off(self) -> int | None:
        """The largest whole percent off an average order that stays within the cap (and
        within MAX_PERCENT_OFF)."""
        cap, aov = self.incentive_cap_cents, self.average_order_cents
        if cap is None or not aov:
            return None
        return min(MAX_PERCENT_OFF, int(cap * 100 // aov)) or None


@dataclass(frozen=True)
class DraftProblem:
    """A check the draft failed, in plain words (shown to the user, never hidden)."""

    kind: str  # placeholder, incentive, no_offer_allowed, length, empty, no_subject
    message: str


@dataclass(frozen=True)
class Draft:
    """A finished draft: who wrote it (the provider's model or a template), and the checks.

    ``source`` is "llm" or "template"; ``reason`` says why a template was used.
    """

    subject: str
    body: str
    source: str
    provider: str | None = None
    model: str | None = None
    template: str | None = None
    reason: str | None = None
    problems: tuple[DraftProblem, ...] = field(default=())

    @property
    def text(self) -> str:
        """The draft as one text: "Subject: ...", a blank line, the body."""
        return f"Subject: {self.subject}\n\n{self.body}"


@dataclass(frozen=True)
class TemplateEntry:
    """One goal's template in the library: Jinja2 subject and body; ``custom`` when the
    workspace's own (setting outreach.templates), else the built-in one."""

    subject: str
    body: str
    custom: bool
