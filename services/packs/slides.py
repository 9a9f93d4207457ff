"""A review pack as PowerPoint slides (python-pptx): from the company's template when
one is given (Settings ▸ Review packs, or --template), else python-pptx's plain one. A
title slide, then one slide per section: its title, figures and lines as text, its
charts as pictures (drawn by the window's own charts, handed in as PNG bytes), and the
figures' definitions in the speaker notes.

A template's own slides are dropped; its layouts are used when they have a title
placeholder, and a template whose layouts lack one still works: the slide is made from
its emptiest layout and the title is a text box of its own.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models.errors import UserFacingError
from services.packs.records import Pack, Section
from services.packs.template_check import template_problem

if TYPE_CHECKING:
    from pptx.presentation import Presentation as PresentationT
    from pptx.slide import Slide, SlideLayout

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
EMU_PER_INCH = 914400


class TemplateError(UserFacingError):
    """The template is not a PowerPoint file python-pptx can open."""


def clean(text: str) -> str:
    """Text a slide can hold: control characters (which XML refuses) removed."""
    return _CONTROL.sub("", text)


def open_template(template: Path | None) -> PresentationT:
    """The template's presentation without its slides, or the plain built-in one."""
    from pptx import Presentation

    if template is None:
        return Presentation()
    problem = template_problem(template)
    if problem is not None:
        raise TemplateError(problem)
    try:
        prs = Presentation(str(template))
    except Exception as exc:  # a zip that is no deck, a missing part, a locked file
        raise TemplateError(
            f"The template {template.name} could not be read as PowerPoint slides "
            f"({type(exc).__name__}); pick a .pptx or .potx file saved by PowerPoint."
        ) from exc
    _drop_slides(prs)
    return prs


def _drop_slides(prs: PresentationT) -> None:
    """Remove the template's own slides (their layouts stay)."""
    ids = prs.slides._sldIdLst  # noqa: SLF001  (python-pptx has no public remove)
    for slide_id in list(ids):
        prs.part.drop_rel(slide_id.rId)
        ids.remove(slide_id)


def _placeholder_types(layout: SlideLayout) -> list[int]:
    shapes: Any = layout.placeholders  # (python-pptx's iterator is typed oddly)
    return [int(p.placeholder_format.type) for p in shapes]


def _has_title(layout: SlideLayout) -> bool:
    from pptx.enum.shapes import PP_PLACEHOLDER

    titles = {int(PP_PLACEHOLDER.TITLE), int(PP_PLACEHOLDER.CENTER_TITLE)}
    return any(t in titles for t in _placeholder_types(layout))


def pick_layouts(prs: PresentationT) -> tuple[SlideLayout, SlideLayout, bool, bool]:
    """The title slide's layout and the sections', and whether each has a title
    placeholder: the first layout with a title and a subtitle for the title slide, the
    layout with a title and the fewest other placeholders for the sections; else the
    emptiest layout (the blank one)."""
    from pptx.enum.shapes import PP_PLACEHOLDER

    layouts = list(prs.slide_layouts)
    emptiest = min(layouts, key=lambda lay: len(lay.placeholders))
    titled = [lay for lay in layouts if _has_title(lay)]
    subtitle = int(PP_PLACEHOLDER.SUBTITLE)
    cover = next((lay for lay in titled if subtitle in _placeholder_types(lay)), None)
    cover = cover or (titled[0] if titled else None)
    body = min(titled, key=lambda lay: len(lay.placeholders)) if titled else None
    return (cover or emptiest, body or emptiest, cover is not None, body is not None)


def _title_shape(slide: Slide) -> Any:
    from pptx.enum.shapes import PP_PLACEHOLDER

    titles = {int(PP_PLACEHOLDER.TITLE), int(PP_PLACEHOLDER.CENTER_TITLE)}
    return next((p for p in slide.placeholders if int(p.placeholder_format.type) in titles), None)


def _drop_unused_placeholders(slide: Slide, keep: Sequence[Any]) -> None:
    # python-pptx hands out a new proxy for each look-up: compare the shapes' elements.
    kept = [k._element for k in keep if k is not None]  # noqa: SLF001
    for shape in list(slide.placeholders):
        if all(shape._element is not k for k in kept):  # noqa: SLF001
            shape._element.getparent().remove(shape._element)  # noqa: SLF001


def _text_box(
    slide: Slide, box: tuple[int, int, int, int], lines: Sequence[tuple[str, int, bool]]
) -> None:
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Emu, Pt

    left, top, width, height = box
    shapes: Any = slide.shapes  # (python-pptx types lengths as Length, an int's subclass)
    frame = shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height)).text_frame
    frame.word_wrap = True
    # A long section shrinks to its box rather than run off the slide.
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    for i, (text, size, bold) in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = clean(text)
        run.font.size = Pt(size)
        run.font.bold = bold


def _set_title(slide: Slide, title: str, has_placeholder: bool, width: int) -> None:
    shape = _title_shape(slide) if has_placeholder else None
    if shape is not None:
        shape.text_frame.text = clean(title)
        return
    inch = EMU_PER_INCH
    _text_box(slide, (inch // 2, inch // 3, width - inch, inch), [(title, 28, True)])


def _title_slide(prs: PresentationT, pack: Pack, layout: SlideLayout, titled: bool) -> None:
    from pptx.enum.shapes import PP_PLACEHOLDER

    slide = prs.slides.add_slide(layout)
    width, height = int(prs.slide_width or 0), int(prs.slide_height or 0)
    _set_title(slide, pack.title, titled, width)
    kind = int(PP_PLACEHOLDER.SUBTITLE)
    shapes: Any = slide.placeholders
    subtitle = next((p for p in shapes if int(p.placeholder_format.type) == kind), None)
    words = [pack.subtitle, *pack.title_lines]
    if subtitle is not None:
        subtitle.text_frame.text = clean("\n".join(words))
    else:
        inch = EMU_PER_INCH
        _text_box(slide, (inch // 2, height // 2, width - inch, height // 3),
                  [(w, 18 if i == 0 else 14, i == 0) for i, w in enumerate(words)])  # fmt: skip
    _drop_unused_placeholders(slide, [_title_shape(slide), subtitle])
    slide.notes_slide.notes_text_frame.text = clean(
        f"{pack.subtitle} of {pack.title}, {pack.period_words}. The figures' definitions are "
        "in each slide's notes."
    )


def _section_slide(
    prs: PresentationT,
    section: Section,
    pictures: Mapping[str, bytes],
    layout: SlideLayout,
    titled: bool,
) -> None:
    slide = prs.slides.add_slide(layout)
    width, height = int(prs.slide_width or 0), int(prs.slide_height or 0)
    _set_title(slide, section.title, titled, width)
    _drop_unused_placeholders(slide, [_title_shape(slide)])
    inch = EMU_PER_INCH
    top = int(inch * 1.4)
    from pptx.util import Emu

    charts = [pictures[c.key] for c in section.charts if c.key in pictures]
    text_width = (width - inch) * 2 // 5 if charts else width - inch
    lines: list[tuple[str, int, bool]] = []
    for f in section.figures:
        lines.append((f"{f.label}: {f.value}", 16, True))
    lines.extend((line, 13, False) for line in section.lines)
    _text_box(slide, (inch // 2, top, text_width, height - top - inch // 2), lines)
    if charts:
        left = inch // 2 + text_width + inch // 4
        area_w = width - left - inch // 2
        each_h = (height - top - inch // 2) // len(charts)
        for i, png in enumerate(charts):
            picture = slide.shapes.add_picture(
                io.BytesIO(png), left, top + i * each_h, width=area_w
            )
            if picture.height > each_h:  # a tall picture: fit its height instead
                picture.width = Emu(int(picture.width * each_h / picture.height))
                picture.height = Emu(each_h)
    notes = section.definitions or ("No figure to define on this slide.",)
    slide.notes_slide.notes_text_frame.text = clean("\n".join(notes))


def _describe(prs: PresentationT, pack: Pack, *, built_in: bool) -> None:
    """The file's own properties say what it is and when it was made, not the template's
    (python-pptx's built-in one names its author and 2013)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    props = prs.core_properties
    props.title = clean(f"{pack.title}: {pack.subtitle}")[:255]
    props.subject = clean(pack.period_words)[:255]
    props.last_modified_by = "Account Radar"
    props.created = props.modified = now
    props.revision = 1
    if built_in:
        props.author = "Account Radar"
        props.comments = ""
        props.keywords = ""


def write_slides(
    pack: Pack, pictures: Mapping[str, bytes], path: Path, template: Path | None = None
) -> None:
    """Write the pack's slides to ``path`` (a private temporary file of the guarded
    writer); ``pictures``: each chart's PNG by its key."""
    prs = open_template(template)
    _describe(prs, pack, built_in=template is None)
    cover, body, cover_titled, body_titled = pick_layouts(prs)
    _title_slide(prs, pack, cover, cover_titled)
    for section in pack.sections:
        _section_slide(prs, section, pictures, body, body_titled)
    with path.open("wb") as out:
        prs.save(out)
