"""The order of precedence of a setting per segment: IT's lock > the first matching
segment rule (in the order the user gives) > the workspace's value; and the rules' own
check, the same as each setting's."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from services.settings import validate_setting
from services.settings.segments import SegmentRule, parse_rules, resolve_value

KEY = "outreach.default_tone"
KINDS = ("segment", "tier", "region")
NAMES = ("Champions", "Gold", "EMEA", "Lost")
TONES = ("warm", "friendly", "professional", "concise")

rules_st = st.lists(
    st.builds(
        SegmentRule,
        st.sampled_from(KINDS),
        st.sampled_from(NAMES),
        st.one_of(st.just({}), st.builds(lambda t: {KEY: t}, st.sampled_from(TONES))),
    ),
    max_size=6,
)
membership_st = st.fixed_dictionaries({k: st.sampled_from((*NAMES, None)) for k in KINDS})


def _by_hand(
    rules: list[SegmentRule], member: dict[str, str | None], workspace: str, locked: Any
) -> str:
    if locked is not None:
        return str(locked)
    for rule in rules:
        if KEY in rule.values and member.get(rule.kind) == rule.name:
            return str(rule.values[KEY])
    return workspace


@given(rules_st, membership_st, st.sampled_from(TONES), st.sampled_from((None, *TONES)))
def test_the_value_is_the_lock_else_the_first_matching_rule_else_the_workspaces(
    rules: list[SegmentRule], member: dict[str, str | None], workspace: str, locked: str | None
) -> None:
    found = resolve_value(KEY, rules, member, workspace, (locked is not None, locked))
    assert found.value == _by_hand(rules, member, workspace, locked)
    assert found.source == (
        "locked"
        if locked is not None
        else "segment"
        if any(KEY in r.values and member.get(r.kind) == r.name for r in rules)
        else "workspace"
    )


@given(rules_st, membership_st, st.sampled_from(TONES))
def test_rules_that_do_not_match_may_be_moved_anywhere(
    rules: list[SegmentRule], member: dict[str, str | None], workspace: str
) -> None:
    matching = [r for r in rules if KEY in r.values and member.get(r.kind) == r.name]
    others = [r for r in rules if r not in matching]
    first = resolve_value(KEY, rules, member, workspace).value
    assert resolve_value(KEY, [*others, *matching], member, workspace).value == first
    if matching:
        assert first == matching[0].values[KEY]
        # Moving a later matching rule to the top changes the answer to its own value.
        moved = [matching[-1], *[r for r in rules if r is not matching[-1]]]
        assert resolve_value(KEY, moved, member, workspace).value == matching[-1].values[KEY]


def test_names_match_without_regard_to_case_or_spaces() -> None:
    rule = SegmentRule("tier", " Gold", {KEY: "concise"})
    assert resolve_value(KEY, [rule], {"tier": "gold "}, "warm").segment == "Tier: Gold"
    assert resolve_value(KEY, [rule], {"tier": None}, "warm").value == "warm"


def test_each_value_of_a_rule_is_checked_as_its_setting_is() -> None:
    good = [{"kind": "segment", "name": "Champions", "values": {KEY: "concise"}}]
    assert validate_setting("segments.rules", good) is None
    # An RFM segment's name in any case and spacing ("can't lose them") is the segment.
    loose = [{"kind": "segment", "name": "can't lose  them", "values": {}}]
    assert validate_setting("segments.rules", loose) is None
    assert parse_rules(good) == (SegmentRule("segment", "Champions", {KEY: "concise"}),)
    cases = {
        "must be one of warm": [{"kind": "segment", "name": "Lost", "values": {KEY: "loud"}}],
        "at most 100": [
            {"kind": "tier", "name": "Gold",
             "values": {"outreach.incentive_cap_percent": 150}}
        ],
        "cannot be set per segment": [
            {"kind": "tier", "name": "Gold", "values": {"llm.allow_cloud": True}}
        ],
        "kind of segment": [{"kind": "owner", "name": "Ana", "values": {}}],
        "two rules": [
            {"kind": "tier", "name": "Gold", "values": {}},
            {"kind": "tier", "name": "gold", "values": {}},
        ],
        "name must be": [{"kind": "tier", "name": " ", "values": {}}],
        "is no RFM segment": [{"kind": "segment", "name": "Champyons", "values": {}}],
        "only kind, name and values": [{"kind": "tier", "name": "Gold", "colour": "red"}],
    }  # fmt: skip
    for words, value in cases.items():
        problem = validate_setting("segments.rules", value)
        assert problem is not None, words
        assert words in problem, (words, problem)
