"""Choose (or stop) the folder whose new exports are imported as they appear."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from views.kit.dialog_parts import plain_label, set_tone
from views.kit.file_dialogs import existing_directory

ChooseFolderFn = Callable[[str], str | None]  # start folder -> chosen folder or None

EXPLANATION = (
    "Save or download the exports of your CRM, help desk and shop into one folder, and "
    "Account Radar imports each new or updated file on its own while the window is open. "
    "Files in a format it knows, or that match a saved mapping, are imported straight "
    "away; a file that needs a mapping asks you first. Files already in the folder when "
    "you choose it are left alone."
)


class WatchFolderDialog(QDialog):
    """Shows the watched folder; Choose folder… / Stop watching / Close.

    Signals:
        folder_chosen(path): watch this folder from now on.
        watching_stopped(): watch no folder.
    """

    folder_chosen = Signal(str)
    watching_stopped = Signal()

    def __init__(
        self,
        current: str | None,
        parent: QWidget | None = None,
        *,
        choose_folder: ChooseFolderFn | None = None,
        start_dir: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("watchFolderDialog")
        self.setWindowTitle("Watch a folder for exports")
        self._choose_folder = choose_folder or self._choose_folder_dialog
        self._start_dir = start_dir
        title = QLabel("Watch a folder for exports", self)
        title.setObjectName("paneTitle")
        text = plain_label(EXPLANATION, self, "hintLabel")
        self.folder_label = plain_label("", self, "watchedFolder")
        self.choose_button = QPushButton("Choose folder…", self)
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.stop_button = QPushButton("Stop watching", self)
        self.stop_button.clicked.connect(self._on_stop_button_clicked)
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addSpacing(4)
        layout.addWidget(self.folder_label)
        layout.addSpacing(6)
        layout.addLayout(buttons)
        self.setMinimumWidth(560)
        self.set_current(current)

    def set_current(self, folder: str | None) -> None:
        self._current = folder
        if folder:
            self.folder_label.setText(f"Watching: <b>{_escape(folder)}</b>")
            self.folder_label.setTextFormat(Qt.TextFormat.RichText)
            set_tone(self.folder_label, "")
        else:
            self.folder_label.setText("No folder is watched.")
            set_tone(self.folder_label, "muted")
        self.stop_button.setEnabled(bool(folder))
        self.choose_button.setText("Choose another folder…" if folder else "Choose folder…")

    def _choose_folder_dialog(self, start: str) -> str | None:
        path = existing_directory(self, "Folder to watch for exports", start)
        return path or None

    def _on_choose_button_clicked(self) -> None:
        folder = self._choose_folder(self._current or self._start_dir)
        if folder:
            self.set_current(folder)
            self.folder_chosen.emit(folder)

    def _on_stop_button_clicked(self) -> None:
        self.set_current(None)
        self.watching_stopped.emit()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
