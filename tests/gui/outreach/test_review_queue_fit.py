"""For everyone: the review queue on a 1366x768 laptop at 100 %, 150 % and 200 % text
(by the desktop's scale or the application's font, tests/support/laptop.py), once it
asks "Did you send them?" after the approved emails were saved as .eml files: the window
fits the screen's free area, and the question's answers, Close, Approve and Send are
whole and in view (the question and the rows of buttons wrap)."""

# The fixtures come from the sibling module (imported below), hence the redefinitions.
# ruff: noqa: F811

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QApplication

from app.gui.outreach.batch_controller import BatchController
from app.workspace import Workspace
from tests.gui.outreach.test_queue_eml import approved_and_saved
from tests.gui.outreach.test_review_queue import (  # noqa: F401  (the fixture)
    TIMEOUT_MS,
    controller,
)
from tests.gui.shell.test_text_scaling import cut
from tests.support.laptop import SCALE_IDS, SCALES, cut_sideways, laptop, outside
from views.kit.jobs import JobRunner


@pytest.fixture(params=[("font", 1.0), *SCALES], ids=["100%", *SCALE_IDS])
def area(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, qapp: QApplication
) -> Iterator[QRect]:
    with laptop(monkeypatch, *request.param) as free:
        yield free


def test_the_review_queue_asking_fits_the_laptop(
    qtbot,
    area: QRect,
    controller: BatchController,
    jobs: JobRunner,
    workspace: Workspace,
    tmp_path: Path,
) -> None:
    # A folder with a long name, as a user's Documents folder has (it wraps after a
    # separator).
    folder = tmp_path / "Documents" / "Account-Radar-drafts-for-the-quiet-accounts"
    queue, _alert_ids, _before = approved_and_saved(qtbot, controller, jobs, workspace, folder)
    assert queue.sent_prompt.isVisible()
    # The next draft, so that Approve shows too.
    queue.list.setCurrentIndex(queue.model.index(0, 0))
    qtbot.wait(50)  # laid out
    assert not (problems := outside(queue, area)), (area.size(), problems)
    buttons: list[QAbstractButton] = [
        queue.sent_prompt.yes_button,
        queue.sent_prompt.no_button,
        queue.close_button,
        queue.send_button,
        queue.next_button,
    ]
    assert all(b.isVisible() for b in buttons), [b.text() for b in buttons if not b.isVisible()]
    hidden = {b.text(): s for b in buttons if (s := cut_sideways(b))}
    assert not hidden, hidden
    assert not (squeezed := cut(queue)), squeezed
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
