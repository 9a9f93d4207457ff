"""The window on a shared workspace (PostgreSQL) as an account manager and as a team
lead: each sees their own rows (the database decides), and a manager's window offers no
import or scoring."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.gui.application import GuiController
from app.workspace import open_workspace, to_url
from services.team.publish import publish
from services.team.security import add_user
from tests.gui.shell.test_first_launch import make_gui, populated  # noqa: F401  (the fixture)
from tests.support.postgres_server import PostgresServer, pg_bin, postgres_server
from views.shell.window_menus import MANAGER_ONLY_BOOK


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL's server binaries are not installed")
    with postgres_server(bin_dir) as started:
        yield started


def _shared(server: PostgresServer, demo_file: Path) -> tuple[str, int]:
    """Publish the demo; add a manager and a lead; the manager's owner and book size."""
    with sqlite3.connect(demo_file) as conn:
        owner, book = conn.execute(
            "SELECT owner, count(*) FROM customers GROUP BY owner ORDER BY owner LIMIT 1"
        ).fetchone()
    admin_url = server.createdb("window_team")
    source = open_workspace(to_url(str(demo_file)), backup=False)
    try:
        assert not publish(source.engine, admin_url).problems
    finally:
        source.close()
    admin = open_workspace(admin_url, backup=False)
    try:
        add_user(admin.engine, "ana", "manager", owner_of=owner, password="ana-pw")
        add_user(admin.engine, "lea", "lead", password="lea-pw")
    finally:
        admin.close()
    server.password_auth()
    return owner, int(book)


def _open(qtbot, make_gui, url: str) -> GuiController:  # noqa: F811
    controller = make_gui()
    controller.window.show()
    controller.start(url, first_launch_demo=False)
    qtbot.waitUntil(lambda: populated(controller), timeout=30_000)
    qtbot.waitUntil(controller.jobs.is_idle, timeout=30_000)
    return controller


def test_a_managers_window_shows_their_book_and_no_team_wide_work(
    qtbot,
    make_gui,  # noqa: F811
    server: PostgresServer,
    demo_file: Path,
    tmp_path: Path,  # noqa: F811
) -> None:
    owner, book = _shared(server, demo_file)
    ana = _open(qtbot, make_gui, server.url("window_team", "ana", "ana-pw"))
    window = ana.window
    qtbot.waitUntil(lambda: window.team_role == "manager", timeout=15_000)
    model = window.customers_pane.model
    assert model.rowCount() == book
    menus = window.menus
    for action in (menus.import_action, menus.watch_folder_action, menus.score_action):
        assert not action.isEnabled()
        assert action.toolTip() == MANAGER_ONLY_BOOK
    assert ana.workspaces.actor().endswith("(account ana)")
    if os.environ.get("RADAR_SHOTS"):
        window.resize(1280, 800)
        window.grab().save(str(Path(os.environ["RADAR_SHOTS"]) / "team_manager_window.png"))

    lea = _open(qtbot, make_gui, server.url("window_team", "lea", "lea-pw"))
    qtbot.waitUntil(lambda: lea.window.team_role == "lead", timeout=15_000)
    with sqlite3.connect(demo_file) as conn:
        everyone = conn.execute("SELECT count(*) FROM customers").fetchone()[0]
    assert lea.window.customers_pane.model.rowCount() == everyone > book
    assert lea.window.menus.score_action.isEnabled()
    assert lea.window.menus.import_action.isEnabled()
