"""`export scores|customers OUT.csv|OUT.xlsx` end to end: real processes and files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.cli.commands.test_cli import one_line_error, run

SCORE_COLUMNS = [
    "customer_id",
    "name",
    "email",
    "engagement_score",
    "churn_risk",
    "churn_risk_low",
    "churn_risk_high",
    "predicted_orders",
    "predicted_orders_low",
    "predicted_orders_high",
    "predicted_revenue",
    "value",
    "value_low",
    "value_high",
    "value_horizon_months",
    "segment",
    "health_score",
    "confidence",
    "revenue_at_risk",
    "top_driver",
    "as_of",
    "horizon_days",
]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    home = tmp_path_factory.mktemp("export-home")
    db = home / "demo.radar.sqlite"
    built = run(
        "--db", str(db), "demo", "--customers", "300", "--seed", "4", "--no-score", home=home
    )
    assert built.returncode == 0, built.stderr
    return home, db


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_export_scores_before_any_scoring_says_run_score_first(
    demo_db: tuple[Path, Path],
) -> None:
    home, db = demo_db
    out = home / "never.csv"
    result = run("--db", str(db), "export", "scores", str(out), home=home)
    assert result.returncode == 1
    assert "run 'score' first" in one_line_error(result)
    assert not out.exists()


def test_export_customers_to_csv_and_xlsx(demo_db: tuple[Path, Path]) -> None:
    home, db = demo_db
    result = run("--db", str(db), "export", "customers", str(home / "c.csv"), home=home)
    assert result.returncode == 0, result.stderr
    assert "Exported 300 customers" in result.stdout
    rows = _read_csv(home / "c.csv")
    assert len(rows) == 300
    assert {"customer_id", "source", "name", "email", "orders", "revenue"} <= set(rows[0])
    assert "id" not in rows[0]  # the workspace's own row id means nothing outside it
    assert list(rows[0])[:2] == ["customer_id", "source"]
    # Keyed like the scores export: the source's own id (the demo's customer numbers).
    assert len({r["customer_id"] for r in rows}) == 300
    assert all(r["customer_id"] and not r["customer_id"].isdigit() for r in rows)
    assert all(float(r["revenue"]) >= 0 for r in rows)
    result = run("--db", str(db), "export", "customers", str(home / "c.xlsx"), home=home)
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(home / "c.xlsx", read_only=True)["Customers"]
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 301
    orders_at = values[0].index("orders")
    assert all(isinstance(v[orders_at], int) for v in values[1:])


def test_export_scores_after_score(demo_db: tuple[Path, Path]) -> None:
    home, db = demo_db
    scored = run("--db", str(db), "score", "--horizon-days", "90", home=home)
    assert scored.returncode == 0, scored.stderr
    out = home / "scores.csv"
    result = run("--db", str(db), "export", "scores", str(out), home=home)
    assert result.returncode == 0, result.stderr
    assert "Exported scores for" in result.stdout
    rows = _read_csv(out)
    assert rows, "no rows exported"
    assert [c for c in rows[0] if c in SCORE_COLUMNS] == SCORE_COLUMNS
    assert set(SCORE_COLUMNS) <= set(rows[0])
    for row in rows:
        assert 0.0 <= float(row["churn_risk"]) <= 1.0
        assert row["horizon_days"] == "90"
        # Every figure sits inside its own 80% interval.
        for name in ("churn_risk", "predicted_orders", "value"):
            low, point, high = (float(row[f"{name}{end}"]) for end in ("_low", "", "_high"))
            assert low <= point <= high, (name, row)
        assert float(row["churn_risk_high"]) <= 1.0
    # The intervals say something: some customers' risk is known more closely than others'.
    widths = {round(float(r["churn_risk_high"]) - float(r["churn_risk_low"]), 2) for r in rows}
    assert len(widths) > 5
    xlsx = home / "scores.xlsx"
    result = run("--db", str(db), "export", "scores", str(xlsx), home=home)
    assert result.returncode == 0, result.stderr
    values = list(load_workbook(xlsx, read_only=True).active.iter_rows(values_only=True))
    assert len(values) == len(rows) + 1
    risk_at = values[0].index("churn_risk")
    assert all(isinstance(v[risk_at], float | int) for v in values[1:])


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["export", "orders", "a.csv"], "choose scores, customers, alerts or activities"),
        (["export", "scores", "a.txt"], "must end in .csv or .xlsx"),
        (["export", "scores"], "required"),
    ],
)
def test_export_usage_errors_exit_2(tmp_path: Path, args: list[str], complaint: str) -> None:
    result = run(*args, home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: ")
    assert complaint in result.stderr
    assert not (tmp_path / "a.csv").exists()


def test_export_from_a_missing_workspace_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "nothing.radar.sqlite"
    result = run("--db", str(db), "export", "customers", str(tmp_path / "c.csv"), home=tmp_path)
    assert result.returncode == 1
    assert "There is no workspace" in one_line_error(result)
    assert not db.exists()
    assert not (tmp_path / "c.csv").exists()


def test_export_into_a_missing_folder_is_a_plain_error(demo_db: tuple[Path, Path]) -> None:
    home, db = demo_db
    out = home / "no" / "such" / "c.csv"
    result = run("--db", str(db), "export", "customers", str(out), home=home)
    assert result.returncode == 1
    assert "does not exist" in one_line_error(result)
