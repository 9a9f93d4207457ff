"""`config set KEY VALUE` and `config unset KEY` through the command line on a real
workspace file: the settings API's checks, IT's locks, nothing written when refused."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace, to_url
from services.core.personal import load_personal
from services.core.policy import reload_policy
from services.settings import get_setting

POLICY = {
    "locked": {"alerts.weekly_budget_per_owner": 40},
    "defaults": {"learn.holdout_percent": 20},
}


@pytest.fixture
def db(
    tmp_path: Path, _empty_workspace_file: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    path = tmp_path / "w.radar.sqlite"
    shutil.copyfile(_empty_workspace_file, path)
    policy = tmp_path / "policies.json"
    policy.write_text(json.dumps(POLICY), encoding="utf-8")
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(policy))
    reload_policy()
    yield path
    monkeypatch.delenv("ACCOUNT_RADAR_POLICIES")
    reload_policy()


def config(db: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", str(db), "config", *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def value(db: Path, key: str) -> object:
    workspace = open_workspace(to_url(str(db)), backup=False)
    try:
        with Session(workspace.engine) as session:
            return get_setting(session, key)
    finally:
        workspace.close()


def test_set_then_unset_returns_to_the_organisations_default(db: Path) -> None:
    code, out, err = config(db, "set", "learn.holdout_percent", "5")
    assert code == 0, err
    assert "Set learn.holdout_percent to 5 in the workspace" in out
    assert value(db, "learn.holdout_percent") == 5
    assert config(db, "set", "scoring.horizon_days", "120")[0] == 0
    assert value(db, "scoring.horizon_days") == 120
    # Kept as the Settings dialog keeps it: a currency code in capitals.
    assert config(db, "set", "workspace.home_currency", "eur")[0] == 0
    assert value(db, "workspace.home_currency") == "EUR"
    # Forgotten, not set to the built-in 10: the organisation's default applies again.
    code, out, err = config(db, "unset", "learn.holdout_percent")
    assert code == 0, err
    assert "back to its default, 20" in out
    assert value(db, "learn.holdout_percent") == 20


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["set", "learn.holdout_percent", "250"], "must be at most"),
        (["set", "scoring.horizon_days", "soon"], "it takes whole number"),
        (["set", "alerts.weekly_budget", "3"], "Did you mean alerts.weekly_budget_per_owner?"),
        (["unset", "no.such.setting"], "There is no setting 'no.such.setting'"),
    ],
)
def test_an_unknown_key_or_a_bad_value_is_exit_2_and_writes_nothing(
    db: Path, args: list[str], words: str
) -> None:
    before = db.read_bytes()
    code, out, err = config(db, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ")
    assert len(err.strip().splitlines()) == 1
    assert words in err
    assert "nothing was written" in err.lower()
    assert db.read_bytes() == before


@pytest.mark.parametrize("args", [["set", "alerts.weekly_budget_per_owner", "30"],
                                  ["unset", "alerts.weekly_budget_per_owner"]])  # fmt: skip
def test_a_setting_locked_by_it_is_refused_the_policy_wins(db: Path, args: list[str]) -> None:
    before = db.read_bytes()
    code, _out, err = config(db, *args)
    assert code == 1
    assert "locked by your IT policy at 40" in err
    assert "the policy wins, so nothing was written" in err
    assert db.read_bytes() == before
    assert value(db, "alerts.weekly_budget_per_owner") == 40


def test_a_personal_setting_goes_to_the_persons_own_settings(db: Path) -> None:
    code, out, err = config(db, "set", "llm.temperature", "0.2")
    assert code == 0, err
    assert "your own settings, for every workspace" in out
    assert load_personal().values["llm.temperature"] == 0.2
    assert config(db, "unset", "llm.temperature")[0] == 0
    assert "llm.temperature" not in load_personal().values
    assert value(db, "llm.temperature") == 0.7


@pytest.mark.parametrize(
    "text",
    ['{"recency": NaN}', '{"recency": 1e999}', "[" * 2_000, '{"a":' * 1_000],
    ids=["nan", "infinite", "deep-list", "deep-table"],
)
def test_a_table_value_that_is_no_number_or_too_deep_is_refused_in_words(
    db: Path, text: str
) -> None:
    before = value(db, "scoring.engagement_weights")
    code, out, err = config(db, "set", "scoring.engagement_weights", text)
    assert code == 2, (out, err)
    assert "unexpected" not in err
    assert "Error" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert value(db, "scoring.engagement_weights") == before
