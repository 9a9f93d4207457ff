"""`report experiments` through main(): the table, CSV and JSON carry the figures the
service computes on the hand-made book of test_experiments."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from app.cli.main import main
from services.alerts.experiments import ExperimentSpec, Strategy, start_experiment
from services.learn.experiments import experiments_report
from tests.unit.alerts.test_alerts_rules import at
from tests.unit.learn.test_experiments import TWO, book, email_everyone, workspace


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_table_csv_and_json_show_the_service_figures(tmp_path: Path) -> None:
    with workspace(tmp_path) as ws:
        url = ws.url
        code, out, err = run("--db", url, "report", "experiments")
        assert code == 0, err
        assert out.startswith("No experiments yet.")
        book(ws.engine, contacted=90, held=45)
        spec = ExperimentSpec("Tone test", "tone", TWO, ("gone_quiet",), ("medium",), seed=3)
        start_experiment(ws.engine, spec, now=at(41))
        email_everyone(ws.engine)
        report = experiments_report(ws.engine)
        code, table, err = run("--db", url, "report", "experiments")
        assert code == 0, err
        code, text, err = run("--db", url, "report", "experiments", "--format", "csv")
        assert code == 0, err
        code, raw, err = run("--db", url, "report", "experiments", "--format", "json")
        assert code == 0, err
    (result,) = report.experiments
    figures = {f.key: f for f in result.comparison.strategies}
    lines = table.splitlines()
    assert lines[0].startswith('Experiment "Tone test" (tone; running since')
    assert max(len(line) for line in lines) <= 100
    warm = next(line for line in lines if line.strip().startswith("Warm tone"))
    assert f"{figures['warm'].rate * 100:.1f}%" in warm
    assert result.comparison.verdict in table
    assert "Bonferroni for 3 comparisons" in table
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["strategy"] for r in rows] == ["warm", "concise", "holdout"]
    assert int(rows[0]["customers"]) == figures["warm"].n
    assert float(rows[1]["rate"]) == figures["concise"].rate
    assert int(rows[2]["customers"]) == result.comparison.holdout_n
    data = json.loads(raw)["experiments"][0]
    assert data["adjustment"] == "bonferroni"
    assert data["winner"] is None
    assert [s["reengaged"] for s in data["strategies"]] == [
        figures["warm"].reengaged,
        figures["concise"].reengaged,
    ]


def test_an_offer_size_experiment_is_named_by_its_kind_and_values(tmp_path: Path) -> None:
    offers = (
        Strategy("0", "No offer", "0"),
        Strategy("15", "Up to 15% of the predicted value", "15"),
    )
    with workspace(tmp_path) as ws:
        book(ws.engine, contacted=30, held=15)
        spec = ExperimentSpec("Offer test", "offer", offers, ("gone_quiet",), ("medium",), seed=3)
        start_experiment(ws.engine, spec, now=at(41))
        email_everyone(ws.engine)
        code, table, err = run("--db", ws.url, "report", "experiments")
        assert code == 0, err
        code, raw, err = run("--db", ws.url, "report", "experiments", "--format", "json")
        assert code == 0, err
    assert table.splitlines()[0].startswith('Experiment "Offer test" (offer size; running since')
    assert "Up to 15% of the predicted value" in table
    data = json.loads(raw)["experiments"][0]
    assert data["kind"] == "offer"
    assert [s["key"] for s in data["strategies"]] == ["0", "15"]
