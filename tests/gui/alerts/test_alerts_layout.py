"""Layout at 1366x768 and 1920x1080: the card list gets its share of a wider window (not
stuck at its narrowest), the user's split is remembered whatever the next window's width,
and Log a call's outcomes are never cut short."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from views.alerts.dialogs import CallDialog
from views.alerts.view import AlertsView
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager


def shares(view: AlertsView) -> list[float]:
    sizes = view.splitter.sizes()
    return [s / sum(sizes) for s in sizes]


def test_a_wider_window_widens_the_card_list_too(
    qtbot, jobs: JobRunner, ui_settings: QSettings, theme: ThemeManager
) -> None:
    view = AlertsView(jobs, settings=ui_settings)
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.show()
    qtbot.waitUntil(lambda: view.splitter.width() >= 1300)
    laptop = view.splitter.sizes()
    assert laptop[0] >= 400  # the filters' row fits (as before)
    view.resize(1920, 1000)
    qtbot.waitUntil(lambda: view.splitter.width() >= 1900)
    wide = view.splitter.sizes()
    assert wide[0] >= 540, wide  # not left at the laptop's width
    assert wide[0] / laptop[0] > 1.3
    assert all(w > n for w, n in zip(wide, laptop, strict=True))  # each pane gains


def test_the_users_split_is_remembered_in_proportion(
    qtbot, jobs: JobRunner, ui_settings: QSettings, theme: ThemeManager
) -> None:
    first = AlertsView(jobs, settings=ui_settings)
    qtbot.addWidget(first)
    first.resize(1366, 700)
    first.show()
    qtbot.waitUntil(lambda: first.splitter.width() >= 1300)
    # The user drags the list's edge to the right.
    first.splitter.moveSplitter(560, 1)
    chosen = shares(first)
    assert first.splitter.sizes()[0] >= 540
    first.save_state()  # the window closes
    first.close()

    again = AlertsView(jobs, settings=ui_settings)
    qtbot.addWidget(again)
    again.resize(1920, 1000)
    again.show()
    qtbot.waitUntil(lambda: again.splitter.width() >= 1900)
    for was, now in zip(chosen, shares(again), strict=True):
        assert abs(was - now) < 0.02, (chosen, shares(again))
    assert again.splitter.sizes()[0] > 700


def test_log_a_call_shows_every_outcome_whole(qtbot, theme: ThemeManager) -> None:
    dialog = CallDialog("Noah Khan")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() <= 1366
    assert dialog.height() <= 768
    for key, button in dialog.outcomes.items():
        # Room to spare beyond what Qt hints: the styled indicator is wider than hinted,
        # which cut "Talked with them" to "Talked with the" in a row of four.
        text = button.text().replace("&", "")
        needed = button.fontMetrics().horizontalAdvance(text) + 40
        assert button.width() >= needed, (key, button.width(), needed)
        assert button.width() >= button.sizeHint().width() + 20, key
