"""The one door: the value of a setting for a customer, by the order of precedence of
services/settings/segments.py (IT's lock > the first matching segment rule > the
workspace's value). Every reader of a setting that may be set per segment (the draft's
tone and offer cap, the alert thresholds, the suggested playbook, the owner of
unassigned alerts) asks here.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy.orm import Session

from services.core.policy import is_locked
from services.segment_policy.membership import memberships
from services.settings.segments import (
    RULES_SETTING,
    SEGMENT_KEYS,
    Member,
    Resolved,
    SegmentRule,
    parse_rules,
    resolve_value,
)
from services.settings.store import get_setting


def _rules_for(session: Session, key: str) -> tuple[SegmentRule, ...]:
    if key not in SEGMENT_KEYS:
        raise KeyError(f"'{key}' cannot be set per segment")
    if is_locked(key):
        return ()  # IT's lock of the setting wins over every segment
    return tuple(r for r in parse_rules(get_setting(session, RULES_SETTING)) if key in r.values)


def has_segment_values(session: Session, key: str) -> bool:
    """Whether some segment rule gives ``key`` a value that applies (not locked by IT)."""
    return bool(_rules_for(session, key))


def value_for(session: Session, key: str, customer_id: int | None) -> Resolved:
    """The value of ``key`` for one customer (None: no customer, the workspace's)."""
    workspace = get_setting(session, key)
    rules = _rules_for(session, key)
    locked = (is_locked(key), workspace)
    if not rules or customer_id is None:
        return resolve_value(key, (), {}, workspace, locked)
    kinds = {r.kind for r in rules}
    member = memberships(session, [customer_id], kinds).get(customer_id, {})
    return resolve_value(key, rules, member, workspace, locked)


def values_for(
    session: Session, key: str, customer_ids: Collection[int] | None = None
) -> tuple[Resolved, dict[int, Resolved]]:
    """The workspace's value of ``key`` and, for each customer of ``customer_ids`` (None:
    every customer) whose segment overrides it, their own: many customers in one read."""
    return values_for_keys(session, (key,), customer_ids)[key]


def values_for_keys(
    session: Session, keys: Collection[str], customer_ids: Collection[int] | None = None
) -> dict[str, tuple[Resolved, dict[int, Resolved]]]:
    """``values_for`` of several keys with one read of the customers' segments; each
    distinct set of segments is resolved once (a book has few), not each customer."""
    out: dict[str, tuple[Resolved, dict[int, Resolved]]] = {}
    wanted: dict[str, tuple[tuple[SegmentRule, ...], Any, tuple[bool, Any]]] = {}
    for key in keys:
        workspace = get_setting(session, key)
        locked = (is_locked(key), workspace)
        rules = _rules_for(session, key)
        out[key] = (resolve_value(key, (), {}, workspace, locked), {})
        if rules:
            wanted[key] = (rules, workspace, locked)
    if not wanted:
        return out
    kinds = {r.kind for rules, _, _ in wanted.values() for r in rules}
    only = None if customer_ids is None else set(customer_ids)
    # A membership's items are hashable (a team filter's is a frozenset of names).
    known: dict[tuple[tuple[str, Member], ...], dict[str, Resolved]] = {}
    for cid, member in memberships(session, customer_ids, kinds).items():
        if only is not None and cid not in only:
            continue
        mark = tuple(sorted(member.items()))
        found = known.get(mark)
        if found is None:
            found = {}
            for key, (rules, workspace, locked) in wanted.items():
                value = resolve_value(key, rules, member, workspace, locked)
                if value.source == "segment":
                    found[key] = value
            known[mark] = found
        for key, value in found.items():
            out[key][1][cid] = value
    return out
