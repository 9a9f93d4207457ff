"""One version, from pyproject.toml: the checkout, the bundle's build.json and --version
agree; the licences list names every runtime requirement with its licence."""

from __future__ import annotations

import io
import json
import re
import sys
import tomllib
from pathlib import Path

import pytest

from app.cli.main import main
from services.core import licences, version
from tests.support.paths import ROOT


def _pyproject_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def test_the_version_is_pyprojects_and_the_build_number_the_environments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BUILD_NUMBER", "417")
    info = version.read_pyproject(ROOT)
    assert info == {"version": _pyproject_version(), "build": "417"}
    monkeypatch.delenv("BUILD_NUMBER")
    assert version.read_pyproject(ROOT)["build"] == "dev"


def test_the_frozen_app_reads_the_build_file_its_bundle_carries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / version.BUILD_FILE).write_text(json.dumps({"version": "9.8.7", "build": "65"}))
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    version.build_info.cache_clear()
    try:
        assert version.version_text() == "9.8.7 (build 65)"
    finally:
        monkeypatch.undo()
        version.build_info.cache_clear()
    assert version.app_version() == _pyproject_version()


def test_version_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"], out=io.StringIO(), err=io.StringIO()) == 0
    printed = capsys.readouterr().out
    assert f"{_pyproject_version()} (build " in printed


def test_the_licences_name_every_runtime_requirement(tmp_path: Path) -> None:
    wanted = {
        re.sub(r"[-_.]+", "-", m.group(1)).lower()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if (m := re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)", line.strip()))
    }
    rows = licences.collect(ROOT)
    named = {re.sub(r"[-_.]+", "-", r.name.split(" (")[0]).lower() for r in rows}
    assert wanted <= named
    assert rows[0].name == "Python"
    assert "Python Software Foundation" in rows[0].text or rows[0].text == ""
    qt = next(r for r in rows if r.name.startswith("PySide6"))
    assert "LGPL" in qt.licence
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in qt.text
    assert all(r.licence for r in rows)
    written = tmp_path / licences.LICENCES_FILE
    assert licences.write(written, ROOT) == len(rows)
    assert [r["name"] for r in json.loads(written.read_text())] == [r.name for r in rows]
