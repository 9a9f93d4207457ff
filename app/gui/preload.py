"""Open the workspace and read the customers table while the GUI is still importing Qt.

Start-up is mostly waiting: a second of imports (Qt, the views) and a second of SQL
over the orders. They do not depend on each other, so run_gui starts this plain thread
before importing Qt and hands the futures to the window. No Qt here.

``first``: a read for the screen the window opens on, made before the customers table
(app/gui/opening.py: the alerts list, when the window opens on its Alerts tab; the table
is hidden behind it there). When it reads something, the customers table is read once
that screen is shown (``FirstScreen.shown``, set by the window; at the latest after
``SHOWN_WAIT_S``): read beside it, the table would take the interpreter lock from the
screen being shown.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.workspace import Workspace, open_workspace, resolve_url, workspace_exists
from models.errors import UserFacingError

if TYPE_CHECKING:
    import numpy as np

# The longest the customers table's read waits for the first screen to be shown (s).
SHOWN_WAIT_S = 5.0


class PreloadedColumns(Future[dict[str, Any]]):
    """The customers table's columns being read; ``head``: its first screenful, read
    before them (None on a table small enough to wait for; see load_customer_head)."""

    def __init__(self, head: Future[dict[str, Any] | None]) -> None:
        super().__init__()
        self.head = head


class FirstScreen(Future[Any]):
    """What ``first`` read; ``shown``: set once the window shows it (or has no use for
    it), when the customers table's read may start."""

    def __init__(self) -> None:
        super().__init__()
        self.shown = threading.Event()


@dataclass
class Preload:
    """The workspace being opened and its customers table being read, in the background."""

    url: str
    workspace: Future[Workspace]
    columns: Future[dict[str, np.ndarray]]
    # What ``first`` read (None: it was not asked for); its result may be None too.
    first_screen: FirstScreen | None = None


def _load_head(workspace: Future[Workspace]) -> dict[str, Any] | None:
    from services.usecases.customers import load_customer_head

    return load_customer_head(workspace.result().engine)


def _load_columns(workspace: Future[Workspace], columns: PreloadedColumns) -> None:
    from services.usecases.customers import load_customer_columns

    if not columns.set_running_or_notify_cancel():
        return
    try:
        columns.set_result(load_customer_columns(workspace.result().engine))
    except BaseException as error:  # handed to whoever waits for the columns
        columns.set_exception(error)


def _read_first(
    first: Callable[[Workspace], Any], workspace: Future[Workspace], screen: FirstScreen
) -> None:
    if not screen.set_running_or_notify_cancel():
        screen.shown.set()
        return
    try:
        result = first(workspace.result())
    except BaseException as error:  # the window reads it again (and reports a fault)
        screen.shown.set()
        screen.set_exception(error)
        return
    if result is None:
        screen.shown.set()  # nothing to show first: the table at once
    screen.set_result(result)


def _after_shown(screen: FirstScreen) -> None:
    screen.shown.wait(SHOWN_WAIT_S)


def start_preload(
    db: str | None, first: Callable[[Workspace], Any] | None = None
) -> Preload | None:
    """Begin opening an existing workspace; None when there is nothing to preload.

    A first launch (no workspace yet) or a malformed location is left to the window,
    which builds the demo or explains the problem.
    """
    try:
        url = resolve_url(db, last_used=True)  # as the window resolves it
    except UserFacingError:
        return None
    if not workspace_exists(url):
        return None
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="preload")
    # An empty shared database is refused (publish into it), never given a schema here.
    workspace = executor.submit(open_workspace, url, create_in_empty_database=False)
    screen = None
    if first is not None:
        screen = FirstScreen()
        executor.submit(_read_first, first, workspace, screen)
    # At a million customers a first screenful is shown seconds before the whole table.
    columns = PreloadedColumns(executor.submit(_load_head, workspace))
    if screen is not None:
        # (After the head: the window's database worker waits for it before the list.)
        executor.submit(_after_shown, screen)
    executor.submit(_load_columns, workspace, columns)
    executor.shutdown(wait=False)  # the thread ends by itself after its tasks
    return Preload(url=url, workspace=workspace, columns=columns, first_screen=screen)
