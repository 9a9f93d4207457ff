"""`report alerts` ends with the risks read in conversations (a real process on a real
workspace file): each kind's precision, interval, judged findings and recall on the
labelled listening corpus as the app keeps them, the rule's level, and whether the kind
raises alerts; a kind under the level says "no: unproven"; CSV and JSON carry the same."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from app.workspace import open_workspace, to_url
from services.listen.proven_risks import measured
from tests.cli.commands.test_cli import run


def test_the_conversation_risks_section_in_words_csv_and_json(tmp_path: Path) -> None:
    db = tmp_path / "heard.radar.sqlite"
    open_workspace(to_url(str(db)), backup=False).engine.dispose()
    kept = measured()["kinds"]
    done = run("--db", str(db), "report", "alerts", "--signals-only", home=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    start = lines.index("Risks read in conversations, measured on the labelled listening corpus")
    rows = {line.split("  ")[0].strip(): line for line in lines[start:] if line[:1].islower()}
    for kind, counts in kept.items():
        row = rows[kind.replace("_", " ")]
        precision = counts["hits"] / counts["found"]
        assert f"{precision:.0%}" in row
        assert f"{counts['found']:,}" in row.split()
        assert f"{counts['hits'] / counts['labelled']:.0%}" in row
        assert row.endswith("yes" if precision >= 0.85 else "no: unproven")

    done = run("--db", str(db), "report", "alerts", "--signals-only", "--format", "csv",
               home=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    heard = [r for r in csv.DictReader(io.StringIO(done.stdout)) if r["group"] ==
             "conversation_risk"]  # fmt: skip
    assert {r["key"]: int(r["judged"]) for r in heard} == {k: c["found"] for k, c in kept.items()}

    run("--db", str(db), "config", "set", "alerts.conversation_risk.min_precision_percent", "50",
        home=tmp_path)  # fmt: skip
    done = run("--db", str(db), "report", "alerts", "--signals-only", "--format", "json",
               home=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)["conversation_risks"]
    assert {f["kind"] for f in figures} == set(kept)
    assert all(f["required"] == 0.5 and f["proven"] for f in figures)
