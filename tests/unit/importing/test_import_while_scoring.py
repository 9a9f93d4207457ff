"""Imports, undos and scoring on one workspace never overlap (services/core/writing.py):
an undo asked for in the middle of a scoring run is refused in plain words and changes
nothing, and the scoring run completes, consistent, instead of failing on customers that
vanished under it or leaving alerts on customers that are gone. Real workspaces, a real
second thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from services.core import writing
from services.core.writing import WorkspaceBusy, workspace_writer
from services.importing import service
from services.scoring.run import score_workspace
from services.usecases.refresh import score_and_alert
from tests.support.paths import DATA

ORDERS = DATA / "samples" / "generic" / "orders.csv"


def scalar(engine: Engine, sql: str) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_an_undo_in_the_middle_of_scoring_is_refused_and_scoring_completes(
    ws: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writing, "WAIT_SECONDS", 0.2)
    run_id = service.run_import(ws, [ORDERS]).files[0].run_id  # its customers come with it
    customers = scalar(ws, "SELECT COUNT(*) FROM customers")
    outcome: list[BaseException | str] = []

    def undo() -> None:
        try:
            outcome.append(service.undo_import(ws, run_id).message)
        except BaseException as exc:  # noqa: BLE001 - what the other writer met
            outcome.append(exc)

    def progress(fraction: float, message: str) -> None:
        # Once the workspace has been read, and again between the scores and their alerts:
        # the undo comes from another thread.
        if (fraction >= 0.5 and not outcome) or message == "Updating the alerts":
            other = threading.Thread(target=undo)
            other.start()
            other.join()

    refreshed = score_and_alert(ws, progress=progress)

    assert len(outcome) == 2
    for refusal in outcome:
        assert isinstance(refusal, WorkspaceBusy), refusal
        assert str(refusal).startswith("Scoring (process ")
        assert f"so undoing import {run_id} cannot start now; nothing was changed" in str(refusal)
    summary = refreshed.scores
    assert refreshed.alerts_error is None
    assert scalar(ws, f"SELECT status FROM import_runs WHERE id = {run_id}") == "landed"
    assert scalar(ws, "SELECT COUNT(*) FROM customers") == customers
    snapshots = scalar(
        ws, f"SELECT COUNT(*) FROM score_snapshots WHERE scoring_run_id = {summary.run_id}"
    )
    assert snapshots == summary.customers > 0
    # Scoring over, the undo goes through.
    service.undo_import(ws, run_id)
    assert scalar(ws, "SELECT COUNT(*) FROM customers") == 0


def test_scoring_and_an_import_wait_for_a_writer_then_say_who_holds_it(
    ws: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(writing, "WAIT_SECONDS", 0.2)
    service.run_import(ws, [ORDERS])
    runs = scalar(ws, "SELECT COUNT(*) FROM import_runs")
    held, release = threading.Event(), threading.Event()

    def undoing() -> None:
        with workspace_writer(ws, "undoing import 1"):
            held.set()
            release.wait(10)

    other = threading.Thread(target=undoing)
    other.start()
    try:
        assert held.wait(10)
        with pytest.raises(WorkspaceBusy, match=r"^Undoing import 1 \(process .* so scoring"):
            score_workspace(ws)
        with pytest.raises(WorkspaceBusy, match="so an import cannot start"):
            service.run_import(ws, [ORDERS])
        # A dry run writes nothing: it does not wait.
        assert service.run_import(ws, [ORDERS], dry_run=True).dry_run
    finally:
        release.set()
        other.join()
    assert scalar(ws, "SELECT COUNT(*) FROM import_runs") == runs
    assert scalar(ws, "SELECT COUNT(*) FROM scoring_runs") == 0


def test_a_watched_folder_file_kept_out_by_another_writer_is_imported_next_time(
    ws: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from sqlalchemy.orm import Session

    from services.importing.watched import FOLDER_KEY, import_watched_folder
    from services.settings import set_setting

    monkeypatch.setattr(writing, "WAIT_SECONDS", 0.2)
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "orders.csv").write_bytes(ORDERS.read_bytes())
    with Session(ws) as session, session.begin():
        set_setting(session, FOLDER_KEY, str(folder))
    held, release = threading.Event(), threading.Event()

    def scoring() -> None:
        with workspace_writer(ws, "scoring"):
            held.set()
            release.wait(10)

    other = threading.Thread(target=scoring)
    other.start()
    try:
        assert held.wait(10)
        kept_out = import_watched_folder(ws, settle_s=0)
    finally:
        release.set()
        other.join()
    assert kept_out.imported == []
    assert kept_out.failed == []
    assert [line.split(":")[0] for line in kept_out.lines()] == ["orders.csv was not imported yet"]
    # Not remembered as handled: the next pass imports it.
    again = import_watched_folder(ws, settle_s=0)
    assert len(again.imported) == 1, again.lines()
    assert scalar(ws, "SELECT COUNT(*) FROM import_runs") == 1
