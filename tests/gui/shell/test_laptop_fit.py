"""For everyone: on a 1366x768 laptop with its text made larger (150 %, 200 %), by the
desktop's scale or by the application's font (tests/support/laptop.py), the window is
never wider or taller than the screen's free area, whichever tab shows, and the Alerts
tab's action pane (the alert's text, the next step and every action button) is in view,
none of it to be scrolled to sideways."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings
from PySide6.QtWidgets import QApplication, QPushButton

from app.gui.application import GuiController, make_controller
from app.workspace import to_url
from tests.gui.shell.test_accessibility import TIMEOUT_MS, settle
from tests.gui.shell.test_text_scaling import cut
from tests.support.laptop import SCALE_IDS, SCALES, cut_sideways, laptop, outside, title_bar
from views.shell.main_window import TAB_ALERTS, TAB_KEYS


@pytest.fixture(params=SCALES, ids=SCALE_IDS)
def area(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, qapp: QApplication
) -> Iterator[QRect]:
    with laptop(monkeypatch, *request.param) as free:
        yield free


@pytest.fixture
def controller(
    area: QRect, qapp: QApplication, ui_settings: QSettings, tmp_path: Path, alerts_file: Path,
    presented_errors: list[str],
) -> Iterator[GuiController]:  # fmt: skip
    """The window built on the laptop, maximised as its user would (the free area less
    the title bar), on the scored demo workspace."""
    path = tmp_path / "book.radar.sqlite"
    shutil.copy(alerts_file, path)
    made = make_controller(qapp, ui_settings, show_dialogs=False)
    made.presenter.error_presented.connect(
        lambda title, text: presented_errors.append(f"{title}: {text}")
    )
    made.window.resize(area.width(), area.height() - title_bar(area))
    made.window.show()
    made.open_url(to_url(str(path)))
    yield made
    made.composer.close()
    made.batches.close()
    made.shutdown()
    made.window.close()
    made.window.deleteLater()
    made.deleteLater()


def test_the_window_fits_the_laptop_and_its_actions_are_in_view(
    qtbot, area: QRect, controller: GuiController
) -> None:
    settle(qtbot, controller)
    window = controller.window
    window.fit_to_screen()  # as for the first window, or one remembered on another screen
    found: dict[str, list[str]] = {}
    for index, key in enumerate(TAB_KEYS):
        window.tabs.setCurrentIndex(index)
        qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
        qtbot.wait(50)  # laid out
        if problems := outside(window, area):
            found[key] = problems
    assert not found, (area.size(), found)

    window.tabs.setCurrentIndex(TAB_ALERTS)
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
    qtbot.wait(50)
    actions = window.alerts_view.action_pane
    assert actions.alert is not None  # the top card's alert is shown
    buttons = [b for b in actions.findChildren(QPushButton) if b.isVisible()]
    assert len(buttons) >= 3, [b.text() for b in buttons]
    shown = [*buttons, actions.next_title]
    assert not (hidden := {w.text(): s for w in shown if (s := cut_sideways(w))}), hidden
    assert not (squeezed := cut(actions)), squeezed
