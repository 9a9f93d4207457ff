"""The declaration of one setting (services/settings/__init__.py holds the schema).

Its own module so that a service can declare its settings next to its code
(services/settings/learn.py) without importing the settings module that gathers them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any, Literal

# How the Settings dialog edits a setting (views/settings/dialog.py, SettingField.kind).
SettingKind = Literal[
    "bool", "int", "float", "choice", "list", "text", "multiline", "suggest", "fields",
    "weights", "rates",
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
