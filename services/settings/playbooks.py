"""Playbooks: what each one is (the built-in ones, and the workspace's own, a setting).

A playbook is a named sequence of steps, each on a day counted from the day it starts
(day 0) and of a kind (models.vocab.PLAYBOOK_STEP_KINDS): an email, a call, a task or a
meeting. services/alerts/playbooks.py starts one on a card and stops it when the
condition clears.

The workspace's own playbooks are the setting ``playbooks.custom``: text, one playbook a
line, its name, a colon, then its steps separated by semicolons, each "day N kind what
to do"::

    Trial follow-up: day 0 email Thank them for the trial; day 3 call Ask how it went

Lines that are empty or start with # are left out. A name may not repeat one of the
built-in playbooks' names. Bounded, and said when over, never cut: at most 50
playbooks of at most 20 steps, a step on day 0 to 365 doing at most 255 characters, a
name of at most 60, and 50,000 characters in all. IT can set and lock the setting
(services/core/policy.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from models.vocab import PLAYBOOK_STEP_KINDS
from services.core.setting_spec import SettingSpec, shown

CUSTOM_SETTING = "playbooks.custom"
# A custom playbook's key: this prefix and its name (a built-in's key has no colon).
CUSTOM_PREFIX = "custom:"
# The longest run a step may wait for (a year), the most steps a playbook may have, the
# most playbooks of a workspace's own, the longest name and what to do of a step, and the
# longest text of them all (the setting's ``max_length``): every bound is said, never cut.
MAX_DAY = 365
MAX_STEPS = 20
MAX_PLAYBOOKS = 50
NAME_LENGTH = 60
STEP_TEXT_LENGTH = 255
TEXT_LENGTH = 50_000


@dataclass(frozen=True)
class StepSpec:
    """One step of a playbook: on which day (0: the day it starts), what kind, what to do."""

    day: int
    kind: str
    text: str


@dataclass(frozen=True)
class PlaybookSpec:
    """A playbook: its key (what runs store), its name and its steps, by day."""

    key: str
    name: str
    steps: tuple[StepSpec, ...]
    help: str = ""

    @property
    def custom(self) -> bool:
        return self.key.startswith(CUSTOM_PREFIX)


BUILT_IN: tuple[PlaybookSpec, ...] = (
    PlaybookSpec(
        "win_back",
        "Win-back",
        (
            StepSpec(0, "email", "We miss you: the recommended next step, personally"),
            StepSpec(3, "call", "Ask what would bring them back"),
            StepSpec(10, "task", "No order yet: offer an incentive or hand over to the lead"),
        ),
        "For a customer gone quiet or at risk. Stops when they order.",
    ),
    PlaybookSpec(
        "onboarding",
        "Onboarding check-in",
        (
            StepSpec(0, "email", "Welcome: how to get the most from the first order"),
            StepSpec(7, "call", "Is everything working for them?"),
            StepSpec(21, "meeting", "Review what they need next"),
            StepSpec(30, "task", "Write down what they bought and plan the next step"),
        ),
        "For a new customer's first month. Stops when they order again.",
    ),
    PlaybookSpec(
        "renewal_save",
        "Renewal save",
        (
            StepSpec(0, "call", "The renewal: what would make them stay?"),
            StepSpec(2, "email", "Send the renewal offer discussed on the call"),
            StepSpec(7, "meeting", "Meet the decision maker"),
            StepSpec(14, "task", "Confirm the renewal, or record why not"),
        ),
        "For a subscription or contract about to lapse. Stops when they order.",
    ),
)

_STEP = re.compile(r"^(?:day\s+)?(-?\d+)\s+(\w+)\s+(.+)$", re.IGNORECASE)


class PlaybookTextError(ValueError):
    """The custom playbooks' text does not read: the message says the line and why."""


def _step(line_no: int, part: str) -> StepSpec:
    found = _STEP.match(part.strip())
    if found is None:
        raise PlaybookTextError(
            f"line {line_no}: '{shown(part.strip())}' is not a step; write it as "
            "'day 3 call what to do'"
        )
    if len(found.group(1).lstrip("-")) > len(str(MAX_DAY)):  # 5,000 digits: no int made
        raise PlaybookTextError(
            f"line {line_no}: day {shown(found.group(1), 12)} is not between 0 and {MAX_DAY}"
        )
    day, kind, text = int(found.group(1)), found.group(2).lower(), found.group(3).strip()
    if len(text) > STEP_TEXT_LENGTH:
        raise PlaybookTextError(
            f"line {line_no}: what to do on day {found.group(1)} is over {STEP_TEXT_LENGTH} "
            "characters"
        )
    if kind not in PLAYBOOK_STEP_KINDS:
        raise PlaybookTextError(
            f"line {line_no}: '{shown(kind)}' is not a kind of step; use one of "
            f"{', '.join(PLAYBOOK_STEP_KINDS)}"
        )
    if not 0 <= day <= MAX_DAY:
        raise PlaybookTextError(f"line {line_no}: day {day} is not between 0 and {MAX_DAY}")
    return StepSpec(day, kind, text)


def _playbook(line_no: int, line: str, taken: set[str]) -> PlaybookSpec:
    name, colon, rest = line.partition(":")
    name = " ".join(name.split())
    if not colon or not name:
        raise PlaybookTextError(
            f"line {line_no}: start with the playbook's name and a colon, "
            "'Trial follow-up: day 0 email ...'"
        )
    if len(name) > NAME_LENGTH:
        raise PlaybookTextError(f"line {line_no}: the name is over {NAME_LENGTH} characters")
    if name.casefold() in taken:
        raise PlaybookTextError(f"line {line_no}: there is already a playbook named '{name}'")
    parts = [p for p in rest.split(";") if p.strip()]
    if not parts:
        raise PlaybookTextError(f"line {line_no}: '{name}' has no steps")
    if len(parts) > MAX_STEPS:
        raise PlaybookTextError(f"line {line_no}: '{name}' has over {MAX_STEPS} steps")
    steps = sorted((_step(line_no, p) for p in parts), key=lambda s: s.day)
    taken.add(name.casefold())
    return PlaybookSpec(CUSTOM_PREFIX + name, name, tuple(steps))


def parse_custom(text: str) -> tuple[PlaybookSpec, ...]:
    """The workspace's own playbooks from the setting's text (module doc); raises
    PlaybookTextError saying which line is wrong and why."""
    taken = {p.name.casefold() for p in BUILT_IN}
    found: list[PlaybookSpec] = []
    if len(text or "") > TEXT_LENGTH:
        raise PlaybookTextError(f"the playbooks are over {TEXT_LENGTH:,} characters in all")
    for line_no, line in enumerate((text or "").splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            if len(found) == MAX_PLAYBOOKS:
                raise PlaybookTextError(
                    f"line {line_no}: there are over {MAX_PLAYBOOKS} playbooks; at most "
                    f"{MAX_PLAYBOOKS} may be kept"
                )
            found.append(_playbook(line_no, line.strip(), taken))
    return tuple(found)


def _check(value: Any) -> str | None:
    try:
        parse_custom(str(value))
    except PlaybookTextError as exc:
        return str(exc)
    return None


def step_words(step: StepSpec) -> str:
    """ "Day 3 · call: Ask what would bring them back"."""
    return f"Day {step.day} · {step.kind}: {step.text}"


PLAYBOOK_SPECS = (
    SettingSpec(
        CUSTOM_SETTING,
        str,
        "",
        "Your own playbooks",
        _check,
        "Playbooks",
        help="One playbook a line: its name, a colon, then its steps separated by "
        "semicolons, each 'day N kind what to do' (kinds: email, call, task, meeting). "
        "Built in: Win-back, Onboarding check-in, Renewal save.",
        kind="multiline",
        page="Alerts",
        section="Playbooks",
        order=900,
        placeholder="Trial follow-up: day 0 email Thank them; day 3 call Ask how it went",
        max_length=TEXT_LENGTH,
    ),
)
