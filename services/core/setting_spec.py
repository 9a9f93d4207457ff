"""The declaration of one workspace setting (services/settings/__init__.py holds the schema).

Its own module so that a service can declare its settings next to its code
(services/settings/learn.py) without importing the settings module that gathers them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its key, Python type, default and human title.

    The optional fields describe the value for a settings dialog and are checked by
    ``validate_setting``: ``minimum``/``maximum`` bound numbers, ``choices`` lists the
    allowed texts, ``unit`` names the unit ("%", "days", "$"), ``group`` gathers settings
    under one heading (an alert rule's settings share its title) and ``help`` says in a
    sentence what the setting does.
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
