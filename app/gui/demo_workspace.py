"""Building a demo workspace for the window: on first launch, or File ▸ New demo
workspace…. No Qt: it runs on the database worker.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.workspace import default_workspace_path, open_workspace, to_url, workspace_exists
from models.db import sqlite_path
from models.errors import UserFacingError
from views.kit.jobs import OperationCancelled

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

FIRST_LAUNCH_DEMO_CUSTOMERS = 2000


def first_launch_needs_demo(url: str, default_url: str | None = None) -> bool:
    """True when url is the default workspace and it does not exist yet."""
    default = default_url if default_url is not None else to_url(str(default_workspace_path()))
    return url == default and not workspace_exists(url)


def _remove_sqlite_files(path: Path) -> None:
    from services.core.writing import lock_file_path

    # The writer lock's file too: the building file is this build's alone, so nobody
    # else holds it.
    for file in [
        *(Path(f"{path}{s}") for s in ("", "-wal", "-shm", "-journal")),
        lock_file_path(path),
    ]:
        with contextlib.suppress(FileNotFoundError):
            file.unlink()


def _score_demo(
    engine: Engine,
    start: float,
    progress: Callable[[float, str], None] | None,
    cancelled: Callable[[], bool] | None,
) -> None:
    """Score a freshly built demo; a scoring problem leaves it unscored, not unbuilt."""
    from services.scoring.run import ScoringCancelled
    from services.usecases.refresh import score_and_alert

    def score_progress(fraction: float, message: str) -> None:
        if progress is not None:
            progress(start + fraction * (1.0 - start), message)

    try:
        # A failure of the alerts is logged there and leaves the demo scored.
        score_and_alert(engine, progress=score_progress, cancelled=cancelled)
    except ScoringCancelled:
        raise OperationCancelled from None
    except UserFacingError:
        log.warning("The demo workspace was built but could not be scored", exc_info=True)


def build_demo_workspace(
    url: str,
    *,
    customers: int = FIRST_LAUNCH_DEMO_CUSTOMERS,
    seed: int = 7,
    progress: Callable[[float, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    score: bool = False,
) -> None:
    """Build a demo workspace at url (no Qt; runs on the database worker).

    With ``score``, the new demo is also scored as of today, so the window opens on
    churn risks and reasons rather than on "not scored yet".

    A new file is built under a temporary name and renamed when complete, so a crash
    or a cancel never leaves a half-built default workspace that would stop the next
    launch from offering the demo again. An existing demo workspace is rebuilt in
    place; build_demo refuses to touch one that holds real data.
    """
    from services.demo import build_demo

    share = 0.35 if score else 1.0

    def build_progress(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction * share, message)

    def fill(engine: Engine) -> None:
        build_demo(
            engine,
            customers=customers,
            seed=seed,
            progress=build_progress,
            cancelled=cancelled,
        )
        if score:
            _score_demo(engine, share, progress, cancelled)

    path = sqlite_path(url)
    if path is None or workspace_exists(url):
        workspace = open_workspace(url)
        try:
            fill(workspace.engine)
        finally:
            workspace.close()
        return
    target = Path(path)
    partial = target.with_name(target.name + ".building")
    _remove_sqlite_files(partial)
    workspace = open_workspace(to_url(str(partial)), backup=False)
    try:
        fill(workspace.engine)
        with workspace.engine.connect() as conn:
            # Fold the write-ahead log into the file: only the main file is renamed.
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        workspace.close()
        _remove_sqlite_files(partial)
        raise
    workspace.close()
    os.replace(partial, target)
    _remove_sqlite_files(partial)  # its companions and lock, left beside the name it had
