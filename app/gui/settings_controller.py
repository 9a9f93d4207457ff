"""File ▸ Settings…: read the workspace settings, show the dialog, save what changed.

The settings schema (services/settings/) declares every setting once, with its type,
bounds, choices, unit, group and help, and how this dialog shows it: hidden or not, its
page, section, order, kind of editor and placeholder, and what saving it means
(services/core/setting_spec.py). This module turns the ones a user edits (alert rules,
the daily cap, the quiet period, score weights and horizon, email drafting and sending)
into the dialog's plain field descriptions, and saves through ``set_settings`` in one
transaction, audited and versioned. Reads and writes run on the database worker.

The API key and the SMTP password typed in the dialog are never settings: on Save they
go to the system keyring (app/gui/email_settings.py ``store_secrets``, on the network
pool), before the settings are written; a key the keyring refuses is reported to the
error presenter in plain words and the settings are saved all the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog

from app.gui.context import GuiContext, WindowContext
from app.gui.email_settings import (
    FIELD_LABELS,
    SECURITY_LABELS,
    EmailSettingsActions,
    preset_title,
    store_secrets,
)
from app.gui.notify_settings import NotifySettingsActions
from app.workspace import Workspace
from services.core.setting_spec import Applies, SettingSpec
from views.settings.dialog import SettingField, SettingsDialog
from views.settings.email_pages import EmailSettingsSource
from views.settings.notify_page import NotifySettingsSource
from views.settings.segment_page import PAGE_TITLE, SegmentColumn, SegmentPage, SegmentPageData

if TYPE_CHECKING:
    from services.core.policy import Policy
    from services.segment_policy import RuleOwners
    from views.kit.undo import UndoHistory

MONEY_SAVED_MESSAGE = (
    "Settings saved; customer totals are now in {home}. Re-score (Ctrl+R) to put the "
    "scores and alerts in it too."
)
SAVED_MESSAGE = "Settings saved; they apply from the next scoring (Ctrl+R)."
EMAIL_SAVED_MESSAGE = "Settings saved."
# The general alert settings come first and the scores last; the other pages in the
# order their first setting is declared.
FIRST_PAGE, LAST_PAGE = "Alerts", "Scores"

ShowFn = Callable[[SettingsDialog], bool]
RULES_KEY = "segments.rules"  # Settings ▸ Per segment (services/settings/segments.py)


def _choices(key: str, spec_choices: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The allowed values of a setting and what the dialog calls them."""
    if key == "outreach.sent_fields":
        from services.settings import PRIVACY_FIELDS

        return PRIVACY_FIELDS, tuple(FIELD_LABELS.get(f, f) for f in PRIVACY_FIELDS)
    if key == "llm.preset":
        return spec_choices, tuple(preset_title(c) for c in spec_choices)
    if key == "smtp.security":
        return spec_choices, tuple(SECURITY_LABELS.get(c, c) for c in spec_choices)
    if key == "notify.service":
        from services.settings.notify import SERVICE_LABELS

        return spec_choices, SERVICE_LABELS
    return spec_choices, ()


def _title_and_help(spec: SettingSpec) -> tuple[str, str]:
    """The field's title and its sentence of help; the scoring settings' titles are
    sentences, "Title: what it does", and give both."""
    if spec.help:
        return spec.title, spec.help
    for mark in (" (", ": ", "; "):
        if mark in spec.title:
            head, tail = spec.title.split(mark, 1)
            return head, (tail.rstrip(")") if mark == " (" else tail).capitalize() + "."
    return spec.title, ""


def _field(spec: SettingSpec, policy: Policy) -> SettingField:
    choices, labels = _choices(spec.key, tuple(spec.choices))
    title, help_text = _title_and_help(spec)
    return SettingField(
        key=spec.key,
        title=title,
        group=spec.page,
        kind=spec.kind,
        default=policy.defaults.get(spec.key, spec.default),
        unit=spec.unit,
        minimum=spec.minimum,
        maximum=spec.maximum,
        choices=choices,
        help=help_text,
        components=tuple(spec.default) if spec.kind == "weights" else (),
        choice_labels=labels,
        section=spec.section,
        placeholder=spec.placeholder,
        locked=spec.key in policy.locked,
        personal=spec.scope == "personal",
    )


def setting_fields() -> list[SettingField]:
    """The settings a user edits (every declaration that is not ``hidden``), as the
    dialog's field descriptions: page by page, each page in its settings' ``order``."""
    from services.core.policy import current_policy
    from services.settings import SETTINGS

    shown = [spec for spec in SETTINGS.values() if not spec.hidden]
    pages = list(dict.fromkeys(spec.page for spec in shown))

    def place(spec: SettingSpec) -> tuple[bool, bool, int, int]:
        page = spec.page
        return (page == LAST_PAGE, page != FIRST_PAGE, pages.index(page), spec.order)

    policy = current_policy()
    return [_field(spec, policy) for spec in sorted(shown, key=place)]


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
    from services.alerts.config import worth_values
    from services.settings import all_settings

    with workspace.sessions() as session:
        # The lapse warnings' floor and weight as the alerts use them: the last replay's
        # choice when no one set them.
        return {**all_settings(session), **worth_values(session)}


def read_setting_notes(workspace: Workspace) -> dict[str, str]:
    """What a setting's help adds from the workspace's own figures: beside each
    relationship rule's precision level, the precision its signal was measured at; beside
    the conversation risks' level, each kind's precision on the listening corpus; under
    the competitors, the vendors customers named that are not on the list yet."""
    from services.alerts.signal_proofs import setting_notes
    from services.conversations.competitor_names import offer_words, seen_names
    from services.listen.proven_risks import precision_note

    with workspace.sessions() as session:
        notes = setting_notes(session)
        notes["alerts.conversation_risk.min_precision_percent"] = precision_note(session)
        offered = offer_words(seen_names(session))
        if offered:
            notes["listen.competitors"] = offered + " (type a name into the list to add it)."
        return notes


def read_segment_page(workspace: Workspace) -> SegmentPageData:
    """What Settings ▸ Per segment shows: the rules, the names to suggest, the settings a
    segment may override with how each is edited, and IT's locks."""
    from services.outreach.records import TONE_LABELS
    from services.segment_policy import known_names, read_table
    from services.settings import get_setting
    from services.settings.playbooks import BUILT_IN, parse_custom
    from services.settings.segments import SEGMENT_KEYS, SEGMENT_KINDS, stage_label
    from services.settings.views import PlaybookSettings

    with workspace.sessions() as session:
        table = read_table(session)
        current = {key: get_setting(session, key) for key in SEGMENT_KEYS}
        names = known_names(session)
        try:
            own = parse_custom(PlaybookSettings.read(session).custom)
        except ValueError:
            own = ()
    playbooks = (("", "None"), *((p.key, p.name) for p in (*BUILT_IN, *own)))
    kinds = {"outreach.default_tone": "choice", "playbooks.suggested": "choice",
             "alerts.unassigned_owner": "text"}  # fmt: skip
    choices = {
        "outreach.default_tone": tuple(TONE_LABELS.items()),
        "playbooks.suggested": playbooks,
    }
    columns = tuple(
        SegmentColumn(
            key,
            title,
            kinds.get(key, "percent"),
            choices.get(key, ()),
            locked=table.key_locks.get(key, ""),
            workspace=current[key],
        )
        for key, title in SEGMENT_KEYS.items()
    )
    return SegmentPageData(
        # A lifecycle stage shown by its label ("At risk"), as its names are offered.
        rules=tuple(
            {**r.as_value(), "name": stage_label(r.name)} if r.kind == "stage" else r.as_value()
            for r in table.rules
        ),
        kinds=tuple(SEGMENT_KINDS.items()),
        columns=columns,
        names=names,
        table_lock=table.table_lock,
    )


def validate_rules(rules: list[dict[str, Any]]) -> str | None:
    """What is wrong with the Per segment page's rules (the setting's own check)."""
    from services.settings import validate_setting

    return validate_setting(RULES_KEY, rules)


def save_settings(workspace: Workspace, changes: dict[str, Any], actor: str) -> RuleOwners:
    """Store the changes in one transaction; after a change of Per segment, the customers
    without an owner take their segment's (returned, for Undo)."""
    from services.core.rollups import refresh_rollups
    from services.segment_policy import RuleOwners, give_rule_owners, replace_rules
    from services.settings import normalised, set_settings

    changes = dict(normalised(changes))  # a copy: the caller names what was saved
    rules = changes.pop(RULES_KEY, None)
    given = RuleOwners()
    with workspace.sessions() as session, session.begin():
        if rules is not None:  # Per segment: through the service the command line uses
            replace_rules(session, rules, actor=actor)
        set_settings(session, changes, actor=actor)
        if "money" in _applies(changes):
            # Customer totals are sums in the home currency: recompute them now.
            refresh_rollups(session)
        if rules is not None:
            session.flush()
            given = give_rule_owners(session, None, actor=actor)
    return given


def _applies(keys: Iterable[str]) -> set[Applies]:
    """What saving these settings means (their declarations' ``applies``)."""
    from services.settings import SETTINGS

    return {SETTINGS[key].applies for key in keys if key in SETTINGS}


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
        context: WindowContext,
        *,
        user: Callable[[], str],
        show: ShowFn = _show_modal,
        status: Callable[[str], None] | None = None,
        email: EmailSettingsSource | None = None,
        notify: NotifySettingsSource | None = None,
        undo: UndoHistory | None = None,
    ) -> None:
        jobs, window = context.jobs, context.window
        super().__init__(window)
        self._jobs = jobs
        self._window = window
        self._workspace = context.workspace
        self._user = user
        self._show = show
        self._status = status
        # List models, Test connection and the keyring, for the email pages.
        self._email = email if email is not None else EmailSettingsActions(jobs)
        self._notify = notify
        # Where the owners a segment rule gave are remembered for Ctrl+Z.
        self._undo = undo
        self.dialog: SettingsDialog | None = None

    def open(self, page: str | None = None) -> None:
        """Open the dialog (on ``page``, a group such as "Email drafting", if given)."""
        workspace = self._workspace()
        if workspace is None:
            return
        waiting = self._jobs.waiting_for()
        if waiting:  # the read queues behind it on the database worker: say so
            self._say(f"Waiting for {waiting} to finish; Settings opens then.")
        (
            self._jobs.operation(
                lambda _state: (
                    read_settings(workspace),
                    read_segment_page(workspace),
                    read_setting_notes(workspace),
                ),
                parent=self,
                label="read settings",
            )
            .success(lambda read: self._on_read(workspace, read[0], page, read[1], read[2]))
            .run()
        )

    def _on_read(
        self,
        workspace: Workspace,
        values: dict[str, Any],
        page: str | None = None,
        segments: SegmentPageData | None = None,
        notes: dict[str, str] | None = None,
    ) -> None:
        fields = [
            dataclasses.replace(f, help=f"{f.help}\n{notes[f.key]}") if notes and f.key in notes
            else f
            for f in setting_fields()
        ]  # fmt: skip
        dialog = SettingsDialog(
            fields, values, validate, self._window, email=self._email, notify=self._notify,
        )  # fmt: skip
        if segments is not None:
            dialog.add_page(PAGE_TITLE, SegmentPage(segments, validate_rules, dialog), RULES_KEY)
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
        # Whether the saved rules name an owner: a save that gave nobody one says why.
        owners = any(
            "alerts.unassigned_owner" in dict(rule.get("values") or {})
            for rule in changes.get(RULES_KEY) or ()
            if isinstance(rule, dict)
        )
        (
            self._jobs.operation(
                lambda _state: save_settings(workspace, changes, actor),
                parent=self,
                label="save settings",
            )
            .success(lambda given: self._on_saved(list(changes), stored, given, owners))
            .run()
        )

    def _on_saved(
        self,
        keys: list[str],
        stored: list[str] | None = None,
        given: RuleOwners | None = None,
        owners: bool = False,
    ) -> None:
        applies = _applies(keys)
        message = SAVED_MESSAGE if "next_scoring" in applies else EMAIL_SAVED_MESSAGE
        if "money" in applies:
            workspace = self._workspace()
            home = self._home_text(workspace) if workspace is not None else "the home currency"
            message = MONEY_SAVED_MESSAGE.format(home=home)
        if stored:
            message += f" {' and '.join(stored)} stored in the system keyring."
        if given is not None and given.count:
            message += f" {given.words()[:1].upper()}{given.words()[1:]} (Ctrl+Z takes it back)."
            self._remember(given)
        elif owners:
            message += (
                " No customer took a segment's owner: every customer of those segments "
                "has an owner already, or was left without one on purpose (an owner is "
                "never replaced)."
            )
        self._say(message)
        self.settings_saved.emit(keys)

    def _remember(self, given: RuleOwners) -> None:
        """Ctrl+Z puts the owners a segment rule just gave back to none."""
        from services.usecases.owners import undoable

        change = undoable(given)
        if change is not None and self._undo is not None:
            self._undo.push(change, lambda: None)  # the lists follow owners_changed

    @staticmethod
    def _home_text(workspace: Workspace) -> str:
        from services.core.money import load_money_context

        with workspace.sessions() as session:
            return load_money_context(session).home

    def _say(self, text: str) -> None:
        if self._status is not None:
            self._status(text)


def install(ctx: GuiContext) -> SettingsController:
    """File ▸ Settings…: alert rules, cap, quiet period, score weights; also a Results
    section's Settings page (Return's "Costs…"). What is saved is told to the application
    (``ctx.settings_saved``), and a provider saved is the one every tab uses at once: Ask
    says so now, not when its tab is next shown (the composer reads it each time it opens).
    """
    window = ctx.window
    controller = SettingsController(
        ctx,
        user=ctx.user,
        status=lambda text: window.statusBar().showMessage(text, 15_000),
        # The test email goes from (and to) the user's own address when none is set.
        email=EmailSettingsActions(ctx.jobs, own_address=ctx.own_address),
        notify=NotifySettingsActions(ctx.jobs, ctx.workspace),
        undo=window.undo_history,
    )
    window.settings_requested.connect(controller.open)
    window.results.settings_requested.connect(controller.open)
    controller.settings_saved.connect(ctx.settings_saved)

    def on_settings_saved(keys: list[str]) -> None:
        if any(key.startswith("llm.") for key in keys):
            window.ask.reload_provider()
        if any(key.startswith(("retention.", "learn.")) for key in keys):
            window.results.mark_stale()  # Retention's and Return's figures read them

    controller.settings_saved.connect(on_settings_saved)
    controller.secrets_stored.connect(lambda _names: window.ask.reload_provider())
    return controller
