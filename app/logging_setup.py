"""Logging to a rotating file in the user log dir; bugs land there with their traceback."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from platformdirs import user_log_dir

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
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
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
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    root.addHandler(handler)
    _configured = path
    return path
