"""The declaration of one setting (services/settings/schema.py holds the schema).

Its own module so that a service can declare its settings next to its code
(services/settings/learn.py) without importing the settings module that gathers them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any, Literal

log = logging.getLogger(__name__)

# How the Settings dialog edits a setting (views/settings/dialog.py, SettingField.kind).
SettingKind = Literal[
    "bool", "int", "float", "choice", "list", "text", "multiline", "suggest", "fields",
    "weights", "rates", "amounts",
]  # fmt: skip
# What saving a new value means, as the Settings dialog says once it is saved: "now" (it is
# used from the next time it is read), "next_scoring" (the scores and alerts follow it from
# the next scoring), "money" (customer totals are recomputed in it at once; the scores and
# alerts at the next scoring).
Applies = Literal["now", "next_scoring", "money"]
# Where a setting is kept: "workspace" (in the workspace's settings table: it stays with
# the workspace, and a shared workspace's team shares it) or "personal" (in the person's
# own settings file, services/core/personal.py: it follows them to every workspace they
# open on this computer, and is never written to a workspace, shared or not).
Scope = Literal["workspace", "personal"]
# The bounds every value is held to, whatever its setting (``bounds_problem``): a text's
# characters, a list's or table's items (unless the declaration's ``max_length`` says
# otherwise), the nesting of lists and tables, and everything a value holds in all.
TEXT_LIMIT = 100_000
ITEMS_LIMIT = 10_000
VALUE_DEPTH = 20
NODES_LIMIT = 200_000
# A number inside a list or table (weights, thresholds, rates, a file's size and time in
# nanoseconds) is finite and within what a database column holds (64 bits): NaN turned
# every engagement score to 0, and weights of 1e308 overflow when they are added up.
NUMBER_LIMIT = 2**63 - 1
# The ``unit`` of a money setting: the Settings dialog shows the home currency's code instead.
HOME_CURRENCY_UNIT = "home currency"


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its key, Python type, default and human title, and everything else
    about it, in one declaration.

    The optional fields describe the value for a settings dialog and are checked by
    ``validate_setting``: ``minimum``/``maximum`` bound numbers, ``choices`` lists the
    allowed texts, ``unit`` names the unit ("%", "days", "$"), ``group`` gathers settings
    under one heading (an alert rule's settings share its title) and ``help`` says in a
    sentence what the setting does.

    The keyword-only fields say how the Settings dialog shows it
    (app/gui/settings_controller.py reads them): ``hidden`` keeps it out (kept by the app
    itself, set by IT, or edited elsewhere); otherwise it is on the page ``page`` (the
    group when left out), under the sub-heading ``section`` if any, at the place ``order``
    (lower first; equal places keep the order of declaration), edited as ``kind`` (left
    out, it follows the type: see ``kind_of_type``), with ``placeholder`` as the grey hint
    of an empty box; ``applies`` says what saving it means.

    ``scope`` says where it is kept (``Scope``): the person's own settings (the LLM
    provider, their name and signature, their mail server) follow them across
    workspaces; the rest stay with the workspace.

    ``max_length`` bounds the size of the value: the most characters of a text, the most
    items of a list or table (left out: ``TEXT_LIMIT`` and ``ITEMS_LIMIT``). Every value
    is also bounded in nesting (``VALUE_DEPTH``) and in the length of each text inside it
    (``bounds_problem``).

    ``state`` marks the app's own record kept among the settings (a flag, a counter,
    what was learned), not a setting: no policy sets or locks it (services/core/policy.py
    knows only the others), and the dialog never shows it.
    """

    key: str
    type: type | tuple[type, ...]
    default: Any
    title: str
    # Optional check beyond the type: returns what is wrong in plain words, or None.
    validate: Callable[[Any], str | None] | None = None
    group: str = ""
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    _: KW_ONLY
    hidden: bool = False
    page: str = ""
    section: str = ""
    order: int = 0
    kind: SettingKind | Literal[""] = ""
    placeholder: str = ""
    applies: Applies = "now"
    scope: Scope = "workspace"
    state: bool = False
    max_length: int | None = None

    def __post_init__(self) -> None:
        if self.state:
            object.__setattr__(self, "hidden", True)
        if not self.page:
            object.__setattr__(self, "page", self.group)
        if not self.kind:
            object.__setattr__(self, "kind", kind_of_type(self))


def kind_of_type(spec: SettingSpec) -> SettingKind:
    """How the Settings dialog edits a setting whose declaration names no ``kind``: a
    choice among its ``choices``, else by its type (a dict is a set of weights)."""
    kinds = spec.type if isinstance(spec.type, tuple) else (spec.type,)
    if spec.choices:
        return "choice"
    if str in kinds:
        return "text"
    if bool in kinds:
        return "bool"
    if dict in kinds:
        return "weights"
    if list in kinds:
        return "list"
    if float in kinds:
        return "float"
    return "int"


_TYPE_WORDS = {
    bool: "true or false",
    int: "whole number",
    float: "number",
    str: "text",
    list: "list",
    dict: "table of values",
    type(None): "empty",
}


def type_words(kind: type | tuple[type, ...]) -> str:
    """A type (or types) in words: "whole number", "true or false"..."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if int in kinds and float in kinds:
        kinds = tuple(k for k in kinds if k is not int)
    return " or ".join(_TYPE_WORDS.get(k, k.__name__) for k in kinds)


def type_ok(spec: SettingSpec, value: Any) -> bool:
    """Whether ``value`` has the setting's type."""
    kinds = spec.type if isinstance(spec.type, tuple) else (spec.type,)
    # bool is an int to Python, but "true" is no answer to "how many days".
    if isinstance(value, bool) and bool not in kinds:
        return False
    return isinstance(value, spec.type)


def shown(value: Any, limit: int = 60) -> str:
    """A value as a message may quote it: short, and a number of thousands of digits said
    by its size (Python refuses to print it)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 50:
        return f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value) if isinstance(value, str | int) else type_words(type(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _out_of_range(item: Any) -> bool:
    numeric = isinstance(item, int | float) and not isinstance(item, bool)
    return numeric and not -NUMBER_LIMIT <= item <= NUMBER_LIMIT


def _size_problem(spec: SettingSpec, value: Any) -> str | None:
    """What is too large in ``value`` (nesting, items, a text inside it), else None."""
    items = spec.max_length or ITEMS_LIMIT
    if isinstance(value, dict | list) and len(value) > items:
        return f"has {len(value):,} items; at most {items:,} are allowed"
    stack: list[tuple[Any, int]] = [(value, 0)]
    nodes, most = 0, max(NODES_LIMIT, 4 * items)  # a few values an item: a table of pairs
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > most:
            return f"holds more than {most:,} values"
        if isinstance(item, str) and depth and len(item) > TEXT_LIMIT:
            return f"holds a text of {len(item):,} characters; at most {TEXT_LIMIT:,}"
        if depth and isinstance(item, float) and not math.isfinite(item):
            return f"holds {shown(item)}, which is not a number"
        if depth and _out_of_range(item):
            return f"holds {shown(item)}, a number larger than a setting can hold"
        if isinstance(item, dict | list | tuple):
            if depth >= VALUE_DEPTH:
                return f"is nested more than {VALUE_DEPTH} levels deep"
            # A table's keys and values are each looked at (a key is text, a value may
            # nest further).
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return None


def bounds_problem(spec: SettingSpec, value: Any) -> str | None:
    """What is wrong with ``value`` against the setting's declared bounds: its type, its
    range (``minimum``/``maximum``, a number at all), its length or count
    (``max_length``), its nesting; None when it is within them. Cheap: it is checked
    wherever a value is read as well as where one is written."""
    title = f"{spec.group}: {spec.title}" if spec.group else spec.title
    if not type_ok(spec, value):
        return f"'{title}' must be of type {type_words(spec.type)} (got {type_words(type(value))})."
    if isinstance(value, int | float) and not isinstance(value, bool):
        unit = f" {spec.unit}" if spec.unit and not spec.unit.startswith("%") else spec.unit
        if value != value or value in (float("inf"), float("-inf")):  # NaN, infinite
            return f"'{title}' must be a number (got {shown(value)})."
        if spec.minimum is not None and value < spec.minimum:
            return f"'{title}' must be at least {spec.minimum:g}{unit} (got {shown(value)})."
        if spec.maximum is not None and value > spec.maximum:
            return f"'{title}' must be at most {spec.maximum:g}{unit} (got {shown(value)})."
    if isinstance(value, str):
        limit = spec.max_length or TEXT_LIMIT
        if len(value) > limit:
            return f"'{title}' is {len(value):,} characters long; at most {limit:,} are allowed."
    else:
        problem = _size_problem(spec, value)
        if problem is not None:
            return f"'{title}' {problem}."
    return None


def check_value(spec: SettingSpec, value: Any) -> str | None:
    """Everything wrong with ``value`` for the setting ``spec`` in plain words (its bounds,
    its choices, the setting's own check), None when it is fine. A check that fails on a
    value (a bug, or a value no check foresaw) refuses that value with the reason, never
    raises."""
    problem = bounds_problem(spec, value)
    if problem is not None:
        return problem
    title = f"{spec.group}: {spec.title}" if spec.group else spec.title
    if spec.choices and value not in spec.choices:
        return f"'{title}' must be one of {', '.join(spec.choices)} (got '{shown(value)}')."
    if spec.validate is not None:
        try:
            problem = spec.validate(value)
        except (ValueError, TypeError, OverflowError, RecursionError, KeyError) as exc:
            log.warning("The check of %s failed on a value", spec.key, exc_info=True)
            problem = f"the value cannot be read ({shown(exc, 100)})"
        if problem is not None:
            return f"'{title}': {problem}."
    return None
