"""The demo's contracts and their true chance of renewing.

Northwind sells "Northwind for Business" programmes (staff uniforms, corporate gifting,
event wardrobes) to its business customers: every customer who buys for a company, and a
few others who buy for a small business of their own. Each account has one contract,
renewed year after year from its first term until it churns: terms over the past two
years (some renewed, some churned) and the current term, whose renewal date falls in the
next twelve months (open).

Each term's true chance of renewing comes from what the demo already simulated about its
customer as the renewal date neared (for a renewal still ahead: as of today), through a
logistic function (``true_chance``):

- quiet spell: days from the customer's last order before the renewal date (long quiet
  spells are leavers' spells: services/demo/generate.py), the strongest signal;
- orders in the 180 days before the renewal date;
- unhappy tickets (negative sentiment) in those 180 days (services/demo/events.py);
- the members' app use decaying by then (services/demo/usage.py's lapse and fading
  stories);
- a Style Club payment that failed (a past-due membership);
- the seats at this term against the last (an account that shrank renews less often);
- the account's relationship story (services/demo/people_plan.py): its champion gone, or
  its decision maker gone quiet, shortly before the renewal date, so that the
  relationship signals measured on the demo have a known answer;
- and a latent account effect no data shows (a benchmark's irreducible noise).

The outcome of each past term is drawn with that chance; a renewed account's next term
expands or contracts its seats by the account's health. A contract's amount is drawn
around its customer's yearly order revenue (paid orders over the years they have bought,
one year at least): the first term's price a seat is set so that its seats cost about
that, later terms follow their seats at the same price (3% dearer a year), and no term
costs more than the customer's whole order revenue, so that an account that spent $2,000
in orders never holds a $40,000 contract. Every term's chance, outcome and
features are kept in the demo's truth (``renewals``), so that a benchmark can
set a model's likelihoods beside the truth, as services/demo/uplift_truth.py does for
uplift. Drawn from a random stream of its own ([seed, 23]) after everything else, so that
no other row of the demo changed when contracts were added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.schema import Contract
from services.demo.people_plan import Story, plan_stories
from services.demo.tables import _TableData
from services.demo.vocabulary import (
    _CHURNED,
    _EPOCH,
    _LAPSING,
    _NEW,
    _ONE_TIME,
    OWNERS,
    SOURCE,
    BoolArray,
    FloatArray,
    IntArray,
)

__all__ = [
    "COEFFICIENTS",
    "Terms",
    "INTERCEPT",
    "CustomerState",
    "RenewalFeatures",
    "business_contracts",
    "contract_terms",
    "relationship_stories",
    "contract_state",
    "demo_contracts",
    "true_chance",
]

# The logistic function's weights, by feature (``RenewalFeatures``).
INTERCEPT = 1.7
COEFFICIENTS = {
    "quiet_quarters": -0.9,  # per 90 quiet days before the renewal date (capped at 4)
    "orders_180d": 0.45,  # log(1 + orders in the 180 days before it)
    "unhappy_tickets_180d": -0.55,  # tickets with negative sentiment (capped at 3)
    "usage_decaying": -1.1,  # the app's use decaying by the renewal date
    "payment_failed": -0.9,  # a past-due Style Club membership
    "seat_change": 1.4,  # log(seats this term / seats the term before)
    # The relationship stories (services/demo/people_plan.py): the account's champion left,
    # or its decision maker went quiet, shortly before the renewal date.
    "champion_left": -2.5,
    "contact_dark": -1.5,
}
LATENT_SD = 0.45  # the account effect no data shows
_OTHER_SHARE = 0.1  # customers without a company who buy for a small business
PROGRAMMES = ("Uniform programme", "Corporate gifting plan", "Event wardrobe plan")
# The smallest amount a year of a contract, in cents (unless the customer spent less; a
# customer without a paid order pays this).
_LEAST_CENTS = 100_00
_PRICE_RISE = 1.03
# The first term's amount against the customer's yearly order revenue (lognormal spread).
_AMOUNT_SD = 0.3
_NOTICE_DAYS = (30, 60, 90)
_HISTORY_TERMS = 3  # the first term starts up to three years ago


@dataclass(frozen=True)
class RenewalFeatures:
    """What the demo simulated about each term's customer as its renewal date neared."""

    quiet_quarters: FloatArray
    orders_180d: FloatArray
    unhappy_tickets_180d: FloatArray
    usage_decaying: FloatArray
    payment_failed: FloatArray
    seat_change: FloatArray
    champion_left: FloatArray
    contact_dark: FloatArray

    def as_dict(self, i: int) -> dict[str, float]:
        return {k: round(float(getattr(self, k)[i]), 4) for k in COEFFICIENTS}


def true_chance(features: RenewalFeatures, latent: FloatArray) -> FloatArray:
    """Each term's true chance of renewing: the logistic of the weighted features plus the
    account's latent effect."""
    logit = INTERCEPT + latent
    for name, weight in COEFFICIENTS.items():
        logit = logit + weight * getattr(features, name)
    return np.asarray(1.0 / (1.0 + np.exp(-logit)), dtype=np.float64)


def _counts_before(
    owner: IntArray, day: IntArray, keys_owner: IntArray, keys_day: IntArray, window: int
) -> IntArray:
    """For each (owner, day) query, how many events of that owner fall in the ``window``
    days before the day (events given as owner and day arrays)."""
    if len(owner) == 0:
        return np.zeros(0, dtype=np.int64)
    span = int(max(day.max(initial=0), keys_day.max(initial=0))) + window + 2
    keys = np.sort(keys_owner.astype(np.int64) * span + keys_day.astype(np.int64))
    hi = np.searchsorted(keys, owner * span + day, side="left")
    lo = np.searchsorted(keys, owner * span + day - window, side="left")
    return np.asarray(hi - lo, dtype=np.int64)


def _last_before(
    owner: IntArray, day: IntArray, keys_owner: IntArray, keys_day: IntArray
) -> IntArray:
    """The day of each owner's last event strictly before the query day (-1: none)."""
    span = int(max(day.max(initial=0), keys_day.max(initial=0))) + 2
    keys = np.sort(keys_owner.astype(np.int64) * span + keys_day.astype(np.int64))
    at = np.searchsorted(keys, owner * span + day, side="left") - 1
    found = keys[np.maximum(at, 0)]
    ok = (at >= 0) & (found // span == owner)
    return np.where(ok, found % span, -1).astype(np.int64)


def _months_later(day: IntArray, months: IntArray) -> IntArray:
    """Day numbers ``months`` later (the 28th at most, so every month has the day)."""
    d = day.astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    dom = np.minimum((d - month.astype("datetime64[D]")).astype(np.int64), 27)
    later = (month + months).astype("datetime64[D]") + dom
    return np.asarray(later.astype(np.int64), dtype=np.int64)


@dataclass(frozen=True)
class CustomerState:
    """What the contracts read of the demo's other rows (generation order)."""

    arch: IntArray
    first_day: IntArray
    owner: IntArray
    has_company: BoolArray
    order_customer: IntArray
    order_day: IntArray
    ticket_customer: IntArray
    ticket_day: IntArray
    ticket_sentiment: FloatArray
    usage_decay_day: FloatArray  # the day the app's use starts to decay (inf: never)
    payment_failed: BoolArray
    external_ids: list[str]
    yearly_cents: FloatArray  # paid orders' revenue a year (over the years bought, 1 at least)
    spend_cents: FloatArray  # paid orders' whole revenue


def business_contracts(
    seed: int,
    arch: IntArray,
    parts: tuple[Any, Any, Any, _TableData],
    usage_truth: dict[str, Any],
    today_day: int,
) -> tuple[_TableData, dict[str, Any]]:
    """The demo's contracts and their truth, from a random stream of their own ([seed,
    23]); ``parts``: the generated customers, orders, tickets and memberships."""
    cust, orders, support, subscriptions = parts
    state = contract_state(arch, cust, orders, support, usage_truth, subscriptions)
    _terms, stories = relationship_stories(seed, cust, today_day)
    return demo_contracts(np.random.default_rng([seed, 23]), state, today_day, stories)


def relationship_stories(seed: int, cust: Any, today_day: int) -> tuple[Terms, dict[int, Story]]:
    """The contract terms (drawn again from the contracts' stream, as the contracts draw
    them) and the relationship story of each account that holds a contract
    (services/demo/people_plan.py): what the contracts' outcomes and the accounts' people
    (services/demo/people.py) both follow. ``cust``: the generated customers."""
    has_company = np.array([c is not None for c in cust.company.tolist()], dtype=bool)
    terms = contract_terms(
        np.random.default_rng([seed, 23]), cust.arch, cust.first_day, has_company, today_day
    )
    stories = plan_stories(
        seed, terms.accounts, terms.term_customers, terms.cols["end"], cust.arch,
        cust.first_day, today_day,
    )  # fmt: skip
    return terms, stories


def contract_state(
    arch: IntArray,
    cust: Any,
    orders: Any,
    support: Any,
    usage_truth: dict[str, Any],
    subscriptions: _TableData,
) -> CustomerState:
    """What the contracts read of the generated customers (services/demo/generate.py's
    ``_Customers`` and ``_Orders``), tickets (services/demo/events.py's ``_Events``), app
    use (services/demo/usage.py's truth) and Style Club memberships."""
    n = len(arch)
    tickets = np.asarray(support.kind == "ticket", dtype=bool)
    sentiment = np.array(
        [0.0 if v is None else float(v) for v in support.sentiment[tickets].tolist()],
        dtype=np.float64,
    )
    index = {x: i for i, x in enumerate(cust.external_ids)}
    decay = np.full(n, np.inf)
    for story in ("lapse", "fading"):
        for external, day in (usage_truth.get(story) or {}).items():
            at = index.get(external)
            if at is not None:
                decay[at] = (dt.date.fromisoformat(day) - _EPOCH).days
    failed = np.zeros(n, dtype=bool)
    assert subscriptions.customer is not None
    failed[subscriptions.customer[subscriptions.columns["status"] == "past_due"]] = True
    spend = np.asarray(orders.spend_cents, dtype=np.float64)
    years = np.maximum((orders.last_day - orders.first_day + 1) / 365.0, 1.0)
    return CustomerState(
        arch=arch,
        first_day=cust.first_day,
        owner=cust.owner,
        has_company=np.array([c is not None for c in cust.company.tolist()], dtype=bool),
        order_customer=orders.customer,
        order_day=orders.day,
        ticket_customer=support.customer[tickets],
        ticket_day=support.seconds[tickets] // 86_400,
        ticket_sentiment=sentiment,
        usage_decay_day=decay,
        payment_failed=failed,
        external_ids=cust.external_ids,
        yearly_cents=spend / years,
        spend_cents=spend,
    )


@dataclass(frozen=True)
class Terms:
    """The contract terms drawn for the accounts, before their outcomes (the draws every
    other part of the demo that needs the renewal dates replays: services/demo/people.py)."""

    accounts: IntArray  # the accounts' customers, in generation order
    cols: dict[str, IntArray]  # per term: account (its position), k, start, end, seats...
    programme: IntArray
    first_seats: IntArray
    latent: FloatArray
    auto: BoolArray
    notice: IntArray

    @property
    def term_customers(self) -> IntArray:
        """Each term's customer (generation order)."""
        return np.asarray(self.accounts[self.cols["account"]], dtype=np.int64)


def contract_terms(
    rng: np.random.Generator,
    arch: IntArray,
    first_day: IntArray,
    has_company: BoolArray,
    today_day: int,
) -> Terms:
    """Which customers hold a contract and its terms from the first to the current one;
    the first draws of the contracts' stream, in the order they always had."""
    n = len(arch)
    other = ~has_company & ~np.isin(arch, (_NEW, _ONE_TIME)) & (rng.random(n) < _OTHER_SHARE)
    accounts = np.flatnonzero(has_company | other).astype(np.int64)
    m = len(accounts)
    earliest = today_day - _HISTORY_TERMS * 365
    first = np.maximum(first_day[accounts] + rng.integers(0, 60, m), earliest)
    first = first + rng.integers(0, 365, m) * (first == earliest)
    programme = rng.integers(0, len(PROGRAMMES), m)
    seats = np.maximum(np.round(rng.lognormal(np.log(12), 0.7, m)), 2).astype(np.int64)
    latent = rng.normal(0.0, LATENT_SD, m)
    auto = rng.random(m) < 0.6
    notice = np.array(_NOTICE_DAYS)[rng.integers(0, len(_NOTICE_DAYS), m)]
    # Accounts of customers who are leaving shrink; the others grow a little.
    drift = np.where(np.isin(arch[accounts], (_LAPSING, _CHURNED)), -0.12, 0.07)
    rows: dict[str, list[Any]] = {k: [] for k in ("account", "k", "start", "end", "seats",
                                                  "prev_seats")}  # fmt: skip
    live = np.arange(m)
    start, prev, first_seats = first.copy(), seats.copy(), seats.copy()
    for k in range(_HISTORY_TERMS + 2):
        if not len(live):
            break
        end = _months_later(start[live], np.full(len(live), 12)) - 1
        keep = start[live] < today_day
        live, end = live[keep], end[keep]
        if not len(live):
            break
        for key, value in (("account", live), ("k", np.full(len(live), k)),
                           ("start", start[live]), ("end", end), ("seats", seats[live]),
                           ("prev_seats", prev[live])):  # fmt: skip
            rows[key].append(value)
        # Whether each term renews is decided later, once its features are known.
        start[live] = end + 1
        prev[live] = seats[live]
        growth = rng.normal(drift[live], 0.2)
        seats[live] = np.maximum(np.round(seats[live] * np.exp(growth)), 1).astype(np.int64)
    cols = {key: np.concatenate(v) if v else np.zeros(0, np.int64) for key, v in rows.items()}
    return Terms(accounts, cols, programme, first_seats, latent, auto, notice)


def demo_contracts(
    rng: np.random.Generator,
    state: CustomerState,
    today_day: int,
    stories: Mapping[int, Story] | None = None,
) -> tuple[_TableData, dict[str, Any]]:
    """The contract terms of the demo's business accounts, and their truth; ``stories``:
    the accounts' relationship stories (services/demo/people_plan.py), whose champions
    leaving and decision makers going quiet before a renewal weigh on it."""
    terms = contract_terms(rng, state.arch, state.first_day, state.has_company, today_day)
    cols, accounts = terms.cols, terms.accounts
    who = terms.term_customers
    # An upcoming renewal's features are as of today (what is known of it now).
    seen = np.minimum(cols["end"], today_day - 1)
    feats = _features(state, who, seen, cols["seats"], cols["prev_seats"], cols["k"],
                      _story_weights(stories or {}, who, cols["end"]))  # fmt: skip
    chance = true_chance(feats, terms.latent[cols["account"]])
    draw = rng.random(len(chance))
    renewed, keep = _chains(cols["account"], cols["k"], cols["end"], chance, draw, today_day)
    # Drawn last, so that every term's chance and outcome stayed as they were.
    m = len(accounts)
    seat_cents = state.yearly_cents[accounts] * rng.lognormal(0.0, _AMOUNT_SD, m)
    seat_cents = seat_cents / terms.first_seats
    return _table(state, accounts, cols, keep, renewed, (chance, terms.latent[cols["account"]]),
                  feats, (terms.programme, seat_cents), terms.auto, terms.notice,
                  today_day)  # fmt: skip


def _story_weights(
    stories: Mapping[int, Story], who: IntArray, end: IntArray
) -> tuple[FloatArray, FloatArray]:
    """Per term, whether its account's champion left, and whether its decision maker went
    quiet, shortly before its renewal date (the stories that precede a renewal)."""
    left = np.zeros(len(who))
    quiet = np.zeros(len(who))
    for i, (customer, day) in enumerate(zip(who.tolist(), end.tolist(), strict=True)):
        story = stories.get(int(customer))
        if story is not None and story.renewal == int(day):
            if story.kind == "left":
                left[i] = 1.0
            elif story.kind == "dark":
                quiet[i] = 1.0
    return left, quiet


def _features(
    state: CustomerState,
    who: IntArray,
    end: IntArray,
    seats: IntArray,
    prev_seats: IntArray,
    k: IntArray,
    stories: tuple[FloatArray, FloatArray],
) -> RenewalFeatures:
    """Each term's features on the day ``end`` (its renewal date, or today for one still
    ahead; see the module docstring)."""
    last = _last_before(who, end, state.order_customer, state.order_day)
    quiet = np.where(last >= 0, end - last, 365)
    orders = _counts_before(who, end, state.order_customer, state.order_day, 180)
    unhappy = state.ticket_sentiment < -0.2
    tickets = _counts_before(
        who, end, state.ticket_customer[unhappy], state.ticket_day[unhappy], 180
    )
    decaying = state.usage_decay_day[who] <= end
    change = np.where(k > 0, np.log(seats / np.maximum(prev_seats, 1)), 0.0)
    return RenewalFeatures(
        quiet_quarters=np.minimum(quiet / 90.0, 4.0),
        orders_180d=np.log1p(orders.astype(np.float64)),
        unhappy_tickets_180d=np.minimum(tickets, 3).astype(np.float64),
        usage_decaying=decaying.astype(np.float64),
        payment_failed=state.payment_failed[who].astype(np.float64),
        seat_change=change.astype(np.float64),
        champion_left=stories[0],
        contact_dark=stories[1],
    )


def _chains(
    account: IntArray,
    k: IntArray,
    end: IntArray,
    chance: FloatArray,
    draw: FloatArray,
    today_day: int,
) -> tuple[BoolArray, BoolArray]:
    """(renewed, kept) per term: a past term renews when its draw falls below its chance;
    an account's terms after a churned one are never reached (not kept)."""
    decided = end < today_day
    renewed = decided & (draw < chance)
    churned = decided & ~renewed
    order = np.lexsort((k, account))
    keep = np.ones(len(k), dtype=bool)
    gone_at = {}
    for i in order.tolist():
        a = int(account[i])
        if a in gone_at:
            keep[i] = False
            continue
        if churned[i]:
            gone_at[a] = int(k[i])
    return renewed, keep


def _table(
    state: CustomerState,
    accounts: IntArray,
    cols: dict[str, IntArray],
    keep: BoolArray,
    renewed: BoolArray,
    truths: tuple[FloatArray, FloatArray],
    feats: RenewalFeatures,
    priced: tuple[IntArray, FloatArray],
    auto: BoolArray,
    notice: IntArray,
    today_day: int,
) -> tuple[_TableData, dict[str, Any]]:
    chance, latent = truths
    programme, seat_cents = priced
    idx = np.flatnonzero(keep)
    a = cols["account"][idx]
    who = accounts[a]
    cents = cols["seats"][idx] * seat_cents[a] * np.power(_PRICE_RISE, cols["k"][idx])
    spent = state.spend_cents[who]
    cents = np.minimum(np.maximum(cents, _LEAST_CENTS), np.where(spent > 0, spent, _LEAST_CENTS))
    amount = (np.floor(cents / 100) * 100).astype(np.int64)
    end = cols["end"][idx]
    decided = end < today_day
    outcome = np.where(decided, np.where(renewed[idx], "renewed", "churned"), "open")
    # The renewed amount is the next term's (same account, next k).
    by_key = {(int(x), int(t)): j for j, (x, t) in enumerate(zip(a, cols["k"][idx], strict=True))}
    renewed_amount: list[Any] = []
    for j, (x, t) in enumerate(zip(a.tolist(), cols["k"][idx].tolist(), strict=True)):
        nxt = by_key.get((x, t + 1))
        renewed_amount.append(int(amount[nxt]) if outcome[j] == "renewed" and nxt is not None
                              else None)  # fmt: skip
    series = [f"NWB-{state.external_ids[c]}" for c in who.tolist()]
    start = cols["start"][idx]
    ids = [f"{s}@{(_EPOCH + dt.timedelta(days=int(d))).isoformat()}"
           for s, d in zip(series, start.tolist(), strict=True)]  # fmt: skip
    names = [PROGRAMMES[p] for p in programme[a].tolist()]
    table = _TableData(
        Contract.__table__,  # type: ignore[arg-type]
        {
            "external_id": np.array(ids, dtype=object),
            "source": np.full(len(idx), SOURCE, dtype=object),
            "name": np.array(names, dtype=object),
            "start_date": start.astype("datetime64[D]"),
            "end_date": end.astype("datetime64[D]"),
            "amount_cents": amount,
            "currency": np.full(len(idx), "USD", dtype=object),
            "period": np.full(len(idx), "year", dtype=object),
            "auto_renew": auto[a],
            "notice_days": notice[a].astype(np.int64),
            "seats": cols["seats"][idx].astype(np.int64),
            "outcome": outcome.astype(object),
            "renewed_amount_cents": np.array(renewed_amount, dtype=object),
            "decided_on": np.array(
                [
                    _EPOCH + dt.timedelta(days=int(e)) if d else None
                    for e, d in zip(end.tolist(), decided.tolist(), strict=True)
                ],
                dtype=object,
            ),  # fmt: skip
            "owner": np.array(OWNERS, dtype=object)[state.owner[who]],
        },
        customer=who.astype(np.int64),
    )
    truth = {
        "coefficients": {"intercept": INTERCEPT, **COEFFICIENTS},
        "latent_sd": LATENT_SD,
        "terms": {
            ids[j]: {
                "chance": round(float(chance[i]), 4),
                "outcome": str(outcome[j]),
                "latent": round(float(latent[i]), 4),
                **feats.as_dict(int(i)),
            }
            for j, i in enumerate(idx.tolist())
        },
    }
    return table, truth
