"""Team filters: named customer filters the whole workspace shares, kept as one setting,
``customers.team_filters`` (a list of {name, filter, search}).

A team filter is what a person's saved view of the Customers list is (a filter's
conditions and a search text), under a name everyone in the workspace sees: in the
Customers list's Views, on the command line (``customers filters``) and as a kind of
segment of the settings per segment (services/settings/segments.py, kind "filter").
Being a workspace setting, a shared workspace shares it, only those who may change the
workspace's settings change it (a lead or an admin), every change is audited, and IT may
lock it as any setting. The filter is services/core/customer_filter.py's one definition;
services/segment_policy/team_filters.py lists, saves, deletes and applies them.
"""

from __future__ import annotations

from typing import Any

from services.core.customer_filter import CustomerFilter, filter_to_json
from services.core.setting_spec import SettingSpec

TEAM_FILTERS_SETTING = "customers.team_filters"
MAX_TEAM_FILTERS = 100
NAME_LENGTH = 60
SEARCH_LENGTH = 200
# The fields a team filter has.
ENTRY_FIELDS = frozenset({"name", "filter", "search"})


def _filter_fields() -> frozenset[str]:
    """The conditions a filter is kept with (``filter_to_json``'s fields)."""
    return frozenset(filter_to_json(CustomerFilter()))


def folded(name: str) -> str:
    """A team filter's name as names compare: without case or surrounding spaces."""
    return name.strip().casefold()


def entry_problem(entry: Any) -> str | None:
    """What is wrong with one team filter as kept, in plain words; None when it is fine."""
    if not isinstance(entry, dict):
        return f"a team filter must be a table of name, filter and search (got {entry!r:.40})"
    if set(entry) - ENTRY_FIELDS:
        return f"a team filter has only name, filter and search (got {', '.join(sorted(entry))})"
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_LENGTH:
        return f"a team filter's name must be a text of 1 to {NAME_LENGTH} characters"
    conditions = entry.get("filter", {})
    if not isinstance(conditions, dict):
        return f"the filter of '{name.strip()}' must be a table of conditions"
    unknown = set(conditions) - _filter_fields()
    if unknown:
        return f"the filter of '{name.strip()}' has no condition {', '.join(sorted(unknown))}"
    search = entry.get("search", "")
    if not isinstance(search, str) or len(search) > SEARCH_LENGTH:
        return f"the search of '{name.strip()}' is a text of at most {SEARCH_LENGTH} characters"
    return None


def _team_filters_check(value: Any) -> str | None:
    seen: set[str] = set()
    for entry in value:
        problem = entry_problem(entry)
        if problem is not None:
            return problem
        mark = folded(entry["name"])
        if mark in seen:
            return f"two team filters are named '{entry['name'].strip()}'; keep one"
        seen.add(mark)
    return None


def kept_team_filters(value: Any) -> tuple[Any, tuple[str, ...]]:
    """The list as the workspace keeps it, with each team filter that fails its check left
    out, and what was left out in plain words: one bad filter (written by hand, by an
    older version, restored from a file) never takes the others with it. Of two filters
    of one name the first is kept. A value that is no list, or a list of more than
    ``MAX_TEAM_FILTERS``, is returned as it is: the setting's own check refuses it whole."""
    if not isinstance(value, list) or len(value) > MAX_TEAM_FILTERS:
        return value, ()
    kept: list[dict[str, Any]] = []
    said: list[str] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(value, 1):
        problem = entry_problem(entry)
        if problem is None:
            mark = folded(entry["name"])
            if mark in seen:
                problem = f"team filter {seen[mark]} has the same name, and the first is kept"
            else:
                seen[mark] = number
                kept.append(entry)
                continue
        said.append(f"team filter {number} is not used: {problem}.")
    return kept, tuple(said)


TEAM_FILTER_SPECS = (
    SettingSpec(TEAM_FILTERS_SETTING, list, [], "Team filters", _team_filters_check,
                "Customers", help="Named customer filters the whole workspace shares: each "
                "a name (unique, at most 60 characters), the filter's conditions and a "
                "search text. Kept from the Customers list's Views (Share with the team…) "
                "and `customers filters`; a segment rule may name one (kind filter).",
                hidden=True, max_length=MAX_TEAM_FILTERS),
)  # fmt: skip
