"""The end-to-end tier's set-up: a desktop per test, a fresh home per app, the demo
workspace built once by the command line, and the artifacts kept when a test fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.desktop import (
    ROOT,
    START_TIMEOUT,
    App,
    Desktop,
    app_command,
    fresh_environment,
    missing_tools,
)

ARTIFACTS = ROOT / "build" / "e2e-artifacts"
# Set: keep every test's artifacts, passed or not (to look at the screenshots).
KEEP_ENV = "ACCOUNT_RADAR_E2E_KEEP"
_STARTED = time.monotonic()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    try:
        app_command()  # ACCOUNT_RADAR_E2E_APP, when set, must name the bundle's executable
    except FileNotFoundError as error:
        raise pytest.UsageError(f"{error} (make frozen builds it)") from None
    missing = missing_tools()
    if missing:
        # `make test-e2e` installs them (tests/e2e/install-deps.sh): run through it.
        skip = pytest.mark.skip(reason=f"needs {', '.join(missing)}: run make test-e2e")
        for item in items:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    try:
        against = " ".join(app_command())
    except FileNotFoundError as error:
        against = str(error)
    terminalreporter.write_line(
        f"end-to-end tier: {time.monotonic() - _STARTED:.0f} s in all, against {against}"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    setattr(item, f"report_{report.when}", report)
    if report.failed and report.when in ("setup", "call"):
        folder = ARTIFACTS / artifact_name(item.name)
        report.sections.append(
            (
                "end-to-end artifacts",
                f"screenshots (in order) in {folder / 'shots'}, named ones, the X server's "
                f"and each app's stdout/stderr and log (app<N>.account-radar.log) in {folder}",
            )
        )
    return report


def artifact_name(test_name: str) -> str:
    return test_name.replace("/", "_").replace("[", "-").replace("]", "")


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Iterator[Path]:
    """The test's folder for screenshots, logs and X server output: build/e2e-artifacts/
    <test name>/, kept when the test fails (its paths are printed), removed otherwise
    (unless ACCOUNT_RADAR_E2E_KEEP is set)."""
    folder = ARTIFACTS / artifact_name(request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    yield folder
    failed = any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    if not failed and not os.environ.get(KEEP_ENV):
        shutil.rmtree(folder, ignore_errors=True)
        return
    # The logs and the named screenshots by name; the numbered ones (shots/) by count.
    kept = sorted(p for p in folder.iterdir() if p.is_file())
    shots = sorted((folder / "shots").glob("*.png")) if (folder / "shots").is_dir() else []
    listing = "\n".join(f"  {p}" for p in kept)
    last = f"; the last: {shots[-1]}" if shots else ""
    print(  # noqa: T201  (pytest shows it under the failure: CI prints it)
        f"\nE2E ARTIFACTS of {request.node.nodeid} in {folder}:\n{listing}\n"
        f"  {folder / 'shots'}: {len(shots)} screenshots in order{last}"
    )


@pytest.fixture
def desktops(artifacts: Path) -> Iterator[Callable[..., Desktop]]:
    """Start a desktop (Xvfb + openbox): ``desktops(1366, 768, xft_dpi=None)``."""
    started: list[Desktop] = []

    def start(width: int, height: int, xft_dpi: int | None = None) -> Desktop:
        desktop = Desktop(width, height, artifacts, xft_dpi=xft_dpi).start()
        started.append(desktop)
        return desktop

    yield start
    for desktop in started:
        desktop.stop()


@pytest.fixture
def apps(artifacts: Path, tmp_path: Path) -> Iterator[Callable[..., App]]:
    """Start the app: ``apps(desktop, args, home=None, env=None)``; each home is fresh
    unless given (a relaunch passes the first one's). Copies each app's log into the
    artifacts and ends any app still running after the test."""
    started: list[App] = []

    def start(
        desktop: Desktop,
        args: tuple[str, ...] = (),
        home: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> App:
        home = home or tmp_path / f"home{len(started)}"
        app = App(desktop, args, fresh_environment(home, env), f"app{len(started)}").start()
        app.home = home  # type: ignore[attr-defined]
        started.append(app)
        return app

    yield start
    for index, app in enumerate(started):
        app.stop()
        if app.log.exists():
            shutil.copy(app.log, artifacts / f"app{index}.account-radar.log")


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2,000-customer demo workspace, built once by the command line (``--db FILE
    demo``); each test copies it."""
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "demo.radar.sqlite"
    env = fresh_environment(folder / "home")
    result = subprocess.run(
        [*app_command(), "--db", str(db), "demo"],
        env=env,
        cwd=env["HOME"],
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT * 3,
        check=False,
    )
    assert result.returncode == 0, f"demo: {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert db.exists()
    return db


@pytest.fixture
def demo_copy(demo_workspace: Path, tmp_path: Path) -> Path:
    db = tmp_path / "workspace" / "demo.radar.sqlite"
    db.parent.mkdir()
    shutil.copy(demo_workspace, db)
    return db
