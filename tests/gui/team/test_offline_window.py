"""Offline copies in the window, on a throwaway PostgreSQL server (skipped without
PostgreSQL's server binaries): File ▸ Take offline… on the shared workspace writes the
copy and opens it; the copy says so (banner, badge), offers neither import nor scoring;
File ▸ Sync back asks the database password the server wants, sends what was done, shows
the report with the conflict listed, and reopens the refreshed copy."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.gui.application import GuiController
from app.workspace import to_url
from models.db import make_engine
from models.schema import Action
from services.alerts.actions import apply_card_action
from services.alerts.lifecycle import resolve_in, transition_alert
from services.core.offline_origin import origin_of_file
from tests.support.postgres_server import PostgresServer
from tests.support.shared_workspace import private_secrets
from tests.unit.team.test_offline_postgres import (  # noqa: F401  (the fixtures)
    MAYA,
    _open_alerts,
    demo_file,
    server,
    shared,
)

TIMEOUT_MS = 90_000
PASSWORD = "plane-ticket"


@pytest.fixture
def ana(server: PostgresServer, shared: Engine) -> Iterator[str]:  # noqa: F811
    """A database account of the team with a password (the server asks for it)."""
    with shared.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE ana LOGIN PASSWORD '{PASSWORD}'")
        conn.exec_driver_sql(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ana"
        )
        conn.exec_driver_sql("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ana")
        conn.commit()
    server.password_auth()
    yield server.url("team", user="ana", password=PASSWORD)
    with shared.connect() as conn:
        conn.exec_driver_sql("DROP OWNED BY ana")
        conn.exec_driver_sql("DROP ROLE ana")
        conn.commit()


def test_take_offline_then_sync_back_from_the_window(
    qtbot,  # type: ignore[no-untyped-def]
    make_gui: Callable[..., GuiController],
    shared: Engine,  # noqa: F811
    ana: str,
    tmp_path: Path,
) -> None:
    gui = make_gui()
    offline = gui.offline
    path = tmp_path / "plane.radar.sqlite"
    suggested: list[str] = []
    offline.ask_save_path = lambda s: suggested.append(s) or str(path)  # type: ignore[func-returns-value]
    offline.confirm = lambda _title, _text: True  # "Open it now?": yes
    asked: list[str] = []
    offline.ask_password = lambda question: asked.append(question) or PASSWORD  # type: ignore[func-returns-value]

    with qtbot.waitSignal(gui.workspace_opened, timeout=TIMEOUT_MS):
        gui.open_url(ana)
    qtbot.waitUntil(lambda: offline.menu.take_action.isEnabled(), timeout=TIMEOUT_MS)
    assert not offline.menu.sync_action.isEnabled()
    assert offline.banner.isHidden()

    # File ▸ Take offline…: the copy is written, then opened.
    offline.menu.take_action.trigger()
    qtbot.waitUntil(
        lambda: (
            gui.workspace is not None
            and gui.workspace.path == path
            and offline.origin is not None
            and gui.jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )
    assert suggested == [str(Path.home() / "team-offline.radar.sqlite")]
    assert offline.last_copy is not None
    assert offline.last_copy.customers == 300
    origin = origin_of_file(path)
    assert origin is not None
    assert origin.user == "ana"
    assert PASSWORD not in origin.server
    # The copy says so, and offers neither import nor scoring.
    assert not offline.banner.isHidden()
    assert "Offline copy</b> of team@127.0.0.1 taken today at" in offline.banner.text
    assert "File ▸ Sync back</b> when you are online" in offline.banner.text
    assert not offline.badge.isHidden()
    menus = gui.window.menus
    assert offline.menu.sync_action.isEnabled()
    assert not offline.menu.take_action.isEnabled()
    assert not menus.import_action.isEnabled()
    assert not menus.score_action.isEnabled()
    assert gui.imports.source is None  # dropped files are not imported either

    # On the plane: a note and a snooze; on the server, Maya resolves the snoozed alert.
    engine = gui.workspace.engine  # type: ignore[union-attr]
    (noted, _), (snoozed, _) = _open_alerts(engine, 2)
    apply_card_action(engine, [noted], "log", kind="note", text="Met at the trade fair")
    apply_card_action(engine, [snoozed], "snooze", until_clear=True)
    transition_alert(shared, snoozed, resolve_in, outcome="won_back", actor=MAYA)

    # File ▸ Sync back: the password is asked (the copy never keeps it), then the report.
    offline.menu.sync_action.trigger()
    qtbot.waitUntil(lambda: offline.report_dialog is not None, timeout=TIMEOUT_MS)
    dialog = offline.report_dialog
    assert dialog is not None
    assert asked == ["The password of the database account ana on team@127.0.0.1:"]
    said = dialog.text()
    assert "Sent 1 action to team@127.0.0.1; 1 not applied" in said
    assert "Note on " in said
    assert "Met at the trade fair" in said
    assert "Maya Lopez resolved" in said
    assert "(won back); your snooze was not applied" in said
    assert "Your copy was refreshed from the server" in said
    assert dialog.isVisible()
    # The refreshed copy is opened again, and still says where it came from.
    qtbot.waitUntil(
        lambda: offline.origin is not None and offline.origin.copy_id != origin.copy_id,
        timeout=TIMEOUT_MS,
    )
    assert not offline.banner.isHidden()
    with Session(shared) as session:
        notes = (
            select(func.count()).select_from(Action).where(Action.title == "Met at the trade fair")
        )
        assert session.scalar(notes) == 1
    qtbot.waitUntil(gui.jobs.is_idle, timeout=TIMEOUT_MS)


def test_sync_back_takes_the_password_kept_in_the_keyring(
    qtbot,  # type: ignore[no-untyped-def]
    make_gui: Callable[..., GuiController],
    ana: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from services.team.connect import shared_address

    gui = make_gui()
    offline = gui.offline
    path = tmp_path / "plane.radar.sqlite"
    offline.ask_save_path = lambda _s: str(path)
    offline.confirm = lambda _title, _text: True
    asked: list[str] = []
    offline.ask_password = lambda question: asked.append(question) or None  # type: ignore[func-returns-value]
    with private_secrets(monkeypatch) as keyring:
        address = shared_address(ana)
        assert address is not None
        keyring.passwords[("Account Radar", address.key_name)] = PASSWORD
        with qtbot.waitSignal(gui.workspace_opened, timeout=TIMEOUT_MS):
            gui.open_url(ana)
        qtbot.waitUntil(lambda: offline.menu.take_action.isEnabled(), timeout=TIMEOUT_MS)
        offline.menu.take_action.trigger()
        qtbot.waitUntil(
            lambda: offline.origin is not None and gui.jobs.is_idle(), timeout=TIMEOUT_MS
        )
        engine = gui.workspace.engine  # type: ignore[union-attr]
        ((noted, _),) = _open_alerts(engine, 1)
        apply_card_action(engine, [noted], "log", kind="note", text="Kept in the keyring")

        offline.menu.sync_action.trigger()
        qtbot.waitUntil(lambda: offline.report_dialog is not None, timeout=TIMEOUT_MS)
        qtbot.waitUntil(gui.jobs.is_idle, timeout=TIMEOUT_MS)
    assert asked == []  # the keyring's password was used: nothing asked
    dialog = offline.report_dialog
    assert dialog is not None
    assert "Sent 1 action to team@127.0.0.1" in dialog.text()
    assert "Kept in the keyring" in dialog.text()


def test_a_workspace_file_offers_neither(
    qtbot,  # type: ignore[no-untyped-def]
    make_gui: Callable[..., GuiController],
    tmp_path: Path,
) -> None:
    gui = make_gui()
    own = tmp_path / "mine.radar.sqlite"
    with qtbot.waitSignal(gui.workspace_opened, timeout=TIMEOUT_MS):
        gui.open_url(to_url(str(own)))
    qtbot.waitUntil(gui.jobs.is_idle, timeout=TIMEOUT_MS)
    assert not gui.offline.menu.take_action.isEnabled()
    assert not gui.offline.menu.sync_action.isEnabled()
    assert gui.offline.banner.isHidden()
    assert gui.window.menus.import_action.isEnabled()
    engine = make_engine(to_url(str(own)))
    engine.dispose()
