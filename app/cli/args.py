"""Argument types shared by the command-line commands: whole numbers within bounds, dates
within the years the app computes with, and names written with "-", "_" or spaces. Each
raises argparse.ArgumentTypeError with the words argparse prints after "argument --x:"."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable

# The dates a command accepts: far enough either way for any real history or forecast,
# near enough that a year added or a horizon counted from them stays a real date.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)


def calendar_date(text: str, example: str = "2026-03-01", *, up_to_today: str = "") -> dt.date:
    """A YYYY-MM-DD date between EARLIEST_DATE and LATEST_DATE; every date option of the
    command line goes through here. ``up_to_today`` (why) refuses a date after today (UTC)."""
    try:
        value = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date; give it as YYYY-MM-DD, e.g. {example}"
        ) from None
    if up_to_today and value > dt.datetime.now(dt.UTC).date():
        raise argparse.ArgumentTypeError(f"{value.isoformat()} is in the future; {up_to_today}")
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise argparse.ArgumentTypeError(
            f"{value.isoformat()} is out of range; give a date between "
            f"{EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"
        )
    return value


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
