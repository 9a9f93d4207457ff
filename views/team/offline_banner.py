"""What the window shows of offline copies: File ▸ Take offline… and File ▸ Sync back
(added to the window's File menu), and in a copy the banner above the panes and the
status bar's badge, which say where it came from and that customer data comes from
the server."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMainWindow, QPushButton, QWidget

from views.kit.menus import Menus


class OfflineMenuEntries:
    """File ▸ Take offline… and File ▸ Sync back, above Back up workspace…; app/ connects
    their ``triggered`` signals and enables them (Take offline on a shared workspace, Sync
    back in an offline copy)."""

    def __init__(self, window: QMainWindow, menus: Menus) -> None:
        self.take_action = QAction("Take &offline…", window)
        self.take_action.setToolTip(
            "Copy your customers, alerts and tasks to a file on this computer, to work "
            "without the server"
        )
        self.take_action.setEnabled(False)
        self.sync_action = QAction("S&ync back", window)
        self.sync_action.setToolTip(
            "Send what you did in this offline copy to the server, then refresh the copy"
        )
        self.sync_action.setEnabled(False)
        menus.file_menu.insertAction(menus.backup_action, self.take_action)
        menus.file_menu.insertAction(menus.backup_action, self.sync_action)
        self.separator = menus.file_menu.insertSeparator(menus.backup_action)


class OfflineBanner(QFrame):
    """Above the panes of an offline copy: where it came from, and Sync back.

    Signals:
        sync_requested(): the banner's Sync back button was clicked.
    """

    sync_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offlineBanner")
        self.label = QLabel("", self)
        self.label.setObjectName("offlineBannerText")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.sync_button = QPushButton("Sync back", self)
        self.sync_button.setObjectName("offlineBannerSync")
        self.sync_button.setToolTip(
            "Send what you did here to the server (when you are online), then refresh the copy"
        )
        self.sync_button.clicked.connect(self.sync_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.setSpacing(10)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.sync_button)
        self.hide()

    def show_copy(self, server: str, taken: str) -> None:
        """Show the banner of a copy of ``server`` ("team@db.example.com") taken at
        ``taken`` (in words, on the user's clock)."""
        self.label.setText(
            f"<b>Offline copy</b> of {_escape(server)} taken {_escape(taken)} — "
            "<b>File ▸ Sync back</b> when you are online. Import and scoring are the "
            "server's: customer data comes from there."
        )
        self.setToolTip(
            "What you do here (calls, notes, tasks, snoozes, resolutions, do-not-contact "
            "marks, emails) is sent to the server by Sync back, once each."
        )
        self.show()

    def set_busy(self, busy: bool) -> None:
        """A sync (or a take) is running: the button waits."""
        self.sync_button.setEnabled(not busy)

    @property
    def text(self) -> str:
        return self.label.text()


def offline_badge(parent: QWidget) -> QLabel:
    """The status bar's mark of an offline copy (hidden until one is open)."""
    badge = QLabel("OFFLINE COPY", parent)
    badge.setObjectName("offlineBadge")
    badge.setToolTip("This workspace is an offline copy of a shared workspace.")
    badge.hide()
    return badge


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
