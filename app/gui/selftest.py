"""The frozen build's self-test: builds a small demo in a temporary folder, opens the
window offscreen, checks that the table, the detail, the chart, the alerts and a template
draft are drawn, and quits. Also ``wait_until``, the event-loop wait the benchmarks use."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer, qInstallMessageHandler
from PySide6.QtGui import QImage

from app.gui.application import (
    CHOICE_QUIT,
    GuiController,
    _application,
    make_controller,
)
from app.gui.errors import route_qt_messages
from app.workspace import to_url
from services.core.licences import SBOM_FILE, bill_of_materials
from services.core.safe_read import BadFile

log = logging.getLogger(__name__)

SELF_TEST_CUSTOMERS = 300
SELF_TEST_TIMEOUT_S = 60.0


def _distinct_colours(image: QImage, step: int = 9) -> int:
    seen: set[int] = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(image.pixel(x, y))
            if len(seen) > 64:
                return len(seen)
    return len(seen)


def wait_until(predicate: Callable[[], bool], timeout_s: float) -> bool:
    """Run the event loop until predicate() holds or the timeout passes."""
    if predicate():
        return True
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(25)
    timer.timeout.connect(lambda: loop.quit() if predicate() else None)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    timer.start()
    deadline.start(int(timeout_s * 1000))
    loop.exec()
    timer.stop()
    deadline.stop()
    return predicate()


def _bill_of_materials() -> str:
    """The line naming the packaged build's SBOM and its SHA-256 (the installers' check
    matches it to the file the build wrote); a packaged build without one fails."""
    try:
        found = bill_of_materials()
    except (BadFile, OSError) as exc:
        raise RuntimeError(
            f"the software bill of materials ({SBOM_FILE}) is missing: {exc}"
        ) from exc
    if found is None:
        return "software bill of materials: none (run from a checkout; packaged builds carry one)"
    path, digest = found
    return f"software bill of materials: {path} sha256 {digest}"


def run_self_test() -> int:  # noqa: C901, PLR0915
    """Open the window offscreen on a small demo; 0 and one line on success, else 1."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="account-radar-self-test-"))
    controller: GuiController | None = None
    started = time.monotonic()
    previous_handler = route_qt_messages()
    previous_excepthook = sys.excepthook
    try:
        app = _application()
        settings = QSettings(str(tmp / "ui.ini"), QSettings.Format.IniFormat)
        failures: list[str] = []

        def choose(_title: str, text: str, _options: Sequence[str]) -> str:
            failures.append(text)  # any start-up question is a failed self-test
            return CHOICE_QUIT

        controller = make_controller(app, settings, show_dialogs=False, choose=choose)
        controller.presenter.error_presented.connect(lambda _t, text: failures.append(text))
        # An exception in any Qt callback (say, a module missing from the bundle) must
        # fail the self-test at once, not leave it waiting for a window that never fills.
        controller.presenter.install_excepthook()
        # The style sheet's check mark is an SVG: the bundle needs its image plug-in.
        from PySide6.QtGui import QImage

        from views.kit.theme import resources_dir

        if QImage(str(resources_dir() / "icons" / "check.svg")).isNull():
            raise RuntimeError("the check-box image (an SVG) does not load")
        window = controller.window
        window.resize(1280, 800)
        window.show()
        controller.start(
            to_url(str(tmp / "self-test.radar.sqlite")),
            first_launch_demo=True,
            demo_customers=SELF_TEST_CUSTOMERS,
        )

        alerts = window.alerts_view

        def ready() -> bool:
            chart = window.detail_pane.chart
            return bool(failures) or (
                window.customers_pane.model.rowCount() > 0
                and window.detail_pane.detail is not None
                and chart is not None
                and chart.paid_point_count + chart.other_point_count > 0
                # The alerts raised on the scored demo, the top one with its customer.
                and alerts.alerts_pane.model.total() > 0
                and alerts.action_pane.alert is not None
                and alerts.detail_pane.detail is not None
            )

        if not wait_until(ready, SELF_TEST_TIMEOUT_S):
            raise RuntimeError(f"the window was not populated within {SELF_TEST_TIMEOUT_S:.0f} s")
        if failures:
            raise RuntimeError(failures[0].splitlines()[0])
        # Draft email on the top alert: with no provider set up, the template library
        # writes it (the templates and Jinja2 are in the bundle); the LLM client loads.
        alerts.action_pane.trigger("draft")

        def drafted() -> bool:
            dialog = controller.composer.dialog if controller is not None else None
            return bool(failures) or (
                dialog is not None and bool(dialog.variants[0].body.toPlainText())
            )

        if not wait_until(drafted, SELF_TEST_TIMEOUT_S):
            raise RuntimeError("the email composer wrote no draft")
        if failures:
            raise RuntimeError(failures[0].splitlines()[0])
        composer = controller.composer.dialog
        assert composer is not None
        if "Template" not in composer.variants[0].source.text():
            raise RuntimeError("the composer's template draft is not labelled as one")
        composer.close()
        import services.llm.client  # noqa: F401  (openai and its HTTP stack are bundled)

        # Sentiment is read on the laptop (VADER's lexicon is in the bundle) and the
        # reasons are learned (scikit-learn's TF-IDF and NMF).
        from services.listen.sentiment import label, score_text

        if label(score_text("Still waiting on my refund. Very poor service.")) != "negative":
            raise RuntimeError("the sentiment lexicon did not load")
        # Time zones travel with the app (zoneinfo falls back to the tzdata package where
        # the system has no zone files: Windows, minimal Linux installs).
        from importlib import resources

        zone = resources.files("tzdata").joinpath("zoneinfo", "Europe", "Berlin")
        if not zone.read_bytes().startswith(b"TZif"):
            raise RuntimeError("the time zone data is missing")
        demo_engine = controller.workspace.engine if controller.workspace else None
        if demo_engine is not None:
            with demo_engine.connect() as conn:
                read = conn.exec_driver_sql(
                    "SELECT count(*) FROM interactions WHERE text_sentiment IS NOT NULL"
                ).scalar()
            if not read:
                raise RuntimeError("no text had its sentiment read")

        app.processEvents()
        image = window.grab().toImage()
        if image.isNull() or image.width() < 200 or image.height() < 200:
            raise RuntimeError("the window could not be drawn")
        if app.windowIcon().pixmap(64, 64).isNull():
            raise RuntimeError("the application icon could not be drawn (SVG support missing)")
        colours = _distinct_colours(image)
        if colours < 8:
            raise RuntimeError(f"the window looks blank ({colours} distinct colours)")
        rows = window.customers_pane.model.rowCount()
        summary = (
            f"self-test ok: {rows} customers, {alerts.alerts_pane.model.total()} alerts, "
            "a template email draft, "
            f"window {image.width()}x{image.height()}"
        )
        controller.shutdown()  # the workspace closed, as when the user quits
        controller.window.close()
        controller.window.deleteLater()
        controller = None
        reopened = _reopen(tmp, tmp / "self-test.radar.sqlite")
        print(_bill_of_materials())
        print(f"{summary}, {reopened} ({time.monotonic() - started:.1f} s)")
        return 0
    except Exception as exc:
        print(f"self-test failed: {exc}", file=sys.stderr)
        log.exception("self-test failed")
        return 1
    finally:
        if controller is not None:
            controller.shutdown()
            controller.window.close()
            controller.window.deleteLater()
        qInstallMessageHandler(previous_handler)
        sys.excepthook = previous_excepthook
        shutil.rmtree(tmp, ignore_errors=True)


# The longest the second start may take, its own watchdog's limit included
# (app/gui/selftest_relaunch.py: RELAUNCH_TIMEOUT_S).
REOPEN_TIMEOUT_S = 150.0
# Qt's messages that say it runs the window on a thread other than the main one.
_THREAD_MESSAGES = ("main() thread", "another thread", "different thread")


def _reopen(tmp: Path, workspace: Path) -> str:
    """The second start, on the workspace the first one built, in a new process started
    as main.py starts the window (app/gui/selftest_relaunch.py): what it says on
    success; raises with its reason otherwise."""
    log_dir = tmp / "reopen-log"
    env = dict(os.environ, ACCOUNT_RADAR_LOG_DIR=str(log_dir))
    env.pop("ACCOUNT_RADAR_DB", None)
    settings = tmp / "reopen-ui.ini"
    settings.write_text("[ui]\ntab=alerts\n", encoding="utf-8")  # the first launch's tab
    try:
        done = subprocess.run(
            relaunch_command(workspace, settings),
            env=env, capture_output=True, text=True, timeout=REOPEN_TIMEOUT_S,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError("the reopened window did not end") from exc
    log_file = log_dir / "account-radar.log"
    logged = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
    wrong_thread = [
        line
        for line in logged.splitlines()
        if " qt " in line and any(words in line for words in _THREAD_MESSAGES)
    ]
    if wrong_thread:
        raise RuntimeError(f"the reopened window runs off the main thread: {wrong_thread[0]}")
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
        raise RuntimeError(f"the reopened window failed (exit {done.returncode}): {said}")
    return "reopened: " + done.stdout.strip().splitlines()[-1].removeprefix("self-test reopen ok: ")


def relaunch_command(db: Path, settings_file: Path) -> list[str]:
    """The command that runs the second start (app/gui/selftest_relaunch.py) in a new
    process: the frozen program itself, or this checkout's main.py."""
    args = ["--self-test-relaunch", str(db), "--self-test-settings", str(settings_file)]
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    main = Path(__file__).resolve().parents[2] / "main.py"
    return [sys.executable, str(main), *args]
