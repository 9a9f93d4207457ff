"""For everyone: the control the keyboard is on is always plain to see, in both themes.
Each kind of control the window uses (with the object names the style sheet styles) is
drawn without and then with keyboard focus: focused, its edge is the theme's accent, two
pixels wide; without focus, it is not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QStringListModel, Qt
from PySide6.QtGui import QColor, QFont, QImage
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStyle,
    QStyleOptionButton,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from views.kit.combo import ComboBox
from views.kit.theme import ThemeManager, ThemeMode


def _named(widget: QWidget, name: str, **props: object) -> QWidget:
    widget.setObjectName(name)
    for key, value in props.items():
        widget.setProperty(key, value)
    return widget


def controls(model: QStringListModel) -> dict[str, QWidget]:
    """One of each kind of control the window has, as the style sheet sees it."""
    combo = ComboBox()
    combo.addItems(["Open", "All"])
    views: dict[str, QWidget] = {}
    for name, view in (
        ("table", QTableView()),
        ("alert cards", _named(QTableView(), "alertList")),
        ("list", QListView()),
        ("settings pages", _named(QListView(), "settingsGroups")),
    ):
        view.setModel(model)  # type: ignore[attr-defined]
        views[name] = view
    tabs = QTabBar()
    tabs.addTab("Alerts")
    tabs.addTab("Customers")
    return {
        "button": QPushButton("Save"),
        "severity chip": _named(QPushButton("Critical 3"), "", severity="critical"),
        "Mine": _named(QPushButton("Mine"), "mineFilter"),
        "link button": _named(QPushButton("3 new alerts"), "digestLine"),
        "combo box": combo,
        "search box": _named(QLineEdit(), "searchBox"),
        "alert search": _named(QLineEdit(), "alertSearch"),
        "field": QLineEdit(),
        "spin box": QSpinBox(),
        "text": QPlainTextEdit("Hello"),
        "check box": QCheckBox("Unscored only"),
        "radio button": QRadioButton("Draft A"),
        "tabs": tabs,
        **views,
    }


@pytest.fixture(params=[ThemeMode.LIGHT, ThemeMode.DARK], ids=["light", "dark"])
def theme(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[ThemeManager]:
    manager = ThemeManager(qapp, request.param)
    yield manager
    manager.set_mode(ThemeMode.LIGHT)
    manager.deleteLater()


def edge(image: QImage, at: QPoint) -> tuple[QColor, QColor]:
    """The two pixels at the left edge of a control (``at``: its first pixel)."""
    return image.pixelColor(at), image.pixelColor(at + QPoint(1, 0))


def accent_like(pixels: tuple[QColor, QColor], accent: QColor) -> bool:
    """Both pixels are the accent (give or take the smoothing of a round control)."""
    return all(
        max(abs(p.red() - accent.red()), abs(p.green() - accent.green()),
            abs(p.blue() - accent.blue())) <= 64
        for p in pixels
    )  # fmt: skip


def test_keyboard_focus_is_an_accent_outline(qtbot, theme: ThemeManager) -> None:
    accent = QColor(theme.theme.accent)
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    start = QLineEdit(host)  # where the focus is before
    layout.addWidget(start)
    model = QStringListModel(["Ana Ortiz", "Ben Li", "Chloé Martin"])
    shown = controls(model)
    for widget in shown.values():
        widget.setMaximumHeight(70)
        layout.addWidget(widget)
    host.resize(420, 1300)
    host.show()
    qtbot.waitExposed(host)
    host.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is host)

    unseen = []
    for name, widget in shown.items():
        rect = widget.tabRect(0) if isinstance(widget, QTabBar) else widget.rect()
        # Below a rounded corner, above a check box's mark.
        at = QPoint(rect.left(), rect.top() + max(5, rect.height() // 5))
        start.setFocus(Qt.FocusReason.TabFocusReason)
        # As after a Tab key: Fusion draws its own focus marks only then.
        host.setAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange, True)
        before = edge(widget.grab().toImage(), at)
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        host.setAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange, True)
        assert widget.hasFocus(), name
        after = edge(widget.grab().toImage(), at)
        if not accent_like(after, accent) or accent_like(before, accent):
            unseen.append(f"{name}: {[c.name() for c in before]} -> {[c.name() for c in after]}")
    assert not unseen, f"focus not shown as a 2 px {accent.name()} outline:\n  " + "\n  ".join(
        unseen
    )


@pytest.mark.parametrize("scale", [1.0, 1.5], ids=["100%", "150%"])
def test_the_focus_frame_leaves_a_button_label_its_room(
    qtbot, qapp: QApplication, scale: float, tmp_path
) -> None:
    """A button laid out at its size without focus keeps its label whole once focused:
    the focus frame's border and padding make the same box as the unfocused button's."""
    before = QFont(qapp.font())
    font = QFont(before)
    font.setPointSizeF(before.pointSizeF() * scale)
    qapp.setFont(font)
    manager = ThemeManager(qapp, ThemeMode.LIGHT)
    try:
        buttons = {
            "button": QPushButton("Save changes"),
            "short button": QPushButton("OK"),
            "severity chip": _named(QPushButton("Critical 3"), "", severity="critical"),
            "Mine": _named(QPushButton("Mine"), "mineFilter"),
            "link button": _named(QPushButton("3 new alerts"), "digestLine"),
            "welcome link": _named(QPushButton("Open a workspace…"), "welcomeOpen"),
        }
        clipped = []
        for name, button in buttons.items():
            qtbot.addWidget(button)
            button.ensurePolished()
            button.resize(button.sizeHint())  # as a layout gives it, unfocused
            style = button.style()
            label = button.fontMetrics().size(Qt.TextFlag.TextShowMnemonic, button.text())
            plain, focused = QStyleOptionButton(), QStyleOptionButton()
            button.initStyleOption(plain)
            button.initStyleOption(focused)
            focused.state |= QStyle.StateFlag.State_HasFocus
            room = style.subElementRect(QStyle.SubElement.SE_PushButtonContents, focused, button)
            need = style.sizeFromContents(QStyle.ContentsType.CT_PushButton, focused, label, button)
            had = style.sizeFromContents(QStyle.ContentsType.CT_PushButton, plain, label, button)
            if (
                room.width() < label.width()
                or room.height() < label.height()
                or (need.width() > had.width() or need.height() > had.height())
            ):
                clipped.append(f"{name}: {label.toTuple()} in {room.size().toTuple()}")
        # To look at: the buttons at their size, the first focused.
        host = QWidget()
        qtbot.addWidget(host)
        column = QVBoxLayout(host)
        for button in buttons.values():
            column.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        host.show()
        qtbot.waitExposed(host)
        host.activateWindow()
        buttons["button"].setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(buttons["button"].hasFocus)
        host.grab().save(str(tmp_path / f"focused-buttons-{int(scale * 100)}.png"))
        assert not clipped, "the focus frame cuts the label:\n  " + "\n  ".join(clipped)
    finally:
        qapp.setFont(before)
        manager.deleteLater()
