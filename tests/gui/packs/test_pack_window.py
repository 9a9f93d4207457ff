"""Review pack… in the window (the application's own controller, the hand-made book of
tests/support/packs_book.py in a SQLite file): the customer pane's button writes the
account's PDF, Results' button offers the segments and tiers and writes a tier's slides,
and the progress dialog's Cancel stops a pack with nothing saved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Inches
from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from app.gui.application import GuiController, make_controller
from app.gui.context import WindowContext
from app.gui.packs_controller import PackController
from app.workspace import open_workspace, to_url
from services.packs.records import CUSTOMER, SEGMENT
from tests.support.packs_book import fill_packs_book
from views.packs.dialog import PackChoices, PackRequest, ReviewPackDialog

TIMEOUT_MS = 60_000


@pytest.fixture
def book_file(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    path = tmp_path / "packs.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    try:
        ids = fill_packs_book(ws.engine)
    finally:
        ws.close()
    return path, ids


@pytest.fixture
def controller(
    qapp: QApplication, ui_settings: QSettings, book_file: tuple[Path, dict[str, int]],
    presented_errors: list[str],
) -> Iterator[GuiController]:  # fmt: skip
    made = make_controller(qapp, ui_settings, show_dialogs=False)
    made.presenter.error_presented.connect(
        lambda title, text: presented_errors.append(f"{title}: {text}")
    )
    made.window.resize(1366, 768)
    made.window.show()
    made.open_url(to_url(str(book_file[0])))
    yield made
    made.shutdown()
    made.window.close()
    made.window.deleteLater()
    made.deleteLater()


def _ready(qtbot, controller: GuiController) -> None:  # type: ignore[no-untyped-def]
    jobs = controller.jobs
    qtbot.waitUntil(lambda: controller.workspace is not None and jobs.is_idle(), timeout=TIMEOUT_MS)


def test_the_customer_panes_button_writes_the_accounts_pdf(  # type: ignore[no-untyped-def]
    qtbot, controller: GuiController, book_file, tmp_path: Path
) -> None:
    _ready(qtbot, controller)
    ids = book_file[1]
    pane = controller.window.detail_pane
    pane.show_customer(ids["A"], at_once=True)
    qtbot.waitUntil(lambda: pane.detail is not None and pane.detail.id == ids["A"],
                    timeout=TIMEOUT_MS)  # fmt: skip
    button = pane.findChild(QPushButton, "reviewPack")
    assert button is not None
    assert button.isVisibleTo(pane)
    asked: list[PackChoices] = []
    out = tmp_path / "ada.pdf"

    def ask(_parent: QWidget, choices: PackChoices) -> PackRequest:
        asked.append(choices)
        return PackRequest(CUSTOMER, choices.target, "pdf", out)

    controller.packs._ask = ask
    with qtbot.waitSignal(controller.packs.pack_written, timeout=TIMEOUT_MS) as written:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert written.args == [str(out)]
    assert asked[0].target == ids["A"]
    assert asked[0].template == "The plain built-in template"
    # The file name withholds what the pack withholds (the surname, by default), and
    # names the customer's number in the app instead.
    stem = f"Review pack - Ada - customer {ids['A']}"
    assert asked[0].suggested == stem
    assert ReviewPackDialog(asked[0]).suggested_name() == f"{stem}.pdf"
    reader = PdfReader(str(out))
    assert len(reader.pages) == 5  # the title page and four sections
    first = " ".join(reader.pages[0].extract_text().split())
    assert first.startswith("ACCOUNT REVIEW Ada [surname withheld]")
    assert "Lovelace" not in first
    assert "Review pack saved" in controller.window.statusBar().currentMessage()
    # The Alerts tab's customer pane offers it too, with the same opener.
    alerts_pane = controller.window.alerts_view.detail_pane
    assert alerts_pane.review_pack_opener == controller.packs.open_for_customer
    assert alerts_pane.review_pack_button.isVisibleTo(alerts_pane)


def test_results_button_offers_segments_and_tiers_and_writes_slides(  # type: ignore[no-untyped-def]
    qtbot, controller: GuiController, tmp_path: Path
) -> None:
    _ready(qtbot, controller)
    window = controller.window
    window.tabs.setCurrentIndex(window.results.index)
    qtbot.waitUntil(lambda: window.findChild(QPushButton, "resultsReviewPack") is not None,
                    timeout=TIMEOUT_MS)  # fmt: skip
    button = window.findChild(QPushButton, "resultsReviewPack")
    asked: list[PackChoices] = []
    out = tmp_path / "gold.pptx"
    template = tmp_path / "company.pptx"  # chosen in the dialog for these slides: 4:3
    company = Presentation()
    company.slide_width, company.slide_height = Inches(10), Inches(7.5)
    company.save(str(template))

    def ask(_parent: QWidget, choices: PackChoices) -> PackRequest:
        asked.append(choices)
        return PackRequest(SEGMENT, "Gold", "pptx", out, template)

    controller.packs._ask = ask
    with qtbot.waitSignal(controller.packs.pack_written, timeout=TIMEOUT_MS):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert asked[0].segments == ("At Risk", "Champions", "Lost", "Promising")
    assert asked[0].tiers == ("Gold", "Silver")
    deck = Presentation(str(out))
    assert len(deck.slides) == 5
    assert deck.slide_width == Inches(10)  # the template's
    assert deck.slides[0].shapes.title.text == "Tier Gold"


def test_cancel_stops_the_pack_and_saves_nothing(  # type: ignore[no-untyped-def]
    qtbot, controller: GuiController, book_file, tmp_path: Path
) -> None:
    _ready(qtbot, controller)
    ctx = WindowContext(controller.jobs, controller.window, lambda: controller.workspace)
    packs = PackController(ctx, show_progress=True)
    out = tmp_path / "never.pdf"
    workspace = controller.workspace
    assert workspace is not None
    packs.run(workspace, PackRequest(CUSTOMER, book_file[1]["B"], "pdf", out))
    dialog = packs.progress_dialog
    assert dialog is not None
    assert dialog.labelText() == "Making the review pack…"
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None
    assert cancel.text() == "Cancel"
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: packs.operation is None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
    assert not out.exists()
    assert packs.progress_dialog is None
    assert "cancelled" in controller.window.statusBar().currentMessage()


def test_the_dialogs_choices(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from views.packs.dialog import ReviewPackDialog

    choices = PackChoices("book", "The whole book", segments=("At Risk",), tiers=("Gold",),
                          suggested="Review pack - The book")  # fmt: skip
    dialog = ReviewPackDialog(choices)
    qtbot.addWidget(dialog)
    assert dialog.what_combo is not None
    items = [dialog.what_combo.itemText(i) for i in range(dialog.what_combo.count())]
    assert items == ["The whole book", "Segment: At Risk", "Tier: Gold"]
    assert (dialog.scope_and_target, dialog.fmt) == (("book", None), "pdf")
    assert dialog.suggested_name() == "Review pack - The book.pdf"
    dialog.what_combo.setCurrentIndex(2)
    assert dialog.scope_and_target == (SEGMENT, "Gold")
    assert dialog.template_button.isEnabled()
    dialog.choose_template(tmp_path / "Company.pptx")  # another template: slides, then
    assert (dialog.fmt, dialog.template_label.text()) == ("pptx", "Company.pptx")
    assert dialog.suggested_name() == "Review pack - Gold.pptx"
    locked = ReviewPackDialog(PackChoices(CUSTOMER, "Ada", 1, template="Company.pptx (set by "
                                          "your organisation)", template_locked=True))  # fmt: skip
    qtbot.addWidget(locked)
    assert locked.what_combo is None
    assert not locked.template_button.isEnabled()
    assert locked.scope_and_target == (CUSTOMER, 1)


def test_the_save_dialog_starts_in_the_folder_last_used_else_home(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    """Never in the working directory the app was started from."""
    import views.packs.dialog as pack_dialog

    started: list[str] = []
    monkeypatch.setattr(
        pack_dialog,
        "save_file_name",
        lambda _p, _t, start, _f: (started.append(start), ("", ""))[1],
    )
    dialog = ReviewPackDialog(PackChoices("book", "The whole book", suggested="Review pack - Book"))
    qtbot.addWidget(dialog)
    assert pack_dialog._save_path(dialog, dialog, "") is None
    assert pack_dialog._save_path(dialog, dialog, str(tmp_path)) is None
    assert started == [
        str(Path.home() / "Review pack - Book.pdf"),
        str(tmp_path / "Review pack - Book.pdf"),
    ]
