"""Logging to a rotating file in the user log dir; bugs land there with their traceback.

The log is the user's alone (0600 in a 0700 folder) and keeps no personal data: email
addresses are masked, and a database error's statement parameters and key values (a
customer's row) are left out, in the message and in the traceback alike.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from io import TextIOWrapper
from pathlib import Path

from platformdirs import user_log_dir

from models.private_files import make_private, make_private_folder, open_private

LOG_DIR_ENV = "ACCOUNT_RADAR_LOG_DIR"
_configured: Path | None = None


def log_file_path() -> Path:
    """Where the log file lives (ACCOUNT_RADAR_LOG_DIR overrides the platform default)."""
    base = os.environ.get(LOG_DIR_ENV) or user_log_dir("AccountRadar", appauthor=False)
    return Path(base) / "account-radar.log"


def setup_logging(level: int = logging.INFO) -> Path:
    """Send our logs to the rotating log file (once per process); return its path."""
    global _configured
    path = log_file_path()
    if _configured == path:
        return path
    root = logging.getLogger()
    root.setLevel(level)
    try:
        make_private_folder(path.parent)
        handler: logging.Handler = PrivateRotatingFileHandler(
            path,
            maxBytes=2_000_000,
            backupCount=3,
            encoding="utf-8",
            # File names that are not valid UTF-8 are logged escaped, not dropped.
            errors="backslashreplace",
        )
    except OSError:
        # A read-only home must not stop the app; fall back to stderr.
        handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    root.addHandler(handler)
    _configured = path
    return path


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file (the first and each one after a rotation) is
    created 0600; a log left readable by an older version is made private."""

    def _open(self) -> TextIOWrapper:
        fd = open_private(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        make_private(self.baseFilename)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)  # noqa: SIM115


# An address anywhere in a line (a recipient, a customer's email in a row).
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# SQLAlchemy's "[parameters: ...]" (a row's values), up to the line that follows it.
_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\s*(?:\(Background on|$))", re.S)
# PostgreSQL's DETAIL of a key: "Key (email)=(ana@x.example) already exists."
_KEY_VALUES = re.compile(r"(Key \([^)]*\))=\((?:[^()]|\([^()]*\))*\)")
# psycopg's "Failing row contains (...)": the whole row.
_FAILING_ROW = re.compile(r"(Failing row contains )\(.*\)")


def redact(text: str) -> str:
    """``text`` without email addresses, statement parameters or a row's values."""
    text = _PARAMETERS.sub("[parameters left out of the log]", text)
    text = _KEY_VALUES.sub(r"\1=(…)", text)
    text = _FAILING_ROW.sub(r"\1(…)", text)
    return _EMAIL.sub("<email>", text)


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then takes the personal data out of the whole entry (the
    message, its arguments and the traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def end_without_teardown(code: int) -> None:
    """End the process at once with ``code``: the exit handlers run (the log is flushed
    and closed) and the output is flushed, but the interpreter does not free every object
    and module one by one (for nothing once the workspace is closed). Returns, and the
    usual exit follows, while a thread that is not a daemon still runs (its work is waited
    for) or when the output cannot be flushed."""
    import atexit
    import sys
    import threading

    if any(not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        return
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)
