"""A shared workspace prints what its file printed: the same demo, as a file
and published to a database of the session's PostgreSQL server, gives the same text from
every reading command (reports, the digest, alerts, saved questions, exports): money,
dates, percentages and the order of the rows.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.main import main
from app.workspace import open_workspace, to_url
from services.ask.questions import BUILTIN
from services.demo.build import build_demo
from services.team.publish import publish
from services.usecases.refresh import score_and_alert
from tests.support.databases import PostgresCluster

pytestmark = [pytest.mark.postgresql, pytest.mark.slow]

COMMANDS = [
    ["report", "effectiveness"],
    ["report", "effectiveness", "--by", "owner"],
    ["report", "effectiveness", "--by", "segment", "--format", "csv"],
    ["report", "effectiveness", "--by", "rule", "--format", "json"],
    ["digest", "--since", "2020-01-01"],
    ["digest", "--since", "2020-01-01", "--format", "md"],
    ["alerts", "--limit", "40"],
    ["alerts", "--held-back"],
    ["alerts", "--status", "resolved"],
    ["imports", "list"],
    *(["ask", "--saved", q.id] for q in BUILTIN),
]
EXPORTS = ("scores", "customers", "alerts")


@pytest.fixture(scope="module")
def both(
    postgres_cluster: PostgresCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    file = tmp_path_factory.mktemp("alike") / "demo.radar.sqlite"
    ws = open_workspace(to_url(str(file)), backup=False)
    try:
        build_demo(ws.engine, customers=150, seed=7)
        score_and_alert(ws.engine)
        url = postgres_cluster.server.createdb("alike")
        assert not publish(ws.engine, url).problems
    finally:
        ws.close()
    yield str(file), url
    postgres_cluster.drop(url)


def _said(db: str, args: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", db, *args], out=out, err=err)
    text = out.getvalue() + err.getvalue()
    # Where the workspace is and when the report was made differ, and should.
    text = re.sub(r"\((?:demo\.radar\.sqlite|[^()]*@127\.0\.0\.1:\d+/alike)\)", "(WS)", text)
    return code, re.sub(r'"as_of": "[^"]+"', '"as_of": "T"', text)


def test_every_reading_command_prints_the_same_on_both(both: tuple[str, str]) -> None:
    file, url = both
    differ = []
    for args in COMMANDS:
        on_file, on_server = _said(file, args), _said(url, args)
        assert on_file[1].strip(), args  # something printed: the comparison means something
        if on_file != on_server:
            differ.append((args, on_file, on_server))
    assert not differ, differ[0]


def test_every_export_writes_the_same_on_both(both: tuple[str, str], tmp_path: Path) -> None:
    for what in EXPORTS:
        files = []
        for db, side in ((both[0], "file"), (both[1], "server")):
            target = tmp_path / f"{what}-{side}.csv"
            code, said = _said(db, ["export", what, str(target)])
            assert code == 0, said
            files.append(target.read_text(encoding="utf-8-sig"))
        assert files[0] == files[1], what
