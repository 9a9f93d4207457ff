"""What a lapse warning is worth (services/alerts/worth.py): the order by chance x (value +
weight x typical value), the floor on the chance, the short-notice tier, and where the
floor and weight come from (set, the last replay's choice, the built-in values)."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from models.schema import AuditEvent
from services.alerts.config import REPLAYED_ACTION, read_alert_config
from services.alerts.worth import (
    FALLBACK_FLOOR_PERCENT,
    Worth,
    rank_by_worth,
    short_notice,
    typical_value,
)
from services.learn.replay_records import WorthTrial
from services.learn.replay_worth import choose
from services.settings import set_setting

H = 90


def customers() -> pd.DataFrame:
    """Four customers: a likely lapse of a small account, a less likely lapse of a big one,
    an unlikely lapse, and one already lapsed."""
    return pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4],
            "lapse_chance": [0.95, 0.75, 0.30, 1.0],
            "churn": [0.5, 0.5, 0.5, 0.9],
            "clv_cents": [10_000.0, 100_000.0, 50_000.0, 20_000.0],
            "recency_days": [40.0, 50.0, 10.0, 120.0],
        }
    )


def candidates(rules: list[str] | None = None) -> pd.DataFrame:
    ids = [1, 2, 3, 4]
    return pd.DataFrame(
        {
            "customer_id": ids,
            "rule_key": rules or ["gone_quiet"] * 4,
            "severity": "warning",
            "reason": "",
            "priority_cents": [1, 2, 3, 4],
            "snapshot_id": 0,
            "owner": "",
            "do_not_contact": False,
        }
    )


def test_weight_0_ranks_the_value_at_stake_and_a_large_weight_the_chance() -> None:
    c = customers()
    typical = typical_value(c, H)
    assert typical == 50_000.0  # the median of those not lapsed (1, 2, 3)
    by_value = rank_by_worth(candidates(), c, H, Worth(floor=0.0, weight=0.0))
    got = dict(zip(by_value["customer_id"], by_value["priority_cents"], strict=True))
    assert got == {1: 9_500, 2: 75_000, 3: 15_000, 4: 20_000}
    by_chance = rank_by_worth(candidates(), c, H, Worth(floor=0.0, weight=100.0))
    order = by_chance.sort_values("priority_cents", ascending=False)["customer_id"].tolist()
    assert order == [4, 1, 2, 3]


def test_the_floor_leaves_out_unlikely_lapses_but_never_a_win_back_nor_other_evidence() -> None:
    c = customers()
    kept = rank_by_worth(candidates(), c, H, Worth(floor=0.8, weight=0.0))
    assert kept["customer_id"].tolist() == [1, 4]
    mixed = candidates(["gone_quiet", "usage_drop", "negative_experience", "gone_quiet"])
    kept = rank_by_worth(mixed, c, H, Worth(floor=0.8, weight=0.0))
    assert kept["customer_id"].tolist() == [1, 2, 3, 4]
    # Their own priority is kept; the order warnings' is their worth.
    assert kept["priority_cents"].tolist() == [9_500, 2, 3, 20_000]


def test_an_order_warning_with_less_than_the_notice_left_is_short() -> None:
    c = customers()
    short = short_notice(candidates(), c, H, notice=45)
    # 50 and 40 days left (short at 45: the second), 80 left, already lapsed (not short).
    assert short.tolist() == [False, True, False, False]
    other = short_notice(candidates(["usage_drop"] * 4), c, H, notice=45)
    assert not other.any()


def trial(floor: int, weight: float, warned: int, value: int, rw: int, rv: int) -> WorthTrial:
    return WorthTrial(floor, weight, warned, value, rw, rv, alerts=warned * 2)


def test_the_choice_warns_the_most_while_beating_both_baselines() -> None:
    tried = [
        trial(50, 0.0, 700, 300, 780, 200),  # more warned, fewer than recency: not met
        trial(70, 0.0, 475, 182, 474, 109),  # beats recency by 1: under the margin
        trial(75, 0.0, 297, 98, 262, 40),  # met
        trial(80, 0.0, 88, 28, 67, 10),  # met, fewer warned
    ]
    chosen = choose(tried)
    assert chosen is not None
    assert (chosen.floor_percent, chosen.weight, chosen.met) == (75, 0.0, True)
    none_met = [trial(50, 0.0, 330, 135, 610, 92), trial(50, 20.0, 580, 60, 443, 68)]
    closest = choose(none_met)
    assert closest is not None
    assert (closest.weight, closest.met) == (20.0, False)
    assert choose([]) is None


@pytest.fixture
def engine(workspace_url: str):  # type: ignore[no-untyped-def]
    from app.workspace import open_workspace

    ws = open_workspace(workspace_url, backup=False)
    yield ws.engine
    ws.close()


def test_unset_floor_and_weight_follow_the_last_replay_and_a_setting_wins(engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        worth = read_alert_config(s).worth
    assert (worth.floor, worth.source) == (FALLBACK_FLOOR_PERCENT / 100, "built-in")
    with Session(engine) as s, s.begin():
        choice = {"worth_choice": {"floor_percent": 75, "weight": 5.0}}
        s.add(AuditEvent(actor="test", action=REPLAYED_ACTION, entity_type="alerts",
                         details=choice))  # fmt: skip
    with Session(engine) as s:
        worth = read_alert_config(s).worth
    assert (worth.floor, worth.weight, worth.source) == (0.75, 5.0, "replay")
    with Session(engine) as s, s.begin():
        set_setting(s, "alerts.lapse_floor_percent", 60, actor="test")
    with Session(engine) as s:
        worth = read_alert_config(s).worth
    # The floor as set; the weight still the replay's.
    assert (worth.floor, worth.weight, worth.source) == (0.60, 5.0, "set")


def test_config_show_and_settings_show_the_choice_the_alerts_use(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`config show --sources` and the Settings dialog's values show the floor and weight
    the alerts use: the last replay's choice, said so, until someone sets them."""
    import io

    from app.cli.main import main
    from app.gui.settings_controller import read_settings
    from app.workspace import open_workspace, to_url

    path = tmp_path / "w.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    try:
        with Session(ws.engine) as s, s.begin():
            choice = {"worth_choice": {"floor_percent": 80, "weight": 100.0}}
            s.add(AuditEvent(actor="test", action=REPLAYED_ACTION, entity_type="alerts",
                             details=choice))  # fmt: skip
        values = read_settings(ws)
        assert (values["alerts.lapse_floor_percent"], values["alerts.reach_weight"]) == (80, 100)
    finally:
        ws.close()
    out = io.StringIO()
    assert main(["--db", str(path), "config", "show", "--sources"], out=out, err=io.StringIO()) == 0
    lines = {line.split()[0]: line for line in out.getvalue().splitlines() if line.strip()}
    assert lines["alerts.lapse_floor_percent"].split()[1] == "80"
    assert "chosen by the last Early-warning replay" in lines["alerts.lapse_floor_percent"]
    assert main(["--db", str(path), "config", "set", "alerts.lapse_floor_percent", "65"],
                out=io.StringIO(), err=io.StringIO()) == 0  # fmt: skip
    out = io.StringIO()
    assert main(["--db", str(path), "config", "show", "--sources"], out=out, err=io.StringIO()) == 0
    lines = {line.split()[0]: line for line in out.getvalue().splitlines() if line.strip()}
    assert lines["alerts.lapse_floor_percent"].split()[1] == "65"
    assert "chosen by" not in lines["alerts.lapse_floor_percent"]
    assert "chosen by the last Early-warning replay" in lines["alerts.reach_weight"]
