"""The demo's past outreach: six months of risk alerts and emails, with a known true effect.

Over the months before ``today`` the demo simulates the product in use, so that Learn's
numbers (re-engagement, lift and its interval) can be checked against a truth:

- **Who is alerted.** For each customer, up to ``_CANDIDATES`` random days in the
  alert period (``_EARLIEST_DAYS_AGO`` to ``_LATEST_DAYS_AGO`` days before today) are
  tried; the first day on which the customer is *lapsing* raises one risk alert: a
  repeat buyer (two orders or more before it) whose last order was 60 to 365 days
  earlier, with **no order of its own history from that day through the next
  ``_CLEAR_DAYS`` days** (the window, and the few days before the email goes out).
  At 2,000 customers about 40% of them get a past alert, once each.
- **The holdout.** Each alert gets a simulated churn risk (higher the longer the
  customer has been quiet, with noise) and its band (models.vocab.RISK_BANDS);
  ``HOLDOUT_PERCENT`` of the alerts of each band, drawn at random, are held out.
- **The contacted arm** gets an email a few hours to four days after the alert (an
  outreach row, status sent, and its ``email_sent`` interaction, as
  services.alerts.contact.record_email_in writes them), unless the customer asked not
  to be contacted or unsubscribed before then: such alerts are "assigned outreach, not
  contacted" (dismissed), in neither rate. About ``_ANYWAY_SHARE`` of the held-out
  customers are contacted anyway, a few days after the alert (with a reason; by email,
  or by phone when they cannot be emailed): in neither group either.
- **The true effect.** From the start (the email's ``sent_at`` for the contacted and
  the contacted anyway, the alert's ``created_at`` for the held out) a customer orders
  within ``WINDOW_DAYS`` days with probability ``CONTACTED_RATE`` when contacted and
  ``BASELINE_RATE`` when not, on average, drawn as exactly that share of each arm (who:
  each by their own true chance, which varies by customer, services/demo/uplift_truth.py):
  one paid order, placed to the second inside the window
  (earlier days likelier), added to the customer's history before the rest of the
  demo is derived from it (tiers, recency, rollups).

Why the true rates hold (each arm re-engages in exactly its share; the contacted arm's
customers who cannot be emailed and the held out contacted anyway leave their groups, so
a group's rate is off its share by at most a few of them): the rest of the generator
places its orders first, and an alert is only raised on a day with none of them in the
``_CLEAR_DAYS`` days from it, so the only order that can fall in a window is the
simulated one; the selection looks at the generated history only, never at the simulated
draw, so it cannot bias it. Two more links could tie who is emailed to the outcome, and
both are cut: the campaign emails (opens fade, unsubscribes rise after a customer's last
order) are generated from the history *without* the simulated orders, and do-not-contact
is drawn per customer independently of it. The customers of the contacted arm who cannot
be emailed had their order drawn as if contacted; they are in neither rate, so no rate
sees it. Every window closes before today, so no order is ever needed after it. The
price of the cut: a customer brought back keeps the campaign behaviour of one who was
not (opens keep fading). Each customer has one past alert, so each is one exposure; the
alerts a scoring of the demo raises today come later and are repeats for those
customers.

Alert statuses follow a plausible history: won back (resolved a few days after the
order), no action needed (a held-out customer who came back), lost (closed about two
weeks after the window ended), or still in progress (contacted) / open (held out) when
that is later than today. The truth is kept in the demo's truth
(``outreach``, services/demo/truth.py) and per customer in ``attributes["demo_outreach"]`` (arm and
whether they re-engaged), like the archetype.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

import services.demo.strategies as demo_strategies
from models.schema import Alert, AuditEvent, Interaction, Outreach
from models.vocab import APP_SOURCE, OUTREACH_TONES, RISK_BANDS
from services.alerts.generate import SYSTEM_ACTOR
from services.alerts.risk_bands import RISK_HIGH_FROM, RISK_MEDIUM_FROM
from services.core.formatting import format_date, format_percent
from services.core.money import format_money
from services.demo.generate import _Customers, _objects, _param
from services.demo.tables import _OutreachTables, _TableData
from services.demo.uplift_truth import draw_share, true_effects
from services.demo.vocabulary import (
    _DAY,
    _EPOCH,
    BRAND,
    OWNERS,
    BoolArray,
    FloatArray,
    IntArray,
    ObjArray,
)
from services.outreach.checks import offers_made
from services.settings import ALERT_RULES

# The true effect (the demo's "outreach" truth repeats them).
BASELINE_RATE = 0.12  # chance of a paid order within the window, not contacted
CONTACTED_RATE = 0.20  # the same, contacted
WINDOW_DAYS = 30
HOLDOUT_PERCENT = 10

_EARLIEST_DAYS_AGO = 183  # the alert period: about six months...
_LATEST_DAYS_AGO = 36  # ...ending so that every window closes before today
_CANDIDATES = 12
_MIN_QUIET_DAYS = 60
_MAX_QUIET_DAYS = 365
_CLEAR_DAYS = 36  # alert day + up to 4 days to the email + the 30-day window, whole days
_MAX_SEND_SECONDS = 96 * 3600
_ANYWAY_SHARE = 0.08
_SEVERITY = {rule.key: rule.severity for rule in ALERT_RULES}
_KEY = 1 << 32  # customer * _KEY + day: one sorted key over all orders

_ANYWAY_REASONS = (
    "They called about a return and asked about the new collection.",
    "Long-standing customer; I know them personally.",
    "They replied to a campaign email with a question.",
    "Asked by the store manager to reach out.",
)
_TONE_SHARES = (0.4, 0.3, 0.2, 0.1)  # models.vocab.OUTREACH_TONES
_MODELS = (("openai", "gpt-4o-mini"), ("ollama", "llama3.1:8b"))


@dataclass
class _Plan:
    """The past alerts, one per alerted customer, in the order they were raised."""

    customer: IntArray  # generation index
    created: IntArray  # seconds since 1970 (UTC)
    quiet: IntArray  # days since the last order, when raised
    gap: FloatArray  # mean days between orders before it
    value_cents: FloatArray  # a 12-month value estimate
    rule: IntArray  # 0 high_risk_high_value, 1 gone_quiet, 2 risk_rising
    risk: FloatArray
    risk_before: FloatArray  # a week before (risk_rising's reason)
    band: IntArray  # index into RISK_BANDS
    holdout: BoolArray
    anyway: BoolArray  # held out, contacted anyway
    contact: IntArray  # seconds: the email (or the contact anyway); -1 for the held out
    start: IntArray  # seconds: the exposure's clock starts here
    reengaged: BoolArray
    order_at: IntArray  # seconds of the re-engagement order, -1 for none
    raw_last_day: IntArray  # per customer: last day of the generated history alone
    true_uplift: FloatArray  # services/demo/uplift_truth.py
    contacted_rate: float  # the contacted arm's true rate (CONTACTED_RATE unless asked)
    experiment: tuple[IntArray, IntArray, IntArray]  # strategy, block, position (strategies.py)

    def fixed_orders(self) -> tuple[IntArray, IntArray]:
        """(customer, second) of the simulated re-engagement orders."""
        return self.customer[self.reengaged], self.order_at[self.reengaged]


def _plan_outreach(
    rng: np.random.Generator,
    arch: IntArray,
    times: tuple[IntArray, FloatArray],
    today_day: int,
    contacted_rate: float = CONTACTED_RATE,
) -> _Plan:
    """Choose the alerts, their arms and outcomes from the generated order times
    (``contacted_rate``: the contacted arm's true rate; BASELINE_RATE: no effect)."""
    n = len(arch)
    customer, t = times
    day = np.minimum(np.floor(t).astype(np.int64), today_day - 1)
    key = customer * _KEY + day  # sorted: the times come sorted by (customer, time)
    base = np.arange(n, dtype=np.int64) * _KEY
    starts = np.searchsorted(key, base)
    ends = np.searchsorted(key, base + _KEY)
    raw_last_day = np.where(ends > starts, day[np.maximum(ends - 1, 0)], -1)

    cand = today_day - rng.integers(_LATEST_DAYS_AGO, _EARLIEST_DAYS_AGO + 1, (n, _CANDIDATES))
    at = np.searchsorted(key, base[:, None] + cand)
    before = at - starts[:, None]
    clear = np.searchsorted(key, base[:, None] + cand + _CLEAR_DAYS) == at
    last = np.where(before > 0, day[np.maximum(at - 1, 0)], -(10**9))
    quiet = cand - last
    ok = (before >= 2) & clear & (quiet >= _MIN_QUIET_DAYS) & (quiet <= _MAX_QUIET_DAYS)
    c = np.flatnonzero(ok.any(axis=1)).astype(np.int64)
    pick = ok[c].argmax(axis=1)
    d, q, nb = cand[c, pick], quiet[c, pick], before[c, pick]
    first = day[starts[c]]
    gap = (last[c, pick] - first) / np.maximum(nb - 1, 1)
    year = at[c, pick] - np.searchsorted(key, c * _KEY + d - 365)
    value = np.maximum(year, 1) * _param("basket_usd")[arch[c]] * 100.0
    created = d * _DAY + rng.integers(13 * 3600, 22 * 3600, len(c))
    order = np.argsort(created, kind="stable")
    c, d, q, created, nb = c[order], d[order], q[order], created[order], nb[order]
    gap, value = gap[order].astype(np.float64), value[order].astype(np.float64)
    m = len(c)

    risk = np.clip(0.15 + 0.75 * np.minimum(q / 300.0, 1.0) + rng.normal(0, 0.1, m), 0.03, 0.97)
    # The rule, as the rules would have it: high risk and a top-fifth value; more than
    # twice the usual gap without an order; else a rise of the risk (to 40% or more, by
    # 15 points or more).
    top = np.quantile(value, 0.8) if m else 0.0
    rule = np.where((risk >= 0.6) & (value >= top), 0, np.where(q > 2 * gap, 1, 2))
    rising = rule == 2
    risk[rising] = np.maximum(risk[rising], 0.40 + 0.1 * rng.random(int(rising.sum())))
    risk_before = np.maximum(0.01, risk - 0.15 - 0.15 * rng.random(m))
    edges = np.array([RISK_MEDIUM_FROM, RISK_HIGH_FROM])
    band = np.searchsorted(edges, risk, side="right").astype(np.int64)
    holdout = np.zeros(m, dtype=bool)
    for b in range(3):
        members = np.flatnonzero(band == b)
        k = int(np.floor(len(members) * HOLDOUT_PERCENT / 100 + 0.5))
        holdout[rng.permutation(members)[:k]] = True
    anyway = holdout & (rng.random(m) < _ANYWAY_SHARE)
    experiment = demo_strategies.assign(band, holdout)

    delay = np.minimum(7200 + rng.exponential(18 * 3600, m), _MAX_SEND_SECONDS).astype(np.int64)
    contact = np.where(holdout & ~anyway, -1, created + delay)
    start = np.where(contact >= 0, contact, created)
    # Exactly the true share of each arm re-engages, the customers drawn at random (not a
    # coin per customer): the demo's measured rates sit on the true ones on any day it is
    # built, so Results' interval covers the true lift; tests/unit/learn/test_learn_stats.py
    # checks the interval's coverage over many coin-per-customer samples.
    # Who: each by their own true chance (services/demo/uplift_truth.py).
    baseline, uplift = true_effects(q, nb, BASELINE_RATE, contacted_rate)
    chance = np.where(contact >= 0, baseline + uplift, baseline)
    reengaged = np.zeros(m, dtype=bool)
    for arm, rate in ((contact >= 0, contacted_rate), (contact < 0, BASELINE_RATE)):
        members = np.flatnonzero(arm)
        reengaged[draw_share(rng, members, chance[members], rate)] = True
    # Within the experiment, each strategy's own true rate (services/demo/strategies.py),
    # each customer still by their own chance: baseline_i + uplift_i x the multiplier.
    reengaged = demo_strategies.redraw(
        reengaged, contact >= 0, experiment[0], (baseline, uplift), BASELINE_RATE, contacted_rate
    )
    # The customer's true uplift stays uplift_i: outreach's effect averaged over the
    # strategies the draw splits evenly (their multipliers average 1).
    # Earlier days likelier, in shop hours; inside the window, so always before today.
    day_of = start // _DAY + np.floor(rng.random(m) ** 1.5 * WINDOW_DAYS).astype(np.int64)
    at = day_of * _DAY + rng.integers(8 * 3600, 22 * 3600, m)
    at = np.where(at < start, at + _DAY, at)  # the start's own day, before it: a day on
    order_at = np.where(reengaged, at, -1)
    return _Plan(
        customer=c,
        created=created,
        quiet=q,
        gap=gap,
        value_cents=value,
        rule=rule.astype(np.int64),
        risk=risk,
        risk_before=risk_before,
        band=band,
        holdout=holdout,
        anyway=anyway,
        contact=contact,
        start=start,
        reengaged=reengaged,
        order_at=order_at,
        raw_last_day=raw_last_day.astype(np.int64),
        true_uplift=uplift,
        contacted_rate=contacted_rate,
        experiment=experiment,
    )


def _outreach_tables(
    rng: np.random.Generator,
    plan: _Plan,
    cust: _Customers,
    unsubscribed_at: IntArray,
    today_day: int,
) -> _OutreachTables:
    """The alert, outreach and contact rows of the plan; marks each customer's arm.

    ``unsubscribed_at``: per customer, the second of their unsubscribe (a large number
    when none).
    """
    c, m = plan.customer, len(plan.customer)
    now = today_day * _DAY
    emailable = ~cust.dnc[c] & (unsubscribed_at[c] > np.maximum(plan.contact, 0))
    arm_contacted = ~plan.holdout
    emailed = (arm_contacted | plan.anyway) & emailable
    not_contacted = arm_contacted & ~emailable  # assigned outreach, not contacted
    called = plan.anyway & ~emailable  # contacted anyway, by phone

    # Statuses as a history would have them.
    follow = rng.integers(1 * _DAY, 5 * _DAY, m)
    settled = plan.start + WINDOW_DAYS * _DAY + rng.integers(0, 14 * _DAY, m)
    status = np.where(
        settled < now, "resolved", np.where(plan.holdout & ~plan.anyway, "open", "in_progress")
    )
    outcome = _where(settled < now, np.full(m, "lost", dtype=object))
    resolved = np.where(settled < now, settled, -1)
    won = plan.reengaged & ~not_contacted
    status[won] = "resolved"
    outcome[won] = np.where(plan.holdout[won] & ~plan.anyway[won], "no_action_needed", "won_back")
    resolved[won] = np.minimum(plan.order_at[won] + follow[won], now - 3600)
    status[not_contacted] = "dismissed"
    outcome[not_contacted] = None
    resolved[not_contacted] = (
        plan.created[not_contacted] + rng.integers(3600, 2 * _DAY, m)[not_contacted]
    )
    updated = np.where(resolved >= 0, resolved, np.maximum(plan.start, plan.created))

    owner_idx = cust.owner[c]
    owners = _objects(OWNERS)[owner_idx]
    rules, reasons = _rules_and_reasons(plan)
    anyway_reason = _objects(
        [_ANYWAY_REASONS[k] for k in rng.integers(0, len(_ANYWAY_REASONS), m).tolist()]
    )
    alerts = _TableData(
        Alert.__table__,  # type: ignore[arg-type]
        {
            "rule_key": rules,
            "severity": _objects([_SEVERITY[r] for r in rules.tolist()]),
            "status": status.astype(object),
            "reason": reasons,
            "priority_cents": np.rint(plan.risk * plan.value_cents).astype(np.int64),
            "owner": owners,
            "outcome": outcome.astype(object),
            "created_at": _stamps(plan.created),
            "updated_at": _stamps(updated),
            "resolved_at": _stamps(resolved),
            "holdout": plan.holdout,
            "holdout_band": _objects(RISK_BANDS)[plan.band],
            "holdout_contacted_at": _stamps(np.where(plan.anyway, plan.contact, -1)),
            "holdout_contact_reason": _where(plan.anyway, anyway_reason),
        },
        customer=c,
    )

    e = np.flatnonzero(emailed)
    k = len(e)
    goal = np.where(rng.random(k) < 0.7, "win_back", "check_in").astype(object)
    variant = (rng.random(k) < 0.25).astype(np.int64)
    edited = rng.random(k) < 0.3
    tone = _objects(OUTREACH_TONES)[rng.choice(len(OUTREACH_TONES), k, p=_TONE_SHARES)]
    tone = demo_strategies.email_tones(tone, plan.experiment[0][e])
    by_model = rng.random(k) < 0.45
    which = rng.integers(0, len(_MODELS), k)
    names = cust.columns["name"][c[e]].tolist()
    attributes = cust.columns["attributes"]
    favourites = [attributes[i]["favorite_category"] for i in c[e].tolist()]
    texts = [
        _email(g, v, str(name).split()[0], fav, OWNERS[o])
        for g, v, name, fav, o in zip(
            goal.tolist(), variant.tolist(), names, favourites, owner_idx[e].tolist(), strict=True
        )
    ]
    sent_at = _stamps(plan.contact[e])
    outreach = _TableData(
        Outreach.__table__,  # type: ignore[arg-type]
        {
            "channel": np.full(k, "email", dtype=object),
            "status": np.full(k, "sent", dtype=object),
            "recipient": cust.columns["email"][c[e]],
            "subject": _objects([s for s, _ in texts]),
            "body": _objects([b for _, b in texts]),
            "provider": _where(by_model, _objects([p for p, _ in _MODELS])[which]),
            "model": _where(by_model, _objects([x for _, x in _MODELS])[which]),
            "template": _where(~by_model, goal),
            "holdout": np.zeros(k, dtype=bool),
            "goal": goal,
            "tone": tone,
            "variant": variant,
            "edited": edited,
            "offers": _objects([offers_made(s, b) for s, b in texts]),
            "created_at": sent_at,
            "sent_at": sent_at,
        },
        customer=c[e],
    )

    # The timeline: each email (and each call to a held-out customer contacted anyway).
    p = np.flatnonzero(called)
    first_names = [str(x).split()[0] for x in cust.columns["name"][c[p]].tolist()]
    contacts = _TableData(
        Interaction.__table__,  # type: ignore[arg-type]
        {
            "kind": _objects(["email_sent"] * k + ["call"] * len(p)),
            "occurred_at": _stamps(np.concatenate([plan.contact[e], plan.contact[p]])),
            "channel": _objects(["email"] * k + ["phone"] * len(p)),
            "subject": _objects([s for s, _ in texts] + [f"Call with {f}" for f in first_names]),
            "text": _objects([b for _, b in texts] + anyway_reason[p].tolist()),
            "source": np.full(k + len(p), APP_SOURCE, dtype=object),
        },
        customer=np.concatenate([c[e], c[p]]),
    )
    by = np.concatenate([owners[e], owners[p]])
    subjects = dict(zip(e.tolist(), [x for x, _ in texts], strict=True))
    audit, audit_alert = _history(
        plan, status, outcome, resolved, emailed, called, owners, subjects, anyway_reason
    )

    arm = np.where(
        plan.holdout,
        np.where(plan.anyway, "contacted_anyway", "holdout"),
        np.where(emailed, "contacted", "not_contacted"),
    )
    for i, a, r, u in zip(
        c.tolist(), arm.tolist(), plan.reengaged.tolist(), plan.true_uplift.tolist(), strict=True
    ):
        attributes[i]["demo_outreach"] = {"arm": a, "reengaged": r, "true_uplift": round(u, 6)}
    demo_strategies.mark(attributes, c, plan.experiment)

    truth: dict[str, Any] = {
        "baseline_rate": BASELINE_RATE,
        "contacted_rate": plan.contacted_rate,
        "true_lift": round(plan.contacted_rate - BASELINE_RATE, 6),
        "holdout_percent": HOLDOUT_PERCENT,
        "window_days": WINDOW_DAYS,
        "alerts": m,
        "contacted": int((arm_contacted & emailed).sum()),
        "held_out": int((plan.holdout & ~plan.anyway).sum()),
        "contacted_anyway": int(plan.anyway.sum()),
        "not_contacted": int(not_contacted.sum()),
        "first_alert": _iso(int(plan.created.min())) if m else None,
        "last_alert": _iso(int(plan.created.max())) if m else None,
        # Per customer in attributes["demo_outreach"]["true_uplift"].
        "uplift": "varies: largest for recent repeat buyers, near zero for long quiet ones",
        "experiment": demo_strategies.truth(plan.experiment[0], BASELINE_RATE, plan.contacted_rate),
    }
    return _OutreachTables(
        alerts=alerts,
        outreach=outreach,
        contacts=contacts,
        contact_by=by,
        audit=audit,
        audit_alert=audit_alert,
        truth=truth,
    )


def _history(
    plan: _Plan,
    status: Any,
    outcome: Any,
    resolved: IntArray,
    emailed: BoolArray,
    called: BoolArray,
    owners: ObjArray,
    subjects: dict[int, str],
    anyway_reason: ObjArray,
) -> tuple[_TableData, IntArray]:
    """Each alert's audit trail, as the app writes it (services/alerts/lifecycle.py,
    contact.py): raised, the email (or call) and the start of work, the close.

    Returns the audit rows and, per row, the alert (its position in the plan); an
    email's ``outreach_id`` is None until the write knows it.
    """
    alert: list[int] = []
    when: list[int] = []
    actor: list[str] = []
    action: list[str] = []
    details: list[dict[str, Any]] = []

    def add(i: int, t: int, who: str, what: str, said: dict[str, Any]) -> None:
        alert.append(i)
        when.append(t)
        actor.append(who)
        action.append(what)
        details.append(said)

    for i in range(len(plan.customer)):
        owner = str(owners[i])
        add(i, int(plan.created[i]), SYSTEM_ACTOR, "alert.created", {"to": "open"})
        if plan.holdout[i]:
            # As the draw audits it (services/alerts/holdout.py); the demo drew its past
            # holdout by a permutation within each band, so there is no block to name.
            drawn = {"band": RISK_BANDS[int(plan.band[i])], "percent": HOLDOUT_PERCENT}
            add(i, int(plan.created[i]), SYSTEM_ACTOR, "alert.held_out", drawn)
        state = "open"
        t = int(plan.contact[i])
        if emailed[i]:
            add(i, t, owner, "alert.email_logged", {"outreach_id": None, "text": subjects[i]})
        elif called[i]:
            add(
                i, t, owner, "alert.call_logged", {"text": anyway_reason[i], "outcome": "connected"}
            )
        if emailed[i] or called[i]:
            started = {"from": "open", "to": "in_progress", "note": "contacted the customer"}
            add(i, t, owner, "alert.started", started)
            state = "in_progress"
        if status[i] == "resolved":
            closed = {"from": state, "to": "resolved", "outcome": outcome[i]}
            add(i, int(resolved[i]), owner, "alert.resolved", closed)
        elif status[i] == "dismissed":
            note = "Cannot be emailed: do not contact, or unsubscribed."
            closed = {"from": state, "to": "dismissed", "note": note}
            add(i, int(resolved[i]), owner, "alert.dismissed", closed)
    n = len(alert)
    table = _TableData(
        AuditEvent.__table__,  # type: ignore[arg-type]
        {
            "occurred_at": _stamps(np.array(when, dtype=np.int64)),
            "actor": _objects(actor),
            "action": _objects(action),
            "entity_type": np.full(n, "alert", dtype=object),
            "details": _objects(details),
        },
    )
    return table, np.array(alert, dtype=np.int64)


def _rules_and_reasons(plan: _Plan) -> tuple[Any, Any]:
    """The rule that raised each alert, and its reason in the rules' own words."""
    rule = plan.rule
    reasons = []
    for r, risk, before, value, quiet, gap, created in zip(
        rule.tolist(),
        plan.risk.tolist(),
        plan.risk_before.tolist(),
        plan.value_cents.tolist(),
        plan.quiet.tolist(),
        plan.gap.tolist(),
        plan.created.tolist(),
        strict=True,
    ):
        if r == 0:
            money = format_money(value, "USD", decimals=0)
            reasons.append(f"churn risk {format_percent(risk)} and 12-month value {money}")
        elif r == 1:
            reasons.append(f"no order in {quiet} days; usual gap {gap:.0f} days")
        else:
            since = _day_text(created // _DAY - 7)
            reasons.append(
                f"churn risk up from {format_percent(before)} to {format_percent(risk)} "
                f"since {since}"
            )
    keys = np.where(
        rule == 0, "high_risk_high_value", np.where(rule == 1, "gone_quiet", "risk_rising")
    )
    return keys.astype(object), _objects(reasons)


def _email(goal: str, variant: int, first: str, favourite: str, owner: str) -> tuple[str, str]:
    """A plausible subject and body, as the built-in templates would write them."""
    if goal == "win_back":
        subject = f"We miss you, {first}" if variant == 0 else f"New {favourite} for you, {first}"
        middle = (
            f"It has been a while since your last order, and we wanted to say we miss you. "
            f"Our new {favourite.lower()} just arrived, and I picked a few pieces I think "
            f"you would like. As a thank-you, here is 15% off your next order with the "
            f"code COMEBACK15."
        )
    else:
        subject = f"Checking in, {first}" if variant == 0 else f"How is everything, {first}?"
        middle = (
            "I wanted to check in and see how things are going. I hope everything from "
            "your last order is working out well; if anything is not right, just reply "
            "and I will sort it out."
        )
    body = f"Hi {first},\n\n{middle}\n\nBest regards,\n{owner}\n{BRAND}"
    return subject, body


def _where(mask: BoolArray, values: ObjArray) -> ObjArray:
    """The values where the mask holds, None (NULL) elsewhere."""
    out = np.full(len(mask), None, dtype=object)
    out[mask] = values[mask]
    return out


def _stamps(seconds: IntArray) -> Any:
    """Seconds since 1970 as datetimes; negative means none (NULL)."""
    out = seconds.astype("datetime64[s]")
    out[seconds < 0] = np.datetime64("NaT")
    return out


def _iso(seconds: int) -> str:
    return (_EPOCH + dt.timedelta(days=seconds // _DAY)).isoformat()


def _day_text(day: int) -> str:
    return format_date(_EPOCH + dt.timedelta(days=day))
