"""Which segments a customer is in: one small function per kind of segment.

``KINDS`` maps each kind named in services/settings/segments.py ``SEGMENT_KINDS`` to
the function that reads it for a set of customers at once (customer id -> name, None
when the customer has none). A new kind is one more entry. The kind "filter" (team
filters) gives each customer the set of the filters they are in.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.schema import Customer, ScoreSnapshot, ScoringRun
from services.segment_policy.team_filters import list_filters, memberships_of
from services.settings.segments import Member

KindFn = Callable[[Session, Collection[int] | None], Mapping[int, Member]]


def _latest_run(session: Session) -> int | None:
    value = session.scalar(
        select(ScoringRun.id)
        .where(ScoringRun.status == "finished")
        .order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
        .limit(1)
    )
    return None if value is None else int(value)


def rfm_segment(session: Session, ids: Collection[int] | None) -> dict[int, str | None]:
    """Each customer's RFM segment in the latest finished scoring (none before one)."""
    run = _latest_run(session)
    if run is None:
        return {}
    query = select(ScoreSnapshot.customer_id, ScoreSnapshot.segment).where(
        ScoreSnapshot.scoring_run_id == run
    )
    if ids is not None:
        query = query.where(ScoreSnapshot.customer_id.in_(list(ids)))
    # On the connection: plain rows, several times faster than the ORM's over a big book.
    return {int(cid): value for cid, value in session.connection().execute(query)}


def lifecycle_stage(session: Session, ids: Collection[int] | None) -> dict[int, str | None]:
    """Each customer's lifecycle stage (its key) as of the latest finished scoring, stored
    with its scores (services/lifecycle/stored.py); none before one."""
    run = _latest_run(session)
    if run is None:
        return {}
    query = select(ScoreSnapshot.customer_id, ScoreSnapshot.stage).where(
        ScoreSnapshot.scoring_run_id == run
    )
    if ids is not None:
        query = query.where(ScoreSnapshot.customer_id.in_(list(ids)))
    return {int(cid): value for cid, value in session.connection().execute(query)}


def _column(column: str) -> KindFn:
    def read(session: Session, ids: Collection[int] | None) -> dict[int, str | None]:
        query = select(Customer.id, getattr(Customer, column))
        if ids is not None:
            query = query.where(Customer.id.in_(list(ids)))
        return {int(cid): value for cid, value in session.connection().execute(query)}

    read.__doc__ = f"Each customer's {column} as imported."
    return read


_CUSTOMER_COLUMNS = ("tier", "region")  # read together by ``memberships``
KINDS: dict[str, KindFn] = {
    "segment": rfm_segment,
    "tier": _column("tier"),
    "region": _column("region"),
    "filter": memberships_of,  # the team filters each customer is in (a frozenset)
    "stage": lifecycle_stage,
}


def memberships(
    session: Session, ids: Collection[int] | None = None, kinds: Collection[str] | None = None
) -> dict[int, dict[str, Member]]:
    """Customer id -> (kind -> name) for ``ids`` (None, or more than 500 of them: every
    customer, rather than a long IN list), over ``kinds`` (None: every kind); a customer
    missing from a kind's read has no name there."""
    out: dict[int, dict[str, Member]] = {}
    wanted = ids if ids is None or len(ids) <= 500 else None  # a long IN list: read all
    chosen = [k for k in KINDS if kinds is None or k in kinds]
    # The customer's own columns in one read; the other kinds each by their function.
    columns = [k for k in chosen if k in _CUSTOMER_COLUMNS]
    if columns:
        query = select(Customer.id, *(getattr(Customer, k) for k in columns))
        if wanted is not None:
            query = query.where(Customer.id.in_(list(wanted)))
        for cid, *values in session.connection().execute(query):
            out[cid] = dict(zip(columns, values, strict=True))
    for kind in chosen:
        if kind not in _CUSTOMER_COLUMNS:
            for cid, value in KINDS[kind](session, wanted).items():
                out.setdefault(cid, {})[kind] = value
    return out


def known_names(session: Session) -> dict[str, tuple[str, ...]]:
    """The names each kind of segment has in this workspace, to suggest: every RFM
    segment (best first), the tiers and regions of the customers, sorted, the lifecycle
    stages' labels in life order (onboarding to at risk), and the team filters."""
    from models.vocab import LIFECYCLE_STAGES, SEGMENTS
    from services.settings.segments import stage_label

    out: dict[str, tuple[str, ...]] = {
        "segment": tuple(SEGMENTS),
        "stage": tuple(stage_label(k) for k in LIFECYCLE_STAGES),
    }
    for kind in ("tier", "region"):
        column = getattr(Customer, kind)
        found = session.scalars(select(column).where(column.is_not(None)).distinct().limit(500))
        out[kind] = tuple(
            sorted({str(v).strip() for v in found if str(v).strip()}, key=str.casefold)
        )
    out["filter"] = tuple(f.name for f in list_filters(session))  # in the team's order
    return out
