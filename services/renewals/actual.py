"""Forecast against actual, once a renewal date has passed: the model's forecasts and the
owners' calls at each checkpoint (months before the date), set against what happened.

At a checkpoint of m months, the model's forecast is the one of the latest scoring run on
or before the date m months before the renewal date; an owner's is their latest call for
that checkpoint made on or before the renewal date, read as the chance it stands for
(vocab.CALL_CHANCE: commit 95 %, likely 75 %, at risk 35 %, lost 5 %). A forecast is a
hit when it is 50 % or more and the contract renewed, or below and it churned; the Brier
score is the mean squared gap between the chance and what happened (1 renewed, 0 not).
The checkpoints are 6 and 3 months, and any other the owners' calls were made at.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.schema import Customer
from models.schema.renewals import Contract, RenewalCall, RenewalForecast
from services.renewals.model import bins, brier
from services.renewals.records import Checked
from services.renewals.vocab import CALL_CHANCE, CHURNED, RENEWED

__all__ = ["CHECKPOINTS", "MODEL", "check", "check_forecasts"]

CHECKPOINTS = (6, 3)
# contract -> (renewal date, renewed, owner)
Decided = dict[int, tuple[dt.date, bool, str]]
# contract, checkpoint months, call, made by, made at
Call = tuple[int, int, str, str | None, dt.datetime]
MODEL = "Model"


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = index // 12, index % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def check(who: str, months: int, pairs: list[tuple[int, float, bool]]) -> Checked:
    """One forecaster's figures at one checkpoint from (contract, chance, renewed)."""
    chances = [p for _, p, _ in pairs]
    outcomes = [o for _, _, o in pairs]
    n = len(pairs)
    return Checked(
        who=who,
        checkpoint_months=months,
        count=n,
        hit_rate=sum((p >= 0.5) == o for p, o in zip(chances, outcomes, strict=True)) / n
        if n
        else None,
        brier=brier(chances, outcomes),
        mean_forecast=sum(chances) / n if n else None,
        renewed_share=sum(outcomes) / n if n else None,
        bins=bins(chances, outcomes),
        contracts=tuple(c for c, _, _ in pairs),
    )


def _decided(session: Session, as_of: dt.date, owner: str | None) -> Decided:
    k = Contract
    rows = session.execute(
        select(k.id, k.end_date, k.outcome, k.owner, Customer.owner, k.decided_on)
        .join(Customer, Customer.id == k.customer_id)
        .where(k.outcome.in_((RENEWED, CHURNED)), k.end_date <= as_of)
    )
    out = {}
    for cid, end, outcome, own, customer_owner, decided_on in rows:
        if decided_on is not None and decided_on > as_of:
            continue
        who = own or customer_owner or "No owner"
        if owner is None or who == owner:
            out[int(cid)] = (end, outcome == RENEWED, who)
    return out


def _model_checks(session: Session, decided: Decided, checkpoints: list[int]) -> list[Checked]:
    f = RenewalForecast
    series: dict[int, tuple[list[dt.date], list[float]]] = defaultdict(lambda: ([], []))
    for cid, day, chance in session.execute(
        select(f.contract_id, f.as_of, f.likelihood)
        .where(f.contract_id.in_(list(decided)))
        .order_by(f.contract_id, f.as_of, f.id)
    ):
        days, values = series[int(cid)]
        days.append(day)
        values.append(float(chance))
    out = []
    for months in checkpoints:
        pairs = []
        for cid, (end, renewed, _who) in sorted(decided.items()):
            days, values = series.get(cid, ([], []))
            i = bisect_right(days, _months_before(end, months))
            if i:
                pairs.append((cid, values[i - 1], renewed))
        out.append(check(MODEL, months, pairs))
    return out


def _owner_checks(decided: Decided, calls: list[Call]) -> list[Checked]:
    latest: dict[tuple[int, int], tuple[str, str]] = {}
    for cid, months, call, made_by, made_at in calls:  # in the order made
        end, _renewed, owner = decided[cid]
        if made_at.date() <= end and call in CALL_CHANCE:
            latest[(cid, months)] = (call, made_by or owner)
    grouped: dict[tuple[str, int], list[tuple[int, float, bool]]] = defaultdict(list)
    for (cid, months), (call, who) in sorted(latest.items()):
        grouped[(who, months)].append((cid, CALL_CHANCE[call], decided[cid][1]))
    return [check(who, months, grouped[(who, months)])
            for who, months in sorted(grouped, key=lambda k: (k[0].lower(), -k[1]))]  # fmt: skip


def check_forecasts(
    session: Session, as_of: dt.date, *, owner: str | None = None
) -> tuple[tuple[Checked, ...], tuple[Checked, ...]]:
    """The model's figures at each checkpoint and each owner's, on the contracts decided
    by ``as_of`` (one ``owner``'s contracts when given)."""
    decided = _decided(session, as_of, owner)
    if not decided:
        return (), ()
    r = RenewalCall
    calls = [
        (int(cid), int(months), str(call), made_by, made_at)
        for cid, months, call, made_by, made_at in session.execute(
            select(r.contract_id, r.checkpoint_months, r.call, r.made_by, r.made_at)
            .where(r.contract_id.in_(list(decided)))
            .order_by(r.made_at, r.id)
        )
    ]
    checkpoints = sorted({*CHECKPOINTS, *(c[1] for c in calls)}, reverse=True)
    return tuple(_model_checks(session, decided, checkpoints)), tuple(_owner_checks(decided, calls))
