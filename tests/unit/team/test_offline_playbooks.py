"""Playbooks and offline copies: sync back carries the alert actions, not
playbooks, so an offline copy refuses every playbook action (start, a step done or
skipped, stop) in plain words, changing nothing, while the other actions still work and
sync back; the server's playbook is as it was after the sync. On a real PostgreSQL
server on loopback (skipped without its binaries)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from app.workspace import open_workspace, to_url
from services.alerts.actions import apply_card_action
from services.alerts.playbooks import OfflinePlaybookError, complete_step, stop_playbook
from services.team.offline import take_offline
from services.team.sync import sync_back
from tests.unit.team.test_offline_postgres import (
    ME,
    _open_alerts,
    demo_file,
    server,
    shared,
)

__all__ = ["demo_file", "server", "shared"]  # the fixtures of the offline copies' test

pytestmark = pytest.mark.postgresql


def rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_an_offline_copy_refuses_playbook_actions_and_sync_leaves_them_alone(
    shared: Engine, tmp_path: Path
) -> None:
    # Customers without a playbook run yet, so the counts below start at nothing.
    (started, started_c), (other, other_c) = _open_alerts(shared, 2, without_playbooks=True)
    apply_card_action(shared, [started], "playbook", key="win_back", actor=ME)
    ((run_id,),) = rows(  # the running one (the demo's past playbooks are stopped)
        shared,
        f"SELECT id FROM playbook_runs WHERE customer_id = {started_c} AND stopped_at IS NULL",
    )
    path = tmp_path / "plane.radar.sqlite"
    take_offline(shared, path)

    copy = open_workspace(to_url(str(path)))
    try:
        engine = copy.engine
        ((step_id,),) = rows(
            engine, f"SELECT id FROM playbook_steps WHERE run_id = {run_id} AND day_offset = 0"
        )
        with pytest.raises(OfflinePlaybookError, match="offline copy of team@127.0.0.1") as said:
            apply_card_action(engine, [other], "playbook", key="renewal_save", actor=ME)
        assert "cannot start a playbook here. Sync back, then do it on the shared" in str(
            said.value
        )
        with pytest.raises(OfflinePlaybookError, match="cannot mark a step done here"):
            complete_step(engine, int(step_id), actor=ME)
        with pytest.raises(OfflinePlaybookError, match="cannot skip a playbook step here"):
            complete_step(engine, int(step_id), skip=True, actor=ME)
        with pytest.raises(OfflinePlaybookError, match="cannot stop a playbook here"):
            stop_playbook(engine, int(run_id), "Not needed", actor=ME)
        with pytest.raises(OfflinePlaybookError, match="cannot stop a playbook here"):
            apply_card_action(engine, [started], "stop_playbook", run_id=int(run_id), actor=ME)
        # Nothing changed in the copy; the other actions still work there.
        assert rows(
            engine, f"SELECT COUNT(*) FROM playbook_runs WHERE customer_id = {other_c}"
        ) == [(0,)]
        assert rows(engine, f"SELECT stopped_at FROM playbook_runs WHERE id = {run_id}") == [
            (None,)
        ]
        assert rows(engine, f"SELECT done_at FROM playbook_steps WHERE id = {step_id}") == [(None,)]
        apply_card_action(engine, [other], "log", kind="note", text="Asked on the plane", actor=ME)
    finally:
        copy.close()

    report = sync_back(path, shared, actor=ME)
    assert any("Note on" in line for line in report.lines()), report.lines()
    # On the server the playbook runs as it did, its steps untouched.
    assert rows(shared, f"SELECT stopped_at FROM playbook_runs WHERE id = {run_id}") == [(None,)]
    assert rows(
        shared, f"SELECT COUNT(*) FROM playbook_steps WHERE run_id = {run_id} AND done_at IS NULL"
    ) == [(3,)]
    assert rows(shared, f"SELECT COUNT(*) FROM playbook_runs WHERE customer_id = {other_c}") == [
        (0,)
    ]
