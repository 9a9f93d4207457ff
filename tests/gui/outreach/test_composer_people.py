"""The composer writes to one of an account's people (the hand-made business book of
tests/data/contacts, templates, no provider): the champion by default, with the To list
naming everyone who can be written to (not the bounced address); another person picked
writes both drafts again greeting them; a shared mailbox is greeted without a name; after
the user edited a draft, picking someone else asks first and keeps the edit on Cancel."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from app.gui.context import WindowContext
from app.gui.outreach.composer_controller import ComposerController
from app.workspace import Workspace, open_workspace, to_url
from services.importing.service import run_import
from services.people.contacts import read_people
from tests.support.paths import DATA
from views.kit.jobs import JobRunner

TIMEOUT_MS = 30_000


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Workspace]:
    ws = open_workspace(to_url(str(tmp_path / "people.radar.sqlite")), backup=False)
    for name in ("Account.csv", "Contact.csv", "AccountContactRole.csv"):
        assert run_import(ws.engine, [DATA / "contacts" / name]).landed
    yield ws
    ws.close()


@pytest.fixture
def asked() -> list[str]:
    return []


@pytest.fixture
def composer(qtbot, jobs: JobRunner, book: Workspace, asked: list[str]):  # type: ignore[no-untyped-def]
    window = QWidget()
    qtbot.addWidget(window)
    answers = iter([False, True])

    def confirm(person: str) -> bool:
        asked.append(person)
        return next(answers)

    controller = ComposerController(
        WindowContext(jobs, window, lambda: book),
        user=lambda: "Maya Thompson",
        confirm_rewrite=confirm,
        drafts_folder=lambda: Path("/nonexistent"),
    )
    yield controller
    if controller.dialog is not None:
        controller.dialog.close()
    qtbot.waitUntil(jobs.is_idle, timeout=10_000)


def drafted(qtbot, controller: ComposerController, greeting: str) -> None:  # type: ignore[no-untyped-def]
    dialog = controller.dialog
    assert dialog is not None
    qtbot.waitUntil(
        lambda: dialog.variants[0].body.toPlainText().startswith(greeting), timeout=TIMEOUT_MS
    )


def test_the_email_goes_to_the_champion_and_another_can_be_picked(
    qtbot, composer: ComposerController, book: Workspace, asked: list[str]
) -> None:
    people = {p.name: p for p in read_people(book.engine, 1)}
    composer.open_for_customer(1)
    drafted(qtbot, composer, "Hi Maria")
    dialog = composer.dialog
    assert dialog is not None
    assert dialog.person.isVisible()
    listed = [dialog.person.itemText(i) for i in range(dialog.person.count())]
    assert listed[0] == ("Maria Delgado <maria.delgado@contoso-freight.example.com> · Champion")
    assert len(listed) == 4
    # Tom, picked: both drafts written again, to him.
    tom = people["Tom Okafor"].contact_id
    assert tom is not None
    dialog.person.setCurrentIndex(dialog.person.findData(tom))
    dialog.person.activated.emit(dialog.person.currentIndex())
    drafted(qtbot, composer, "Hi Tom")
    assert composer.request is not None
    assert composer.request.context.email == "tom.okafor@contoso-freight.example.com"
    assert asked == []  # nothing was edited: nothing to ask
    # The accounts-payable mailbox: greeted without a name.
    mailbox = people["Accounts Payable"].contact_id
    dialog.person.setCurrentIndex(dialog.person.findData(mailbox))
    dialog.person.activated.emit(dialog.person.currentIndex())
    qtbot.waitUntil(
        lambda: (
            composer.request is not None
            and composer.request.context.email == "ap@contoso-freight.example.com"
        ),
        timeout=TIMEOUT_MS,
    )
    qtbot.waitUntil(lambda: not dialog.variants[0].body.toPlainText().startswith("Hi Tom"),
                    timeout=TIMEOUT_MS)  # fmt: skip
    assert "Accounts" not in dialog.variants[0].body.toPlainText().splitlines()[0]


def test_an_edited_draft_is_not_thrown_away_without_asking(
    qtbot, composer: ComposerController, book: Workspace, asked: list[str]
) -> None:
    composer.open_for_customer(1)
    drafted(qtbot, composer, "Hi Maria")
    dialog = composer.dialog
    assert dialog is not None
    dialog.variants[0].body.appendPlainText("PS: my own line")
    tom = next(p for p in read_people(book.engine, 1) if p.name == "Tom Okafor").contact_id
    dialog.person.setCurrentIndex(dialog.person.findData(tom))
    dialog.person.activated.emit(dialog.person.currentIndex())
    # Cancel: the edit stays, and To is back on Maria, whom the drafts are for.
    assert asked == ["Tom Okafor"]
    assert dialog.variants[0].body.toPlainText().endswith("PS: my own line")
    assert dialog.person.currentText().startswith("Maria Delgado")
    # Yes: written again to Tom.
    dialog.person.setCurrentIndex(dialog.person.findData(tom))
    dialog.person.activated.emit(dialog.person.currentIndex())
    drafted(qtbot, composer, "Hi Tom")
    assert asked == ["Tom Okafor", "Tom Okafor"]
