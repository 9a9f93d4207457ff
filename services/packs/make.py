"""What both the window and the command line ask of review packs: the pack of a scope
(an account, a segment or tier, the book), the slides' template as the settings and the
policy have it, and writing the slides through the one guarded writer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.errors import UserFacingError
from services.packs.records import BOOK, CUSTOMER, SEGMENT, Pack

TEMPLATE_LOCKED = (
    "The slides template is set by your organisation, so another one cannot be used "
    "(Settings ▸ Review packs shows it)."
)


def make_pack(  # noqa: PLR0913
    engine: Engine,
    scope: str,
    target: int | str | None = None,
    *,
    now: dt.datetime | None = None,
    progress: Callable[[float, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Pack:
    """The pack of ``scope``: CUSTOMER (``target`` its id), SEGMENT (an RFM segment's or a
    tier's name) or BOOK."""
    from services.packs.book import book_pack
    from services.packs.customer import customer_pack

    if scope == CUSTOMER:
        if not isinstance(target, int):
            raise ValueError("an account's pack needs the customer's id")
        return customer_pack(engine, target, now=now, progress=progress, cancelled=cancelled)
    if scope == SEGMENT:
        if not isinstance(target, str) or not target.strip():
            raise ValueError("a segment's pack needs the segment's or tier's name")
        return book_pack(engine, target, now=now, progress=progress, cancelled=cancelled)
    if scope == BOOK:
        return book_pack(engine, None, now=now, progress=progress, cancelled=cancelled)
    raise ValueError(f"unknown pack scope {scope!r}")


def slides_template(session: Session, chosen: str | None = None) -> Path | None:
    """The template the slides are made from: ``chosen`` (the command line's --template),
    else the setting; None for the built-in one. A template IT locked refuses another."""
    from services.core.policy import is_locked
    from services.settings.packs import TEMPLATE_SETTING
    from services.settings.views import PackSettings

    setting = PackSettings.read(session).template.strip()
    if chosen and is_locked(TEMPLATE_SETTING) and Path(chosen) != Path(setting):
        raise UserFacingError(TEMPLATE_LOCKED)
    text = (chosen or setting).strip()
    if not text:
        return None
    path = Path(text).expanduser()
    if not path.is_file():
        raise UserFacingError(
            f"The slides template {path} was not found; pick another in Settings ▸ Review "
            "packs, or leave it empty for the built-in one."
        )
    from services.packs.template_check import template_problem

    problem = template_problem(path)  # before the slow work, and before python-pptx
    if problem is not None:
        raise UserFacingError(problem)
    return path


def write_pack_slides(  # noqa: PLR0913
    pack: Pack,
    pictures: Mapping[str, bytes],
    path: str | Path,
    *,
    template: Path | None = None,
    force: bool = False,
    protected: Iterable[str | Path] = (),
) -> Path:
    """Write the pack's slides to ``path`` through the guarded writer (never over the
    workspace; over an existing file only with ``force``)."""
    from services.core.output_files import write_atomically
    from services.packs.slides import write_slides

    def write(temporary: Path) -> Path:
        write_slides(pack, pictures, temporary, template)
        return Path(path)

    return write_atomically(path, write, force=force, protected=protected, what="the review pack")
