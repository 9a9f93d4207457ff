"""A setting's value from the text a person typed (``config set KEY VALUE``).

The text is read as the setting's declared type: ``true``/``false`` (also yes/no, on/off,
1/0) for a switch, a whole number or a number, JSON for a list or a table of values,
``null`` (or nothing) for a setting that may be empty, and the text as it is for text.
What the value must then be (bounds, choices, the setting's own check) is
``validate_setting``'s to say, as for the Settings dialog.
"""

from __future__ import annotations

import math
from typing import Any

from services.core.safe_read import BadFile, parse_json
from services.core.setting_spec import VALUE_DEPTH, SettingSpec, type_words

TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")
EMPTY_WORDS = ("", "null", "none")


class ValueTextError(ValueError):
    """The text cannot be read as the setting's type; the message says what it takes."""


def value_from_text(spec: SettingSpec, text: str) -> Any:
    """The value ``text`` stands for in ``spec``'s type; ValueTextError saying what the
    setting takes when it stands for none."""
    kinds = spec.type if isinstance(spec.type, tuple) else (spec.type,)
    word = text.strip().lower()
    if type(None) in kinds and word in EMPTY_WORDS:
        return None
    if bool in kinds:
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    number = _number(kinds, text.strip())
    if number is not None:
        return number
    if list in kinds or dict in kinds:
        try:
            value = parse_json(text, VALUE_DEPTH)  # bounded: 100,000 brackets never recurse
        except BadFile as exc:
            if spec.kind == "amounts":  # also as the Settings dialog takes it: online=45
                return _amounts(spec, text)
            if str not in kinds:
                raise ValueTextError(
                    f"The value given for {spec.key} cannot be read: {exc}."
                ) from None
        else:
            if isinstance(value, tuple(k for k in kinds if k in (list, dict))):
                return value
    if str in kinds:
        return text
    raise ValueTextError(
        f"'{text}' is not a value of {spec.key}: it takes {type_words(spec.type)}"
        + (" (written as JSON)" if list in kinds or dict in kinds else "")
        + "."
    )


def _number(kinds: tuple[type, ...], text: str) -> int | float | None:
    """The whole number or number ``text`` is, when the setting takes one; else None."""
    if int in kinds and bool not in kinds:
        try:
            return int(text.replace("_", ""))
        except ValueError:
            pass
    if float in kinds:
        try:
            number = float(text)
        except ValueError:
            return None
        if math.isfinite(number):
            return number
    return None


def _amounts(spec: SettingSpec, text: str) -> dict[str, float]:
    """A table of amounts written as in the Settings dialog: ``online=45, store=30``."""
    from services.core.named_amounts import parse_amounts

    try:
        return parse_amounts(text)
    except ValueError as exc:
        raise ValueTextError(
            f"The value given for {spec.key} cannot be read: {exc} "
            "(write it as online=45, store=30, or as JSON)."
        ) from None
