"""Team filters: list, save, rename and delete the workspace's shared customer filters,
and which customers each keeps (``members``).

The filters are the setting ``customers.team_filters`` (services/settings/team_filters.py),
so every change goes through ``set_setting``: checked, refused when IT locks it or when
the person's role may not change the workspace's settings (a manager of a shared
workspace: the database refuses), and audited ("settings.changed", the list before and
after), as a change of the settings per segment is. Asking before replacing or deleting
one is the caller's job.

``members`` reads, in one pass, what a filter looks at for every customer the table lists
(guests aside): the latest finished scoring's segment, churn risk, health, engagement and
lifecycle stage, the owner and the do-not-contact mark, and the search fields when a
filter has a search; then applies services/core/customer_filter.py's ``filter_mask`` and
search, the very definition the Customers table applies.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models.errors import UserFacingError
from models.schema import AuditEvent
from models.vocab import GUEST_EXTERNAL_ID
from services.core.account_names import account_columns
from services.core.customer_filter import (
    SEARCH_FIELDS,
    CustomerFilter,
    describe_range,
    filter_from_json,
    filter_mask,
    filter_to_json,
    search_haystack,
    search_terms,
    words_match,
)
from services.core.policy import LOCKED_NOTE, current_policy
from services.settings.store import SettingRefused, get_setting, set_setting, validate_setting
from services.settings.team_filters import (
    NAME_LENGTH,
    TEAM_FILTERS_SETTING,
    entry_problem,
    folded,
)


class TeamFilterError(UserFacingError):
    """A change of the team filters that cannot be made, in plain words."""


@dataclass(frozen=True)
class TeamFilter:
    """One team filter: its name, the filter's conditions and the search text."""

    name: str
    filter: CustomerFilter = CustomerFilter()
    search: str = ""

    def as_value(self) -> dict[str, Any]:
        """The team filter as it is kept in the setting."""
        return {
            "name": self.name.strip(),
            "filter": filter_to_json(self.filter.conditions),
            "search": self.search.strip(),
        }


def parse_team_filters(value: Any) -> tuple[TeamFilter, ...]:
    """The team filters kept in the setting (one that does not read is left out)."""
    if not isinstance(value, list):
        return ()
    return tuple(
        TeamFilter(
            entry["name"].strip(),
            filter_from_json(entry.get("filter", {})).conditions,
            entry.get("search", "").strip(),
        )
        for entry in value
        if entry_problem(entry) is None
    )


def list_filters(session: Session) -> tuple[TeamFilter, ...]:
    """The workspace's team filters, in the order they were shared."""
    return parse_team_filters(get_setting(session, TEAM_FILTERS_SETTING))


def find_filter(filters: Iterable[TeamFilter], name: str) -> TeamFilter | None:
    """The team filter named ``name`` (without regard to case or spaces), None if none."""
    return next((f for f in filters if folded(f.name) == folded(name)), None)


def lock_note() -> str:
    """Why the team filters cannot be changed here when IT locks them; "" when they can."""
    if TEAM_FILTERS_SETTING not in current_policy().locked:
        return ""
    where = current_policy().sources.get(TEAM_FILTERS_SETTING, "policy")
    where = where[len("locked (") : -1] if where.startswith("locked (") else where
    return f"The team filters are {LOCKED_NOTE.lower()} ({where}); ask IT to change them."


def _store(session: Session, filters: list[TeamFilter], actor: str) -> None:
    note = lock_note()
    if note:
        raise TeamFilterError(note.replace("; ask", "; nothing was changed. Ask"))
    value = [f.as_value() for f in filters]
    problem = validate_setting(TEAM_FILTERS_SETTING, value)
    if problem is not None:
        said = problem[:1].upper() + problem[1:].rstrip(".")
        raise TeamFilterError(f"{said}; nothing was changed.")
    old = get_setting(session, TEAM_FILTERS_SETTING)
    try:
        set_setting(session, TEAM_FILTERS_SETTING, value, actor=actor)
        session.flush()
    except (StaleDataError, SettingRefused):
        # A shared workspace's row-level security hides the setting's row from an update
        # by whoever may not change it (an account manager): no row matched.
        raise TeamFilterError(
            "Changing the team filters is for a team lead or an admin (they are the "
            "workspace's settings); nothing was changed."
        ) from None
    session.add(
        AuditEvent(
            actor=actor,
            action="settings.changed",
            entity_type="setting",
            details={"key": TEAM_FILTERS_SETTING, "old": old, "new": value},
        )
    )


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_LENGTH:
        raise TeamFilterError(
            f"A team filter's name is 1 to {NAME_LENGTH} characters; nothing was changed."
        )
    return name


def save_filter(
    session: Session, name: str, conditions: CustomerFilter, search: str = "", *,
    actor: str = "user", position: int | None = None,
) -> bool:  # fmt: skip
    """Share ``conditions`` and ``search`` as the team filter ``name``: a new one goes
    last (or at ``position``), one of the same name is replaced in its place. True when
    it replaced one."""
    name = _checked_name(name)
    filters = list(list_filters(session))
    found = find_filter(filters, name)
    new = TeamFilter(name, conditions.conditions, search.strip())
    if found is not None:
        filters[filters.index(found)] = new
    elif position is None:
        filters.append(new)
    else:
        filters.insert(max(0, min(position, len(filters))), new)
    _store(session, filters, actor)
    return found is not None


def rename_filter(session: Session, old: str, new: str, *, actor: str = "user") -> None:
    """Give the team filter ``old`` the name ``new`` (a segment rule naming the old name
    then names no team filter, and says so)."""
    new = _checked_name(new)
    filters = list(list_filters(session))
    found = find_filter(filters, old)
    if found is None:
        raise TeamFilterError(f"There is no team filter '{old.strip()}'; nothing was changed.")
    other = find_filter(filters, new)
    if other is not None and other is not found:
        raise TeamFilterError(
            f"A team filter is already named '{other.name}'; nothing was changed."
        )
    filters[filters.index(found)] = TeamFilter(new, found.filter, found.search)
    _store(session, filters, actor)


def delete_filter(session: Session, name: str, *, actor: str = "user") -> tuple[TeamFilter, int]:
    """Delete the team filter ``name``; what was deleted and where it stood (to undo)."""
    filters = list(list_filters(session))
    found = find_filter(filters, name)
    if found is None:
        raise TeamFilterError(f"There is no team filter '{name.strip()}'; nothing was changed.")
    index = filters.index(found)
    del filters[index]
    _store(session, filters, actor)
    return found, index


# -- Which customers each keeps --------------------------------------------------------

_LATEST_RUN = (
    "SELECT id FROM scoring_runs WHERE status = 'finished' ORDER BY as_of DESC, id DESC LIMIT 1"
)
_SCORED = ("segment", "churn_risk", "health_score", "engagement_score", "stage")


def _fetch(session: Session, sql: str) -> list[Any]:
    # On the DB-API cursor: plain tuples, a quarter of the time of the ORM's rows at
    # 100,000 customers (the customers table reads the same way).
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _grid(rows: list[Any], width: int) -> np.ndarray:
    grid = np.empty((len(rows), width), dtype=object)
    if rows:
        grid[:] = rows
    return grid


def _read_columns(
    session: Session, ids: Collection[int] | None, search: bool
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Every listed customer's ids, the columns a filter reads, and the do-not-contact
    marks (ascending id): the customers in one read, the latest finished scoring's
    snapshots in another (two plain scans; a join took half as long again), placed on
    the customers by id. Numbers from the database and constants are written out."""
    run = session.execute(text(_LATEST_RUN)).scalar()
    # The account's name and person are worked out from the row's own (below).
    texts = [f for f in SEARCH_FIELDS if f not in ("owner", "person")] if search else []
    only = "" if ids is None else ", ".join(str(int(i)) for i in ids) or "NULL"
    people = _grid(
        _fetch(
            session,
            "SELECT id, owner, do_not_contact" + "".join(f", {t}" for t in texts)
            + f" FROM customers WHERE (external_id IS NULL OR external_id <> "
            f"'{GUEST_EXTERNAL_ID}')" + (f" AND id IN ({only})" if only else "") + " ORDER BY id",
        ),
        3 + len(texts),
    )  # fmt: skip
    customer_ids = people[:, 0].astype(np.int64)
    columns: dict[str, np.ndarray] = {"owner": people[:, 1]}
    for i, field in enumerate(texts, start=3):
        columns[field] = people[:, i]
    if search:  # named as the table names them (services/core/account_names.py)
        columns["name"], columns["person"] = account_columns(
            session, customer_ids, columns["company"], columns["name"], columns["email"]
        )
    if run is not None:  # never scored: the score columns are missing, as in the table
        snaps = _grid(
            _fetch(
                session,
                f"SELECT customer_id, {', '.join(_SCORED)} FROM score_snapshots "
                f"WHERE scoring_run_id = {int(run)}"
                + (f" AND customer_id IN ({only})" if only else ""),
            ),
            1 + len(_SCORED),
        )  # fmt: skip
        keys = snaps[:, 0].astype(np.int64)
        size = len(customer_ids)
        pos = np.minimum(np.searchsorted(customer_ids, keys), max(size - 1, 0))
        placed = (customer_ids[pos] == keys) if size else np.zeros(len(keys), dtype=bool)
        for i, key in enumerate(_SCORED, start=1):
            numeric = key not in ("segment", "stage")
            column = np.full(size, np.nan if numeric else None, dtype=float if numeric else object)
            values = snaps[placed, i]
            column[pos[placed]] = values.astype(np.float64) if numeric else values
            columns[key] = column
    dnc = people[:, 2].astype(bool)  # None (never set) is False
    return customer_ids, columns, dnc


def members(
    session: Session, names: Collection[str] | None = None, ids: Collection[int] | None = None
) -> dict[str, np.ndarray]:
    """Which customers each team filter of ``names`` (None: every one) keeps, of ``ids``
    (None: every customer the table lists): team filter name -> ascending customer ids.
    A name that is no team filter is left out (it keeps no one)."""
    chosen = list_filters(session)
    if names is not None:
        wanted = {folded(n) for n in names}
        chosen = tuple(f for f in chosen if folded(f.name) in wanted)
    if not chosen:
        return {}
    searching = any(search_terms(f.search) for f in chosen)
    wanted_ids = ids if ids is None or len(ids) <= 500 else None  # a long IN list: read all
    customer_ids, columns, dnc = _read_columns(session, wanted_ids, searching)
    if ids is not None and wanted_ids is None:
        keep = np.isin(customer_ids, np.fromiter(ids, dtype=np.int64, count=len(ids)))
        customer_ids, dnc = customer_ids[keep], dnc[keep]
        columns = {k: v[keep] for k, v in columns.items()}
    haystack = search_haystack([columns[f] for f in SEARCH_FIELDS]) if searching else None
    out: dict[str, np.ndarray] = {}
    for team_filter in chosen:
        mask = filter_mask(team_filter.filter, columns, customer_ids, dnc)
        terms = search_terms(team_filter.search)
        if terms and haystack is not None:
            found = words_match(haystack, terms)
            mask = found if mask is None else mask & found
        out[team_filter.name] = customer_ids if mask is None else customer_ids[mask]
    return out


def memberships_of(
    session: Session, ids: Collection[int] | None = None
) -> dict[int, frozenset[str]]:
    """Customer id -> the folded names of every team filter they are in (a customer in
    none is left out): the kind "filter" of the settings per segment. Each distinct set
    of filters is one frozenset shared by its customers (the door resolves each once)."""
    kept = members(session, None, ids)
    if not kept:
        return {}
    everyone = np.unique(np.concatenate(list(kept.values())))
    codes = np.zeros(len(everyone), dtype=object)  # a bit per filter: at most 100
    for bit, rows in enumerate(kept.values()):
        codes[np.searchsorted(everyone, rows)] += 1 << bit
    names = [folded(name) for name in kept]
    sets: dict[int, frozenset[str]] = {}
    for code in set(codes.tolist()):
        sets[code] = frozenset(n for bit, n in enumerate(names) if code >> bit & 1)
    return {cid: sets[code] for cid, code in zip(everyone.tolist(), codes.tolist(), strict=True)}


def describe(team_filter: TeamFilter) -> str:
    """What a team filter keeps, in words: "segment Champions or Loyal; churn risk 30% or
    more; search "acme"" ("everyone" for none)."""
    f = team_filter.filter
    parts: list[str] = []
    if f.segments:
        parts.append("segment " + " or ".join(sorted(f.segments)))
    if f.exclude_segments:
        parts.append("not " + " or ".join(sorted(f.exclude_segments)))
    if f.owner is not None:
        parts.append(f"owner {f.owner}" if f.owner else "no owner")
    if f.stages:
        parts.append("stage " + " or ".join(s or "none" for s in sorted(f.stages)))
    for field, words, bounds in (
        ("churn_risk", "churn risk", f.churn_risk),
        ("health", "health", f.health),
        ("engagement", "engagement", f.engagement),
    ):
        if bounds is not None:
            parts.append(f"{words} {describe_range(field, bounds)}")
    if f.unscored:
        parts.append("not scored")
    if f.do_not_contact is not None:
        parts.append("do not contact" if f.do_not_contact else "not do-not-contact")
    if f.customer_ids is not None:
        parts.append(f"{len(f.customer_ids):,} chosen customers")
    if team_filter.search.strip():
        parts.append(f'search "{team_filter.search.strip()}"')
    return "; ".join(parts) or "everyone"
