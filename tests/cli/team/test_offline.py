"""workspace take-offline and workspace sync-back end to end, on a throwaway PostgreSQL
server (skipped without PostgreSQL's server binaries): the copy written, an action taken
in it sent back with the report printed, a conflict listed, exit codes as the other
commands'."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace, to_url
from models.schema import Action
from services.alerts.actions import apply_card_action
from services.alerts.lifecycle import resolve_in, transition_alert
from services.core.offline_origin import origin_of_file
from tests.support.paths import DATA
from tests.unit.team.test_offline_postgres import (  # noqa: F401  (the fixtures)
    MAYA,
    _open_alerts,
    demo_file,
    server,
    shared,
)


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_take_offline_then_sync_back(
    shared: Engine,  # noqa: F811
    tmp_path: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("ACCOUNT_RADAR_USER", "Ana Lima")
    url = shared.url.render_as_string(hide_password=False)
    path = tmp_path / "plane.radar.sqlite"
    code, out, err = _run("workspace", "take-offline", "--from", url, "--to", str(path))
    assert code == 0, err
    assert "300 customers" in out
    assert "Copying orders" in err  # the progress, on stderr
    origin = origin_of_file(path)
    assert origin is not None

    copy = open_workspace(to_url(str(path)))
    try:
        (noted, _), (snoozed, _) = _open_alerts(copy.engine, 2)
        apply_card_action(copy.engine, [noted], "log", kind="note", text="Call back in May")
        apply_card_action(copy.engine, [snoozed], "snooze", until_clear=True)
    finally:
        copy.close()
    transition_alert(shared, snoozed, resolve_in, outcome="lost", actor=MAYA)

    # No --to: the server the copy came from.
    code, out, err = _run("workspace", "sync-back", "--copy", str(path))
    assert code == 0, err
    assert "Sent to team@127.0.0.1: 1 action." in out
    assert "Call back in May" in out
    assert "Maya Lopez resolved" in out
    assert "(lost); your snooze was not applied" in out
    assert "Your copy was refreshed from the server" in out
    with Session(shared) as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Action).where(Action.title == "Call back in May")
            )
            == 1
        )
    fresh = origin_of_file(path)
    assert fresh is not None
    assert fresh.copy_id != origin.copy_id

    code, out, _err = _run("workspace", "sync-back", "--copy", str(path), "--to", url)
    assert code == 0
    assert "Nothing new to send" in out


def test_refusals_are_one_line_errors(tmp_path: Path) -> None:
    own = tmp_path / "mine.radar.sqlite"
    open_workspace(to_url(str(own))).close()
    code, _out, err = _run("workspace", "sync-back", "--copy", str(own))
    assert code == 1
    assert "is not an offline copy" in err
    code, _out, err = _run("workspace", "take-offline", "--from", str(own), "--to", "x.sqlite")
    assert code == 1
    assert "--from takes the shared workspace's address" in err
    assert not Path("x.sqlite").exists()


def test_import_score_and_daily_run_are_refused_in_a_copy(
    shared: Engine,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Customer data flows server -> laptop only: what would change it in the copy (an
    import, a scoring, a daily run) is refused there, whoever holds the copy, and the
    copy is left as it was."""
    url = shared.url.render_as_string(hide_password=False)
    path = tmp_path / "plane.radar.sqlite"
    code, _out, err = _run("workspace", "take-offline", "--from", url, "--to", str(path))
    assert code == 0, err

    def counts() -> tuple[int, ...]:
        copy = open_workspace(to_url(str(path)))
        try:
            with copy.engine.connect() as conn:
                return tuple(
                    int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar_one())
                    for table in ("customers", "orders", "scoring_runs", "alerts", "audit_events")
                )
        finally:
            copy.close()

    before = counts()
    orders = DATA / "samples" / "shopify" / "orders_export_1.csv"
    for argv in (("import", str(orders)), ("score",), ("run-daily",)):
        code, out, err = _run("--db", str(path), *argv)
        assert code != 0, (argv, out)
        assert "is an offline copy of team@127.0.0.1" in err, (argv, err)
        assert "Sync back" in err
    assert counts() == before
