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
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from app.gui.application import GuiController, make_controller
from app.workspace import to_url
from tests.gui.shell.test_accessibility import SHOPIFY, TIMEOUT_MS, contactable_alerts, settle
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


def test_the_main_dialogs_fit_the_laptop(qtbot, area: QRect, controller: GuiController) -> None:
    """Settings (every page), Import (the preview of a real export), the composer with
    its draft, Draft for all's start dialog and the template library."""
    settle(qtbot, controller)
    jobs = controller.jobs
    found: dict[str, list[str]] = {}

    def note(what: str, dialog: QWidget) -> None:
        qtbot.wait(50)  # laid out, fitted to the screen when shown
        if problems := outside(dialog, area):
            found[what] = problems

    def walk_settings(dialog: QWidget) -> bool:
        dialog.show()
        for group in dialog.group_names:  # type: ignore[attr-defined]
            dialog.show_group_named(group)  # type: ignore[attr-defined]
            note(f"settings: {group}", dialog)
        dialog.hide()
        return False  # Cancel

    controller.settings._show = walk_settings  # noqa: SLF001
    controller.settings.open()

    controller.imports._confirm = lambda _title, _text: True  # noqa: SLF001  (into the demo)
    importing = controller.imports.open_import([str(SHOPIFY)])
    assert importing is not None
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    note("import", importing)
    importing.close()

    (first, customer), (second, _other) = contactable_alerts(controller, 2)
    controller.composer.open(first, customer)
    qtbot.waitUntil(
        lambda: (
            controller.composer.dialog is not None
            and not controller.composer.dialog.drafting
            and jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )
    assert controller.composer.dialog is not None
    note("composer", controller.composer.dialog)
    controller.composer.close()

    batches = controller.batches
    batches.draft_for_all((first, second), "the test's alerts")
    qtbot.waitUntil(lambda: batches.dialog is not None, timeout=TIMEOUT_MS)
    assert batches.dialog is not None
    note("draft for all", batches.dialog)
    batches.dialog.close()

    controller.templates.open()
    qtbot.waitUntil(lambda: controller.templates.dialog is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert controller.templates.dialog is not None
    note("templates", controller.templates.dialog)
    controller.templates.dialog.close()
    where = f"on {area.width()}x{area.height()}: "
    assert not found, where + "; ".join(f"{k}: {', '.join(v)}" for k, v in found.items())
