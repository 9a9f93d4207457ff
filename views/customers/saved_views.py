"""Saved views of the Customers table: a name for a filter, a search and a sort.

Views are UI state: they live in QSettings (key ``customers/views``) as JSON, one list
for the user, never pickled. Columns are named by key, not position, so a view survives
columns coming and going (the score columns appear with the first scoring); a view
naming a segment, owner or column the workspace no longer has restores harmlessly (it
lists no one, or keeps the current sort).

``ViewsBar`` is the "Views" combo (All customers, the saved views, then the team filters
the whole workspace shares, marked "Team: ", views/customers/team_views.py) and its button
(Save view…, Delete view, Share with the team…, Delete team filter); prompts are injected
so tests never open a dialog.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QInputDialog,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
)

from services.core.safe_read import SETTINGS_LIMIT, parse_json
from views.customers.filter_bar import ValueCombo
from views.customers.team_views import TEAM_PREFIX, ErrorReport, TeamViews
from views.item_models.customer_filters import CustomerFilter, filter_from_json, filter_to_json
from views.kit.accessibility import name
from views.kit.confirm import ask_yes_cancel

log = logging.getLogger(__name__)

KEY_VIEWS = "customers/views"
VIEWS_VERSION = 1
ALL_CUSTOMERS = "All customers"
UNSAVED_VIEW = "Unsaved view"
MAX_NAME_LENGTH = 60

NamePrompt = Callable[[str], str | None]  # suggested name -> chosen name, None: cancelled
ConfirmPrompt = Callable[[str], bool]


@dataclass(frozen=True)
class SavedView:
    """What the table shows: the filter's conditions, the search text and the sort."""

    name: str
    filter: CustomerFilter = CustomerFilter()
    search: str = ""
    sort_key: str | None = None  # a column key (None: the table's own order)
    descending: bool = True

    def shows_same(self, other: SavedView) -> bool:
        """The same customers (filter and search; the sort and name aside)."""
        return (self.filter.conditions, self.search.strip()) == (
            other.filter.conditions,
            other.search.strip(),
        )

    @property
    def is_everyone(self) -> bool:
        return self.filter.conditions.is_empty and not self.search.strip()


def views_to_json(views: list[SavedView]) -> str:
    return json.dumps(
        {
            "version": VIEWS_VERSION,
            "views": [
                {
                    "name": v.name,
                    "filter": filter_to_json(v.filter.conditions),
                    "search": v.search,
                    "sort": {"key": v.sort_key, "descending": v.descending} if v.sort_key else None,
                }
                for v in views
            ],
        }
    )


def views_from_json(text: object) -> list[SavedView]:
    """The views of ``views_to_json``; malformed entries are skipped, bad JSON gives none."""
    if not isinstance(text, str) or not text:
        return []
    try:
        data = parse_json(text[:SETTINGS_LIMIT])  # QSettings, a file of the config folder
    except ValueError:  # BadFile: not JSON, nested too deeply
        log.warning("Saved customer views are not JSON; ignoring them")
        return []
    if not isinstance(data, dict) or not isinstance(data.get("views"), list):
        return []
    views: list[SavedView] = []
    for entry in data["views"]:
        if not isinstance(entry, dict):
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            continue
        search = entry.get("search")
        sort = entry.get("sort")
        sort_key = sort.get("key") if isinstance(sort, dict) else None
        descending = sort.get("descending") if isinstance(sort, dict) else True
        views.append(
            SavedView(
                name=name.strip()[:MAX_NAME_LENGTH],
                filter=filter_from_json(entry.get("filter")).conditions,
                search=search if isinstance(search, str) else "",
                sort_key=sort_key if isinstance(sort_key, str) else None,
                descending=descending if isinstance(descending, bool) else True,
            )
        )
    return views


SAVE_TITLE = "Save view"
SAVE_LABEL = "Save the filters, search and sort shown now as a view named:"
SHARE_TITLE = "Share with the team"
SHARE_LABEL = (
    "Share the filters and search shown now with everyone in this workspace, as a team "
    "filter named:"
)
# Room beside the explanation (measured in the dialog's font, so it holds at 150 % text):
# QInputDialog alone is 200 px wide, and its title was clipped in the title bar.
SAVE_ROOM = 72


def name_dialog(parent: QWidget, suggested: str, *, share: bool = False) -> QInputDialog:
    """The Save view prompt (``share``: the Share with the team one): its title, what is
    saved and for whom, the name (``suggested`` selected)."""
    title, label = (SHARE_TITLE, SHARE_LABEL) if share else (SAVE_TITLE, SAVE_LABEL)
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setInputMode(QInputDialog.InputMode.TextInput)
    dialog.setLabelText(label)
    dialog.setTextValue(suggested)
    dialog.setOkButtonText("Share" if share else "Save")
    metrics = dialog.fontMetrics()
    words = max(metrics.horizontalAdvance(label), metrics.horizontalAdvance(title) * 3)
    # QInputDialog sets its own minimum size when shown: widen its name box instead.
    edit = dialog.findChild(QLineEdit)
    if edit is not None:
        edit.setMinimumWidth(words + SAVE_ROOM)
    return dialog


def _ask_name(parent: QWidget, suggested: str, share: bool = False) -> str | None:
    dialog = name_dialog(parent, suggested, share=share)
    try:
        if dialog.exec() != QInputDialog.DialogCode.Accepted:
            return None
        return dialog.textValue()
    finally:
        dialog.deleteLater()


def _confirm(parent: QWidget, question: str) -> bool:
    return ask_yes_cancel(parent, "Delete view", question)


def _confirm_team(parent: QWidget, question: str) -> bool:
    return ask_yes_cancel(parent, "Team filter", question)


def _report(parent: QWidget, error: BaseException) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.warning(parent, "Team filter", str(error))


class ViewsBar(QObject):
    """The Views combo and its Save/Delete button.

    Signals:
        view_chosen(object): the user picked a saved view (a SavedView), or None for
            "All customers".
    """

    view_chosen = Signal(object)

    def __init__(
        self,
        parent: QWidget,
        settings: QSettings | None,
        current: Callable[[], SavedView],
        *,
        ask_name: NamePrompt | None = None,
        confirm: ConfirmPrompt | None = None,
        report: ErrorReport | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._current = current
        self._ask_name = ask_name or (lambda suggested: _ask_name(parent, suggested))
        self._confirm = confirm or (lambda question: _confirm(parent, question))
        self._setting = False
        self.views: list[SavedView] = (
            views_from_json(settings.value(KEY_VIEWS, "")) if settings is not None else []
        )
        self.combo = name(ValueCombo("viewsCombo", parent), "Saved view")
        self.combo.setToolTip("Saved views: filters, search and sort under a name")
        self.combo.setPlaceholderText(UNSAVED_VIEW)
        self.combo.activated.connect(self._on_combo_activated)
        self.save_action = QAction("Save view…", self)
        self.save_action.triggered.connect(self.save_current)
        self.delete_action = QAction("Delete view", self)
        self.delete_action.triggered.connect(self.delete_current)
        self.team = TeamViews(
            self,
            current,
            self.selected_team,
            ask_name or (lambda suggested: _ask_name(parent, suggested, share=True)),
            confirm or (lambda question: _confirm_team(parent, question)),
            report or (lambda error: _report(parent, error)),
        )
        self.team.changed.connect(self._fill)
        self.team.shared.connect(self._on_team_shared)
        menu = QMenu(parent)
        menu.setObjectName("viewsMenu")
        menu.addAction(self.save_action)
        menu.addAction(self.delete_action)
        self.team.add_to(menu)
        self.menu = menu
        self.button = QToolButton(parent)
        self.button.setObjectName("viewsButton")
        self.button.setText("Save view…")
        self.button.setToolTip("Save the current filters, search and sort as a view")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.button.setMenu(menu)
        self.button.clicked.connect(self.save_current)
        self._fill()

    def _fill(self) -> None:
        self._setting = True
        try:
            self.combo.reset()
            self.combo.add(ALL_CUSTOMERS, None)
            for view in self.views:
                self.combo.add(view.name, view.name)
            for view in self.team.views:
                self.combo.add(
                    TEAM_PREFIX + view.name,
                    ("team", view.name),
                    "Shared with the whole team: everyone in the workspace sees it",
                )
        finally:
            self._setting = False
        self.sync()

    def _store(self) -> None:
        if self._settings is not None:
            self._settings.setValue(KEY_VIEWS, views_to_json(self.views))
            self._settings.sync()
        self._fill()

    def selected(self) -> SavedView | None:
        """The person's own view chosen in the combo (None: none, or a team filter)."""
        name = self.combo.value()
        return next((v for v in self.views if v.name == name), None)

    def selected_team(self) -> SavedView | None:
        """The team filter chosen in the combo (None: none, or the person's own view)."""
        value = self.combo.value()
        if not isinstance(value, tuple):
            return None
        return next((v for v in self.team.views if v.name == value[1]), None)

    def set_team_store(self, store: object) -> None:
        """The open workspace's team filters (views/customers/team_views.py)."""
        self.team.set_store(store)

    def _index_of(self, view: SavedView, team: bool) -> int:
        if team:
            return 1 + len(self.views) + self.team.views.index(view)
        return 1 + self.views.index(view)

    def _on_team_shared(self, name: str) -> None:
        shared = self.team.find(name)
        if shared is not None:
            self._setting = True
            self.combo.setCurrentIndex(self._index_of(shared, True))
            self._setting = False
        self.sync()

    def sync(self) -> None:
        """Show which view the table is in: the chosen one while it still shows the same
        customers, "All customers", else "Unsaved view"."""
        state = self._current()
        chosen = self.selected() or self.selected_team()
        self._setting = True
        try:
            if chosen is not None and chosen.shows_same(state):
                pass
            elif state.is_everyone:
                self.combo.setCurrentIndex(0)
            else:
                self.combo.setCurrentIndex(self._matching(state))
        finally:
            self._setting = False
        self.combo.updateGeometry()
        chosen = self.selected()
        self.delete_action.setEnabled(chosen is not None)
        self.delete_action.setText(f"Delete view “{chosen.name}”" if chosen else "Delete view")
        self.team.sync()

    def _matching(self, state: SavedView) -> int:
        """The combo's index of the first view (own, then the team's) showing the same
        customers as ``state``; -1 for none."""
        for team, views in ((False, self.views), (True, self.team.views)):
            match = next((v for v in views if v.shows_same(state)), None)
            if match is not None:
                return self._index_of(match, team)
        return -1

    def save_current(self) -> None:
        chosen = self.selected()
        name = self._ask_name(chosen.name if chosen is not None else "")
        name = (name or "").strip()[:MAX_NAME_LENGTH]
        if not name or name == ALL_CUSTOMERS:
            return
        view = replace(self._current(), name=name)
        existing = [i for i, v in enumerate(self.views) if v.name == name]
        if existing:
            self.views[existing[0]] = view  # saved again under its name: replaced
        else:
            self.views.append(view)
        self._store()
        self._setting = True
        self.combo.setCurrentIndex(self._index_of(view, False))
        self._setting = False
        self.sync()

    def delete_current(self) -> None:
        chosen = self.selected()
        if chosen is None or not self._confirm(f"Delete the view “{chosen.name}”?"):
            return
        self.views.remove(chosen)
        self._store()

    def _on_combo_activated(self, index: int) -> None:
        if self._setting:
            return
        own, team = len(self.views), self.team.views
        if index <= 0:
            self.view_chosen.emit(None)
        elif index <= own:
            self.view_chosen.emit(self.views[index - 1])
        elif index - own - 1 < len(team):
            self.view_chosen.emit(team[index - own - 1])
