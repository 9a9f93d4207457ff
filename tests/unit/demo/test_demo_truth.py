"""A demo's simulated truth is kept in a table of its own (services/demo/truth.py), so
the demo marker stays small: a demo built before moves its truth there when the
workspace is upgraded, and a real workspace has none."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from alembic import command

from app.workspace import open_workspace, to_url
from models.migrate import alembic_config, head_revision, upgrade
from services.demo.truth import demo_truth, demo_truths
from services.settings import get_setting


def test_an_older_demos_truth_moves_out_of_its_marker_on_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    try:
        cfg = alembic_config()
        with ws.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0028")
    finally:
        ws.close()
    marker = {
        "customers": 300,
        "seed": 11,
        "today": "2025-06-15",
        "simulated_outreach": {"alerts": 69, "uplift": {"A1": 0.08}},
        "simulated_renewals": {"terms": {"K1@1": {"chance": 0.7}}},
        "simulated_people": None,
    }
    with sqlite3.connect(path) as con:
        con.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, '2025-06-15 00:00:00')",
            ("workspace.demo", json.dumps(marker)),
        )
    ws = open_workspace(to_url(str(path)), backup=False)
    try:
        upgrade(ws.engine)
        with ws.sessions() as session:
            kept = get_setting(session, "workspace.demo")
            truths = demo_truths(session)
            renewals = demo_truth(session, "renewals")
        with ws.engine.connect() as conn:
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    finally:
        ws.close()
    assert version == head_revision()
    assert kept == {"customers": 300, "seed": 11, "today": "2025-06-15"}
    assert truths == {
        "outreach": {"alerts": 69, "uplift": {"A1": 0.08}},
        "renewals": {"terms": {"K1@1": {"chance": 0.7}}},
        "people": None,
    }
    assert renewals == {"terms": {"K1@1": {"chance": 0.7}}}


def test_a_workspace_of_real_data_has_no_truth(tmp_path: Path) -> None:
    ws = open_workspace(to_url(str(tmp_path / "real.radar.sqlite")), backup=False)
    try:
        upgrade(ws.engine)
        with ws.sessions() as session:
            assert demo_truths(session) == {}
            assert demo_truth(session, "renewals") is None
            assert get_setting(session, "workspace.demo") is None
    finally:
        ws.close()
