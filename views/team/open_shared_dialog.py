"""File ▸ Open shared workspace…: a team's workspace on a PostgreSQL server, opened as
the user's own database user.

The dialog asks the server, port, database, user name and password (masked), and
whether to remember the password in the system keyring (not possible without one: the
box is then off and says why). Connect hands the answer to app/ (``connect_requested``);
while the connection is tried on a worker the form is locked, a busy bar runs and Cancel
stops waiting (``cancel_requested``). A refusal comes back through ``show_error`` with
the form as it was, the field to fix focused. The dialog never sees a database or the
keyring, and never shows or keeps a password anywhere but its masked box.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from views.kit.menus import Menus

DEFAULT_PORT = 5432
DIALOG_WIDTH = 520
INTRO = (
    "Your team's workspace on a PostgreSQL server. Connect as your own database user: "
    "your administrator gives you these details."
)
REMEMBER_TEXT = "Remember the password in the system keyring"
REMEMBER_TIP = (
    "The password is kept in this computer's keyring (never in a file or a setting), so "
    "the workspace opens without asking next time."
)
STORED_HINT = "Leave empty to use the stored password"


@dataclass(frozen=True)
class SharedLogin:
    """What the user typed: where the workspace is, who they are, and the password."""

    host: str
    port: int
    database: str
    user: str
    password: str = field(repr=False)
    remember: bool = True


def add_open_shared_action(window: QMainWindow, menus: Menus) -> QAction:
    """File ▸ Open shared workspace…, just below Open workspace…; app/ connects it."""
    action = QAction("Open s&hared workspace…", window)
    action.setToolTip("Open your team's workspace on a PostgreSQL server")
    actions = menus.file_menu.actions()
    after = actions.index(menus.open_action) + 1
    if after < len(actions):
        menus.file_menu.insertAction(actions[after], action)
    else:
        menus.file_menu.addAction(action)
    return action


class OpenSharedDialog(QDialog):
    """The connection form, its busy state and its errors.

    Signals:
        connect_requested(login): Connect was pressed with a complete form (a SharedLogin).
        cancel_requested(): Cancel (or Escape, or closing) while connecting.
    """

    connect_requested = Signal(object)
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:  # noqa: PLR0915
        super().__init__(parent)
        self.setWindowTitle("Open shared workspace")
        self.setObjectName("openSharedDialog")
        self._busy = False
        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        intro.setObjectName("muted")

        self.host_edit = QLineEdit(self)
        self.host_edit.setObjectName("sharedHost")
        self.host_edit.setPlaceholderText("e.g. db.example.com")
        self.port_box = QSpinBox(self)
        self.port_box.setObjectName("sharedPort")
        self.port_box.setRange(1, 65535)
        self.port_box.setValue(DEFAULT_PORT)
        self.port_box.setGroupSeparatorShown(False)
        self.port_box.setAccelerated(True)
        port_label = QLabel("&Port", self)
        port_label.setBuddy(self.port_box)
        server_row = QHBoxLayout()
        server_row.setSpacing(8)
        server_row.addWidget(self.host_edit, 1)
        server_row.addWidget(port_label)
        server_row.addWidget(self.port_box)
        self.database_edit = QLineEdit(self)
        self.database_edit.setObjectName("sharedDatabase")
        self.database_edit.setPlaceholderText("e.g. radar")
        self.user_edit = QLineEdit(self)
        self.user_edit.setObjectName("sharedUser")
        self.user_edit.setPlaceholderText("your database user name")
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("sharedPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(STORED_HINT)
        self.remember_box = QCheckBox(REMEMBER_TEXT, self)
        self.remember_box.setObjectName("sharedRemember")
        self.remember_box.setChecked(True)
        self.remember_box.setToolTip(REMEMBER_TIP)
        self.keyring_note = QLabel("", self)
        self.keyring_note.setObjectName("fieldHelp")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.hide()

        # Server messages name hosts and users: shown as typed, never read as markup.
        self.error = QLabel("", self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel("", self)
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)

        self.busy_row = QWidget(self)
        self.busy_row.setObjectName("sharedBusy")
        self.busy_label = QLabel("", self.busy_row)
        self.busy_label.setTextFormat(Qt.TextFormat.PlainText)
        self.busy_bar = QProgressBar(self.busy_row)
        self.busy_bar.setObjectName("busyBar")
        self.busy_bar.setRange(0, 0)  # indeterminate: how long a server takes is unknown
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedWidth(120)
        busy = QHBoxLayout(self.busy_row)
        busy.setContentsMargins(0, 0, 0, 0)
        busy.setSpacing(10)
        busy.addWidget(self.busy_label)
        busy.addWidget(self.busy_bar)
        busy.addStretch(1)

        self.buttons = QDialogButtonBox(self)
        self.connect_button = QPushButton("&Connect", self)
        self.connect_button.setObjectName("sharedConnect")
        self.connect_button.setDefault(True)
        self.buttons.addButton(self.connect_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

        # A grid rather than a QFormLayout: the notes and messages under the fields wrap,
        # and only a grid gives wrapped lines their height at the dialog's real width.
        form = QGridLayout()
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(8)
        form.setColumnStretch(1, 1)
        fields: list[tuple[str, QWidget, QHBoxLayout | None]] = [
            ("&Server", self.host_edit, server_row),
            ("&Database", self.database_edit, None),
            ("&User name", self.user_edit, None),
            ("Pass&word", self.password_edit, None),
        ]
        for row, (text, edit, row_layout) in enumerate(fields):
            label = QLabel(text, self)
            label.setBuddy(edit)
            form.addWidget(label, row, 0)
            if row_layout is not None:
                form.addLayout(row_layout, row, 1)
            else:
                form.addWidget(edit, row, 1)
        # Under the fields and aligned with them; a hidden one takes no room.
        below = (self.remember_box, self.keyring_note, self.error, self.status, self.busy_row)
        for row, widget in enumerate(below, start=len(fields)):
            form.addWidget(widget, row, 1)
        for widget in (self.error, self.status, self.busy_row):
            widget.hide()

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addSpacing(4)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(DIALOG_WIDTH)
        self.host_edit.setFocus()

    # -- what app/ says ----------------------------------------------------------------

    def set_address(self, host: str, port: int, database: str, user: str) -> None:
        """Fill the form (the password box stays empty)."""
        self.host_edit.setText(host)
        self.port_box.setValue(port)
        self.database_edit.setText(database)
        self.user_edit.setText(user)
        self.password_edit.clear()
        self._focus_first_empty()

    def set_keyring_problem(self, problem: str | None) -> None:
        """No system keyring (``problem`` says why): the password can only be kept for
        this session, and the box says so."""
        self.remember_box.setChecked(problem is None)
        self.remember_box.setEnabled(problem is None)
        self.keyring_note.setText(problem or "")
        self.keyring_note.setVisible(bool(problem))
        self._fit()

    @property
    def busy(self) -> bool:
        return self._busy

    def set_busy(self, busy: bool, text: str = "") -> None:
        """Lock the form and run the busy bar while connecting (Cancel stays)."""
        self._busy = busy
        for widget in (
            self.host_edit,
            self.port_box,
            self.database_edit,
            self.user_edit,
            self.password_edit,
            self.connect_button,
        ):
            widget.setEnabled(not busy)
        self.remember_box.setEnabled(not busy and not self.keyring_note.text())
        self.busy_label.setText(text)
        self._show_row(self.busy_row, busy)
        if busy:
            self._show_row(self.error, False)
            self._show_row(self.status, False)

    def show_error(self, text: str, field: str | None = None) -> None:
        """Say what went wrong under the form, unlock it and focus the field to fix."""
        self.set_busy(False)
        self.error.setText(text)
        self._show_row(self.error, True)
        target = {
            "host": self.host_edit,
            "port": self.port_box,
            "database": self.database_edit,
            "user": self.user_edit,
            "password": self.password_edit,
        }.get(field or "")
        if target is self.password_edit:
            self.password_edit.selectAll()
        if target is not None:
            target.setFocus()

    def show_status(self, text: str) -> None:
        """A calm line under the form (e.g. "Cancelled."), the form unlocked."""
        self.set_busy(False)
        self.status.setText(text)
        self._show_row(self.status, bool(text))

    def login(self) -> SharedLogin:
        """What is typed now (the password exactly as typed; the rest trimmed)."""
        return SharedLogin(
            host=self.host_edit.text().strip(),
            port=self.port_box.value(),
            database=self.database_edit.text().strip(),
            user=self.user_edit.text().strip(),
            password=self.password_edit.text(),
            remember=self.remember_box.isChecked(),
        )

    # -- the user ------------------------------------------------------------------------

    def _on_buttons_accepted(self) -> None:
        if self._busy:
            return
        login = self.login()
        missing = [
            (name, widget)
            for name, value, widget in (
                ("server", login.host, self.host_edit),
                ("database", login.database, self.database_edit),
                ("user name", login.user, self.user_edit),
            )
            if not value
        ]
        if missing:
            names = [name for name, _ in missing]
            words = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            self.show_error(f"Enter the {words}.")
            missing[0][1].setFocus()
            return
        self.connect_requested.emit(login)

    def reject(self) -> None:
        """Cancel: while connecting, stop waiting and keep the form; otherwise close."""
        if self._busy:
            self.cancel_requested.emit()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy:
            self.cancel_requested.emit()
            self.set_busy(False)
        super().closeEvent(event)

    def sizeHint(self) -> QSize:
        # The wrapped lines' height at the width the dialog really has: Qt's own hint
        # measures them narrower, which leaves gaps around the notes.
        width = max(super().sizeHint().width(), self.minimumWidth())
        height = self.heightForWidth(width)
        return QSize(width, height) if height > 0 else super().sizeHint()

    def _show_row(self, widget: QWidget, visible: bool) -> None:
        widget.setVisible(visible)
        self._fit()

    def _fit(self) -> None:
        """Exactly the height the rows shown need at the current width (no gaps, no
        clipped message)."""
        layout = self.layout()
        if layout is None or not self.isVisible():
            return
        layout.activate()
        height = self.heightForWidth(self.width())
        if height > 0 and height != self.height():
            self.resize(self.width(), height)

    def _focus_first_empty(self) -> None:
        for widget in (self.host_edit, self.database_edit, self.user_edit):
            if not widget.text():
                widget.setFocus()
                return
        self.password_edit.setFocus()
