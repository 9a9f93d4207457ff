"""The replay's intermediate results kept between replays (services/learn/replay_frames.py):
read back exactly as they were computed, keyed by everything they are computed from, so
that the next day's replay evaluates no rule and admits no week again and still gives the
full replay's figures, suggestions included (on the hand-made history of
test_alert_replay.py, on SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.orm import Session

import services.learn.replay_frames as replay_frames
import services.learn.replay_queue as replay_queue
import services.learn.replay_suggest as replay_suggest
from app.workspace import open_workspace
from services.alerts.config import AlertConfig, read_alert_config
from services.learn.alert_replay import replay_alerts
from services.learn.replay_frames import KeptFrames, frames_path, key_of
from services.learn.replay_kept import kept_path
from services.settings import set_setting
from tests.unit.learn.test_alert_replay import END, HISTORY, WEEKS, _fill
from tests.unit.learn.test_replay_kept import LATER, _figures, _order

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def engine(workspace_url: str) -> Iterator[Any]:
    _fill(workspace_url, list(HISTORY))
    ws = open_workspace(workspace_url, backup=False)
    yield ws.engine
    ws.close()


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many times the rules were evaluated on a week and the weeks admitted again (for
    a suggestion or a floor and weight tried)."""
    counts = {"evaluated": 0, "suggestions": 0, "within budget": 0}

    def counting(name: str, real: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        replay_frames, "evaluate_rules", counting("evaluated", replay_frames.evaluate_rules)
    )
    monkeypatch.setattr(
        replay_suggest, "_admitted", counting("suggestions", replay_suggest._admitted)
    )
    monkeypatch.setattr(
        replay_queue, "_within_budget", counting("within budget", replay_queue._within_budget)
    )
    return counts


def _full(engine: Any) -> Any:
    """The replay computing everything (neither weeks nor results kept read back)."""
    for path in (kept_path(engine), frames_path(engine)):
        if path.exists():
            path.unlink()
    return replay_alerts(engine, weeks=WEEKS, today=LATER)


def test_kept_frames_read_back_exactly_as_they_were(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "customer_id": np.array([3, 1, 2], np.int64),
            "churn": [0.5, np.nan, 0.25],
            "late": [True, False, True],
            "reason": pd.Series(["no order in 90 days", None, np.nan], dtype=object),
            "owner": pd.Series(["Ana", None, "Ben"], dtype="str"),
        }
    )
    empty = pd.DataFrame(columns=["day", "customer_id", "rule_key"])
    odd = pd.DataFrame({"evidence": [["a list"], {"a": 1}]})  # not plain: never kept
    path = tmp_path / "frames.npz"
    first = KeptFrames(path)
    for key, value in (("a", frame), ("b", empty), ("c", odd)):
        assert first.get(key, lambda value=value: value) is value
    first.save()
    again = KeptFrames(path)
    back = again.get("a", lambda: pytest.fail("kept: not computed again"))
    pd.testing.assert_frame_equal(back, frame)
    assert back["reason"].tolist()[1] is None
    assert back["reason"].isna().tolist() == [
        False,
        True,
        True,
    ]
    assert not isinstance(back["reason"].tolist()[2], str)
    assert list(again.get("b", lambda: pytest.fail("kept")).columns) == list(empty.columns)
    assert again.get("c", lambda: odd) is odd  # computed again
    assert (again.reused, again.computed) == (2, 1)
    # Written again: what was read back is copied as it was, beside what is new.
    new = pd.DataFrame({"rule_key": pd.Series(["usage_drop", None], dtype=object)})
    again.get("d", lambda: new)
    assert again.words("w", lambda: ["gone_quiet", "lapse_coming"]) == [
        "gone_quiet",
        "lapse_coming",
    ]
    again.save()
    third = KeptFrames(path)
    pd.testing.assert_frame_equal(third.get("a", lambda: pytest.fail("kept")), frame)
    pd.testing.assert_frame_equal(third.get("d", lambda: pytest.fail("kept")), new)
    assert third.get("d", lambda: new)["rule_key"].tolist()[1] is None
    assert third.words("w", lambda: pytest.fail("kept")) == ["gone_quiet", "lapse_coming"]
    assert (third.reused, third.computed) == (2, 0)
    fourth = KeptFrames(path)
    fourth.get("a", lambda: pytest.fail("kept"))  # only "a" used: only "a" kept after it
    fourth.save()
    fifth, marker = KeptFrames(path), pd.DataFrame({"x": [0]})
    assert fifth.get("a", lambda: marker).equals(frame)
    assert fifth.get("d", lambda: marker) is marker


def test_a_file_that_cannot_be_read_is_computed_again(tmp_path: Path) -> None:
    path = tmp_path / "frames.npz"
    path.write_bytes(b"PK\x03\x04 not an archive")
    kept = KeptFrames(path)
    frame = pd.DataFrame({"x": [1]})
    assert kept.get("a", lambda: frame) is frame
    kept.save()
    assert KeptFrames(path).get("a", lambda: pytest.fail("kept")).equals(frame)


def test_keys_are_the_same_in_another_process_and_change_with_any_setting(engine: Any) -> None:
    with Session(engine) as s:
        config = read_alert_config(s)
    here = key_of("candidates", config)
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from sqlalchemy import create_engine; from sqlalchemy.orm import Session\n"
        "from services.alerts.config import read_alert_config\n"
        "from services.learn.replay_frames import key_of\n"
        "with Session(create_engine(sys.argv[2])) as s:\n"
        "    print(key_of('candidates', read_alert_config(s)))\n"
    )
    url = engine.url.render_as_string(hide_password=False)
    there = subprocess.run(
        [sys.executable, "-c", script, str(ROOT), url],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    assert there.stdout.strip() == here
    changed: AlertConfig = dataclasses.replace(config, cooldown_days=config.cooldown_days + 1)
    assert key_of("candidates", changed) != here


def test_the_next_days_replay_computes_no_candidate_and_gives_the_full_replays_figures(
    engine: Any, computed: dict[str, int]
) -> None:
    first = replay_alerts(engine, weeks=WEEKS, today=LATER)
    assert first.suggestions, "the gone-quiet threshold is searched"
    assert computed["evaluated"] >= WEEKS
    assert computed["suggestions"] > 1
    assert computed["within budget"] >= 1
    _order(engine, "E", END + dt.timedelta(days=1))  # a Monday: the same weeks
    _order(engine, "B", END + dt.timedelta(days=1))  # lapsed, then back: the outcome changes
    computed.update(dict.fromkeys(computed, 0))
    added = replay_alerts(engine, weeks=WEEKS, today=LATER)
    assert computed == {"evaluated": 0, "suggestions": 0, "within budget": 0}
    full = _full(engine)
    assert computed["evaluated"] >= WEEKS
    assert _figures(added) == _figures(full)
    assert _figures(added) != _figures(first)  # the new orders changed the outcome


def test_an_alert_setting_computes_again_with_the_new_value(
    engine: Any, computed: dict[str, int]
) -> None:
    replay_alerts(engine, weeks=WEEKS, today=LATER)
    with Session(engine) as s, s.begin():
        set_setting(s, "alerts.gone_quiet.gap_multiple", 3.0, actor="test")
    computed.update(dict.fromkeys(computed, 0))
    changed = replay_alerts(engine, weeks=WEEKS, today=LATER)
    assert computed["evaluated"] >= WEEKS
    assert _figures(changed) == _figures(_full(engine))


def test_another_worth_evaluates_no_rule_again_and_gives_the_full_replays_figures(
    engine: Any, computed: dict[str, int]
) -> None:
    replay_alerts(engine, weeks=WEEKS, today=LATER)
    with Session(engine) as s, s.begin():  # a floor of its own: gone quiet's warnings thinned
        set_setting(s, "alerts.lapse_floor_percent", 60, actor="test")
    computed.update(dict.fromkeys(computed, 0))
    floored = replay_alerts(engine, weeks=WEEKS, today=LATER)
    assert computed["evaluated"] == 0
    full = _full(engine)
    assert computed["evaluated"] >= WEEKS
    assert _figures(floored) == _figures(full)


def test_another_weight_admits_again_only_what_depends_on_it(
    engine: Any, computed: dict[str, int]
) -> None:
    """The floors and weights the worth choice tries do not depend on the weight set (each
    trial ranks with its own): kept; the suggestions' trials rank with it: admitted again."""
    with Session(engine) as s, s.begin():  # a notice shorter than the horizon: trials run
        set_setting(s, "alerts.lapse_coming.notice_days", 10, actor="test")
    replay_alerts(engine, weeks=WEEKS, today=LATER)
    assert computed["within budget"] > 10
    with Session(engine) as s, s.begin():
        set_setting(s, "alerts.reach_weight", 100, actor="test")
    computed.update(dict.fromkeys(computed, 0))
    weighted = replay_alerts(engine, weeks=WEEKS, today=LATER)
    assert computed["evaluated"] == 0
    assert computed["within budget"] <= 1  # the queue as set: the new weight's own
    assert computed["suggestions"] > 0
    assert _figures(weighted) == _figures(_full(engine))
