"""Opening the window from the command line: ``main.py`` with no command, and
``main.py workspace open URL`` (app/cli/team.py). Standard library only at module level,
so that --help stays fast."""

from __future__ import annotations

import logging
from typing import TextIO

from app.cli.errors import EXIT_FAILURE, EXIT_OK

log = logging.getLogger(__name__)


def open_window(db: str | None, err: TextIO, link: str | None = None) -> int:
    """Run the window on the workspace ``db`` (else $ACCOUNT_RADAR_DB, the organisation's,
    the default file) until the user quits; returns the exit code. With an accountradar://
    ``link``, a window already running is handed it instead (and this start ends)."""
    if link is not None:
        try:
            from app.gui.single_instance import hand_over
        except ImportError as exc:
            return window_unavailable(exc, err)
        if hand_over(link):
            log.info("Handed %s to the window already running", link[:80])
            return EXIT_OK
    from app.gui.opening import start_window_preload

    # Before the Qt import: the workspace opens and loads while Qt loads (the alerts list
    # first when the window opens on its Alerts tab).
    preload = start_window_preload(db)
    try:
        from app.gui.application import run_gui
    except ImportError as exc:
        return window_unavailable(exc, err)
    return run_gui(db, preload=preload, link=link)


def window_unavailable(exc: ImportError, err: TextIO) -> int:
    """Say that the window cannot start (Qt is missing) and that the commands still work."""
    log.error("The window cannot start", exc_info=exc)
    print(
        f"error: the window cannot start: {' '.join(str(exc).split())}. Qt or one of its "
        "system libraries is missing (see the README's set-up notes); the commands still "
        "work, see 'main.py --help'.",
        file=err,
    )
    return EXIT_FAILURE
