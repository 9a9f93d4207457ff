"""The demo's business accounts' companies: a name of its own for each account, so that a
company's name means one account (services/core/account_names.py names an account by its
company).

A name is a place and a trade ("Willow Creek Clinic", "Harbor Point Bakery"): two words
of a place and a trade, 48 x 32 x 48 = 73,728 names, drawn without repeats from a random
stream of their own ([seed, COMPANY_STREAM]), so that no other demo row changes. A big
demo's later batches leave out the names its earlier ones took (``taken``); past the
names there are, a number tells two apart ("Willow Creek Clinic 2").
"""

from __future__ import annotations

import numpy as np

COMPANY_STREAM = 25
_FIRST = (
    "Willow", "Harbor", "Cedar", "Summit", "Lakeside", "Bright", "Maple", "River",
    "Golden", "Copper", "North", "Iron", "Pine", "Silver", "Oak", "Blue", "Stone", "Elm",
    "Birch", "Aspen", "Juniper", "Hazel", "Meadow", "Fox", "Heron", "Falcon", "Ivy",
    "Rose", "Clover", "Amber", "Granite", "Coral", "Sage", "Laurel", "Orchard", "Bay",
    "Harvest", "Sun", "Moon", "Red", "Green", "West", "East", "South", "High", "Old",
    "Spring", "Alder",
)  # fmt: skip
_SECOND = (
    "Creek", "Lane", "Ridge", "Point", "Hill", "Grove", "Field", "Gate", "Brook",
    "Park", "View", "Crest", "Wood", "Bridge", "Haven", "Vale", "Row", "Court", "Mill",
    "Stone", "Water", "Side", "Bend", "Square", "Hollow", "Port", "Glen", "Heath",
    "Lea", "Dale", "Shore", "Yard",
)  # fmt: skip
_TRADE = (
    "Clinic", "Dental", "Realty", "Partners", "Yoga Studio", "Bakery", "Architects",
    "Weddings", "Marketing", "Law Group", "Fitness", "Academy", "Travel", "Financial",
    "Events", "Consulting", "Design", "Florists", "Catering", "Veterinary", "Pharmacy",
    "Dance School", "Salon", "Hotel", "Bistro", "Gallery", "Press", "Surveyors",
    "Engineering", "Accountants", "Nursery", "Physiotherapy", "Optometry", "Studios",
    "Logistics", "Builders", "Interiors", "Media", "Tutoring", "Outfitters", "Cafe",
    "Brewing", "Chiropractic", "Photography", "Insurance", "Recruitment", "Print Shop",
    "Garden Centre",
)  # fmt: skip
NAMES_THERE_ARE = len(_FIRST) * len(_SECOND) * len(_TRADE)


def _name(code: int) -> str:
    first, rest = divmod(code, len(_SECOND) * len(_TRADE))
    second, trade = divmod(rest, len(_TRADE))
    words = [_FIRST[first], _SECOND[second]]
    if words[0] == words[1]:  # "Stone Stone" reads badly: the word once
        words = words[:1]
    return " ".join([*words, _TRADE[trade]])


def company_names(seed: int, count: int, taken: set[str] | None = None) -> list[str]:
    """``count`` company names, each different from the others and from ``taken`` (which
    is given the new ones), from the demo's stream of company names for ``seed``."""
    taken = taken if taken is not None else set()
    rng = np.random.default_rng([seed, COMPANY_STREAM])
    out: list[str] = []
    for code in rng.permutation(NAMES_THERE_ARE).tolist():
        if len(out) == count:
            break
        name = _name(int(code))
        if name not in taken:
            out.append(name)
            taken.add(name)
    number = 2
    base = out[: max(len(out), 1)] or [_name(0)]
    while len(out) < count:  # more accounts than names: a number tells them apart
        for name in base:
            if len(out) == count:
                break
            numbered = f"{name} {number}"
            if numbered not in taken:
                out.append(numbered)
                taken.add(numbered)
        number += 1
    return out
