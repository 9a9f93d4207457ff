"""`config show` on a real workspace file sums up a large value in a line (what it is, how
big, the command that prints it) and keeps the short ones as they are; `config get KEY`
prints one value whole, as JSON."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace, to_url
from services.settings import set_setting

# As the demo's marker: how the demo was built, with a long list in it (about 12 KB).
MARKER = {
    "customers": 2000,
    "seed": 11,
    "churned": [{"customer": n, "why": "quiet for a long while"} for n in range(260)],
}


@pytest.fixture
def db(tmp_path: Path, _empty_workspace_file: Path) -> Path:
    path = tmp_path / "w.radar.sqlite"
    shutil.copyfile(_empty_workspace_file, path)
    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        with Session(workspace.engine) as session, session.begin():
            set_setting(session, "workspace.demo", MARKER)
            set_setting(session, "workspace.name", "Fern & Co")
    finally:
        workspace.close()
    return path


def config(db: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", str(db), "config", *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_show_sums_up_a_large_value_and_get_prints_it_whole(db: Path) -> None:
    size = len(json.dumps(MARKER, ensure_ascii=False).encode("utf-8"))
    assert 10_000 < size < 14_000
    code, out, err = config(db, "show")
    assert code == 0, err
    lines = {line.split()[0]: line for line in out.splitlines()}
    demo = lines["workspace.demo"].split(None, 1)[1]
    kb = round(size / 1024)
    assert demo == f"<demo workspace marker, {kb} KB; `config get workspace.demo` prints it>"
    assert "quiet for a long while" not in out
    assert lines["workspace.name"].split(None, 1)[1] == '"Fern & Co"'  # short: as it is
    assert len(lines["workspace.demo"]) < 150
    # --sources keeps the summary, with where the value comes from.
    code, out, _ = config(db, "show", "--sources")
    assert code == 0
    assert "`config get workspace.demo` prints it>    [" in out
    code, out, err = config(db, "get", "workspace.demo")
    assert code == 0, err
    assert json.loads(out) == MARKER
    assert out.endswith("\n")
    code, out, _ = config(db, "get", "workspace.name")
    assert (code, out) == (0, '"Fern & Co"\n')


def test_get_an_unknown_setting_is_exit_2_in_words(db: Path) -> None:
    code, out, err = config(db, "get", "workspace.nmae")
    assert code == 2
    assert out == ""
    assert "There is no setting 'workspace.nmae'." in err
    assert "Did you mean workspace.name?" in err
    assert "written" not in err
