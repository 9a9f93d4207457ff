"""Publishing a workspace file never carries the person's own settings to the team's
database: a file kept by an older version may still hold the publisher's
provider and signature; they stay theirs (adopted into their own settings file when the
file was opened), and the copy is checked whole all the same."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.workspace import open_workspace, to_url
from services.core.personal import load_personal
from services.team import publish as publishing
from tests.unit.workspace.test_postgres import pg_url  # noqa: F401  (the fixture)


@pytest.fixture
def empty_db(pg_url: str) -> Iterator[str]:  # noqa: F811
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS radar_personal WITH (FORCE)")
        conn.exec_driver_sql("CREATE DATABASE radar_personal")
    try:
        yield pg_url.rsplit("/", 1)[0] + "/radar_personal"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql("DROP DATABASE IF EXISTS radar_personal WITH (FORCE)")
        admin.dispose()


def test_the_publishers_own_settings_stay_out_of_the_team_database(
    tmp_path: Path, empty_db: str
) -> None:
    path = tmp_path / "mine.radar.sqlite"
    workspace = open_workspace(to_url(str(path)), backup=False)
    with workspace.engine.begin() as conn:
        for key, value in (
            ("llm.base_url", "http://my-gpu.lan/v1"),
            ("outreach.signature", "Ana"),
            ("outreach.brand_voice", "plain"),
        ):
            conn.execute(
                text("INSERT INTO settings (key, value, updated_at) VALUES (:k, :v, '2025-01-01')"),
                {"k": key, "v": json.dumps(value)},
            )  # fmt: skip
    workspace.close()
    open_workspace(to_url(str(path)), backup=False).close()  # opened by this version
    assert load_personal().values["outreach.signature"] == "Ana"
    source = open_workspace(to_url(str(path)), backup=False)
    try:
        report = publishing.publish(source.engine, empty_db)
    finally:
        source.close()
    assert report.problems == []
    assert report.left_out == {"settings": 2}
    shared = create_engine(empty_db)
    try:
        with shared.connect() as conn:
            keys = set(conn.execute(text("SELECT key FROM settings")).scalars())
    finally:
        shared.dispose()
    assert "outreach.brand_voice" in keys
    assert not {"llm.base_url", "outreach.signature"} & keys
