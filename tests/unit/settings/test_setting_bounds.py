"""A setting's value is held to its declared bounds (services/core/setting_spec.py
``check_value``) wherever it comes from: the Settings dialog and the command line
(``validate_setting``), IT's policy, the person's own file, a value the workspace kept.
One bad value falls back alone and is named; the rest stands. Real workspace files, real
policy and settings files."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace, to_url
from services.alerts.playbooks import playbook_choices
from services.core import policy as policy_module
from services.core.personal import personal_path
from services.core.policy import reload_policy
from services.settings import SettingError, get_setting, set_setting, validate_setting
from services.settings.playbooks import BUILT_IN

MAX_PLAYBOOKS = 50  # the most a workspace may keep (services/settings/playbooks.py)

HUGE_DAY = "9" * 5000
HUGE_DAY_PLAYBOOK = f"Trial: day {HUGE_DAY} call Ask how it went"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    yield workspace
    workspace.close()


@pytest.fixture
def machine_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """IT's policies.json beside the program (not written yet)."""
    app_dir = tmp_path / "program"
    app_dir.mkdir()
    monkeypatch.setattr(policy_module, "_executable_dir", lambda: app_dir)
    monkeypatch.setattr(policy_module, "LINUX_FILE", tmp_path / "etc" / "policies.json")
    monkeypatch.delenv("ACCOUNT_RADAR_POLICIES", raising=False)
    yield app_dir / "policies.json"
    monkeypatch.undo()
    reload_policy()


def keep_in_workspace(ws: Workspace, key: str, value: object) -> None:
    """A value the workspace kept, written by an older version or by hand."""
    with ws.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO settings (key, value, updated_at) VALUES (:k, :v, '2025-01-01')"),
            {"k": key, "v": json.dumps(value)},
        )


def test_a_day_of_5000_digits_is_refused_in_words_and_the_list_still_opens(
    ws: Workspace,
) -> None:
    problem = validate_setting("playbooks.custom", HUGE_DAY_PLAYBOOK)
    assert problem is not None
    assert "is not between 0 and 365" in problem
    assert len(problem) < 200  # the day is not quoted whole
    # Kept in the workspace by an older version: the window's list has the built-in ones.
    keep_in_workspace(ws, "playbooks.custom", HUGE_DAY_PLAYBOOK)
    keys = [c.key for c in playbook_choices(ws.engine)]
    assert keys == [p.key for p in BUILT_IN]


def test_one_bad_value_in_its_policy_falls_back_alone(machine_policy: Path) -> None:
    machine_policy.write_text(
        '{"locked": {"playbooks.custom": ' + json.dumps(HUGE_DAY_PLAYBOOK) + ", "
        '"scoring.horizon_days": ' + HUGE_DAY + ", "
        '"learn.holdout_percent": 15, "llm.allow_cloud": true}}',
        encoding="utf-8",
    )
    policy = reload_policy()
    # The good locks stand, IT's own values (not the fail-closed ones).
    assert policy.locked["learn.holdout_percent"] == 15
    assert policy.locked["llm.allow_cloud"] is True
    # Each bad one locks its built-in default, and is named.
    assert policy.locked["playbooks.custom"] == ""
    assert policy.locked["scoring.horizon_days"] == 90
    said = " ".join(policy.problems)
    assert "playbooks.custom" in said
    assert "scoring.horizon_days" in said
    assert "could not be read and was ignored" not in said  # not the whole file


def test_oversize_custom_playbooks_are_refused_on_write(ws: Workspace) -> None:
    line = "; ".join(f"day {d} email Say hello to them once more" for d in range(20))
    huge = "\n".join(f"Book {n}: {line}" for n in range(17_000_000 // len(line)))
    many = "\n".join(f"Book {n}: day 0 call Hi" for n in range(MAX_PLAYBOOKS + 1))
    started = time.perf_counter()
    with ws.sessions() as session:
        with pytest.raises(SettingError, match="at most 50,000 are allowed"):
            set_setting(session, "playbooks.custom", huge)
        with pytest.raises(SettingError, match=f"at most {MAX_PLAYBOOKS} may be kept"):
            set_setting(session, "playbooks.custom", many)
        with pytest.raises(SettingError, match="over 255 characters"):
            set_setting(session, "playbooks.custom", "Long: day 1 task " + "x" * 300)
        assert get_setting(session, "playbooks.custom") == ""
    assert time.perf_counter() - started < 2


def test_a_kept_value_out_of_bounds_counts_as_not_set_and_is_named(
    ws: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    keep_in_workspace(ws, "playbooks.custom", "Big: day 0 call Hi\n" + "#" * 60_000)
    keep_in_workspace(ws, "scoring.horizon_days", 10**400)
    keep_in_workspace(ws, "alerts.weekly_budget_per_owner", 40)
    with caplog.at_level(logging.WARNING), Session(ws.engine) as session:
        assert get_setting(session, "playbooks.custom") == ""
        assert get_setting(session, "scoring.horizon_days") == 90
        assert get_setting(session, "alerts.weekly_budget_per_owner") == 40
    logged = caplog.text
    assert "playbooks.custom" in logged
    assert "scoring.horizon_days" in logged


def test_one_bad_value_in_the_persons_file_leaves_the_others(ws: Workspace) -> None:
    path = personal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '{"settings": {"outreach.sender_name": "Ana", "smtp.port": ' + HUGE_DAY + "}}",
        encoding="utf-8",
    )
    with Session(ws.engine) as session:
        assert get_setting(session, "outreach.sender_name") == "Ana"
        assert get_setting(session, "smtp.port") == 587
    assert path.exists()  # a value refused is no damaged file: nothing set aside


@pytest.mark.parametrize(
    "weights",
    [{"recency": float("nan")}, {"recency": float("inf")}, {"recency": 1e308, "frequency": 1e308}],
    ids=["nan", "infinite", "overflowing"],
)
def test_a_table_of_numbers_holds_only_finite_numbers_a_column_can_keep(
    weights: dict[str, float],
) -> None:
    # NaN weights made every engagement score 0 with no word; 1e308 ones overflow when added.
    problem = validate_setting("scoring.engagement_weights", weights)
    assert problem is not None
    assert "Engagement" in problem or "engagement" in problem
    assert validate_setting("scoring.engagement_weights", {"recency": 2.0}) is None
