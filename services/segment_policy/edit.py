"""Changing the table of settings per segment: add or change a segment's value, forget
one (or the whole rule), move a rule up or down. The command line and the window both
change it here, and every change is the setting ``segments.rules`` stored through
``set_setting``: checked as each overridden setting is, refused when IT locks the table,
and audited ("settings.changed", the table before and after), as a change of an alert
setting is.

A segment cannot take a value of a setting IT locks (the lock wins everywhere), and no
rule of a table IT locks can be changed: both are refused in plain words naming IT's
source.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from models.errors import UserFacingError
from models.schema import AuditEvent
from services.core.policy import LOCKED_NOTE, current_policy
from services.segment_policy.team_filters import find_filter, list_filters
from services.settings.segments import (
    RULES_SETTING,
    SEGMENT_KEYS,
    SEGMENT_KINDS,
    SegmentRule,
    canonical_name,
    parse_rules,
    rule_problem,
)
from services.settings.store import get_setting, set_setting, stored_problems, validate_setting
from services.settings.team_filters import folded


class SegmentRuleError(UserFacingError):
    """A change of the table that cannot be made, in plain words."""


@dataclass(frozen=True)
class SegmentTable:
    """The rules in order, and IT's locks: the table's (with where it is set) and the
    settings whose lock wins over every segment (key -> where)."""

    rules: tuple[SegmentRule, ...]
    table_lock: str  # "": the user may change it
    key_locks: dict[str, str]
    # The rules naming a team filter that no longer exists (they match no one).
    missing_filters: tuple[SegmentRule, ...] = ()
    # What of the table kept in the workspace is not used, in plain words (a rule or a
    # value that fails its check, written behind the app's back): each falls back alone.
    ignored: tuple[str, ...] = ()


def _lock_words(key: str) -> str:
    where = current_policy().sources.get(key, "policy")
    return where[len("locked (") : -1] if where.startswith("locked (") else where


def read_table(session: Session) -> SegmentTable:
    """The table as it applies now, with IT's locks."""
    locked = current_policy().locked
    rules = parse_rules(get_setting(session, RULES_SETTING))
    named = [r for r in rules if r.kind == "filter"]
    known = {folded(f.name) for f in list_filters(session)} if named else set()
    return SegmentTable(
        rules=rules,
        table_lock=_lock_words(RULES_SETTING) if RULES_SETTING in locked else "",
        key_locks={k: _lock_words(k) for k in SEGMENT_KEYS if k in locked},
        missing_filters=tuple(r for r in named if folded(r.name) not in known),
        # IT's table applies instead of the workspace's: what the latter holds is moot.
        ignored=() if RULES_SETTING in locked else stored_problems(session, RULES_SETTING),
    )


def _refuse_table_lock(table: SegmentTable) -> None:
    if table.table_lock:
        raise SegmentRuleError(
            f"The settings per segment are {LOCKED_NOTE.lower()} ({table.table_lock}); "
            "nothing was changed. Ask IT to change them."
        )


def _find(rules: list[dict[str, Any]], kind: str, name: str) -> int | None:
    wanted = (kind, canonical_name(kind, name).casefold())
    for index, rule in enumerate(rules):
        if (rule["kind"], canonical_name(rule["kind"], rule["name"]).casefold()) == wanted:
            return index
    return None


def _canonical(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rules as kept: a lifecycle stage under its key, whether given by key or label."""
    out = []
    for rule in rules:
        kind, name = rule.get("kind"), rule.get("name")
        if isinstance(kind, str) and isinstance(name, str):
            rule = {**rule, "name": canonical_name(kind, name)}
        out.append(rule)
    return out


def _store(session: Session, rules: list[dict[str, Any]], actor: str) -> None:
    rules = _canonical(rules)
    problem = validate_setting(RULES_SETTING, rules)
    if problem is not None:
        raise SegmentRuleError(problem)
    old = get_setting(session, RULES_SETTING)
    set_setting(session, RULES_SETTING, rules, actor=actor)
    session.add(
        AuditEvent(
            actor=actor,
            action="settings.changed",
            entity_type="setting",
            details={"key": RULES_SETTING, "old": old, "new": rules},
        )
    )


def check_value(key: str, value: Any) -> str | None:
    """What is wrong with ``value`` for ``key`` in a segment (the setting's own check,
    or IT's lock of the setting), None when it is fine."""
    if key not in SEGMENT_KEYS:
        return f"'{key}' cannot be set per segment (these can: {', '.join(SEGMENT_KEYS)})"
    if key in current_policy().locked:
        return (
            f"{key} is {LOCKED_NOTE.lower()} ({_lock_words(key)}): its lock applies to every "
            "segment"
        )
    return validate_setting(key, value)


def set_segment_value(
    session: Session, kind: str, name: str, key: str, value: Any, *, actor: str = "user",
    position: int | None = None,
) -> SegmentRule:  # fmt: skip
    """Give the segment ``kind``/``name`` its own ``value`` of ``key`` (a new rule goes
    last, or at ``position``, 0 first); SegmentRuleError when it cannot be."""
    table = read_table(session)
    _refuse_table_lock(table)
    problem = rule_problem({"kind": kind, "name": name, "values": {}}) or check_value(key, value)
    if problem is None and kind == "filter" and find_filter(list_filters(session), name) is None:
        problem = f"there is no such team filter '{name.strip()}' (customers filters list)"
    if problem is not None:
        raise SegmentRuleError(
            problem[:1].upper() + problem[1:].rstrip(".") + "; nothing was changed."
        )
    rules = [r.as_value() for r in table.rules]
    index = _find(rules, kind, name)
    if index is None:
        rule = {"kind": kind, "name": canonical_name(kind, name), "values": {}}
        spot = len(rules) if position is None else max(0, min(position, len(rules)))
        rules.insert(spot, rule)
        index = spot
    rules[index]["values"][key] = copy.deepcopy(value)
    _store(session, rules, actor)
    return parse_rules(rules)[index]


def unset_segment_value(
    session: Session, kind: str, name: str, key: str | None = None, *, actor: str = "user"
) -> None:
    """Forget the segment's own value of ``key`` (None: the whole rule); a rule left
    with no value is removed too. SegmentRuleError when there is no such rule."""
    table = read_table(session)
    _refuse_table_lock(table)
    rules = [r.as_value() for r in table.rules]
    index = _find(rules, kind, name)
    if index is None or (key is not None and key not in rules[index]["values"]):
        what = f"value of {key}" if key is not None else "rule"
        raise SegmentRuleError(f"{_label(kind, name)} has no {what}; nothing was changed.")
    if key is not None:
        del rules[index]["values"][key]
    if key is None or not rules[index]["values"]:
        del rules[index]
    _store(session, rules, actor)


def move_rule(
    session: Session, kind: str, name: str, position: int, *, actor: str = "user"
) -> None:
    """Put a rule at ``position`` (0: first, it wins over every later one)."""
    table = read_table(session)
    _refuse_table_lock(table)
    rules = [r.as_value() for r in table.rules]
    index = _find(rules, kind, name)
    if index is None:
        raise SegmentRuleError(f"{_label(kind, name)} has no rule; nothing was changed.")
    rule = rules.pop(index)
    rules.insert(max(0, min(position, len(rules))), rule)
    _store(session, rules, actor)


def replace_rules(session: Session, rules: list[dict[str, Any]], *, actor: str = "user") -> None:
    """Store the whole table at once (the window's Save), checked as every change is."""
    table = read_table(session)
    rules = _canonical(rules)
    if [r.as_value() for r in table.rules] == rules:
        return
    _refuse_table_lock(table)
    _refuse_new_missing_filters(session, table, rules)
    before = {
        (r.kind, r.name.strip().casefold(), k): v for r in table.rules for k, v in r.values.items()
    }
    for rule in rules:
        kind = str(rule.get("kind"))
        mark = (kind, canonical_name(kind, str(rule.get("name", ""))).casefold())
        for key, value in rule.get("values", {}).items():
            # A value kept from before the lock may stay (the lock wins over it anyway).
            if key in table.key_locks and before.get((*mark, key), object()) != value:
                raise SegmentRuleError(
                    f"{key} is {LOCKED_NOTE.lower()} ({table.key_locks[key]}): its lock "
                    "applies to every segment; nothing was changed."
                )
    _store(session, rules, actor)


def _refuse_new_missing_filters(
    session: Session, table: SegmentTable, rules: list[dict[str, Any]]
) -> None:
    """A new rule must name a team filter that exists (one kept from before its filter
    was deleted may stay: it matches no one, and the table says so)."""
    kept = {folded(r.name) for r in table.rules if r.kind == "filter"}
    named = [str(r.get("name", "")) for r in rules if r.get("kind") == "filter"]
    if not named:
        return
    known = {folded(f.name) for f in list_filters(session)}
    for name in named:
        if folded(name) not in known and folded(name) not in kept:
            raise SegmentRuleError(
                f"There is no such team filter '{name.strip()}'; nothing was changed."
            )


def _label(kind: str, name: str) -> str:
    return SegmentRule(kind, name).label if kind in SEGMENT_KINDS else f"{kind} {name}"
