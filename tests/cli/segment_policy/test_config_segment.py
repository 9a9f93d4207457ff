"""`config segment list|set|unset|move` end to end on a real workspace file: the values
are checked as their settings are, the order is the user's, and IT's locks (of a
setting, or of the whole table) refuse a change with nothing written."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace, to_url
from models.schema import AuditEvent
from services.core.policy import reload_policy
from services.settings import get_setting


@pytest.fixture
def db(tmp_path: Path, _empty_workspace_file: Path) -> Path:
    path = tmp_path / "w.radar.sqlite"
    shutil.copyfile(_empty_workspace_file, path)
    return path


@pytest.fixture
def lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    def write(locked: dict[str, Any]) -> None:
        policy = tmp_path / "policies.json"
        policy.write_text(json.dumps({"locked": locked}), encoding="utf-8")
        monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(policy))
        assert not reload_policy().problems

    yield write
    monkeypatch.delenv("ACCOUNT_RADAR_POLICIES", raising=False)
    reload_policy()


def segment(db: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", str(db), "config", "segment", *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def rules(db: Path) -> Any:
    workspace = open_workspace(to_url(str(db)), backup=False)
    try:
        with Session(workspace.engine) as session:
            return get_setting(session, "segments.rules")
    finally:
        workspace.close()


def test_set_list_move_and_unset(db: Path) -> None:
    code, out, err = segment(db, "list")
    assert (code, err) == (0, "")
    assert "No settings per segment" in out
    for key, value in (
        ("outreach.default_tone", "concise"),
        ("outreach.incentive_cap_percent", "25"),
    ):
        assert segment(db, "set", "segment", "Champions", key, value)[0] == 0
    code, out, _ = segment(db, "set", "tier", "Gold", "alerts.unassigned_owner", "Rita")
    assert code == 0
    assert 'Set alerts.unassigned_owner to "Rita" for tier Gold.' in out
    assert rules(db) == [
        {
            "kind": "segment",
            "name": "Champions",
            "values": {"outreach.default_tone": "concise", "outreach.incentive_cap_percent": 25},
        },
        {"kind": "tier", "name": "Gold", "values": {"alerts.unassigned_owner": "Rita"}},
    ]
    code, out, _ = segment(db, "move", "tier", "Gold", "1")
    assert code == 0
    assert out.splitlines()[:2] == [
        '1. Tier: Gold [tier]: Owner "Rita"',
        '2. Champions [segment]: Tone "concise"; Offer cap 25%',
    ]
    assert segment(db, "unset", "segment", "Champions", "outreach.default_tone")[0] == 0
    assert rules(db)[1]["values"] == {"outreach.incentive_cap_percent": 25}
    code, out, _ = segment(db, "unset", "tier", "Gold")
    assert code == 0
    assert [r["name"] for r in rules(db)] == ["Champions"]
    # Every change is audited with the table before and after.
    workspace = open_workspace(to_url(str(db)), backup=False)
    try:
        with Session(workspace.engine) as session:
            events = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "settings.changed")
            ).all()
    finally:
        workspace.close()
    changes = [e.details for e in events if e.details["key"] == "segments.rules"]
    assert len(changes) == 6  # three sets, a move, two unsets
    assert changes[0]["old"] == []
    assert changes[-1]["new"] == rules(db)


def test_a_bad_value_or_key_is_refused_and_nothing_is_written(db: Path) -> None:
    code, _, err = segment(db, "set", "segment", "Lost", "outreach.default_tone", "loud")
    assert code == 2
    assert "must be one of warm, friendly, professional, concise" in err
    assert err.rstrip().endswith("nothing was changed.")
    code, _, err = segment(db, "set", "segment", "Lost", "outreach.incentive_cap_percent", "150")
    assert code == 2
    assert "100" in err
    code, _, err = segment(db, "set", "segment", "Lost", "llm.allow_cloud", "true")
    assert code == 2
    assert "cannot be set per segment" in err
    code, _, err = segment(db, "unset", "region", "EMEA")
    assert code == 2
    assert "Region: EMEA has no rule; nothing was changed." in err
    assert rules(db) == []


def test_it_locks_refuse_a_change(db: Path, lock: Callable[..., None]) -> None:
    lock({"outreach.default_tone": "professional"})
    code, _, err = segment(db, "set", "segment", "Champions", "outreach.default_tone", "warm")
    assert code == 2
    assert "set by your organisation" in err
    assert "its lock applies to every segment" in err
    assert rules(db) == []
    it_rules = [{"kind": "tier", "name": "Gold", "values": {"outreach.incentive_cap_percent": 5}}]
    lock({"segments.rules": it_rules})
    code, out, _ = segment(db, "list")
    assert "1. Tier: Gold [tier]: Offer cap 5%" in out
    assert "Locked by your IT policy" in out
    for args in (
        ("set", "tier", "Gold", "outreach.incentive_cap_percent", "50"),
        ("unset", "tier", "Gold"),
        ("move", "tier", "Gold", "1"),
    ):
        code, _, err = segment(db, *args)
        assert code == 2, args
        assert "Ask IT to change them" in err
    assert rules(db) == it_rules


def test_setting_a_segments_owner_gives_it_to_the_customers_without_one(db: Path) -> None:
    from models.schema import Customer

    workspace = open_workspace(to_url(str(db)), backup=False)
    try:
        with Session(workspace.engine) as session, session.begin():
            session.add_all(
                [
                    Customer(source="t", external_id="a", name="Ada", tier="Gold"),
                    Customer(source="t", external_id="b", name="Bo", tier="Gold", owner="Eve"),
                    Customer(source="t", external_id="c", name="Cy", tier="Bronze"),
                ]
            )
    finally:
        workspace.close()
    code, out, err = segment(db, "set", "tier", "Gold", "alerts.unassigned_owner", "Dana")
    assert (code, err) == (0, "")
    assert "1 customer given their segment's owner (Tier: Gold: 1)." in out.splitlines()
    workspace = open_workspace(to_url(str(db)), backup=False)
    try:
        with Session(workspace.engine) as session:
            got = dict(session.execute(select(Customer.name, Customer.owner)).all())
            assert got == {"Ada": "Dana", "Bo": "Eve", "Cy": None}
            actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id))
            assert "customer.assigned_by_rule" in list(actions)
    finally:
        workspace.close()
    # Set again: nobody is left without an owner, and it says so.
    code, out, _ = segment(db, "set", "tier", "Gold", "alerts.unassigned_owner", "Dana")
    assert code == 0
    assert "0 customers given their segment's owner." in out.splitlines()


def test_a_lifecycle_stage_is_named_by_key_or_label_and_kept_by_key(db: Path) -> None:
    code, out, _ = segment(db, "set", "stage", "At Risk", "outreach.default_tone", "concise")
    assert code == 0
    assert "Lifecycle stage: At risk [stage]" in out
    assert rules(db) == [
        {"kind": "stage", "name": "at_risk", "values": {"outreach.default_tone": "concise"}}
    ]
    # The key finds the same rule; a second value joins it.
    code, _, _ = segment(db, "set", "stage", "at_risk", "outreach.incentive_cap_percent", "5")
    assert code == 0
    assert len(rules(db)) == 1
    assert rules(db)[0]["values"]["outreach.incentive_cap_percent"] == 5
    code, _, _ = segment(db, "set", "stage", "renewal", "outreach.default_tone", "warm")
    assert code == 0
    assert [r["name"] for r in rules(db)] == ["at_risk", "renewal"]
    code, _, _ = segment(db, "unset", "stage", "AT-RISK")
    assert code == 0
    assert [r["name"] for r in rules(db)] == ["renewal"]


def test_an_unknown_stage_is_refused_naming_the_stages(db: Path) -> None:
    code, _, err = segment(db, "set", "stage", "churned", "outreach.default_tone", "concise")
    assert code == 2
    assert "'churned' is no lifecycle stage" in err
    assert "renewal (Renewal)" in err
    assert "at_risk (At risk)" in err
    assert rules(db) == []
