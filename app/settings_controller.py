"""File ▸ Settings…: read the workspace settings, show the dialog, save what changed.

The settings schema (services/settings.py) declares every setting once, with its
type, bounds, choices, unit, group and help; this module turns the ones a user edits
(alert rules, the daily cap, the quiet period, score weights and horizon) into the
dialog's plain field descriptions, and saves through ``set_settings`` in one
transaction, audited and versioned. Reads and writes run on the database worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QWidget

from app.jobs import JobRunner
from app.workspace import Workspace
from views.settings_dialog import SettingField, SettingsDialog

EDITED_PREFIXES = ("alerts.", "scoring.horizon_days", "scoring.engagement_weights",
                   "scoring.health_weights")  # fmt: skip
SAVED_MESSAGE = "Settings saved; they apply from the next scoring (Ctrl+R)."

ShowFn = Callable[[SettingsDialog], bool]


def setting_fields() -> list[SettingField]:
    """The settings a user edits, as the dialog's field descriptions."""
    from services.settings import SETTINGS

    fields = []
    for key, spec in SETTINGS.items():
        if not key.startswith(EDITED_PREFIXES):
            continue
        kind_of = spec.type if isinstance(spec.type, tuple) else (spec.type,)
        if spec.choices:
            kind = "choice"
        elif bool in kind_of:
            kind = "bool"
        elif dict in kind_of:
            kind = "weights"
        elif list in kind_of:
            kind = "list"
        elif float in kind_of:
            kind = "float"
        else:
            kind = "int"
        group = "Scores" if key.startswith("scoring.") else spec.group or "Alerts"
        title, help_text = spec.title, spec.help
        if not help_text:
            # The scoring settings' titles are sentences: "Title: what it does".
            for mark in (" (", ": ", "; "):
                if mark in title:
                    head, tail = title.split(mark, 1)
                    title = head
                    help_text = (tail.rstrip(")") if mark == " (" else tail).capitalize() + "."
                    break
        fields.append(
            SettingField(
                key=key,
                title=title,
                group=group,
                kind=kind,
                default=spec.default,
                unit=spec.unit,
                minimum=spec.minimum,
                maximum=spec.maximum,
                choices=tuple(spec.choices),
                help=help_text,
                components=tuple(spec.default) if kind == "weights" else (),
            )
        )
    # The general alert settings first, then each rule, then the scores.
    return sorted(fields, key=lambda f: (f.group == "Scores", f.group != "Alerts"))


def validate(key: str, value: Any) -> str | None:
    from services.settings import validate_setting

    return validate_setting(key, value)


def read_settings(workspace: Workspace) -> dict[str, Any]:
    from services.settings import all_settings

    with workspace.sessions() as session:
        return all_settings(session)


def save_settings(workspace: Workspace, changes: dict[str, Any], actor: str) -> None:
    from services.settings import set_settings

    with workspace.sessions() as session, session.begin():
        set_settings(session, changes, actor=actor)


def _show_modal(dialog: SettingsDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


class SettingsController(QObject):
    """Opens the Settings dialog for the open workspace and saves its changes.

    Signals:
        settings_saved(keys): settings were stored (the alerts may need a new scoring).
    """

    settings_saved = Signal(list)

    def __init__(
        self,
        jobs: JobRunner,
        window: QWidget,
        workspace: Callable[[], Workspace | None],
        *,
        user: Callable[[], str],
        show: ShowFn = _show_modal,
        status: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(window)
        self._jobs = jobs
        self._window = window
        self._workspace = workspace
        self._user = user
        self._show = show
        self._status = status
        self.dialog: SettingsDialog | None = None

    def open(self) -> None:
        workspace = self._workspace()
        if workspace is None:
            return
        (
            self._jobs.operation(
                lambda _state: read_settings(workspace), parent=self, label="read settings"
            )
            .success(lambda values: self._on_read(workspace, values))
            .run()
        )

    def _on_read(self, workspace: Workspace, values: dict[str, Any]) -> None:
        dialog = SettingsDialog(setting_fields(), values, validate, self._window)
        self.dialog = dialog
        try:
            if not self._show(dialog):
                return
            changes = dialog.changes()
        finally:
            self.dialog = None
            dialog.deleteLater()
        if not changes:
            return
        actor = self._user()
        (
            self._jobs.operation(
                lambda _state: save_settings(workspace, changes, actor),
                parent=self,
                label="save settings",
            )
            .success(lambda _r: self._on_saved(list(changes)))
            .run()
        )

    def _on_saved(self, keys: list[str]) -> None:
        if self._status is not None:
            self._status(SAVED_MESSAGE)
        self.settings_saved.emit(keys)
