"""A note's text field that completes teammates' names after an at sign: typing "@Pr"
offers the teammates whose name (or a later word of it) starts with "Pr" in a popup under
the cursor; the arrows move in it, Enter or Tab writes "@Priya Raman ", Esc closes it.
The name written is what the saver recognises as a mention (services/alerts/mentions.py),
so the teammate finds the note in their My work."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QStringListModel, Qt
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QCompleter, QListView, QPlainTextEdit, QWidget

# What may stand right before an at sign that starts a mention (not "sam@shop.example").
_NAME_CHARS = ".'-_"
# Keys the popup answers (pick, close) rather than the text: the completer offers each
# key to its widget first and acts only when the widget leaves it.
_POPUP_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
MAX_WORDS = 3  # "@Mary Ann Lee": a prefix of up to three words is still a name


def matching_teammates(names: Sequence[str], typed: str) -> list[str]:
    """The teammates ``typed`` (what follows the at sign) may be the start of: the whole
    name, or a later word of it ("Ra" finds Priya Raman); all of them for nothing typed."""
    wanted = typed.casefold()
    if not wanted:
        return list(names)
    if wanted.isspace():
        return []
    found = []
    for name in names:
        words = name.casefold().split()
        later = " " not in wanted and any(w.startswith(wanted) for w in words[1:])
        if name.casefold().startswith(wanted) or later:
            found.append(name)
    return found


def mention_prefix(before: str) -> str | None:
    """What the user is typing after an at sign, given the line up to the cursor; None
    when the cursor is not in a mention."""
    at = before.rfind("@")
    if at < 0 or (at > 0 and (before[at - 1].isalnum() or before[at - 1] in _NAME_CHARS)):
        return None
    typed = before[at + 1 :]
    if len(typed.split(" ")) > MAX_WORDS or "  " in typed:
        return None
    return typed


class MentionEdit(QPlainTextEdit):
    """A plain text field whose "@" offers the teammates (set_teammates)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names: tuple[str, ...] = ()
        self._typed: str | None = None
        self._model = QStringListModel(self)
        self.completer = QCompleter(self._model, self)
        self.completer.setWidget(self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setMaxVisibleItems(8)
        self.popup = QListView()
        self.popup.setObjectName("mentionPopup")
        self.popup.setAccessibleName("Teammates to mention")
        self.completer.setPopup(self.popup)  # the completer owns it from here
        self.completer.activated.connect(self._on_completer_activated)
        self.textChanged.connect(self._on_text_changed)

    def set_teammates(self, names: Sequence[str]) -> None:
        """Whom "@" offers (none: it offers nothing)."""
        self._names = tuple(names)
        if names:
            self.setToolTip("Type @ and a name to mention a teammate: they see it in My work.")

    @property
    def offered(self) -> list[str]:
        """The teammates the popup offers now (empty when it is closed)."""
        return self._model.stringList() if self.popup.isVisible() else []

    def event(self, e: QEvent) -> bool:
        # The popup's pick and close keys are left to the completer, never typed.
        if (
            isinstance(e, QKeyEvent)
            and e.type() == QEvent.Type.KeyPress
            and self.popup.isVisible()
            and (e.key() in _POPUP_KEYS or e.key() == Qt.Key.Key_Escape)
        ):
            e.ignore()
            return False
        return super().event(e)

    def _on_text_changed(self) -> None:
        if not self._names:
            return
        cursor = self.textCursor()
        typed = mention_prefix(cursor.block().text()[: cursor.positionInBlock()])
        found = matching_teammates(self._names, typed) if typed is not None else []
        self._typed = typed
        popup = self.popup
        if not found:
            popup.hide()
            return
        self._model.setStringList(found)
        rect = self.cursorRect()
        rect.setWidth(max(popup.sizeHintForColumn(0), 160) + 24)
        self.completer.complete(rect)
        popup.setCurrentIndex(self._model.index(0, 0))

    def _on_completer_activated(self, chosen: object) -> None:
        # The text overload of the signal (PySide connects the first one declared).
        typed, name = self._typed, chosen if isinstance(chosen, str) else None
        if typed is None or not name:
            return
        cursor = self.textCursor()
        cursor.movePosition(
            QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(typed) + 1
        )
        cursor.insertText(f"@{name} ")
        self.setTextCursor(cursor)
        self.popup.hide()
