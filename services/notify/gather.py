"""What is new to post, read from the workspace and masked as a request to a language
model is.

New, for a post: a critical alert raised in the last ``NEW_WITHIN`` and still active; an
alert that went past its time to act (services/alerts/sla.py) in the last ``NEW_WITHIN``
with nobody acting on it; the digest once a day. Older ones are not new any more: a
webhook set up today does not flood its channel with last month's alerts.

The privacy setting (``outreach.sent_fields``, Settings ▸ Email drafting) holds here as
for a language model (services/outreach/prompt.py, ``withheld_mask``): a customer is
named as every screen names the account (services/core/account_names.py: its company,
then its person) but only by the fields it lets leave the computer (else "Customer
123"), and any withheld value (a surname, the company, an address, a phone number, the
owner; of the account and of every one of its people, those who left too) met in the
alert's reason or a digest line is replaced by "[... withheld]". With "drivers" withheld,
the reasons are not posted at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from models.schema import Alert, Customer, ScoreSnapshot
from models.vocab import ACTIVE_ALERT_STATUSES
from services.alerts.config import RULE_QUEUES, RULE_TITLES
from services.alerts.records import STAKE_NAMES
from services.alerts.sla import due_header, overdue_alerts_in, sla_states
from services.core.account_names import (
    AccountName,
    account_names,
    mask_values,
    shared_account_name,
)
from services.core.money import format_money, load_money_context
from services.listen.records import Digest
from services.notify.records import AlertItem, PostContent
from services.outreach.prompt import allowed_fields, withheld_mask
from services.scoring.queries import latest_run_id

NEW_WITHIN = dt.timedelta(days=2)
REASONS_WITHHELD = "(reasons withheld by the privacy setting)"


def customer_label(account: AccountName, allowed: Sequence[str]) -> str:
    """The account as a post names it, by the fields the privacy setting allows: "Acme Ltd
    (Jane)", its company and the allowed part of its person's name (never one who left)."""
    name = shared_account_name(account, allowed)
    if not account.person_line or name != account.company:
        return name
    person = shared_account_name(replace(account, company=None, email=None), allowed, fallback="")
    return f"{name} ({person})" if person else name


def _mask_for(
    session: Session, customers: Iterable[Customer], allowed: list[str]
) -> Callable[[str], str]:
    rows = list(customers)
    accounts = account_names(session, [int(c.id) for c in rows])
    owners = {int(c.id): c.owner for c in rows}
    people = withheld_mask(
        mask_values(session, accounts, owners), [c.phone or "" for c in rows], allowed
    )
    # Any address or phone number first, whole: the person's own pattern takes a phone's
    # last seven digits, which would leave "+1 555" of "+1 555 010 0123" behind.
    anyone = withheld_mask([], [], allowed)
    return lambda text: people(anyone(text))


def stake_figures(
    session: Session, alerts: Iterable[tuple[Alert, Customer]]
) -> dict[int, tuple[str, int]]:
    """Each alert's money figure as its card shows it, with its name: a risk alert's
    revenue at risk by the latest scores (its priority when not scored by them), else its
    priority, the upside or the deal value at stake."""
    pairs = list(alerts)
    run = latest_run_id(session)
    risk: dict[int, int] = {}
    if run is not None and pairs:
        snap = ScoreSnapshot
        risk = {
            int(cid): int(cents or 0)
            for cid, cents in session.execute(
                select(snap.customer_id, snap.revenue_at_risk_cents).where(
                    snap.scoring_run_id == run,
                    snap.customer_id.in_({int(c.id) for _, c in pairs}),
                    snap.revenue_at_risk_cents.is_not(None),
                )
            )
        }
    out = {}
    for alert, customer in pairs:
        queue = RULE_QUEUES.get(alert.rule_key, "risk")
        cents = int(alert.priority_cents or 0)
        if queue == "risk":
            cents = risk.get(int(customer.id), cents)
        name = STAKE_NAMES.get(queue, STAKE_NAMES["risk"])
        out[int(alert.id)] = (name[:1].upper() + name[1:], cents)
    return out


def _items(
    session: Session, wanted: Sequence[tuple[int, str]], now: dt.datetime
) -> list[AlertItem]:
    """The alerts ``wanted`` ((id, kind) pairs), as posted, in that order."""
    if not wanted:
        return []
    ids = sorted({aid for aid, _ in wanted})
    rows = {
        int(alert.id): (alert, customer)
        for alert, customer in session.execute(
            select(Alert, Customer).join(Customer, Customer.id == Alert.customer_id)
            .where(Alert.id.in_(ids))
        ).all()
    }  # fmt: skip
    states = sla_states(
        session, [(a.id, a.created_at, a.severity, a.status) for a, _ in rows.values()], now
    )
    allowed = allowed_fields(session)
    home = load_money_context(session).home
    stakes = stake_figures(session, rows.values())
    names = account_names(session, [int(c.id) for _, c in rows.values()])
    out = []
    for aid, kind in wanted:
        if aid not in rows:
            continue
        alert, customer = rows[aid]
        mask = _mask_for(session, [customer], allowed)
        reason = mask(alert.reason or "") if "drivers" in allowed else REASONS_WITHHELD
        stake, worth = stakes[aid]
        out.append(
            AlertItem(
                alert_id=aid,
                kind=kind,
                customer=customer_label(names[int(customer.id)], allowed),
                severity=alert.severity,
                title=RULE_TITLES.get(alert.rule_key, alert.rule_key.replace("_", " ")),
                reason=reason,
                worth=format_money(worth, home, decimals=0) if worth > 0 else "",
                due=due_header(states.get(aid)),
                stake=stake,
            )
        )
    return out


def new_alerts(
    engine: Engine, posted: set[str], now: dt.datetime, *, critical: bool, sla: bool
) -> list[AlertItem]:
    """The new critical alerts and the alerts newly past their time to act that are not in
    ``posted`` yet (module doc), the most recent first."""
    since = now - NEW_WITHIN
    wanted: list[tuple[int, str]] = []
    with translate_db_errors(), Session(engine) as session:
        if critical:
            rows = session.execute(
                select(Alert.id)
                .where(
                    Alert.severity == "critical",
                    Alert.status.in_(ACTIVE_ALERT_STATUSES),
                    Alert.created_at >= since,
                    Alert.created_at <= now,
                )
                .order_by(Alert.created_at.desc(), Alert.id.desc())
            ).scalars()
            wanted += [(int(a), "critical") for a in rows if f"critical:{a}" not in posted]
        if sla:
            late = overdue_alerts_in(session, None, True, now)
            wanted += [
                (o.alert_id, "sla") for o in late
                if o.due_at >= since and f"sla:{o.alert_id}" not in posted
            ]  # fmt: skip
        return _items(session, wanted, now)


def alerts_content(items: Sequence[AlertItem]) -> PostContent:
    """The post of new alerts: a title counting them, then each."""
    critical = sum(1 for i in items if i.kind == "critical")
    late = len(items) - critical
    parts = []
    if critical:
        parts.append(f"{critical:,} new critical alert{'s' if critical != 1 else ''}")
    if late:
        parts.append(f"{late:,} past {'their' if late != 1 else 'its'} time to act")
    return PostContent("Account Radar: " + ", ".join(parts), tuple(items))


def digest_content(engine: Engine, digest: Digest, workspace: str = "") -> PostContent:
    """The digest as a post: its lines with something to say, masked (module doc)."""
    lines = [line for line in digest.lines if line.count]
    ids = sorted({cid for line in lines for cid in line.customer_ids})
    with translate_db_errors(), Session(engine) as session:
        allowed = allowed_fields(session)
        customers = session.execute(select(Customer).where(Customer.id.in_(ids))).scalars()
        mask = _mask_for(session, customers, allowed)
    where = f" in {workspace}" if workspace else ""
    title = f"Since {digest.since:%a %d %b}{where}"
    texts = tuple(mask(line.text) for line in lines) or ("Nothing new.",)
    return PostContent(title, lines=texts, log_keys=(f"digest:{digest.until.date()}",))


def trial_content(engine: Engine, now: dt.datetime) -> PostContent:
    """A test post: says the webhook works, with the newest active alert as an example of
    what a post looks like (masked as any post), when there is one."""
    with translate_db_errors(), Session(engine) as session:
        newest = session.execute(
            select(Alert.id).where(Alert.status.in_(ACTIVE_ALERT_STATUSES))
            .order_by(Alert.severity != "critical", Alert.created_at.desc(), Alert.id.desc())
            .limit(1)
        ).scalar()  # fmt: skip
        items = _items(session, [(int(newest), "example")] if newest else [], now)
    lines = ("This is a test: alerts will be posted here like the one above.",) if items else (
        "This is a test: alerts will be posted here.",
    )  # fmt: skip
    return PostContent("Account Radar is connected", tuple(items), lines, log_keys=("test",))
