"""Team filters in the Customers list's Views: named filters the whole workspace shares
(services/settings/team_filters.py), listed after the person's own views and marked as
the team's, shared from the view shown now ("Share with the team…") and deleted (with a
"Restore" until another is deleted, and Ctrl+Z through the window's undo history).

The workspace side is a ``TeamFilterStore`` (app/gui/customers_source.py implements it);
``TeamViews`` holds the actions of the Views button's menu for them. A person whose role
may not change the workspace's settings (a manager of a shared workspace), or whose IT
locks the team filters, sees the actions disabled with the reason as their tooltip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from services.alerts.records import Undoable
    from views.customers.saved_views import SavedView
    from views.kit.undo import UndoHistory

TEAM_PREFIX = "Team: "  # how a team filter is marked among the person's own views
SHARE_TEXT = "Share with the team…"
# The greyed line's name while it has nothing to say (hidden then).
NOTE_NAME = "Why the team filter actions are off"
RESTORE_TIP = "Put the team filter you deleted back, as it was"


@runtime_checkable
class TeamFilterStore(Protocol):
    """The workspace's team filters, as views (no sort: a team filter keeps the sort
    the person has)."""

    def team_views(self) -> list[SavedView]:
        """The team filters, in the team's order."""
        ...

    def share_view(self, view: SavedView, position: int | None = None) -> None:
        """Save ``view`` as the team filter of its name (replacing one of that name), at
        ``position`` when new (None: last); a user-facing error when it cannot be."""
        ...

    def delete_team_view(self, name: str) -> Undoable:
        """Delete the team filter ``name``; what was deleted and where it stood (its
        ``team_filter``), for Restore and Ctrl+Z."""
        ...

    def team_refusal(self) -> str:
        """Why this person may not change the team filters, in a short sentence the menu
        shows ("" when they may)."""
        ...


NamePrompt = Callable[[str], str | None]
ConfirmPrompt = Callable[[str], bool]
ErrorReport = Callable[[BaseException], None]


class TeamViews(QObject):
    """The team filters' actions of the Views menu, and the list they keep.

    Signals:
        changed(): the team filters were read anew (the combo lists them again).
        shared(str): a view was shared under this name (the combo shows it).
    """

    changed = Signal()
    shared = Signal(str)

    def __init__(
        self,
        parent: QObject,
        current: Callable[[], SavedView],
        chosen: Callable[[], SavedView | None],
        ask_name: NamePrompt,
        confirm: ConfirmPrompt,
        report: ErrorReport,
    ) -> None:
        super().__init__(parent)
        self._current = current
        self._chosen = chosen
        self._ask_name = ask_name
        self._confirm = confirm
        self._report = report
        self._store: TeamFilterStore | None = None
        self._deleted: tuple[SavedView, int] | None = None
        self._history: UndoHistory | None = None
        self.views: list[SavedView] = []
        self.share_action = QAction(SHARE_TEXT, self)
        self.share_action.setObjectName("shareTeamFilter")
        self.share_action.triggered.connect(self.share_current)
        self.delete_action = QAction("Delete team filter", self)
        self.delete_action.setObjectName("deleteTeamFilter")
        self.delete_action.triggered.connect(self.delete_chosen)
        self.restore_action = QAction("Restore team filter", self)
        self.restore_action.setObjectName("restoreTeamFilter")
        self.restore_action.setToolTip(RESTORE_TIP)
        self.restore_action.triggered.connect(self.restore_deleted)
        # Why the actions are greyed, said in the menu itself (a greyed line).
        # Named even while hidden (a menu item without words has no accessible name).
        self.note_action = QAction(NOTE_NAME, self)
        self.note_action.setObjectName("teamFilterNote")
        self.note_action.setEnabled(False)
        self.note_action.setVisible(False)
        self.refusal = ""

    def add_to(self, menu: QMenu) -> None:
        menu.addSeparator()
        menu.addAction(self.share_action)
        menu.addAction(self.delete_action)
        menu.addAction(self.restore_action)
        menu.addAction(self.note_action)
        menu.setToolTipsVisible(True)

    def set_undo_history(self, history: UndoHistory | None) -> None:
        """The window's undo history: a deletion is undone by Ctrl+Z as well."""
        self._history = history

    def set_store(self, store: object) -> None:
        """The open workspace's team filters (None, or a source without them: none)."""
        self._store = store if isinstance(store, TeamFilterStore) else None
        self._deleted = None
        self.reload()

    def reload(self) -> None:
        """Read the team filters and who may change them again."""
        self.views, self.refusal = [], ""
        if self._store is not None:
            try:
                self.views = self._store.team_views()
                self.refusal = self._store.team_refusal()
            except Exception as error:  # a refusal in words, or a fault: said, not raised
                self._report(error)
        self.changed.emit()

    def find(self, name: str) -> SavedView | None:
        wanted = name.strip().casefold()
        return next((v for v in self.views if v.name.casefold() == wanted), None)

    def sync(self) -> None:
        """Enable the actions as the store, the role and the chosen team filter allow."""
        usable = self._store is not None and not self.refusal
        why = self.refusal if self._store is not None else ""
        chosen = self._chosen()
        self.share_action.setEnabled(usable)
        self.share_action.setToolTip(why or "Save the filters and search shown now as a "
                                     "filter the whole team sees")  # fmt: skip
        self.delete_action.setEnabled(usable and chosen is not None)
        self.delete_action.setText(
            f"Delete team filter “{chosen.name}”" if chosen else "Delete team filter"
        )
        self.delete_action.setToolTip(why or "Delete the team filter chosen in Views")
        deleted = self._deleted
        self.restore_action.setVisible(deleted is not None)
        self.restore_action.setEnabled(usable and deleted is not None)
        if deleted is not None:
            self.restore_action.setText(f"Restore team filter “{deleted[0].name}”")
        self.restore_action.setToolTip(why or RESTORE_TIP)
        self.note_action.setText(why or NOTE_NAME)
        self.note_action.setVisible(bool(why))

    def _run(self, change: Callable[[TeamFilterStore], None]) -> bool:
        if self._store is None:
            return False
        try:
            change(self._store)
        except Exception as error:  # a refusal in words (the database's, IT's): said
            self._report(error)
            self.reload()
            return False
        self.reload()
        return True

    def share_current(self) -> None:
        """Ask a name and share the view shown now (asking before replacing one)."""
        chosen = self._chosen()
        name = (self._ask_name(chosen.name if chosen is not None else "") or "").strip()
        if not name:
            return
        existing = self.find(name)
        if existing is not None and not self._confirm(
            f"Replace the team filter “{existing.name}”? Everyone in the workspace sees "
            "the new conditions, and every setting made for it applies to them."
        ):
            return
        view = replace(self._current(), name=name, sort_key=None)
        if self._run(lambda store: store.share_view(view)):
            self.shared.emit(name)

    def delete_chosen(self) -> None:
        chosen = self._chosen()
        if chosen is None or not self._confirm(
            f"Delete the team filter “{chosen.name}” for everyone in the workspace? "
            "A setting made for it then applies to no one."
        ):
            return
        done: list[Undoable] = []
        if not self._run(lambda store: done.append(store.delete_team_view(chosen.name))):
            return
        kept = done[0].team_filter
        self._deleted = (chosen, kept.position if kept is not None else len(self.views))
        self.sync()
        if self._history is not None:
            self._history.push(done[0], self._after_undo)

    def _after_undo(self) -> None:
        """Ctrl+Z put a deleted team filter back (or was refused): read them anew, and
        offer Restore only while the deleted one is still missing."""
        self.reload()
        if self._deleted is not None and self.find(self._deleted[0].name) is not None:
            self._deleted = None
        self.sync()

    def restore_deleted(self) -> None:
        deleted = self._deleted
        if deleted is None:
            return
        view, position = deleted
        if self._run(lambda store: store.share_view(view, position)):
            self._deleted = None
            self.shared.emit(view.name)
