"""Fixtures for the window tests: a real demo workspace, a job runner, UI settings in
a temporary file, and a guard that fails any test leaving a worker thread running."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication

from app.workspace import Workspace, open_workspace, to_url
from views.kit.jobs import JobRunner, live_runners
from views.kit.theme import ThemeManager, ThemeMode

if TYPE_CHECKING:
    from app.gui.application import GuiController

DEMO_CUSTOMERS = 300


EXPECTED_ERRORS_MARKER = "presents_errors"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{EXPECTED_ERRORS_MARKER}: the test expects errors to reach the error presenter "
        "(without it, any presented error fails the test)",
    )
    # The offscreen platform cannot resize or raise native windows and says so on every
    # show() and raise_(); that is the test platform talking, not the app.
    config.addinivalue_line("qt_log_ignore", "This plugin does not support propagateSizeHints")
    config.addinivalue_line("qt_log_ignore", "This plugin does not support raise")


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 300-customer demo workspace built once per test session (never modified)."""
    from services.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.radar.sqlite"
    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        build_demo(workspace.engine, customers=DEMO_CUSTOMERS, seed=11)
        with workspace.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        workspace.close()
    return path


@pytest.fixture
def demo_copy(demo_file: Path, tmp_path: Path) -> Path:
    """A private copy of the demo workspace that a test may change."""
    target = tmp_path / "demo.radar.sqlite"
    shutil.copy(demo_file, target)
    return target


@pytest.fixture
def demo_workspace(demo_copy: Path) -> Iterator[Workspace]:
    workspace = open_workspace(to_url(str(demo_copy)), backup=False)
    yield workspace
    workspace.close()


@pytest.fixture(scope="session")
def alerts_file(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace scored today, with its alerts raised (built once)."""
    from services.alerts.generate import generate_alerts
    from services.scoring.run import score_workspace

    path = tmp_path_factory.mktemp("alerts") / "alerts.radar.sqlite"
    shutil.copy(demo_file, path)
    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        summary = score_workspace(workspace.engine)
        generate_alerts(workspace.engine, summary.run_id)
        with workspace.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        workspace.close()
    return path


@pytest.fixture
def workspace(alerts_file: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A private copy of the scored demo workspace with its alerts, that a test may change
    (a module with a workspace of its own defines its own fixture)."""
    target = tmp_path / "alerts.radar.sqlite"
    shutil.copy(alerts_file, target)
    ws = open_workspace(to_url(str(target)), backup=False)
    yield ws
    ws.close()


@pytest.fixture
def theme(qapp: QApplication) -> Iterator[ThemeManager]:
    """The light theme, for windows and panes built in a test."""
    manager = ThemeManager(qapp, ThemeMode.LIGHT)
    yield manager
    manager.deleteLater()


@pytest.fixture(scope="session")
def demo_frame(demo_file: Path) -> pd.DataFrame:
    """The customers table of the demo workspace, as the service returns it."""
    from services.usecases.customers import load_customer_table

    workspace = open_workspace(to_url(str(demo_file)), backup=False)
    try:
        return load_customer_table(workspace.engine)
    finally:
        workspace.close()


class RecordingPresenter:
    """Stands in for the error presenter: remembers what would have been shown.

    An error the test did not consume (``take()``) fails the test at teardown, unless
    the test is marked ``presents_errors``: a bug that reaches the presenter must not
    pass unnoticed because the test only looked at the window.
    """

    def __init__(self) -> None:
        self.errors: list[BaseException] = []

    def __call__(self, error: BaseException) -> None:
        self.errors.append(error)

    def take(self) -> list[BaseException]:
        """The errors presented so far (they count as expected from now on)."""
        taken, self.errors = self.errors, []
        return taken


def fail_on_unexpected_errors(request: pytest.FixtureRequest, shown: list[str]) -> None:
    """Fail the test if errors were presented that it neither took nor expected."""
    if shown and request.node.get_closest_marker(EXPECTED_ERRORS_MARKER) is None:
        pytest.fail(
            "Unexpected error(s) presented to the user:\n  " + "\n  ".join(shown),
            pytrace=False,
        )


@pytest.fixture
def presented_errors(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Collects errors shown by a real ErrorPresenter; unexpected ones fail the test."""
    shown: list[str] = []
    yield shown
    fail_on_unexpected_errors(request, shown)


@pytest.fixture
def presenter() -> RecordingPresenter:
    return RecordingPresenter()


# How long a test's last loads may take to finish after it ends (a loaded machine runs
# them late), and how long idle must then hold (the panes start loads on short timers).
SETTLE_S = 10.0
QUIET_MS = 300


def _settles(runner: JobRunner) -> bool:
    """Whether the runner is idle, or becomes idle and stays so for QUIET_MS, within
    SETTLE_S: work still running after that was left behind."""
    from PySide6.QtTest import QTest

    deadline = time.monotonic() + SETTLE_S
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        if runner.is_idle():
            quiet_since = quiet_since if quiet_since is not None else time.monotonic()
            if time.monotonic() - quiet_since >= QUIET_MS / 1000:
                return True
        else:
            quiet_since = None
        QTest.qWait(20)
    return runner.is_idle()


@pytest.fixture
def jobs(
    qapp: object, presenter: RecordingPresenter, request: pytest.FixtureRequest
) -> Iterator[JobRunner]:
    runner = JobRunner(error_presenter=presenter)
    yield runner
    idle = _settles(runner)
    runner.shutdown()
    runner.deleteLater()
    if not idle:
        pytest.fail("Test left background work behind in its job runner", pytrace=False)
    fail_on_unexpected_errors(request, [repr(e) for e in presenter.errors])


@pytest.fixture
def ui_settings(tmp_path: Path) -> QSettings:
    """Window geometry and theme go to a file of this test, never the user's settings."""
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_gui(
    qapp: QApplication, ui_settings: QSettings, presented_errors: list[str]
) -> Iterator[Callable[..., GuiController]]:
    """Makes whole windows (the app's controller) with no modal dialogs by default; the
    errors they present are collected, and each window is shut down after the test."""
    from app.gui.application import make_controller

    made: list[GuiController] = []

    def make(**kwargs: object) -> GuiController:
        kwargs.setdefault("show_dialogs", False)
        controller = make_controller(qapp, ui_settings, **kwargs)  # type: ignore[arg-type]
        controller.presenter.error_presented.connect(
            lambda title, text: presented_errors.append(f"{title}: {text}")
        )
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.shutdown()
        controller.window.close()
        controller.window.deleteLater()
        controller.deleteLater()


def dangling_work(threads_before: set[threading.Thread]) -> list[str]:
    """What a test left running: busy job runners and new non-daemon Python threads."""
    problems = []
    busy = [r for r in live_runners() if not r.closed and not r.is_idle()]
    if busy:
        problems.append(f"{len(busy)} job runner(s) still had work in flight")
    new_threads = [
        t.name
        for t in threading.enumerate()
        if t not in threads_before and t.is_alive() and not t.daemon
    ]
    if new_threads:
        problems.append(f"threads still running: {new_threads}")
    return problems


@pytest.fixture(autouse=True)
def _earlier_widgets_deleted() -> None:
    """Delete what earlier tests closed (pytest-qt closes a test's widgets and asks Qt to
    delete them later, which needs an event loop that may never run again): otherwise
    every window built before stays alive, and each theme applied restyles all of them,
    so that a file's tests slow down one after another."""
    if QApplication.instance() is not None:
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def _no_dangling_threads() -> Iterator[None]:
    """Fail a test that leaves a job running or a Python thread alive (napari's guard)."""
    before = set(threading.enumerate())
    yield
    problems = dangling_work(before)
    if problems:
        # Stop it anyway so that one leak does not cascade into the next tests.
        for runner in live_runners():
            if not runner.closed:
                runner.shutdown(5_000)
        pytest.fail("Test left background work behind: " + "; ".join(problems), pytrace=False)


class ModalDialogInTestError(RuntimeError):
    """A test opened a modal dialog: nobody would answer it, and the run would hang."""


@pytest.fixture(autouse=True)
def _no_modal_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail, instead of hanging the whole run, a test whose code opens a modal dialog
    (QDialog.exec): the test must answer it through the prompt the widget takes."""
    from PySide6.QtWidgets import QDialog

    def refuse(self: QDialog, *_args: object, **_kwargs: object) -> int:
        raise ModalDialogInTestError(
            f"a modal dialog was opened ({type(self).__name__} '{self.windowTitle()}'); "
            "answer it through the prompt the widget takes"
        )

    monkeypatch.setattr(QDialog, "exec", refuse)
