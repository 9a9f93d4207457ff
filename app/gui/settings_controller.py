"""File ▸ Settings…: read the workspace settings, show the dialog, save what changed.

The settings schema (services/settings/__init__.py) declares every setting once, with its
type, bounds, choices, unit, group and help; this module turns the ones a user edits
(alert rules, the daily cap, the quiet period, score weights and horizon, email
drafting and sending) into the dialog's plain field descriptions, and saves through
``set_settings`` in one transaction, audited and versioned. Reads and writes run on the
database worker.

The API key and the SMTP password typed in the dialog are never settings: on Save they
go to the system keyring (app/gui/email_settings.py ``store_secrets``, on the network
pool), before the settings are written; a key the keyring refuses is reported to the
error presenter in plain words and the settings are saved all the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QWidget

from app.gui.email_settings import (
    FIELD_LABELS,
    SECURITY_LABELS,
    EmailSettingsActions,
    preset_title,
    store_secrets,
)
from app.workspace import Workspace
from views.kit.jobs import JobRunner
from views.settings.dialog import SettingField, SettingsDialog
from views.settings.email_pages import EmailSettingsSource

EDITED_PREFIXES = ("alerts.", "scoring.horizon_days", "scoring.engagement_weights",
                   "scoring.health_weights", "llm.", "outreach.", "smtp.",
                   "workspace.home_currency", "workspace.exchange_rates",
                   "workspace.time_zone", "learn.", "ask.", "escalation.",
                   "listen.reason_count")  # fmt: skip
# Money settings change every money figure: the customer totals are recomputed on save.
MONEY_KEYS = ("workspace.home_currency", "workspace.exchange_rates")
MONEY_SAVED_MESSAGE = (
    "Settings saved; customer totals are now in {home}. Re-score (Ctrl+R) to put the "
    "scores and alerts in it too."
)
# Kept by the app itself (which providers' requests the user has reviewed), or edited
# elsewhere (the template library has its own editor).
HIDDEN_KEYS = ("llm.reviewed_remote", "outreach.templates", "learn.holdout_draws", "ask.saved")
SAVED_MESSAGE = "Settings saved; they apply from the next scoring (Ctrl+R)."
EMAIL_SAVED_MESSAGE = "Settings saved."
SCORING_PREFIXES = ("alerts.", "scoring.")

# The Email drafting page reads top to bottom: who writes, what may be sent to them,
# what they write. Keys not listed keep the schema's order after these.
EMAIL_ORDER = (
    "llm.preset", "llm.base_url", "llm.model", "llm.temperature", "llm.timeout_s",
    "llm.azure_api_version", "llm.allow_cloud", "outreach.sent_fields", "outreach.default_tone",
    "outreach.max_words", "outreach.brand_voice", "outreach.signature",
    "outreach.sender_name", "outreach.incentive_cap_percent", "outreach.team_domains",
)  # fmt: skip
SECTIONS = {"llm.": "Who writes the drafts", "outreach.sent_fields": "Privacy",
            "outreach.": "What the drafts say"}  # fmt: skip
KIND_OVERRIDES = {"llm.model": "suggest", "outreach.brand_voice": "multiline",
                  "outreach.signature": "multiline", "outreach.sent_fields": "fields",
                  "workspace.exchange_rates": "rates"}  # fmt: skip
PLACEHOLDERS = {
    "outreach.brand_voice": "e.g. plain and warm, no exclamation marks, first names only",
    "outreach.signature": "Best regards,\n{owner}\nAcme Outdoor",
    "outreach.sender_name": "e.g. Ana Lopez",
    "outreach.team_domains": "e.g. example.com, shop.example.com",
    "smtp.host": "e.g. smtp.office365.com",
    "smtp.user": "e.g. ana.lopez@example.com",
    "smtp.from_address": "e.g. Ana Lopez <ana.lopez@example.com>",
    "llm.azure_api_version": "e.g. 2024-10-21",
    "workspace.home_currency": "e.g. USD",
    "workspace.exchange_rates": "e.g. EUR=1.08, GBP=1.27",
    "workspace.time_zone": "this computer's zone; or e.g. America/New_York",
}

ShowFn = Callable[[SettingsDialog], bool]


def _section(key: str) -> str:
    return next((name for prefix, name in SECTIONS.items() if key.startswith(prefix)), "")


def _choices(key: str, spec_choices: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The allowed values of a setting and what the dialog calls them."""
    if key == "outreach.sent_fields":
        from services.settings import PRIVACY_FIELDS

        return PRIVACY_FIELDS, tuple(FIELD_LABELS.get(f, f) for f in PRIVACY_FIELDS)
    if key == "llm.preset":
        return spec_choices, tuple(preset_title(c) for c in spec_choices)
    if key == "smtp.security":
        return spec_choices, tuple(SECURITY_LABELS.get(c, c) for c in spec_choices)
    return spec_choices, ()


def setting_fields() -> list[SettingField]:  # noqa: C901
    """The settings a user edits, as the dialog's field descriptions."""
    from services.core.policy import current_policy
    from services.settings import SETTINGS

    policy = current_policy()
    fields = []
    for key, spec in SETTINGS.items():
        if not key.startswith(EDITED_PREFIXES) or key in HIDDEN_KEYS:
            continue
        kind_of = spec.type if isinstance(spec.type, tuple) else (spec.type,)
        choices, labels = _choices(key, tuple(spec.choices))
        if key in KIND_OVERRIDES:
            kind = KIND_OVERRIDES[key]
        elif spec.choices:
            kind = "choice"
        elif str in kind_of:
            kind = "text"
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
                default=policy.defaults.get(key, spec.default),
                unit=spec.unit,
                minimum=spec.minimum,
                maximum=spec.maximum,
                choices=choices,
                help=help_text,
                components=tuple(spec.default) if kind == "weights" else (),
                choice_labels=labels,
                section=_section(key) if spec.group == "Email drafting" else "",
                placeholder=PLACEHOLDERS.get(key, ""),
                locked=key in policy.locked,
            )
        )

    # The general alert settings first, then each rule, then email drafting and sending
    # (the schema's order of groups), then the scores; the email drafting page in its
    # reading order.
    groups: list[str] = []
    for f in fields:
        if f.group not in groups:
            groups.append(f.group)

    def order(f: SettingField) -> tuple[bool, bool, int, int]:
        place = EMAIL_ORDER.index(f.key) if f.key in EMAIL_ORDER else len(EMAIL_ORDER)
        return (f.group == "Scores", f.group != "Alerts", groups.index(f.group), place)

    return sorted(fields, key=order)


def validate(key: str, value: Any) -> str | None:
    from services.core.money import parse_rates
    from services.settings import validate_setting

    if key == "workspace.exchange_rates" and isinstance(value, str):
        # The dialog hands back the text it could not read as CODE=RATE pairs.
        try:
            parse_rates(value)
        except ValueError as exc:
            return f"'Exchange rates': {exc}."
    return validate_setting(key, value)


def read_settings(workspace: Workspace) -> dict[str, Any]:
    from services.settings import all_settings

    with workspace.sessions() as session:
        return all_settings(session)


def save_settings(workspace: Workspace, changes: dict[str, Any], actor: str) -> None:
    from services.core.rollups import refresh_rollups
    from services.settings import set_settings

    if isinstance(changes.get("workspace.home_currency"), str):
        changes = {**changes, "workspace.home_currency": changes["workspace.home_currency"].upper()}
    with workspace.sessions() as session, session.begin():
        set_settings(session, changes, actor=actor)
        if any(key in MONEY_KEYS for key in changes):
            # Customer totals are sums in the home currency: recompute them now.
            refresh_rollups(session)


def _show_modal(dialog: SettingsDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


class SettingsController(QObject):
    """Opens the Settings dialog for the open workspace and saves its changes.

    Signals:
        settings_saved(keys): settings were stored (the alerts may need a new scoring).
        secrets_stored(words): typed secrets were stored in the keyring ("API key").
    """

    settings_saved = Signal(list)
    secrets_stored = Signal(list)

    def __init__(
        self,
        jobs: JobRunner,
        window: QWidget,
        workspace: Callable[[], Workspace | None],
        *,
        user: Callable[[], str],
        show: ShowFn = _show_modal,
        status: Callable[[str], None] | None = None,
        email: EmailSettingsSource | None = None,
    ) -> None:
        super().__init__(window)
        self._jobs = jobs
        self._window = window
        self._workspace = workspace
        self._user = user
        self._show = show
        self._status = status
        # List models, Test connection and the keyring, for the email pages.
        self._email = email if email is not None else EmailSettingsActions(jobs)
        self.dialog: SettingsDialog | None = None

    def open(self, page: str | None = None) -> None:
        """Open the dialog (on ``page``, a group such as "Email drafting", if given)."""
        workspace = self._workspace()
        if workspace is None:
            return
        (
            self._jobs.operation(
                lambda _state: read_settings(workspace), parent=self, label="read settings"
            )
            .success(lambda values: self._on_read(workspace, values, page))
            .run()
        )

    def _on_read(
        self, workspace: Workspace, values: dict[str, Any], page: str | None = None
    ) -> None:
        dialog = SettingsDialog(setting_fields(), values, validate, self._window, email=self._email)
        if page in dialog.group_names:
            dialog.show_group_named(page)
        self.dialog = dialog
        try:
            if not self._show(dialog):
                return
            changes = dialog.changes()
            secrets = dialog.pending_secrets()
            current = dialog.values()
        finally:
            self.dialog = None
            dialog.deleteLater()
        if secrets:
            # The keyring first: a refused key is reported, and the settings still saved.
            stored: list[str] = []
            (
                self._jobs.operation(
                    lambda _state: store_secrets(current, secrets),
                    parent=self,
                    pool="work",
                    label="store secrets in the keyring",
                )
                .success(stored.extend)
                .finished(lambda: self._save(workspace, changes, stored))
                .run()
            )
        else:
            self._save(workspace, changes, [])

    def _save(self, workspace: Workspace, changes: dict[str, Any], stored: list[str]) -> None:
        if stored:
            self.secrets_stored.emit(list(stored))
        if not changes:
            if stored:
                self._say(f"{' and '.join(stored)} stored in the system keyring.")
            return
        actor = self._user()
        (
            self._jobs.operation(
                lambda _state: save_settings(workspace, changes, actor),
                parent=self,
                label="save settings",
            )
            .success(lambda _r: self._on_saved(list(changes), stored))
            .run()
        )

    def _on_saved(self, keys: list[str], stored: list[str] | None = None) -> None:
        scoring = any(k.startswith(SCORING_PREFIXES) for k in keys)
        message = SAVED_MESSAGE if scoring else EMAIL_SAVED_MESSAGE
        if any(k in MONEY_KEYS for k in keys):
            workspace = self._workspace()
            home = self._home_text(workspace) if workspace is not None else "the home currency"
            message = MONEY_SAVED_MESSAGE.format(home=home)
        if stored:
            message += f" {' and '.join(stored)} stored in the system keyring."
        self._say(message)
        self.settings_saved.emit(keys)

    @staticmethod
    def _home_text(workspace: Workspace) -> str:
        from services.core.money import load_money_context

        with workspace.sessions() as session:
            return load_money_context(session).home

    def _say(self, text: str) -> None:
        if self._status is not None:
            self._status(text)
