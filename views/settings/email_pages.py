"""The tools of Settings ▸ Email drafting and Settings ▸ Sending email, beyond plain fields.

The settings dialog builds both pages from field descriptions; this module adds what a
person setting up a provider needs without reading docs:

- choosing a provider fills in its address (unless the user typed their own);
- "List models" asks the server for its models and fills the model box;
- the API key box (typed keys go to the system keyring on Save, never into the
  workspace), where the current key comes from, and "Use for this session only" when
  there is no keyring;
- "Test connection", with the plain result next to the button;
- on the sending page, the SMTP password box with the same keyring handling.

Everything slow (the network, the keyring) goes through an ``EmailSettingsSource`` that
app/ implements on its workers; this module only holds widgets and plain values. Of the
dialog the pages know only a ``SettingsForm`` (views/settings/dialog.py is one): its
fields' editors and blocks, where to add a widget, and the values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from views.kit.accessibility import name_field
from views.kit.confirm import ask_yes_cancel

SecretKind = Literal["api_key", "smtp_password"]
ProviderKindName = Literal["none", "openai", "azure", "local"]
Tone = Literal["muted", "positive", "warning", "critical"]

# What choosing a security mode suggests for the port, when the port is another
# mode's usual one (a port the user chose themselves is kept).
USUAL_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class ProviderChoice:
    """One entry of the Provider box, as the page needs it."""

    id: str
    title: str
    kind: ProviderKindName
    base_url: str  # what choosing it puts in the Base URL box ("" leaves it empty)
    url_hint: str = ""  # the grey hint of an empty Base URL box


@dataclass(frozen=True)
class CheckOutcome:
    """The answer to List models or Test connection, in plain words.

    ``ok`` False: it failed (``text`` says why and what to do). ``models``: what the
    server listed (List models only).
    """

    ok: bool
    text: str
    models: tuple[str, ...] = ()


@dataclass(frozen=True)
class SecretState:
    """Where a secret currently comes from, never the secret itself.

    ``source``: "keyring", "session", "environment" or "none"; ``text`` says it in a
    sentence; ``problem`` is set when there is no usable system keyring (in plain words,
    with what to do instead); ``optional``: the server works without one (a server on
    this computer), so the keyring problem only matters once a key is typed.
    """

    source: str
    text: str
    problem: str | None = None
    optional: bool = False


class EmailSettingsSource(Protocol):
    """What the email pages ask of the app; callbacks run on the UI thread.

    ``owner`` is the widget asking: when it is gone, the answer is dropped.
    """

    def providers(self) -> Sequence[ProviderChoice]:
        """The Provider box's entries, in the order of the box."""
        ...

    def key_note(self, values: Mapping[str, Any]) -> str:
        """A sentence on whether the provider in ``values`` needs a key (instant)."""
        ...

    def key_warning(self, values: Mapping[str, Any]) -> str:
        """A warning when the key would go to a host that is not the provider's own
        (instant); "" when there is nothing to warn of."""
        ...

    def list_models(
        self,
        values: Mapping[str, Any],
        api_key: str,
        owner: QObject,
        done: Callable[[CheckOutcome], None],
    ) -> None:
        """Ask the server in ``values`` for its models (``api_key``: typed, or "")."""
        ...

    def test_connection(
        self,
        values: Mapping[str, Any],
        api_key: str,
        owner: QObject,
        done: Callable[[CheckOutcome], None],
    ) -> None:
        """Check the server, the key and the model in ``values`` with a tiny request."""
        ...

    def secret_state(
        self,
        what: SecretKind,
        values: Mapping[str, Any],
        owner: QObject,
        done: Callable[[SecretState], None],
    ) -> None:
        """Find where the API key or the SMTP password for ``values`` comes from."""
        ...

    def use_for_session(self, what: SecretKind, values: Mapping[str, Any], secret: str) -> None:
        """Hold a secret for this session only (at once; nothing is written anywhere)."""
        ...

    def send_test_email(
        self,
        values: Mapping[str, Any],
        password: str,
        owner: QObject,
        done: Callable[[CheckOutcome], None],
    ) -> None:
        """Send a short email to the From address with the SMTP settings in ``values``
        (``password``: typed, or "" for the stored one)."""
        ...

    def forget_secret(
        self,
        what: SecretKind,
        values: Mapping[str, Any],
        owner: QObject,
        done: Callable[[CheckOutcome], None],
    ) -> None:
        """Remove the API key or SMTP password for ``values`` from the system keyring and
        from this session; ``done`` says whether it worked, in words."""
        ...


class SettingsForm(Protocol):
    """What the email pages use of the settings dialog: its fields, by setting key."""

    def editor(self, key: str) -> QWidget:
        """The editor of one setting."""
        ...

    def has_field(self, key: str) -> bool:
        """Whether the form shows this setting."""
        ...

    def field_block(self, key: str) -> QWidget:
        """The widget holding one setting's title, editor, help and error."""
        ...

    def field_row(self, key: str) -> QHBoxLayout:
        """The row holding one setting's editor (buttons go next to it)."""
        ...

    def insert_after(self, key: str, widget: QWidget) -> None:
        """Put a widget on a setting's page, right below that setting."""
        ...

    def values(self) -> Mapping[str, Any]:
        """Every field's current value."""
        ...


def set_tone(label: QLabel, tone: Tone) -> None:
    """Colour a status label through the style sheet's ``tone`` property."""
    if label.property("tone") == tone:
        return
    label.setProperty("tone", tone)
    label.style().unpolish(label)
    label.style().polish(label)


def _status_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel("", parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    set_tone(label, "muted")
    return label


def confirm_forget(parent: QWidget, words: str) -> bool:
    """Ask before a stored secret is removed ("API key", "SMTP password")."""
    return ask_yes_cancel(
        parent,
        f"Forget the {words}",
        f"Remove the stored {words} from the system keyring and from this session?\n\n"
        f"Drafting or sending that needs it stops working until you enter it again.",
    )


class _SecretBox(QWidget):
    """A password box with where the current secret comes from, "Forget" when one is
    stored here, and, when there is no system keyring, the reason and "Use for this
    session only"."""

    def __init__(self, title: str, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName(f"secretBlock:{name}")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        heading = QLabel(f"<b>{title}</b>", self)
        column.addWidget(heading)
        row = QHBoxLayout()
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"secret:{name}")
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setClearButtonEnabled(True)
        heading.setBuddy(self.edit)
        name_field(self.edit, title)
        row.addWidget(self.edit, 1)
        self.session_button = QPushButton("Use for this session only", self)
        self.session_button.setObjectName(f"sessionOnly:{name}")
        self.session_button.setToolTip(
            "Keep it in memory until Account Radar quits; nothing is written to disk."
        )
        self.session_button.hide()
        row.addWidget(self.session_button)
        self.forget_button = QPushButton("Forget", self)
        self.forget_button.setObjectName(f"forget:{name}")
        self.forget_button.setToolTip(
            "Remove the stored one from the system keyring and from this session."
        )
        self.forget_button.hide()
        row.addWidget(self.forget_button)
        column.addLayout(row)
        self.state = _status_label(self, f"secretState:{name}")
        column.addWidget(self.state)
        self.problem = _status_label(self, f"keyringProblem:{name}")
        set_tone(self.problem, "warning")
        self.problem.hide()
        column.addWidget(self.problem)
        self.note = _status_label(self, f"secretNote:{name}")
        column.addWidget(self.note)
        self.warning = _status_label(self, f"secretWarning:{name}")
        set_tone(self.warning, "warning")
        self.warning.hide()
        column.addWidget(self.warning)

    def typed(self) -> str:
        return self.edit.text().strip()

    def say(self, text: str, tone: Tone = "muted") -> None:
        """Put a line of status under the box (hidden when empty)."""
        self.state.setText(text)
        self.state.setVisible(bool(text))
        set_tone(self.state, tone)

    def show_state(self, state: SecretState, pending_words: str) -> None:
        text = state.text
        if self.typed():
            pending = (
                "Without a keyring it cannot be stored: use it for this session only."
                if state.problem
                else pending_words
            )
            text = f"{text} {pending}".strip()
        self.say(text, "positive" if state.source != "none" else "muted")
        matters = bool(state.problem) and (not state.optional or bool(self.typed()))
        self.problem.setText(state.problem or "")
        self.problem.setVisible(matters)
        self.session_button.setVisible(matters)
        # An environment variable is not ours to remove; the keyring and the session are.
        self.forget_button.setVisible(state.source in ("keyring", "session"))
        self.forget_button.setEnabled(True)

    def offer_forget(
        self,
        what: SecretKind,
        words: str,
        source: EmailSettingsSource,
        form: SettingsForm,
        owner: QObject,
        refresh: Callable[[], None],
    ) -> None:
        """Make Forget remove the ``what`` secret of the form's values (after asking),
        then ``refresh`` the state; a failure stays under the box. ``owner``: when it is
        gone, the answer is dropped."""

        def done(outcome: CheckOutcome) -> None:
            if outcome.ok:
                refresh()
                return
            self.forget_button.setEnabled(True)
            self.say(outcome.text, "critical")

        def clicked() -> None:
            if not confirm_forget(self, words):
                return
            self.forget_button.setEnabled(False)
            self.say(f"Forgetting the {words}…")
            source.forget_secret(what, form.values(), owner, done)

        self.forget_button.clicked.connect(clicked)


def _check_block(
    parent: QWidget, text: str, name: str, tooltip: str
) -> tuple[QWidget, QPushButton, QLabel]:
    """A button that runs a check on a worker, with its result beside it."""
    block = QWidget(parent)
    block.setObjectName(f"{name}Block")
    row = QHBoxLayout(block)
    row.setContentsMargins(0, 0, 0, 0)
    button = QPushButton(text, block)
    button.setObjectName(name)
    button.setToolTip(tooltip)
    row.addWidget(button, 0)
    result = _status_label(block, f"{name}Result")
    row.addWidget(result, 1)
    return block, button, result


def _check_started(button: QPushButton, result: QLabel, text: str) -> None:
    button.setEnabled(False)
    result.setText(text)
    set_tone(result, "muted")


def _check_done(button: QPushButton, result: QLabel, outcome: CheckOutcome) -> None:
    button.setEnabled(True)
    result.setText(outcome.text)
    set_tone(result, "positive" if outcome.ok else "critical")


CLOUD_OFF_TIP = "Your organisation allows only its own AI servers (Allow cloud AI services is off)."
# A combo box item's enabled flag, as Qt's default combo model stores it.
_ENABLED_ROLE = Qt.ItemDataRole.UserRole - 1


class DraftingTools:
    """The provider tools of the "Email drafting" page, added to ``form``; ``owner`` (the
    dialog) is the first parent of the widgets added and owns the source's answers.

    Attributes tests and screenshots reach: ``key`` (the API key box), ``list_button``,
    ``models_status``, ``test_button``, ``test_result``.
    """

    PENDING_WORDS = "The key typed above is stored in the system keyring when you press Save."

    def __init__(self, form: SettingsForm, source: EmailSettingsSource, owner: QWidget) -> None:
        self.form = form
        self.owner = owner
        self.source = source
        self.choices = {c.id: c for c in source.providers()}
        self._auto_urls = {c.base_url for c in self.choices.values() if c.base_url}
        self._state: SecretState | None = None
        preset = form.editor("llm.preset")
        url = form.editor("llm.base_url")
        model = form.editor("llm.model")
        assert isinstance(preset, QComboBox)
        assert isinstance(url, QLineEdit)
        assert isinstance(model, QComboBox)
        self.preset, self.url, self.model = preset, url, model

        # The API key, right below the address it is sent to.
        self.key_box = _SecretBox("API key", "api_key", owner)
        self.key = self.key_box.edit
        form.insert_after("llm.base_url", self.key_box)

        # List models, next to the model box; what it found, below it.
        self.list_button = QPushButton("List models", owner)
        self.list_button.setObjectName("listModels")
        self.list_button.setToolTip("Ask the server which models it offers.")
        form.field_row("llm.model").addWidget(self.list_button)
        self.models_status = _status_label(owner, "modelsStatus")
        self.models_status.hide()
        self._add_below_editor("llm.model", self.models_status)

        # Test connection, below the model: the whole set-up is checked at once.
        test_block, self.test_button, self.test_result = _check_block(
            owner,
            "Test connection",
            "testConnection",
            "Send a one-word request with these settings (and the key above, if typed).",
        )
        form.insert_after("llm.model", test_block)
        self.test_block = test_block

        # An organisation that allows no cloud AI (llm.allow_cloud off): its presets can't
        # be picked, and say why.
        allow = form.editor("llm.allow_cloud") if form.has_field("llm.allow_cloud") else None
        self.allow_cloud = allow if isinstance(allow, QCheckBox) else None
        if self.allow_cloud is not None:
            self.allow_cloud.toggled.connect(lambda _on: self._apply_cloud_rule())
        self._apply_cloud_rule()

        preset.currentIndexChanged.connect(self._on_preset_current_index_changed)
        url.textChanged.connect(self._on_url_text_changed)
        self.key.textChanged.connect(self._on_key_text_changed)
        self.key_box.session_button.clicked.connect(self._on_session_button_clicked)
        self.key_box.offer_forget("api_key", "API key", source, form, owner, self.refresh_key_state)
        self.list_button.clicked.connect(self._on_list_button_clicked)
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self._update_for_provider()
        self.refresh_key_state()

    # -- what the dialog asks -----------------------------------------------------------

    def pending_secrets(self) -> dict[str, str]:
        if self.preset_id() == "none" or not self.key_box.typed():
            return {}
        return {"api_key": self.key_box.typed()}

    def problems(self) -> dict[str, str]:
        return {}

    # -- state --------------------------------------------------------------------------

    def preset_id(self) -> str:
        return str(self.preset.currentData() or "none")

    def choice(self) -> ProviderChoice:
        return self.choices.get(self.preset_id(), ProviderChoice("none", "None", "none", ""))

    def refresh_key_state(self) -> None:
        """Look up (on a worker) where the current provider's key comes from."""
        if self.choice().kind == "none":
            self.key_box.say("")
            return
        self.key_box.say("Looking for a stored key…")
        self.source.secret_state(
            "api_key", self.form.values(), self.owner, self._on_key_state_found
        )

    def _add_below_editor(self, key: str, widget: QWidget) -> None:
        layout = self.form.field_block(key).layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(2, widget)  # after the title and the editor's row

    def _update_for_provider(self) -> None:
        choice = self.choice()
        active = choice.kind != "none"
        for key in ("llm.base_url", "llm.model", "llm.temperature", "llm.timeout_s"):
            self.form.field_block(key).setEnabled(active)
        self.key_box.setEnabled(active)
        self.test_block.setEnabled(active)
        self.list_button.setEnabled(active and choice.kind != "azure")
        self.list_button.setToolTip(
            "Azure OpenAI cannot list your deployments: type the deployment's name."
            if choice.kind == "azure"
            else "Ask the server which models it offers."
        )
        self.form.field_block("llm.azure_api_version").setVisible(choice.kind == "azure")
        self.url.setPlaceholderText(choice.url_hint or choice.base_url)
        model_line = self.model.lineEdit()
        if model_line is not None:
            model_line.setPlaceholderText(
                "The deployment's name" if choice.kind == "azure" else "e.g. gpt-4o-mini"
            )
        self._update_key_note()

    def _update_key_note(self) -> None:
        note = self.source.key_note(self.form.values()) if self.choice().kind != "none" else ""
        self.key_box.note.setText(note)
        self.key_box.note.setVisible(bool(note))
        warning = self.source.key_warning(self.form.values()) if note else ""
        self.key_box.warning.setText(warning)
        self.key_box.warning.setVisible(bool(warning))
        self.key.setPlaceholderText(
            "Not needed for this server" if note.startswith("No key needed") else "Paste the key"
        )

    # -- slots --------------------------------------------------------------------------

    def _apply_cloud_rule(self) -> None:
        """Grey the cloud presets (OpenAI, Azure) while cloud AI is not allowed."""
        allowed = self.allow_cloud is None or self.allow_cloud.isChecked()
        for index in range(self.preset.count()):
            choice = self.choices.get(str(self.preset.itemData(index)))
            cloud = choice is not None and choice.kind in ("openai", "azure")
            # The item's enabled flag (Qt's ItemIsEnabled, through the combo's own model).
            self.preset.setItemData(index, 0 if cloud and not allowed else None, _ENABLED_ROLE)
            self.preset.setItemData(
                index, CLOUD_OFF_TIP if cloud and not allowed else None, Qt.ItemDataRole.ToolTipRole
            )

    def _on_preset_current_index_changed(self, _index: int) -> None:
        choice = self.choice()
        current = self.url.text().strip()
        # The address a preset filled in follows the preset; one the user typed stays.
        if not current or current in self._auto_urls:
            self.url.setText(choice.base_url)
        # Another server's models are no suggestions for this one.
        text = self.model.currentText()
        self.model.clear()
        self.model.setEditText(text)
        self.models_status.hide()
        self.test_result.setText("")
        self._update_for_provider()
        self.refresh_key_state()

    def _on_url_text_changed(self, _text: str) -> None:
        self._update_key_note()
        self.test_result.setText("")

    def _on_key_text_changed(self, _text: str) -> None:
        if self._state is not None:
            self.key_box.show_state(self._state, self.PENDING_WORDS)

    def _on_key_state_found(self, state: SecretState) -> None:
        self._state = state
        self.key_box.show_state(state, self.PENDING_WORDS)

    def _on_session_button_clicked(self) -> None:
        if not self.key_box.typed():
            self.key_box.say("Type or paste the key first.", "warning")
            return
        self.source.use_for_session("api_key", self.form.values(), self.key_box.typed())
        self.key.clear()  # held for the session now; Save must not try the keyring again
        self.refresh_key_state()

    def _on_list_button_clicked(self) -> None:
        self.list_button.setEnabled(False)
        self.models_status.setText("Asking the server for its models…")
        set_tone(self.models_status, "muted")
        self.models_status.show()
        self.source.list_models(
            self.form.values(), self.key_box.typed(), self.owner, self._on_models_listed
        )

    def _on_models_listed(self, outcome: CheckOutcome) -> None:
        self.list_button.setEnabled(self.choice().kind not in ("none", "azure"))
        self.models_status.setText(outcome.text)
        self.models_status.show()
        if not outcome.ok:
            set_tone(self.models_status, "critical")
            return
        set_tone(self.models_status, "positive" if outcome.models else "warning")
        if outcome.models:
            text = self.model.currentText().strip()
            self.model.clear()
            self.model.addItems(list(outcome.models))
            self.model.setEditText(text or outcome.models[0])

    def _on_test_button_clicked(self) -> None:
        _check_started(self.test_button, self.test_result, "Testing…")
        self.source.test_connection(
            self.form.values(), self.key_box.typed(), self.owner, self._on_tested
        )

    def _on_tested(self, outcome: CheckOutcome) -> None:
        _check_done(self.test_button, self.test_result, outcome)


class SendingTools:
    """The SMTP password box of the "Sending email" page, Send a test email, and the port
    that follows the security mode (``form`` and ``owner`` as for DraftingTools).
    ``password`` is the box; ``test_button`` and ``test_result`` the test."""

    PENDING_WORDS = "The password typed above is stored in the system keyring when you press Save."
    NO_ACCOUNT_WORDS = "Enter the server and the user name first."

    def __init__(self, form: SettingsForm, source: EmailSettingsSource, owner: QWidget) -> None:
        self.form = form
        self.owner = owner
        self.source = source
        self._state: SecretState | None = None
        host, user = form.editor("smtp.host"), form.editor("smtp.user")
        security, port = form.editor("smtp.security"), form.editor("smtp.port")
        assert isinstance(host, QLineEdit)
        assert isinstance(user, QLineEdit)
        assert isinstance(security, QComboBox)
        assert isinstance(port, QSpinBox)
        self.host, self.user, self.security, self.port = host, user, security, port

        self.password_box = _SecretBox("Password", "smtp_password", owner)
        self.password = self.password_box.edit
        self.password.setPlaceholderText("The mail account's password")
        self.password_box.note.hide()  # the user name's help already says where it is kept
        form.insert_after("smtp.user", self.password_box)

        # Send a test email, below the From address it goes to.
        test_block, self.test_button, self.test_result = _check_block(
            owner,
            "Send a test email",
            "sendTestEmail",
            "Send a short email to the From address with these settings (and the password "
            "above, if typed).",
        )
        form.insert_after("smtp.from_address", test_block)
        self.test_button.clicked.connect(self._on_test_button_clicked)

        host.editingFinished.connect(self.refresh_password_state)
        user.editingFinished.connect(self.refresh_password_state)
        security.currentIndexChanged.connect(self._on_security_current_index_changed)
        self.password.textChanged.connect(self._on_password_text_changed)
        self.password_box.session_button.clicked.connect(self._on_session_button_clicked)
        self.password_box.offer_forget(
            "smtp_password", "SMTP password", source, form, owner, self.refresh_password_state
        )
        self.refresh_password_state()

    def pending_secrets(self) -> dict[str, str]:
        typed = self.password_box.typed()
        return {"smtp_password": typed} if typed else {}

    def problems(self) -> dict[str, str]:
        if not self.password_box.typed():
            return {}
        if not self.host.text().strip():
            return {"smtp.host": "enter the SMTP server: the password is kept for one server"}
        if not self.user.text().strip():
            return {"smtp.user": "enter the user name the password belongs to"}
        return {}

    def refresh_password_state(self) -> None:
        """Look up (on a worker) whether a password is stored for this server and user,
        and whether there is a keyring at all."""
        self.password_box.say("Looking for a stored password…")
        self.source.secret_state(
            "smtp_password", self.form.values(), self.owner, self._on_password_state_found
        )

    def _on_password_state_found(self, state: SecretState) -> None:
        if not state.text:  # no server or user yet: nothing to look up under
            state = SecretState(state.source, self.NO_ACCOUNT_WORDS, state.problem)
        self._state = state
        self.password_box.show_state(state, self.PENDING_WORDS)

    def _on_password_text_changed(self, _text: str) -> None:
        if self._state is not None:
            self.password_box.show_state(self._state, self.PENDING_WORDS)

    def _on_session_button_clicked(self) -> None:
        if not self.password_box.typed():
            self.password_box.say("Type the password first.", "warning")
            return
        if not self.host.text().strip() or not self.user.text().strip():
            self.password_box.say(self.NO_ACCOUNT_WORDS, "warning")
            return
        self.source.use_for_session("smtp_password", self.form.values(), self.password_box.typed())
        self.password.clear()
        self.refresh_password_state()

    def _on_test_button_clicked(self) -> None:
        _check_started(self.test_button, self.test_result, "Sending…")
        self.source.send_test_email(
            self.form.values(), self.password_box.typed(), self.owner, self._on_test_sent
        )

    def _on_test_sent(self, outcome: CheckOutcome) -> None:
        _check_done(self.test_button, self.test_result, outcome)

    def _on_security_current_index_changed(self, _index: int) -> None:
        mode = str(self.security.currentData() or "")
        if mode in USUAL_PORTS and self.port.value() in USUAL_PORTS.values():
            self.port.setValue(USUAL_PORTS[mode])
