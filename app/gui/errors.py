"""The one error presenter: environment faults in plain words, bugs to the log.

A ``UserFacingError`` (locked file, disk full, bad input...) carries a message that
says what happened and what to do; it is shown as is. Anything else is a bug: it is
logged with its traceback and the user sees one calm sentence pointing at the log.
Qt's own warnings go to the log too (``route_qt_messages``).
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QMessageBox, QWidget

from models.errors import UserFacingError

log = logging.getLogger(__name__)

BUG_MESSAGE = "Something went wrong; details were written to the log."


def default_log_path() -> Path | None:
    """The log file, if the logging module of the app is available."""
    try:
        from app.logging_setup import log_file_path
    except ImportError:  # pragma: no cover - the lead's module is part of the app
        return None
    return log_file_path()


def describe_error(error: BaseException, log_path: Path | None = None) -> tuple[str, str]:
    """(title, text) to show for an error; bugs never show their traceback."""
    if isinstance(error, UserFacingError):
        return "Cannot continue", str(error) or "The action could not be completed."
    text = BUG_MESSAGE
    if log_path is not None:
        text += f"\n\nLog file: {log_path}"
    return "Something went wrong", text


class ErrorPresenter(QObject):
    """Shows errors to the user; one instance per application.

    Signals:
        error_presented(title, text): a message was shown (tests and the status bar use it).
    """

    error_presented = Signal(str, str)

    def __init__(
        self,
        parent_widget: Callable[[], QWidget | None] | None = None,
        *,
        log_path: Callable[[], Path | None] = default_log_path,
        show_dialogs: bool = True,
    ) -> None:
        super().__init__()
        self._parent_widget = parent_widget or (lambda: None)
        self._log_path = log_path
        self._show_dialogs = show_dialogs
        self._box: QMessageBox | None = None

    def present(self, error: BaseException) -> None:
        """Log the error as needed and tell the user."""
        if isinstance(error, UserFacingError):
            log.info("Shown to the user: %s", error)
        else:
            log.error("Unexpected error", exc_info=(type(error), error, error.__traceback__))
        title, text = describe_error(error, self._log_path())
        self.error_presented.emit(title, text)
        if self._show_dialogs:
            self._show(title, text, critical=not isinstance(error, UserFacingError))

    def _show(self, title: str, text: str, *, critical: bool) -> None:
        # One box at a time: a burst of failures (say, the disk filled up) must not
        # stack a dozen dialogs. A newer message replaces the text of the open one.
        if self._box is not None and self._box.isVisible():
            self._box.setText(text)
            return
        box = QMessageBox(self._parent_widget())
        box.setIcon(QMessageBox.Icon.Critical if critical else QMessageBox.Icon.Warning)
        box.setWindowTitle(title)
        box.setText(text)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        # The log path must be copyable.
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # open(), not exec(): no nested event loop, so queued results keep arriving.
        box.open()
        self._box = box

    def current_box(self) -> QMessageBox | None:
        """The message box on screen, if any."""
        return self._box if self._box is not None and self._box.isVisible() else None

    def install_excepthook(self) -> None:
        """Route exceptions that escape Qt slots to this presenter instead of stderr only."""
        previous = sys.excepthook

        def hook(
            exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
        ) -> None:
            if issubclass(exc_type, KeyboardInterrupt):
                previous(exc_type, exc, tb)
                return
            if exc.__traceback__ is None and tb is not None:
                exc = exc.with_traceback(tb)
            try:
                self.present(exc)
            except Exception:  # never let the hook itself crash the app
                traceback.print_exception(exc_type, exc, tb)

        sys.excepthook = hook


# Said by the offscreen platform (self-test, CI) on every window shown: not our problem.
_QT_NOISE = ("This plugin does not support propagateSizeHints",)
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _on_qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    if message.startswith(_QT_NOISE):
        return
    logging.getLogger("qt").log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def route_qt_messages() -> Callable[..., Any] | None:
    """Send Qt's own warnings to our log file instead of stderr; returns the old handler."""
    return qInstallMessageHandler(_on_qt_message)
