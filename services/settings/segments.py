"""Settings per segment: the ordered list of segment rules, and the one resolution of a
setting for a customer.

A segment rule names a kind of segment and one of its names (``SEGMENT_KINDS``: the
customer's RFM segment, tier or region) and the settings it overrides for the customers
in it (``SEGMENT_KEYS``: the draft's tone, the offer cap, the high-risk and lapse
thresholds, the suggested playbook and the owner of alerts for customers without one).
The rules are one setting, ``segments.rules``, a list the user orders: the first rule
that matches a customer and overrides a key gives that key's value.

The order of precedence, for one key and one customer (``resolve_value``)::

    locked by IT > the first matching segment rule > the workspace's value
    (itself: the user's own > organisation default > built-in default)

A lock of the key itself wins everywhere; IT may also lock ``segments.rules`` (the
table), which then holds IT's rules and cannot be changed in the window or the command
line. Which segments a customer is in is worked out by services/segment_policy, which
asks here; nothing else reads the rules by hand.

A kind is a name and a small function customer -> name (services/segment_policy): a new
kind is one more entry there and here. A lifecycle stage's rule is kept under the stage's
key ("at_risk"); its label ("At risk") is accepted wherever a name is given. A customer
may be in several team filters (services/settings/team_filters.py) at once: for the kind
"filter" their membership is the set of those filters' names, and a rule naming one of
them matches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from models.vocab import LIFECYCLE_STAGES, SEGMENTS
from services.core.setting_spec import SettingSpec, check_value, shown

RULES_SETTING = "segments.rules"
PLAYBOOK_SETTING = "playbooks.suggested"
OWNER_SETTING = "alerts.unassigned_owner"

# The kinds of segment a rule may name, and what the window calls them.
SEGMENT_KINDS: dict[str, str] = {
    "segment": "RFM segment",
    "tier": "Tier",
    "region": "Region",
    "stage": "Lifecycle stage",
    "filter": "Team filter",  # a customer in several: membership is a frozenset of names
}
# What a customer is, for each kind: a name, None, or (kind "filter") the folded names of
# every team filter they are in.
Member = str | frozenset[str] | None

# The settings a segment may override, and what the window calls them.
SEGMENT_KEYS: dict[str, str] = {
    "outreach.default_tone": "Tone",
    "outreach.incentive_cap_percent": "Offer cap",
    "alerts.high_risk_high_value.min_churn_risk": "Risk floor",
    "alerts.lapse_coming.min_chance_percent": "Lapse floor",
    PLAYBOOK_SETTING: "Playbook",
    OWNER_SETTING: "Owner",
}
# The ones that are a percent (a cap, a floor), said with "%".
PERCENT_KEYS = (
    "outreach.incentive_cap_percent",
    "alerts.high_risk_high_value.min_churn_risk",
    "alerts.lapse_coming.min_chance_percent",
)
MAX_RULES = 100
NAME_LENGTH = 128


@dataclass(frozen=True)
class SegmentRule:
    """One rule: the customers whose ``kind`` is ``name`` take ``values`` (key -> value)."""

    kind: str
    name: str
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The segment in words: "Champions", "Tier: Gold", "Lifecycle stage: At risk"."""
        name = self.name.strip()
        if self.kind == "stage":
            name = stage_label(canonical_name(self.kind, name))
        return name if self.kind == "segment" else f"{SEGMENT_KINDS[self.kind]}: {name}"

    def matches(self, membership: Mapping[str, Member]) -> bool:
        """Whether a customer in these segments (kind -> name; for team filters, the set of
        their folded names) is in this rule's segment; names compare without regard to
        case or surrounding spaces."""
        own = membership.get(self.kind)
        if isinstance(own, frozenset):
            return self.name.strip().casefold() in own
        return own is not None and own.strip().casefold() == self.name.strip().casefold()

    def as_value(self) -> dict[str, Any]:
        """The rule as it is kept in the setting."""
        return {"kind": self.kind, "name": self.name, "values": dict(self.values)}


@dataclass(frozen=True)
class Resolved:
    """A setting's value for one customer, and where it comes from: "locked" (IT),
    "segment" (``segment`` names the rule's segment) or "workspace"."""

    value: Any
    source: str
    segment: str = ""


# Every declared setting, given by services/settings/schema.py once it has gathered them
# (it imports this module): a segment's value is checked as its setting's.
_DECLARED: dict[str, SettingSpec] = {}


def use_declarations(specs: Mapping[str, SettingSpec]) -> None:
    """Tell this module the declared settings (services/settings/schema.py does)."""
    _DECLARED.update(specs)


def _value_problem(key: str, value: Any) -> str | None:
    return check_value(_DECLARED[key], value)


def _folded(name: str) -> str:
    return "".join(name.split()).casefold()


def _stage_folded(name: str) -> str:
    return "".join(name.replace("_", " ").replace("-", " ").split()).casefold()


def stage_label(key: str) -> str:
    """A lifecycle stage's label, "At risk" for "at_risk" (services/lifecycle/stages.py
    STAGE_LABELS, which a test holds this to)."""
    return key.replace("_", " ").capitalize()


def canonical_name(kind: str, name: str) -> str:
    """The name a rule keeps: a lifecycle stage's key for its key or label in any case
    ("At risk", "AT_RISK" -> "at_risk"); any other name as given, stripped."""
    if kind == "stage":
        for key in LIFECYCLE_STAGES:
            if _stage_folded(name) == _stage_folded(key):
                return key
    return name.strip()


def _shape_problem(rule: Any) -> str | None:
    """What is wrong with a rule's kind, name and layout (its values aside), or None."""
    if not isinstance(rule, dict):
        return f"a rule must be a table of kind, name and values (got '{shown(rule)}')"
    kind, name, values = rule.get("kind"), rule.get("name"), rule.get("values", {})
    if not isinstance(kind, str) or kind not in SEGMENT_KINDS:
        kinds = ", ".join(SEGMENT_KINDS)
        return f"the kind of segment must be one of {kinds} (got '{shown(kind)}')"
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_LENGTH:
        return f"a segment's name must be a text of 1 to {NAME_LENGTH} characters"
    if kind == "segment" and _folded(name) not in {_folded(s) for s in SEGMENTS}:
        # The RFM segments are a fixed list: a misspelt one would never match anyone.
        return f"'{name.strip()}' is no RFM segment; one of {', '.join(SEGMENTS)}"
    if kind == "stage" and canonical_name(kind, name) not in LIFECYCLE_STAGES:
        # The stages are a fixed list too: the key or the label of one.
        words = ", ".join(f"{k} ({stage_label(k)})" for k in LIFECYCLE_STAGES)
        return f"'{name.strip()}' is no lifecycle stage; one of {words}"
    if set(rule) - {"kind", "name", "values"}:
        return f"a rule has only kind, name and values (got {', '.join(sorted(rule))})"
    if not isinstance(values, dict):
        return f"the values of '{name}' must be a table of settings"
    return None


def _entry_problem(key: Any, value: Any) -> str | None:
    """What is wrong with one value a rule overrides (the same check as its setting's)."""
    if key not in SEGMENT_KEYS:
        return f"'{key}' cannot be set per segment (these can: {', '.join(SEGMENT_KEYS)})"
    return _value_problem(key, value)


def rule_problem(rule: Any) -> str | None:
    """What is wrong with one rule as kept, in plain words; None when it is fine. Each
    value goes through the same check as the setting it overrides."""
    problem = _shape_problem(rule)
    if problem is not None:
        return problem
    for key, value in rule.get("values", {}).items():
        problem = _entry_problem(key, value)
        if problem is not None:
            return problem if key not in SEGMENT_KEYS else f"{rule['name']}: {problem.rstrip('.')}"
    return None


def _rules_check(value: Any) -> str | None:
    seen: set[tuple[str, str]] = set()
    for rule in value:
        problem = rule_problem(rule)
        if problem is not None:
            return problem
        mark = (rule["kind"], canonical_name(rule["kind"], rule["name"]).casefold())
        if mark in seen:
            return f"the segment '{rule['name']}' has two rules; keep one"
        seen.add(mark)
    return None


def kept_rules(value: Any) -> tuple[Any, tuple[str, ...]]:
    """The table as the workspace keeps it, with each rule or value that fails its check
    left out, and what was left out in plain words (naming the segment and the setting).

    One bad rule (written by hand, by an older version, or restored from a file) falls
    back alone: its segment takes the workspace's value of the settings it got wrong, and
    every other rule still applies. A value that is no list, or a list of more than
    ``MAX_RULES``, is returned as it is: the table's own check then refuses it whole."""
    if not isinstance(value, list) or len(value) > MAX_RULES:
        return value, ()
    kept: list[dict[str, Any]] = []
    said: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for number, rule in enumerate(value, 1):
        problem = _shape_problem(rule)
        if problem is not None:
            said.append(f"rule {number} is not used: {problem}.")
            continue
        name = canonical_name(rule["kind"], rule["name"])
        label = SegmentRule(rule["kind"], name).label
        mark = (rule["kind"], name.casefold())
        if mark in seen:
            said.append(f"rule {number} ({label}) is not used: rule {seen[mark]} is the same "
                        "segment's, and the first rule wins.")  # fmt: skip
            continue
        seen[mark] = number
        values = {}
        for key, item in rule.get("values", {}).items():
            problem = _entry_problem(key, item)
            if problem is None:
                values[key] = item
                continue
            if key not in SEGMENT_KEYS:
                said.append(f"{label}: '{shown(key)}' is not used: it cannot be set per segment.")
                continue
            said.append(f"{label}: {SEGMENT_KEYS[key]} ({key}) is not used: "
                        f"{problem.rstrip('.')}; the workspace's value applies.")  # fmt: skip
        kept.append({**rule, "values": values})
    return kept, tuple(said)


def parse_rules(value: Any) -> tuple[SegmentRule, ...]:
    """The rules kept in the setting, in order; a rule, or a value of one, that does not
    read is left out (``kept_rules``)."""
    rules, _ = kept_rules(value)
    if not isinstance(rules, list):
        return ()
    return tuple(
        SegmentRule(r["kind"], canonical_name(r["kind"], r["name"]), dict(r["values"]))
        for r in rules
    )


def matching_rule(
    rules: Sequence[SegmentRule], key: str, membership: Mapping[str, Member]
) -> SegmentRule | None:
    """The first rule that matches the customer and overrides ``key``; None when none."""
    for rule in rules:
        if key in rule.values and rule.matches(membership):
            return rule
    return None


def resolve_value(
    key: str,
    rules: Sequence[SegmentRule],
    membership: Mapping[str, Member],
    workspace: Any,
    locked: tuple[bool, Any] = (False, None),
) -> Resolved:
    """The value of ``key`` for a customer in ``membership`` (kind -> name): IT's lock
    ``(True, value)`` > the first matching rule > the ``workspace`` value (module doc)."""
    if locked[0]:
        return Resolved(locked[1], "locked")
    rule = matching_rule(rules, key, membership)
    if rule is not None:
        return Resolved(rule.values[key], "segment", rule.label)
    return Resolved(workspace, "workspace")


def _playbook_check(value: Any) -> str | None:
    from services.settings.playbooks import BUILT_IN, CUSTOM_PREFIX

    known = {p.key for p in BUILT_IN}
    if value in ("", *known) or str(value).startswith(CUSTOM_PREFIX):
        return None
    return f"the playbook must be one of {', '.join(sorted(known))} or your own (custom:Name)"


SEGMENT_SPECS = (
    SettingSpec(RULES_SETTING, list, [], "Settings per segment", _rules_check, "Per segment",
                help="Segment rules, first match wins: each names a kind of segment "
                "(segment, tier, region, stage, filter: a team filter), one of its names and "
                "the settings it overrides.",
                hidden=True, max_length=MAX_RULES),
    SettingSpec(PLAYBOOK_SETTING, str, "", "Suggested playbook", _playbook_check, "Playbooks",
                help="The playbook an alert's card offers first (empty: none). Set it per "
                "segment on the Per segment page.", page="Alerts", section="Playbooks",
                order=910, placeholder="e.g. win_back"),
    SettingSpec(OWNER_SETTING, str, "", "Owner of alerts for customers without one", None,
                "Alerts", help="New alerts for a customer with no owner go to this person "
                "(empty: they stay unassigned). Set it per segment on the Per segment page, "
                "where it also makes the segment's customers without an owner this person's.",
                order=300, placeholder="e.g. Ana Lopez", max_length=255, applies="next_scoring"),
)  # fmt: skip
