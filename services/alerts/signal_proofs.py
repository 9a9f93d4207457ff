"""Whether each relationship signal has earned the right to raise alerts, and what it says
of one customer.

``measure_signals`` replays the four signals on the workspace's history up to a day
(services/alerts/signal_replay.py) or, when nothing they read changed since, takes the
replay kept for that day (``keep_signals``: an audit event keyed by the data it used, so a
second run on the same data does not compute again). Each signal's proof
(services/alerts/proof.py) is its precision against lost renewals (against lapses where
the workspace has no contracts) beside its rule's ``min_precision_percent``: a signal
raises alerts only while proven. A run of an earlier day measures on what existed then.

``customer_signals`` says which signals hold for one customer now, each with its proof's
words, for the People tab and the customer's timeline, which show an unproven one marked
so (it raises nothing).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, Table, func, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.db import translate_db_errors
from models.schema import (
    AuditEvent,
    Contact,
    ContactChange,
    Contract,
    ImportRun,
    Interaction,
    Order,
    UsageDay,
)
from services.alerts._relationship import (
    CHAMPION_LEFT,
    KEY_CONTACT_DARK,
    NEW_DECISION_MAKER,
    RULES,
    found,
    signal_reasons,
)
from services.alerts.config import RULE_TITLES, AlertConfig, read_alert_config
from services.alerts.proof import Proof
from services.alerts.signal_records import SignalReport, report_from_dict, report_to_dict
from services.alerts.signal_replay import WEEKS, replay_signals
from services.core.formatting import format_date
from services.core.records import TimelineEvent
from services.people.contacts import Person, read_people
from services.people.signals import read_people_signals
from services.settings import config_version

# The audit action a kept replay of the signals has.
SIGNALS_ACTION = "alerts.signals_measured"
UNPROVEN = "unproven signal"
HISTORY = "this workspace's history"
_TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (Contact, ContactChange, Interaction, Order, Contract, UsageDay, ImportRun)
)


def data_key(session: Session, as_of: dt.date, horizon: int) -> str:
    """What a replay of the signals up to ``as_of`` reads: the day, the horizon, the
    settings' version, and each table's rows (count and latest id; the contracts' lost
    renewals too, which a renewal settled changes in place)."""
    parts = [f"{as_of.isoformat()} h{horizon} v{config_version(session)}"]
    for table in _TABLES:
        count, top = session.execute(select(func.count(), func.max(table.c.id))).one()
        parts.append(f"{table.name} {int(count)}#{int(top or 0)}")
    k = Contract.__table__.c
    lost, decided = session.execute(
        select(func.count(), func.max(k.decided_on)).where(k.outcome == "churned")
    ).one()
    parts.append(f"churned {int(lost)} to {decided}")
    return "; ".join(parts)


def _horizon(session: Session) -> int:
    from services.scoring.compute import read_config

    return int(read_config(session).horizon_days)


def kept_signals(session: Session, key: str | None = None) -> SignalReport | None:
    """The replay kept with this data key (None: the latest kept, whatever its key)."""
    rows = session.scalars(
        select(AuditEvent.details)
        .where(AuditEvent.action == SIGNALS_ACTION)
        .order_by(AuditEvent.id.desc())
        .limit(50 if key is not None else 1)
    )
    for details in rows:
        if not isinstance(details, dict) or (key is not None and details.get("data_key") != key):
            continue
        try:
            return report_from_dict(details)
        except (KeyError, TypeError, ValueError):
            continue  # kept by an older build: measured again
    return None


def measure_signals(
    session: Session, config: AlertConfig, as_of: dt.date
) -> tuple[SignalReport, bool]:
    """The signals' replay up to ``as_of``: the one kept for the same data, else a new
    one; and whether it is new (to be kept by the caller's write)."""
    horizon = _horizon(session)
    key = data_key(session, as_of, horizon)
    kept = kept_signals(session, key)
    if kept is not None:
        return kept, False
    report = replay_signals(session, config, as_of, horizon=horizon, weeks=WEEKS)
    return dataclasses.replace(report, data_key=key, computed_at=utcnow()), True


def keep_signals(
    session: Session, report: SignalReport, *, actor: str, flush: bool = False
) -> None:
    """Keep a replay of the signals (an audit event; in the caller's transaction)."""
    session.add(
        AuditEvent(
            actor=actor,
            action=SIGNALS_ACTION,
            entity_type="alerts",
            details=report_to_dict(report),
        )
    )
    if flush:
        session.flush()


def required(config: AlertConfig, rule: str) -> float:
    """The precision a rule asks of its signal, 0..1."""
    return float(config.rule(rule)["min_precision_percent"]) / 100.0


def proofs_of(report: SignalReport, config: AlertConfig) -> dict[str, Proof]:
    """Each signal's proof: its measured precision beside its rule's level."""
    return {
        key: report.proof(key, RULE_TITLES.get(key, key), required(config, key)) for key in RULES
    }


def unmeasured(config: AlertConfig) -> dict[str, Proof]:
    """Each signal's proof before any replay: nothing judged, so unproven."""
    return {
        key: Proof(RULE_TITLES.get(key, key), 0, 0, required(config, key), HISTORY) for key in RULES
    }


def signal_proofs(session: Session, config: AlertConfig, end: dt.datetime) -> dict[str, Proof]:
    """Each signal's proof as of the day before ``end`` (kept, else measured now)."""
    report, _new = measure_signals(session, config, (end - dt.timedelta(days=1)).date())
    return proofs_of(report, config)


@dataclass(frozen=True)
class SignalNote:
    """A relationship signal that holds for a customer now, in words."""

    rule: str
    title: str
    reason: str
    since: dt.date  # the day it began to hold, as far as the people say
    proof: Proof

    @property
    def proven(self) -> bool:
        return self.proof.proven

    @property
    def label(self) -> str:
        """ "Key contact gone dark", or "Key contact gone dark (unproven)"."""
        return self.title if self.proven else f"{self.title} ({UNPROVEN.split()[0]})"


def customer_signals(
    session: Session, customer_id: int, now: dt.datetime | None = None
) -> tuple[tuple[SignalNote, ...], dict[int, str]]:
    """The signals that hold for one customer now, each with its proof (from the latest
    replay kept; unproven when none was), and per person the note their status carries
    on the People tab ("unproven signal"; none when the signal is proven)."""
    now = now or utcnow()
    config = read_alert_config(session)
    people = read_people_signals(session, [customer_id], now)
    if people.empty:
        return (), {}
    kept = kept_signals(session)
    proofs = proofs_of(kept, config) if kept is not None else unmeasured(config)
    every = dataclasses.replace(
        config,
        rules={
            k: dataclasses.replace(r, enabled=True) if k in RULES else r
            for k, r in config.rules.items()
        },
    )
    reasons, _severe = signal_reasons(people, every, now)
    holds = found(people, every, now)
    today = now.date()
    notes = []
    for rule in RULES:
        said = reasons.get(rule, {}).get(customer_id)
        if said:
            since = _since(holds[rule], rule, every, today)
            notes.append(SignalNote(rule, RULE_TITLES.get(rule, rule), said, since, proofs[rule]))
    marks: dict[int, str] = {}
    for _, person in people.iterrows():
        status = _status_rule(person, every, now)
        if status is not None and not proofs[status].proven:
            marks[int(person["contact_id"])] = UNPROVEN
    return tuple(notes), marks


def _status_rule(row: pd.Series, config: AlertConfig, now: dt.datetime) -> str | None:
    """The signal a key person's status on the People tab feeds: gone, or gone dark."""
    if row["role"] not in ("champion", "decision_maker"):
        return None
    if row["gone_how"]:
        return CHAMPION_LEFT
    quiet = int(config.rule(KEY_CONTACT_DARK)["quiet_days"])
    heard = row["last_heard"]
    if pd.notna(heard) and heard < pd.Timestamp(now - dt.timedelta(days=quiet)):
        return KEY_CONTACT_DARK
    return None


def _since(held: pd.DataFrame, rule: str, config: AlertConfig, today: dt.date) -> dt.date:
    """When a signal began to hold for the account, from the people it holds for: the
    latest to go, the first gone quiet for the rule's days, the latest decision maker
    added (today for Single-threaded, which holds from no one day)."""
    if rule == CHAMPION_LEFT:
        gone = [d for d in held["gone_on"].tolist() if d is not None]
        return max(gone) if gone else today
    if rule == KEY_CONTACT_DARK:
        quiet = dt.timedelta(days=int(config.rule(rule)["quiet_days"]))
        heard = [t.date() + quiet for t in held["last_heard"].dropna().tolist()]
        return min(heard, default=today)
    if rule == NEW_DECISION_MAKER:
        made = [t.date() for t in held["created"].dropna().tolist()]
        return max(made) if made else today
    return today


def proof_words(session: Session, rule: str) -> str:
    """A relationship rule's proof in words, as the last replay kept measured it ("" for
    another rule): what the alert card shows beside the alert."""
    if rule not in RULES:
        return ""
    config = read_alert_config(session)
    kept = kept_signals(session)
    return (proofs_of(kept, config) if kept is not None else unmeasured(config))[rule].words()


def timeline_events(session: Session, customer_id: int) -> list[TimelineEvent]:
    """The relationship signals that hold for a customer now, as timeline events on the
    day each began: "Key contact gone dark (unproven)" and the reason, with the proof's
    words (an unproven one raises nothing)."""
    notes, _marks = customer_signals(session, customer_id)
    return [
        TimelineEvent(
            dt.datetime.combine(note.since, dt.time(), tzinfo=dt.UTC),
            "relationship",
            note.label,
            f"{note.reason[:1].upper()}{note.reason[1:]}. {note.proof.words()[:1].upper()}"
            f"{note.proof.words()[1:]}.",
        )
        for note in notes
    ]


def people_with_signals(engine: Engine, customer_id: int) -> list[Person]:
    """The account's people as the People tab shows them (services/people/contacts.py's
    read_people), each key person's status marked "unproven signal" when the signal it
    feeds (Champion left, Key contact gone dark) is unproven."""
    people = read_people(engine, customer_id)
    with translate_db_errors(), Session(engine) as session:
        _notes, marks = customer_signals(session, customer_id)
    return [
        dataclasses.replace(p, signal_note=marks.get(p.contact_id, ""))
        if p.contact_id is not None
        else p
        for p in people
    ]


def setting_notes(session: Session) -> dict[str, str]:
    """Beside each relationship rule's precision level in Settings, what the last replay
    kept measured: "Measured: precision 41 % (…) …; the rule asks for 30 %"."""
    config = read_alert_config(session)
    kept = kept_signals(session)
    proofs = proofs_of(kept, config) if kept is not None else unmeasured(config)
    when = f" up to {format_date(kept.as_of)}" if kept is not None else ""
    return {
        f"alerts.{key}.min_precision_percent": f"Measured{when}: {proofs[key].words()}."
        for key in RULES
    }


def measure_and_keep(engine: Engine, *, actor: str) -> tuple[SignalReport, dict[str, Proof]]:
    """The signals' replay up to the alert replay's last day (the latest paid order's, or
    today when that is later), kept for the same data or measured now and kept, and each
    signal's proof: what ``report alerts`` and Results ▸ Early warning show."""
    with translate_db_errors(), Session(engine) as session:
        config = read_alert_config(session)
        today = utcnow().date()
        latest = session.scalar(select(func.max(Order.order_date)).where(Order.status == "paid"))
        as_of = min(_as_day(latest), today) if latest is not None else today
        report, new = measure_signals(session, config, as_of)
        proofs = proofs_of(report, config)
    if new:
        with translate_db_errors(), Session(engine) as session, session.begin():
            keep_signals(session, report, actor=actor)
    return report, proofs


def _as_day(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


__all__ = [
    "SIGNALS_ACTION",
    "UNPROVEN",
    "SignalNote",
    "customer_signals",
    "data_key",
    "keep_signals",
    "kept_signals",
    "measure_and_keep",
    "measure_signals",
    "people_with_signals",
    "setting_notes",
    "timeline_events",
    "proof_words",
    "proofs_of",
    "signal_proofs",
]
