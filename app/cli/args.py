"""Argument types shared by the command-line commands: whole numbers within bounds and
names written with "-", "_" or spaces. Each raises argparse.ArgumentTypeError with the
words argparse prints after "argument --x:"."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def whole_number(
    minimum: int | None = None, maximum: int | None = None, *, zero_means: str = ""
) -> Callable[[str], int]:
    """A whole number, at least ``minimum`` and at most ``maximum`` when given.
    ``zero_means`` names what 0 stands for ("all") in the message for a number below 0."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if minimum is not None and maximum is not None:
            if not minimum <= value <= maximum:
                raise argparse.ArgumentTypeError(f"must be between {minimum:,} and {maximum:,}")
        elif minimum is not None and value < minimum:
            meaning = f" ({zero_means})" if zero_means and minimum == 0 else ""
            raise argparse.ArgumentTypeError(f"must be {minimum:,}{meaning} or more")
        elif maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"must be {maximum:,} or less")
        return value

    return parse


def name_of(text: str) -> str:
    """A choice as the code spells it: lower case, "-" and spaces as "_"."""
    return text.strip().lower().replace("-", "_").replace(" ", "_")


def one_of(allowed: tuple[str, ...]) -> Callable[[str], str]:
    """One of ``allowed``, however its words are joined ("check-in", "check in")."""

    def parse(text: str) -> str:
        value = name_of(text)
        if value not in allowed:
            raise argparse.ArgumentTypeError(f"'{text}' is not one of {', '.join(allowed)}")
        return value

    setattr(parse, "choices", allowed)  # noqa: B010  (read by the docs' test of the choices)
    return parse


def some_of(
    allowed: tuple[str, ...], groups: dict[str, tuple[str, ...]] | None = None
) -> Callable[[str], tuple[str, ...]]:
    """Comma-separated choices from ``allowed``, or ``groups`` that stand for several;
    each once, in the order given."""

    def parse(text: str) -> tuple[str, ...]:
        picked: list[str] = []
        for part in text.split(","):
            value = name_of(part)
            if groups and value in groups:
                picked.extend(groups[value])
            elif value in allowed:
                picked.append(value)
            else:
                names = list(allowed) + list(groups or {})
                raise argparse.ArgumentTypeError(
                    f"'{part.strip()}' is not one of {', '.join(names)}"
                )
        return tuple(dict.fromkeys(picked))

    return parse
