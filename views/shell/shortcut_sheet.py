"""Help ▸ Keyboard shortcuts (F1 or ?): every key the window answers to, on one sheet.

The sheet is built from the window's own actions (menus, the alert actions, the
customer pane), so it lists the keys that really work and never falls out of step.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QMenuBar,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from views.kit.geometry import FitsScreen, resize_for_text


@dataclass(frozen=True)
class Shortcut:
    """One line of the sheet: where it works, what it does, the keys."""

    group: str
    action: str
    keys: str


def action_name(action: QAction) -> str:
    """An action's text as a reader sees it: 'Open workspace', not '&Open workspace…'."""
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")


def keys_of(action: QAction) -> str:
    """The action's keys in the platform's words ('Ctrl+O', 'F1 or ?')."""
    native = QKeySequence.SequenceFormat.NativeText
    return " or ".join(k.toString(native) for k in action.shortcuts() if not k.isEmpty())


def shortcuts_of(group: str, actions: Iterable[QAction]) -> list[Shortcut]:
    """The actions among ``actions`` that have keys, in order, once each."""
    seen: set[tuple[str, str]] = set()
    out: list[Shortcut] = []
    for action in actions:
        keys = keys_of(action)
        name = action_name(action)
        if action.isSeparator() or not keys or (name, keys) in seen:
            continue
        seen.add((name, keys))
        out.append(Shortcut(group, name, keys))
    return out


def menu_shortcuts(menu_bar: QMenuBar) -> list[Shortcut]:
    """The keys of a menu bar's actions, one group per menu ('File', 'View'...)."""
    entries: list[Shortcut] = []
    for top in menu_bar.actions():
        menu = top.menu()
        if not isinstance(menu, QMenu):
            continue
        entries += shortcuts_of(action_name(top), [a for a in menu.actions() if a.menu() is None])
    return entries


def window_shortcuts(
    menu_bar: QMenuBar, alert_actions: Iterable[QAction], customer_actions: Iterable[QAction]
) -> list[Shortcut]:
    """Every key of the main window: the menus', the alert actions', the customer pane's,
    and the keys of the lists and boxes that no action holds."""
    entries = menu_shortcuts(menu_bar)
    entries += shortcuts_of("Alerts tab: the selected alert", alert_actions)
    entries += shortcuts_of("Customers tab: the selected customer", customer_actions)
    entries += [
        Shortcut("Lists", "Previous or next alert or customer", "Up or Down"),
        Shortcut("Notes, calls and tasks", "Save what you typed", "Ctrl+Enter"),
        Shortcut("Alerts tab", "Open the selected card's customer", "Enter"),
        Shortcut("My work tab", "Complete the selected task", "Space"),
        Shortcut("My work tab", "Open the task's alert (or customer)", "Enter"),
        Shortcut("Ask tab", "Open the customer of the selected row", "Enter"),
    ]
    return entries


class ShortcutSheet(QDialog):
    """The keys, grouped, two columns per group (what it does, the keys)."""

    def __init__(self, shortcuts: Sequence[Shortcut], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setObjectName("shortcutSheet")
        self.shortcuts = tuple(shortcuts)
        groups: dict[str, list[Shortcut]] = {}
        for shortcut in self.shortcuts:
            groups.setdefault(shortcut.group, []).append(shortcut)
        # One table, so the keys line up in one column under every heading.
        rows: list[str] = []
        for group, items in groups.items():
            rows.append(
                f"<tr><td colspan='2' style='padding-top:10px'><b>{html.escape(group)}</b>"
                "</td></tr>"
            )
            rows += [
                f"<tr><td width='240' style='padding-left:8px'>{html.escape(s.action)}</td>"
                f"<td><b>{html.escape(s.keys)}</b></td></tr>"
                for s in items
            ]
        body = QLabel(f"<table cellspacing='3'>{''.join(rows)}</table>", self)
        body.setObjectName("shortcutTable")
        body.setTextFormat(Qt.TextFormat.RichText)
        body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        body.setMargin(8)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        resize_for_text(self, 480, 640)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %
