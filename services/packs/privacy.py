"""What a review pack may show: the privacy setting's fields (outreach.sent_fields, the
fields that may leave this computer) hold for a pack as for a request to a provider,
since a pack is made to be handed on. A withheld field's figure is left out, and every
text of the pack goes through the same mask as the composer's (``withheld_mask``): a
withheld name, address, phone number, company or owner reads "[... withheld]"."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from services.packs.records import Chart, Figure, Pack, Section


@dataclass(frozen=True)
class Privacy:
    """The fields allowed, and the mask of free text."""

    allowed: frozenset[str]
    mask: Callable[[str], str]

    def allows(self, field: str) -> bool:
        """True when the privacy setting lets ``field`` leave the computer."""
        return field in self.allowed


def read_privacy(
    session: Session,
    people: Iterable[Mapping[str, str | None]],
    phones: Iterable[str] = (),
) -> Privacy:
    """The privacy setting, with a mask for these people's values (first_name, surname,
    email, company, owner: services/core/account_names.py ``mask_values``) and phone
    numbers."""
    from services.outreach.prompt import allowed_fields, withheld_mask

    allowed = allowed_fields(session)
    return Privacy(frozenset(allowed), withheld_mask(list(people), list(phones), allowed))


def masked(pack: Pack, mask: Callable[[str], str]) -> Pack:
    """The pack with every text that may hold a customer's words through ``mask``: the
    title, the owner, the figures' labels, the lines and the notes."""

    def figure(f: Figure) -> Figure:
        # A figure's value is the app's own words and numbers, never a customer's text:
        # the mask's any-phone-number pattern would read "55 of 100 (-15" as one.
        return Figure(mask(f.label), f.value, f.definition)

    def chart(c: Chart) -> Chart:
        return Chart(c.kind, mask(c.title), c.data)

    def section(s: Section) -> Section:
        return Section(
            title=mask(s.title),
            figures=tuple(figure(f) for f in s.figures),
            lines=tuple(mask(line) for line in s.lines),
            charts=tuple(chart(c) for c in s.charts),
            notes=tuple(mask(n) for n in s.notes),
        )

    return replace(
        pack,
        title=mask(pack.title),
        subtitle=mask(pack.subtitle),
        owner=mask(pack.owner),
        sections=tuple(section(s) for s in pack.sections),
    )
