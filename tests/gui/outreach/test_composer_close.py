"""Closing the composer with edits the user typed asks first (the hand-made business book
of tests/data/contacts, templates, no provider): Close, Esc and the window's close each
ask Keep editing or Discard; Keep editing leaves the dialog, its text and its undo history
as they were; a draft left as written, or whose edits were copied, closes without a word;
opening another customer's composer asks too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.gui.context import WindowContext
from app.gui.outreach.composer_controller import ComposerController
from app.workspace import Workspace, open_workspace, to_url
from services.importing.service import run_import
from tests.support.paths import DATA
from views.kit.jobs import JobRunner
from views.outreach.composer_dialog import ComposerDialog

TIMEOUT_MS = 30_000


class Asker:
    """Answers "Discard your edits?" with the next answer, remembering whom it was for."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.answers: list[bool] = []

    def __call__(self, customer: str) -> bool:
        self.asked.append(customer)
        return self.answers.pop(0)


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Workspace]:
    ws = open_workspace(to_url(str(tmp_path / "people.radar.sqlite")), backup=False)
    for name in ("Account.csv", "Contact.csv", "AccountContactRole.csv"):
        assert run_import(ws.engine, [DATA / "contacts" / name]).landed
    yield ws
    ws.close()


@pytest.fixture
def asker() -> Asker:
    return Asker()


@pytest.fixture
def composer(qtbot, jobs: JobRunner, book: Workspace, asker: Asker):  # type: ignore[no-untyped-def]
    window = QWidget()
    qtbot.addWidget(window)
    copied: list[str] = []
    controller = ComposerController(
        WindowContext(jobs, window, lambda: book),
        user=lambda: "Maya Thompson",
        copy_text=copied.append,
        confirm_discard=asker,
        ask_sent_on_close=lambda _customer: False,
        drafts_folder=lambda: Path("/nonexistent"),
    )
    yield controller
    controller.close()
    qtbot.waitUntil(jobs.is_idle, timeout=10_000)


def opened(qtbot, controller: ComposerController, customer_id: int = 1) -> ComposerDialog:  # type: ignore[no-untyped-def]
    controller.open_for_customer(customer_id)
    dialog = controller.dialog
    assert dialog is not None
    qtbot.waitUntil(
        lambda: dialog.variants[0].body.toPlainText().startswith("Hi"), timeout=TIMEOUT_MS
    )
    qtbot.waitUntil(lambda: not dialog.drafting, timeout=TIMEOUT_MS)
    return dialog


def typed(qtbot, dialog: ComposerDialog, text: str) -> None:  # type: ignore[no-untyped-def]
    body = dialog.variants[0].body
    body.setFocus()
    body.moveCursor(body.textCursor().MoveOperation.End)
    qtbot.keyClicks(body, text)


def test_close_with_edits_asks_and_keep_editing_keeps_text_and_undo(
    qtbot, composer: ComposerController, asker: Asker
) -> None:
    dialog = opened(qtbot, composer)
    written = dialog.variants[0].body.toPlainText()
    typed(qtbot, dialog, " PS see you Tuesday")
    asker.answers = [False]
    dialog.close_button.click()
    assert asker.asked == ["Maria Delgado"]
    assert dialog.isVisible()
    assert composer.dialog is dialog
    assert dialog.variants[0].body.toPlainText() == written + " PS see you Tuesday"
    # Ctrl+Z as before: the typing is undone, and with nothing edited Close just closes.
    body = dialog.variants[0].body
    while body.document().isUndoAvailable() and body.toPlainText() != written:
        qtbot.keyClick(body, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert body.toPlainText() == written
    dialog.close_button.click()
    assert asker.asked == ["Maria Delgado"]
    qtbot.waitUntil(lambda: composer.dialog is None, timeout=TIMEOUT_MS)


def test_esc_and_the_window_close_ask_and_discard_closes(
    qtbot, composer: ComposerController, asker: Asker
) -> None:
    dialog = opened(qtbot, composer)
    typed(qtbot, dialog, " and more")
    asker.answers = [False, True]
    qtbot.keyClick(dialog.variants[0].body, Qt.Key.Key_Escape)
    assert len(asker.asked) == 1
    assert dialog.isVisible()
    dialog.close()  # the window's close button
    assert len(asker.asked) == 2
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: composer.dialog is None, timeout=TIMEOUT_MS)


def test_an_edited_subject_counts_and_an_untouched_draft_closes_without_asking(
    qtbot, composer: ComposerController, asker: Asker
) -> None:
    dialog = opened(qtbot, composer)
    qtbot.keyClick(dialog.variants[0].body, Qt.Key.Key_Escape)
    assert asker.asked == []
    qtbot.waitUntil(lambda: composer.dialog is None, timeout=TIMEOUT_MS)
    dialog = opened(qtbot, composer)
    qtbot.keyClicks(dialog.variants[0].subject, "!")
    asker.answers = [True]
    dialog.close_button.click()
    assert len(asker.asked) == 1
    qtbot.waitUntil(lambda: composer.dialog is None, timeout=TIMEOUT_MS)


def test_edits_copied_close_without_asking(
    qtbot, composer: ComposerController, asker: Asker
) -> None:
    dialog = opened(qtbot, composer)
    typed(qtbot, dialog, " copied")
    dialog.copy_button.click()
    dialog.close_button.click()
    assert asker.asked == []
    qtbot.waitUntil(lambda: composer.dialog is None, timeout=TIMEOUT_MS)


def test_another_customers_composer_asks_and_keep_editing_stays(
    qtbot, composer: ComposerController, asker: Asker
) -> None:
    dialog = opened(qtbot, composer)
    typed(qtbot, dialog, " keep me")
    asker.answers = [False]
    composer.open_for_customer(2)
    assert len(asker.asked) == 1
    assert composer.dialog is dialog
    assert dialog.isVisible()
    assert dialog.variants[0].body.toPlainText().endswith(" keep me")
