"""The main window's menu bar: File, View, Scoring and Help, and the actions they hold.

``WindowMenus`` builds the menus onto a window and keeps every action that the window
(or app/) enables, disables or triggers later; the window connects them to its signals
and slots. A feature adds its own entries to ``file_menu``, ``view_menu``... rather than
growing the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from views.kit.confirm import run_dialog
from views.kit.theme import ThemeMode

MANAGER_ONLY_BOOK = (
    "For a team lead or an admin: imports and scoring change the whole team's workspace, "
    "and your account is an account manager's."
)
NO_IMPORT_IN_COPY = (
    "This is an offline copy: customer data comes from the server. Import on the shared "
    "workspace, then sync back here to get it."
)
# What a window may not do, by its team role (app/gui: "manager" on a shared workspace,
# "offline" in an offline copy), and why, in its tooltips.
NO_TEAM_WORK = {"manager": MANAGER_ONLY_BOOK, "offline": NO_IMPORT_IN_COPY}


class MenuHost(Protocol):
    """What the menus call on the window."""

    import_history_requested: SignalInstance
    watch_folder_requested: SignalInstance
    score_requested: SignalInstance
    model_report_requested: SignalInstance
    settings_requested: SignalInstance
    templates_requested: SignalInstance

    def close(self) -> bool: ...

    def show_shortcut_sheet(self) -> None: ...


class WindowMenus:
    """The menu bar of the main window and its actions (owned by the window).

    ``on_*`` callbacks are the window's slots for the entries that need it.
    """

    def __init__(  # noqa: PLR0915
        self,
        window: QMainWindow,
        *,
        theme_mode: ThemeMode,
        on_open: Callable[[], None],
        on_demo: Callable[[], None],
        on_backup: Callable[[], None],
        on_import: Callable[[], None],
        on_theme: Callable[[ThemeMode], None],
        on_find: Callable[[], None],
        signals: MenuHost,
    ) -> None:
        bar = window.menuBar()
        self.file_menu: QMenu = bar.addMenu("&File")
        self.open_action = QAction("&Open workspace…", window)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(on_open)
        self.demo_action = QAction("New &demo workspace…", window)
        self.demo_action.triggered.connect(on_demo)
        self.backup_action = QAction("&Back up workspace…", window)
        self.backup_action.triggered.connect(on_backup)
        self.backup_action.setEnabled(False)
        self.import_action = QAction("&Import…", window)
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.triggered.connect(on_import)
        self.import_history_action = QAction("Import &history…", window)
        self.import_history_action.triggered.connect(signals.import_history_requested)
        self.watch_folder_action = QAction("&Watch a folder for exports…", window)
        self.watch_folder_action.triggered.connect(signals.watch_folder_requested)
        for action in (self.import_action, self.import_history_action, self.watch_folder_action):
            action.setEnabled(False)
        self.settings_action = QAction("Se&ttings…", window)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.setToolTip("Alert rules, daily cap, quiet period, score weights")
        self.settings_action.triggered.connect(signals.settings_requested)
        self.settings_action.setEnabled(False)
        self.templates_action = QAction("Email &templates…", window)
        self.templates_action.setToolTip("The template drafts, one per goal, with a preview")
        self.templates_action.triggered.connect(signals.templates_requested)
        self.templates_action.setEnabled(False)
        self.quit_action = QAction("&Quit", window)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(signals.close)
        file_menu = self.file_menu
        file_menu.addAction(self.open_action)
        self.recent_menu: QMenu = file_menu.addMenu("Open &recent")
        self.recent_menu.setToolTipsVisible(True)
        file_menu.addAction(self.demo_action)
        self.file_workspace_separator = file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.import_history_action)
        file_menu.addAction(self.watch_folder_action)
        file_menu.addSeparator()
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.settings_action)
        file_menu.addAction(self.templates_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        # Edit: Undo (the window adds it with the history it undoes).
        self.edit_menu: QMenu = bar.addMenu("&Edit")
        self.view_menu: QMenu = bar.addMenu("&View")
        theme_menu = self.view_menu.addMenu("&Theme")
        self.theme_actions: dict[ThemeMode, QAction] = {}
        group = QActionGroup(window)
        group.setExclusive(True)
        for mode, label in (
            (ThemeMode.SYSTEM, "&System"),
            (ThemeMode.LIGHT, "&Light"),
            (ThemeMode.DARK, "&Dark"),
        ):
            action = QAction(label, window, checkable=True)
            action.setData(mode.value)
            action.setChecked(mode is theme_mode)
            action.triggered.connect(lambda _checked=False, m=mode: on_theme(m))
            group.addAction(action)
            theme_menu.addAction(action)
            self.theme_actions[mode] = action
        self.view_menu.addSeparator()
        # View ▸ <tab> for each tab, added here by the window (views/shell/tab_screen.py).
        self.tab_actions: list[QAction] = []
        self.tabs_separator = self.view_menu.addSeparator()
        self.find_action = QAction("&Find", window)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(on_find)
        self.view_menu.addAction(self.find_action)

        self.scoring_menu: QMenu = bar.addMenu("&Scoring")
        self.score_action = QAction("&Score now…", window)
        self.score_action.setShortcut(QKeySequence("Ctrl+R"))
        self.score_action.setToolTip("Score every customer: churn risk, value, health, segment")
        self.score_action.triggered.connect(signals.score_requested)
        self.model_report_action = QAction("&Model report…", window)
        self.model_report_action.triggered.connect(signals.model_report_requested)
        for action in (self.score_action, self.model_report_action):
            action.setEnabled(False)
            self.scoring_menu.addAction(action)

        # Email: the batches of drafts (Draft for all… starts one from the alert list).
        self.email_menu: QMenu = bar.addMenu("E&mail")
        self.review_drafts_action = QAction("&Review drafts…", window)
        self.review_drafts_action.setToolTip("Reopen the latest batch of drafts not yet finished")
        self.email_menu.addAction(self.review_drafts_action)

        self.help_menu: QMenu = bar.addMenu("&Help")
        self.about_action = QAction("&About Account Radar", window)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(lambda: show_about(window))
        self.shortcuts_action = QAction("&Keyboard shortcuts", window)
        self.shortcuts_action.setShortcuts([QKeySequence("F1"), QKeySequence("?")])
        self.shortcuts_action.triggered.connect(signals.show_shortcut_sheet)
        self.help_menu.addAction(self.shortcuts_action)
        self.help_menu.addAction(self.about_action)

    def add_tab_action(
        self,
        window: QWidget,
        label: str,
        index: int,
        on_tab: Callable[[int], None],
        shortcut: str | None = None,
    ) -> QAction:
        """View ▸ <tab> with ``shortcut`` (by default Ctrl+<index + 1>), after the tabs
        already listed."""
        action = QAction(label, window)
        action.setShortcut(QKeySequence(shortcut or f"Ctrl+{index + 1}"))
        action.triggered.connect(lambda _c=False, i=index: on_tab(i))
        before = getattr(self, "tabs_separator", None)
        if before is not None:
            self.view_menu.insertAction(before, action)
        else:
            self.view_menu.addAction(action)
        self.tab_actions.append(action)
        return action

    def offer_team_work(self, is_open: bool, team_role: str | None, scoring: bool) -> None:
        """Import, Watch a folder and Score now: offered on an open workspace, except to an
        account manager of a shared one (they change the whole team's workspace, and the
        database refuses them) and in an offline copy (customer data comes from the
        server): the tooltip says why. Score now not while a scoring runs."""
        refusal = NO_TEAM_WORK.get(team_role or "")
        for action, tip in (
            (self.import_action, "Bring in a CRM or shop export"),
            (self.watch_folder_action, "Import new exports from a folder as they arrive"),
            (self.score_action, "Score every customer: churn risk, value, health, segment"),
        ):
            busy = action is self.score_action and scoring
            action.setEnabled(is_open and refusal is None and not busy)
            action.setToolTip(refusal or tip)

    def set_recent(
        self,
        entries: Sequence[tuple[str, bool]],
        open_one: Callable[[str], None],
        forget_missing: Callable[[], None],
    ) -> None:
        """File ▸ Open recent: each workspace file (path, whether it still exists), a
        missing one greyed; and "Remove missing files from the list" when there are any."""
        menu = self.recent_menu
        menu.clear()
        for path, present in entries:
            file = Path(path)
            action = menu.addAction(f"{file.name}   ({file.parent})")
            action.setToolTip(path if present else f"{path}: not found (moved or deleted)")
            action.setEnabled(present)
            if not present:
                action.setText(f"{file.name}   (missing)")
            action.triggered.connect(lambda _checked=False, p=path: open_one(p))
        if not entries:
            none = menu.addAction("No other workspace opened yet")
            none.setEnabled(False)
        if any(not present for _path, present in entries):
            menu.addSeparator()
            menu.addAction("Remove missing files from the list").triggered.connect(forget_missing)


def show_about(parent: QWidget) -> None:
    """Help ▸ About Account Radar: the version and the bundled packages' licences."""
    from services.core.licences import bundled_licences
    from views.about.dialog import AboutDialog

    dialog = AboutDialog(bundled_licences(), parent)
    run_dialog(dialog)
