"""The "Slack and Teams" page's tools and the preview of a post.

Below the service's choice: the webhook's address (kept only in the system keyring, never
with the settings: "Keep in keyring" stores it at once), what is known of where posts
go (the service's own server, or the host in full), Forget, and "Preview and send a
test…". The page knows the app only as its ``NotifySettingsSource``.

``PostPreviewDialog`` shows exactly what a post sends, before the first post to a webhook:
what it says, and the JSON that goes (pretty-printed from the very bytes sent).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from views.kit.accessibility import name, name_field
from views.kit.confirm import ask_yes_cancel
from views.kit.geometry import FitsScreen, resize_for_text
from views.settings.email_pages import SettingsForm, Tone, set_tone

SERVICE_KEY = "notify.service"
# Said once the webhook's address has been kept, or failed to be; tone as the label's.
Done = Callable[[str, Tone], None]


class NotifySettingsSource(Protocol):
    """What the page needs of the app (app/gui/notify_controller.py implements it)."""

    def webhook_state(self, owner: QObject, done: Done) -> None:
        """Find whether a webhook's address is kept, and say it (never the address)."""

    def check_webhook(self, url: str, service: str) -> tuple[str | None, str]:
        """What is wrong with ``url`` (None when fine), and where posts to it would go."""

    def keep_webhook(self, url: str, owner: QObject, done: Done) -> None:
        """Keep the address in the system keyring; ``done`` says how it went."""

    def forget_webhook(self, owner: QObject, done: Done) -> None:
        """Forget the kept address."""

    def send_test(self, service: str, parent: QWidget, done: Done) -> None:
        """Show the test post for ``service``, ask, and send it if asked to."""


class NotifyTools:
    """The webhook box and its buttons, added below the service's choice.

    ``webhook`` is the box, ``where`` what is known of its host, ``state`` what is kept,
    ``keep_button``, ``forget_button`` and ``test_button`` the actions."""

    def __init__(self, form: SettingsForm, source: NotifySettingsSource, owner: QWidget) -> None:
        self.form = form
        self.source = source
        self.owner = owner
        block = QWidget(owner)
        block.setObjectName("notifyWebhook")
        column = QVBoxLayout(block)
        column.setContentsMargins(0, 6, 0, 6)
        column.setSpacing(4)
        heading = QLabel("<b>Webhook address</b>", block)
        column.addWidget(heading)
        row = QHBoxLayout()
        self.webhook = QLineEdit(block)
        self.webhook.setObjectName("notifyWebhookAddress")
        self.webhook.setEchoMode(QLineEdit.EchoMode.Password)
        self.webhook.setClearButtonEnabled(True)
        self.webhook.setPlaceholderText("Paste the incoming webhook's https:// address")
        heading.setBuddy(self.webhook)
        name_field(self.webhook, "Webhook address")
        row.addWidget(self.webhook, 1)
        self.keep_button = QPushButton("Keep in keyring", block)
        self.keep_button.setObjectName("notifyKeep")
        self.keep_button.setEnabled(False)
        row.addWidget(self.keep_button)
        self.forget_button = QPushButton("Forget", block)
        self.forget_button.setObjectName("notifyForget")
        row.addWidget(self.forget_button)
        column.addLayout(row)
        self.where = QLabel("", block)
        self.where.setObjectName("notifyWhere")
        self.where.setWordWrap(True)
        column.addWidget(self.where)
        self.state = QLabel("", block)
        self.state.setObjectName("notifyState")
        self.state.setWordWrap(True)
        column.addWidget(self.state)
        note = QLabel(
            "The address is all it takes to post to the channel, so it is kept only in the "
            "system keyring, never with the settings or in a file.",
            block,
        )
        note.setWordWrap(True)
        set_tone(note, "muted")
        column.addWidget(note)
        self.test_button = QPushButton("Preview and send a test…", block)
        self.test_button.setObjectName("notifyTest")
        tests = QHBoxLayout()
        tests.addWidget(self.test_button)
        tests.addStretch(1)
        column.addLayout(tests)
        form.insert_after(SERVICE_KEY, block)
        self.block = block
        self.webhook.textChanged.connect(self._on_webhook_text_changed)
        self.keep_button.clicked.connect(self._on_keep_button_clicked)
        self.forget_button.clicked.connect(self._on_forget_button_clicked)
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.refresh()

    def _service(self) -> str:
        return str(self.form.values().get(SERVICE_KEY, "slack"))

    def refresh(self) -> None:
        """Ask again what is kept."""
        self.source.webhook_state(self.owner, self._say_state)

    def _say_state(self, text: str, tone: Tone) -> None:
        self.state.setText(text)
        set_tone(self.state, tone)

    def _on_webhook_text_changed(self, text: str) -> None:
        if not text.strip():
            self.where.setText("")
            self.keep_button.setEnabled(False)
            return
        problem, where = self.source.check_webhook(text, self._service())
        self.where.setText(problem or where)
        set_tone(self.where, "critical" if problem else "muted")
        self.keep_button.setEnabled(problem is None)

    def _on_keep_button_clicked(self) -> None:
        self.keep_button.setEnabled(False)

        def done(text: str, tone: Tone) -> None:
            self._say_state(text, tone)
            if tone != "critical":
                self.webhook.clear()

        self.source.keep_webhook(self.webhook.text(), self.owner, done)

    def _on_forget_button_clicked(self) -> None:
        if ask_yes_cancel(
            self.owner,
            "Forget the webhook",
            "Remove the webhook's address from the system keyring?\n\nNothing is posted to "
            "Slack or Teams until an address is kept again.",
        ):
            self.source.forget_webhook(self.owner, self._say_state)

    def _on_test_button_clicked(self) -> None:
        if self.webhook.text().strip():
            # A typed address is not the kept one until Keep: the test would post elsewhere.
            self._say_state(
                "Keep the address you typed first (Keep), then preview and send the test.",
                "warning",
            )
            return
        self.source.send_test(self._service(), self.owner, self._say_state)


class PostPreviewDialog(QDialog):
    """Exactly what a post sends: what it says, beside the JSON that goes; Send or Cancel.

    ``readable`` and ``sent`` are the two panes; ``where`` says the webhook's host;
    ``approved``: the webhook's first post was approved already (a test post after it)."""

    def __init__(  # noqa: PLR0913
        self,
        title: str,
        where: str,
        readable: str,
        pretty: str,
        parent: QWidget | None = None,
        *,
        approved: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("postPreview")
        first = "" if approved else "; nothing goes to this webhook before you approve it"
        intro = QLabel(f"{where} This is exactly what will be sent{first}.", self)
        intro.setWordWrap(True)
        intro.setObjectName("postPreviewWhere")
        self.readable = QPlainTextEdit(readable, self)
        self.readable.setObjectName("postPreviewText")
        self.readable.setReadOnly(True)
        name(self.readable, "What the post says")
        self.sent = QPlainTextEdit(pretty, self)
        self.sent.setObjectName("postPreviewJson")
        self.sent.setReadOnly(True)
        self.sent.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.sent.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        name(self.sent, "What is sent (JSON)")
        panes = QSplitter(self)
        for heading, pane in (("What it says", self.readable), ("What is sent", self.sent)):
            box = QWidget(panes)
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            label = QLabel(f"<b>{heading}</b>", box)
            label.setBuddy(pane)
            column.addWidget(label)
            pane.setParent(box)
            column.addWidget(pane, 1)
            panes.addWidget(box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.send_button = self.buttons.addButton("Send", QDialogButtonBox.ButtonRole.AcceptRole)
        self.send_button.setObjectName("postPreviewSend")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(panes, 1)
        layout.addWidget(self.buttons)
        resize_for_text(self, 980, 560)
        FitsScreen(self)
