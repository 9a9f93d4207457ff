"""The declaration of one workspace setting (services/settings.py holds the schema).

Its own module so that a service can declare its settings next to its code
(services/learn/config.py) without importing the settings module that gathers them.
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
