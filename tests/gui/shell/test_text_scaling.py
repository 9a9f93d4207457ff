"""For everyone: the window with its text made larger (150 % and 200 %, as Windows' "Make
text bigger" or a desktop's large-text setting does): on a 1366x768 laptop it still fits
the screen, an alert card is tall enough for its three lines, and no button, combo box,
check box or chip of any tab is cut, narrower than its text or partly outside what shows
it (rows of them wrap, the action pane scrolls); nor on a 1920x1080 screen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics, QScreen, QTextDocumentFragment
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLabel,
    QPushButton,
    QWidget,
)

from app.gui.application import GuiController
from tests.gui.shell.test_accessibility import TIMEOUT_MS, controller, settle  # noqa: F401
from views.shell.main_window import TAB_ALERTS, TAB_KEYS

# The free area of a 1366x768 laptop: less a 40 px taskbar and the title bar.
LAPTOP_W, LAPTOP_H = 1366, 768 - 40 - 30
WIDE_W, WIDE_H = 1920, 1080 - 40 - 30


@pytest.fixture(params=[1.5, 2.0], ids=["150%", "200%"])
def larger_text(
    request: pytest.FixtureRequest, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> Iterator[float]:
    """The application's text made larger before the window is built, on a 1366x768
    laptop's free area (what the splitters share: the test's screen is 800x800)."""
    before = QFont(qapp.font())
    font = QFont(before)
    font.setPointSizeF(before.pointSizeF() * request.param)
    qapp.setFont(font)
    laptop = QRect(0, 0, LAPTOP_W, 768 - 40)
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _screen: QRect(laptop))
    yield request.param
    qapp.setFont(before)


def clipped(widget: QWidget, root: QWidget) -> str:
    """What cuts a widget short, going up to ``root`` ("" if nothing does): a parent it
    sticks out of, unless that parent is a scroll area's view that scrolls that way (a
    widget scrolled out of sight is whole once scrolled to)."""
    rect = QRect(widget.rect())
    child = widget
    while child is not root and (parent := child.parentWidget()) is not None:
        rect.translate(child.pos())
        area = parent.parentWidget()
        view = isinstance(area, QAbstractScrollArea) and area.viewport() is parent
        across = rect.intersected(QRect(0, rect.top(), parent.width(), rect.height()))
        down = rect.intersected(QRect(rect.left(), 0, rect.width(), parent.height()))
        if view and (across.isEmpty() or down.isEmpty()):
            return ""  # scrolled out of sight
        sideways = view and isinstance(area, QAbstractScrollArea)
        if across.width() < rect.width() and not (
            sideways and area.horizontalScrollBar().isVisible()  # type: ignore[union-attr]
        ):
            return f"sticks out of the side of {type(parent).__name__} {parent.objectName()!r}"
        if down.height() < rect.height() and not view:
            return f"sticks out of the bottom of {type(parent).__name__} {parent.objectName()!r}"
        rect = rect.intersected(parent.rect())
        child = parent
    return ""


def cut(root: QWidget) -> list[str]:
    """The visible buttons (chips too), combo boxes and check boxes narrower or lower than
    their text needs, or partly outside what shows them."""
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, QAbstractButton | QComboBox) or not widget.isVisible():
            continue
        if type(widget).__name__ in {"QToolButton", "QLineEditIconButton"}:
            continue  # arrows and a field's clear button: icons, no text
        text = widget.currentText() if isinstance(widget, QComboBox) else widget.text()
        need = widget.minimumSizeHint()
        if widget.width() < need.width() or widget.height() < need.height():
            size = f"{widget.width()}x{widget.height()} < {need.width()}x{need.height()}"
            found.append(f"{type(widget).__name__} {text!r}: {size} px")
        if outside := clipped(widget, root):
            found.append(f"{type(widget).__name__} {text!r}: {outside}")
    return found


def cut_in_tabs(qtbot, controller: GuiController) -> dict[str, list[str]]:  # noqa: F811
    """What is cut in each tab of the window, by the tab's name."""
    window = controller.window
    found: dict[str, list[str]] = {}
    for index in range(len(TAB_KEYS)):
        window.tabs.setCurrentIndex(index)
        qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
        qtbot.wait(50)  # laid out
        if problems := cut(window.tabs.currentWidget()):
            found[window.tabs.tabText(index)] = problems
    return found


def test_larger_text_fits_the_screen_and_cuts_no_control(
    qtbot,
    larger_text: float,
    controller: GuiController,  # noqa: F811
) -> None:
    settle(qtbot, controller)
    window = controller.window
    hint = window.minimumSizeHint()
    assert hint.width() <= LAPTOP_W, hint
    assert hint.height() <= LAPTOP_H, hint

    window.tabs.setCurrentIndex(TAB_ALERTS)
    pane = window.alerts_view.alerts_pane
    card_font = pane.list.font()
    rows = pane.list.verticalHeader()
    needed = pane.delegate.card_height(card_font)
    assert needed > pane.delegate.CARD_HEIGHT  # three lines of larger text need more room
    assert rows.defaultSectionSize() >= needed

    # On the laptop the three panes share its free width with every control whole (rows
    # of chips, filters and actions wrap), and the window, maximised, fits.
    assert window.alerts_view.fit_panes.fit()
    window.resize(LAPTOP_W, LAPTOP_H)
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
    hint = window.minimumSizeHint()
    assert hint.width() <= LAPTOP_W, hint
    assert hint.height() <= LAPTOP_H, hint
    assert not (found := cut_in_tabs(qtbot, controller)), found
    # The undo bar takes a line of the window: the recommended next step scrolls with
    # the alert, its wrapped lines whole (not squeezed).
    window.tabs.setCurrentIndex(TAB_ALERTS)
    window.undo_bar.show()
    qtbot.wait(50)
    actions = window.alerts_view.action_pane
    for label in (actions.next_title, actions.next_detail, actions.reason):
        if label.isVisible():
            assert label.height() >= label.heightForWidth(label.width()), label.text()
    window.undo_bar.hide()

    squeezed_in_the_larger_text(qtbot, controller, larger_text)

    # And on a 1920x1080 screen.
    window.resize(WIDE_W, WIDE_H)
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
    assert not (found := cut_in_tabs(qtbot, controller)), found


def squeezed_in_the_larger_text(qtbot, controller: GuiController, scale: float) -> None:  # noqa: F811
    """On the laptop: the playbook box never sets the action pane's width (its button
    wraps under its title), the dashboard's charts keep their room in lines of text (the
    page scrolls), each legend whole and the segments a line each, and the style sheet's
    headings grow with the text."""
    window = controller.window
    window.tabs.setCurrentIndex(TAB_ALERTS)
    qtbot.wait(50)
    # The queue tabs scroll with arrows when they do not fit: the keys reach every one.
    tabs = window.alerts_view.alerts_pane.queue_tabs
    tabs.setCurrentIndex(0)
    tabs.setFocus()
    for _ in range(tabs.count()):
        qtbot.keyClick(tabs, Qt.Key.Key_Right)
    assert tabs.currentIndex() == tabs.count() - 1
    tabs.setCurrentIndex(0)
    box = window.alerts_view.action_pane.findChild(QWidget, "playbookBox")
    heading = box.findChild(QLabel, "tileCaption")
    button = box.findChild(QPushButton, "action_playbook")
    side_by_side = heading.sizeHint().width() + button.sizeHint().width()
    assert box.minimumSizeHint().width() < side_by_side

    window.tabs.setCurrentIndex(TAB_KEYS.index("dashboard"))
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
    qtbot.wait(50)
    pane = window.dashboard
    line = pane.fontMetrics().lineSpacing()
    assert pane._content.height() >= 63 * line  # noqa: SLF001  (880 px at 9 pt)
    charts = [pane.severity_chart, pane.age_chart, pane.trends_chart, pane.risk_chart]
    charts += [pane.scores_chart, pane.segments_chart, pane.sentiment_chart]
    for chart in charts:
        tick = QFontMetrics(chart._small_font()).lineSpacing()  # noqa: SLF001
        assert chart.plot_widget.height() >= 8 * tick, chart.title
        for legend in chart.findChildren(QLabel, "chartLegend"):
            if legend.isVisible() and legend.text():
                plain = QTextDocumentFragment.fromHtml(legend.text()).toPlainText()
                wide = legend.fontMetrics().horizontalAdvance(plain)
                if legend.wordWrap():
                    assert legend.height() >= legend.heightForWidth(legend.width()), chart.title
                else:
                    assert wide <= legend.width(), (chart.title, plain)
    segments = pane.segments_chart
    keys = segments.bar_keys()
    tick = QFontMetrics(segments._small_font()).height()  # noqa: SLF001
    rows = [segments.bar_pos(key).y() for key in keys]
    assert len(rows) > 3
    assert min(b - a for a, b in zip(rows, rows[1:], strict=False)) >= tick

    # A heading of the style sheet (My work's) is larger than the text around it.
    window.tabs.setCurrentIndex(TAB_KEYS.index("my_work"))
    qtbot.wait(50)
    title = window.my_work.findChild(QLabel, "workSectionTitle")
    assert title.fontInfo().pointSizeF() > QApplication.font().pointSizeF()
