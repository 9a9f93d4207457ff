"""Review packs written as files and read back: the PDF with pypdf page by page (its
count, each page's title, key figures and number), the slides with python-pptx slide by
slide (titles, pictures, notes), from the built-in template, a company template with
layouts of its own, and one whose layouts have no title placeholder at all. The hand-made
book of tests/support/packs_book.py holds the counts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Inches
from pypdf import PdfReader
from sqlalchemy import Engine

from app.gui.pack_files import pack_images, write_pack_file
from app.workspace import open_workspace, to_url
from services.core.output_files import OutputPathError
from services.packs.book import book_pack
from services.packs.customer import customer_pack
from tests.support.packs_book import NOW, TASK, fill_packs_book


@pytest.fixture
def book(tmp_path: Path) -> Iterator[tuple[Engine, dict[str, int], Path]]:
    path = tmp_path / "w.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    ids = fill_packs_book(ws.engine)
    yield ws.engine, ids, path
    ws.close()


def _pages(path: Path) -> list[str]:
    """Each page's text, its words joined by single spaces (ligatures undone)."""
    reader = PdfReader(str(path))
    return [
        " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())
        for page in reader.pages
    ]


def test_an_accounts_pdf_page_by_page(qtbot, book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine, ids, workspace = book
    pack = customer_pack(engine, ids["A"], now=NOW)
    out = tmp_path / "ada.pdf"
    images = pack_images(pack)
    assert set(images) == {"score_history", "orders"}  # no product use: no usage chart
    write_pack_file(pack, images, "pdf", out, protected=[workspace], page_size="a4")
    reader = PdfReader(str(out))
    assert len(reader.pages) == 5  # the title page and four sections
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    pages = _pages(out)
    for number, text in enumerate(pages, start=1):
        assert text.endswith(f"Page {number} of 5")
    assert pages[0].startswith("ACCOUNT REVIEW Ada [surname withheld] Account owner: Maya")
    assert "Period: Aug 28, 2026 to Nov 27, 2026" in pages[0]
    assert pages[1].startswith("Health and churn risk HEALTH 55 of 100 (-15 points")
    assert "CHURN RISK 70% (+30 points since the scoring before); likely 60% to 80%" in pages[1]
    assert "No order in 33 days; usual gap 20 days (raises churn risk)." in pages[1]
    assert pages[2].startswith("Orders and usage PAID ORDERS 3 REVENUE $600")
    assert "IN THE PERIOD 1 order, $300" in pages[2]
    assert pages[3].startswith("Outreach and outcomes EMAILS SENT 1 REPLIES 0 RE-ENGAGED 1 of 1")
    assert pages[4].startswith("Open tasks and next steps OPEN TASKS 1 OPEN ALERTS 1")
    assert f"Task: {TASK} (due Dec 5, 2026)" in pages[4]
    everything = " ".join(pages)
    assert "Lovelace" not in everything
    assert "ada@lovelace.example" not in everything
    # The charts are pictures on their pages: two images, on the scores' and the orders'.
    images_per_page = [len(page.images) for page in reader.pages]
    assert images_per_page == [0, 1, 1, 0, 0]


def test_the_books_pdf_in_letter(qtbot, book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine, _ids, workspace = book
    pack = book_pack(engine, now=NOW)
    out = tmp_path / "book.pdf"
    write_pack_file(pack, pack_images(pack), "pdf", out, protected=[workspace],
                    page_size="letter")  # fmt: skip
    reader = PdfReader(str(out))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # Letter
    pages = _pages(out)
    assert len(pages) == 6
    assert pages[1].startswith("Totals CUSTOMERS 5 AT RISK 2 (40%) REVENUE AT RISK $380")
    assert "CHURN RISK HIGH (60% OR MORE) 3 (60%)" in pages[2]
    assert "Ada [surname withheld]: churn risk 70%, $210 at risk" in pages[3]
    assert pages[4].startswith("Renewals and retention RENEWALS, NEXT 90 DAYS 0")
    assert "RENEWAL CALLS DUE 1" in pages[4]
    assert pages[5].startswith("Results LIFT OF OUTREACH Not enough data yet")


def test_the_writer_never_replaces_a_file_unasked(qtbot, book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine, ids, workspace = book
    pack = customer_pack(engine, ids["B"], now=NOW)
    out = tmp_path / "ben.pdf"
    out.write_bytes(b"keep me")
    with pytest.raises(OutputPathError, match="already exists"):
        write_pack_file(pack, {}, "pdf", out, protected=[workspace])
    assert out.read_bytes() == b"keep me"
    with pytest.raises(OutputPathError):
        write_pack_file(pack, {}, "pdf", workspace, protected=[workspace], force=True)
    write_pack_file(pack, {}, "pdf", out, protected=[workspace], force=True)
    assert out.read_bytes().startswith(b"%PDF")


def _slide_texts(slide) -> list[str]:  # type: ignore[no-untyped-def]
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def _pictures(slide) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for shape in slide.shapes if shape.shape_type == 13)  # MSO_SHAPE_TYPE.PICTURE


def test_slides_from_the_built_in_template(qtbot, book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine, ids, workspace = book
    pack = customer_pack(engine, ids["A"], now=NOW)
    out = tmp_path / "ada.pptx"
    write_pack_file(pack, pack_images(pack), "pptx", out, protected=[workspace])
    deck = Presentation(str(out))
    slides = list(deck.slides)
    assert len(slides) == 5
    assert slides[0].shapes.title.text == "Ada [surname withheld]"
    assert "Account owner: Maya" in "\n".join(_slide_texts(slides[0]))
    titles = [s.shapes.title.text for s in slides[1:]]
    assert titles == ["Health and churn risk", "Orders and usage", "Outreach and outcomes",
                      "Open tasks and next steps"]  # fmt: skip
    assert [_pictures(s) for s in slides] == [0, 1, 1, 0, 0]
    body = "\n".join(_slide_texts(slides[1]))
    assert "Churn risk: 70% (+30 points since the scoring before); likely 60% to 80%" in body
    notes = slides[1].notes_slide.notes_text_frame.text
    assert "Churn risk: the calibrated probability of no paid order" in notes
    assert "Health: 0 to 100" in notes
    assert "Re-engaged: outreach followed by a paid order" in (
        slides[3].notes_slide.notes_text_frame.text
    )
    # The file says what it is and when it was made (not python-pptx's own author of 2013).
    props = deck.core_properties
    assert props.title.startswith("Ada [surname withheld]: ")
    assert (props.author, props.last_modified_by) == ("Account Radar", "Account Radar")
    assert props.created is not None
    assert props.created.year >= 2026
    assert "python-pptx" not in props.comments


def _company_template(path: Path, *, with_titles: bool) -> Path:
    """A company's template: 4:3 slides and a sample slide; ``with_titles`` False strips
    every placeholder from every layout (no title, no picture placeholder anywhere)."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(10), Inches(7.5)
    sample = deck.slides.add_slide(deck.slide_layouts[0])
    sample.shapes.title.text = "Company sample slide"
    if not with_titles:
        for layout in deck.slide_layouts:
            for shape in list(layout.placeholders):
                shape._element.getparent().remove(shape._element)
    deck.save(str(path))
    return path


@pytest.mark.parametrize("with_titles", [True, False])
def test_slides_from_a_company_template(qtbot, book, tmp_path: Path, with_titles: bool) -> None:  # type: ignore[no-untyped-def]
    engine, _ids, workspace = book
    template = _company_template(tmp_path / "company.pptx", with_titles=with_titles)
    pack = book_pack(engine, "Gold", now=NOW)
    out = tmp_path / "gold.pptx"
    write_pack_file(pack, pack_images(pack), "pptx", out, template=template,
                    protected=[workspace, template])  # fmt: skip
    deck = Presentation(str(out))
    assert (deck.slide_width, deck.slide_height) == (Inches(10), Inches(7.5))  # the template's
    slides = list(deck.slides)
    assert len(slides) == 5  # the template's own sample slide is gone
    texts = ["\n".join(_slide_texts(s)) for s in slides]
    assert "Company sample slide" not in "\n".join(texts)
    firsts = [t.splitlines()[0] for t in texts]
    assert firsts == ["Tier Gold", "Totals", "Health mix", "Top 2 accounts at risk", "Results"]
    if with_titles:
        assert [s.shapes.title is not None for s in slides] == [True] * 5
    else:  # no layout has a title: each title is a text box of its own
        assert [s.shapes.title for s in slides] == [None] * 5
    assert [_pictures(s) for s in slides] == [0, 0, 2, 0, 0]
    for slide in slides:  # nothing runs off the slide
        for shape in slide.shapes:
            assert shape.left >= 0
            assert shape.top >= 0
            assert shape.left + shape.width <= deck.slide_width
            assert shape.top + shape.height <= deck.slide_height
    assert "At risk: 2 (100%)" in texts[1]
    assert re.search(r"high-risk rule's threshold", slides[1].notes_slide.notes_text_frame.text)


def test_a_customers_own_text_is_written_as_text(qtbot, book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.orm import Session

    from models.schema import Customer
    from services.settings import set_setting

    engine, _ids, workspace = book
    with Session(engine) as s, s.begin():
        set_setting(s, "outreach.sent_fields", ["first_name", "surname", "owner"])
        odd = Customer(source="t", external_id="odd", name="Zoë <b>&amp; Co\x0b", owner="Q&A")
        s.add(odd)
        s.flush()
        odd_id = int(odd.id)
    pack = customer_pack(engine, odd_id, now=NOW)
    assert pack.title == "Zoë <b>&amp; Co\x0b"
    slides_out, pdf_out = tmp_path / "odd.pptx", tmp_path / "odd.pdf"
    write_pack_file(pack, pack_images(pack), "pptx", slides_out, protected=[workspace])
    write_pack_file(pack, pack_images(pack), "pdf", pdf_out, protected=[workspace])
    deck = Presentation(str(slides_out))
    # Markup stays text; the control character XML refuses is left out.
    assert deck.slides[0].shapes.title.text == "Zoë <b>&amp; Co"
    assert "Account owner: Q&A" in "\n".join(_slide_texts(deck.slides[0]))
    first = _pages(pdf_out)[0]
    assert "Zoë <b>&amp; Co" in first
    assert "Account owner: Q&A" in first


def test_the_page_size_follows_the_locale() -> None:
    from PySide6.QtCore import QLocale

    from views.packs.pdf import A4, LETTER, locale_page_size

    united_states = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    assert locale_page_size(united_states) == LETTER
    assert locale_page_size(QLocale(QLocale.Language.German, QLocale.Country.Germany)) == A4
    assert locale_page_size(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)) == A4
