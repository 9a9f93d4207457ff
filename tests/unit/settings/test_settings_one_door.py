"""Every setting has one door: whatever reads it sees the policy's value.

Locked by policy > the user's own > organisation default > built-in, for every declared
setting and through the reader each feature uses (the alert rules' configuration, the
money context, the scoring configuration, the holdout's), not only ``get_setting``: a
daily cap locked at 5 once still raised 25 alerts per owner, and exchange rates set by
policy were ignored while ``config show --sources`` reported them as in force.
"""

from __future__ import annotations

import ast
import copy
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import Workspace, open_workspace, to_url
from models.schema import Setting
from services.alerts.config import read_alert_config
from services.alerts.holdout import read_config as read_holdout_config
from services.core.money import load_money_context
from services.core.policy import current_policy, reload_policy
from services.importing.settling import _resolved
from services.scoring.run import read_config as read_scoring_config
from services.segment_policy import value_for
from services.settings import (
    ALERT_GENERAL,
    SETTINGS,
    get_setting,
    validate_setting,
)
from services.settings.segments import OWNER_SETTING, PLAYBOOK_SETTING
from tests.support.paths import ROOT
from tests.unit.alerts.test_alerts_rules import Book, make_book, only

# Values for settings whose text or structure has its own check (the rest are made from
# the declaration: the other truth value, another choice, a number within bounds).
SPECIAL: dict[str, Any] = {
    "workspace.home_currency": "EUR",
    "workspace.exchange_rates": {"USD": 0.92, "GBP": 1.17},
    "workspace.time_zone": "Europe/Berlin",
    "workspace.location": "/srv/radar/team.radar.sqlite",
    "workspace.demo": {"seed": 5},
    "import.watched_folder": "/srv/exports",
    "import.watched_files": {"/srv/exports/a.csv": [1, 2]},
    "freshness.source_cadence_days": {"shopify_orders": 7},
    "scoring.engagement_weights": {"recency": 50.0},
    "scoring.health_weights": {"satisfaction": 40.0},
    "scoring.thresholds": {"new_customer_days": 45.0},
    "llm.base_url": "http://llm.corp.example:8080/v1",
    "llm.reviewed_remote": ["http://llm.corp.example:8080/v1"],
    "outreach.sent_fields": ["first_name", "tier"],
    "packs.template": "/srv/templates/Company review.pptx",
    "outreach.team_domains": ["example.com"],
    "listen.competitors": ["Northwind"],
    "outreach.templates": {"win_back": {"subject": "Hello", "body": "Hi {{ first_name }}"}},
    "escalation.notify_email": "lead@example.com",
    "escalation.ticket.priorities": ["Urgent"],
    "alerts.stalled_opportunity.stages": ["Proposal"],
    "smtp.from_address": "me@example.com",
    "updates.check_url": "https://updates.example.com/latest.json",
    "llm.allowed_hosts": ["llm.corp.example", "*.ai.corp.example"],
    "learn.holdout_draws": {"high": 3},
    "listen.reasons": {"1": {"name": "Late · delivery"}},
    "listen.sentiment_watermark": {"version": 1, "top": 5, "print": "0123456789abcdef"},
    "ask.saved": [{"id": "team-1", "title": "Our big customers", "sql": "SELECT 1"}],
    "retention.cac_by_channel": {"online": 45.0, "store": 30},
    "lifecycle.health_profiles": {"onboarding": {"recency": 10, "product_usage": 40}},
    "lifecycle.stage_check": {"verdict": "better", "words": "Stage profiles win."},
    "playbooks.custom": "IT follow-up: day 0 email Hello; day 5 call Check in",
    "renewals.checkpoint_months": [9, 6, 3],
    "notify.posted": ["0123456789abcdef|critical:1"],
    "notify.approved": ["0123456789abcdef"],
    "segments.rules": [
        {"kind": "tier", "name": "Gold", "values": {"outreach.default_tone": "concise"}}
    ],
    "playbooks.suggested": "win_back",
    "crm.helpdesk_address": "support@example.com",
    "customers.team_filters": [
        {"name": "Champions at risk", "filter": {"segments": ["Champions"]}, "search": ""}
    ],
}


def policy_value(key: str) -> Any:
    """A value of ``key`` that its check accepts and that differs from the default."""
    spec = SETTINGS[key]
    if key in SPECIAL:
        return copy.deepcopy(SPECIAL[key])
    kinds = spec.type if isinstance(spec.type, tuple) else (spec.type,)
    if bool in kinds:
        return not spec.default
    if spec.choices:
        return next(choice for choice in spec.choices if choice != spec.default)
    if int in kinds or float in kinds:
        low = spec.minimum if spec.minimum is not None else 0
        high = spec.maximum if spec.maximum is not None else low + 1_000
        value = spec.default + 1 if spec.default + 1 <= high else low
        return int(value) if int in kinds and float not in kinds else float(value)
    if str in kinds:
        return "Set by IT"
    raise AssertionError(f"no policy value for {key}: add one to SPECIAL")


def _alert_reader(key: str) -> Callable[[Session], Any]:
    parts = key.split(".")
    general = {param for _, param, *_ in ALERT_GENERAL} | {
        "priority_uses_lower_bound",
        "weekly_budget_per_owner",
    }

    def read(session: Session) -> Any:
        config = read_alert_config(session)
        # The lapse warnings' floor (a percent in Settings, a chance in the alerts) and weight.
        if key == "alerts.lapse_floor_percent":
            return round(config.worth.floor * 100)
        if key == "alerts.reach_weight":
            return config.worth.weight
        if len(parts) == 2 and parts[1] in general:
            return getattr(config, parts[1])
        rule = config.rule(parts[1])
        if parts[2] in ("enabled", "severity"):
            return getattr(rule, parts[2])
        return rule[parts[2]]

    return read


def _scoring_reader(key: str) -> Callable[[Session], Any]:
    name = key.split(".", 1)[1]

    def read(session: Session) -> Any:
        value = getattr(read_scoring_config(session), name)
        if isinstance(value, dict):  # completed with the defaults: the policy's part
            return {k: value[k] for k in SPECIAL[key]}
        return value

    return read


def reader(key: str) -> Callable[[Session], Any]:
    """How the feature that uses ``key`` reads it (get_setting where that is the reader)."""
    if key in (PLAYBOOK_SETTING, OWNER_SETTING):
        # Read per customer through services/segment_policy (no customer: the workspace's).
        return lambda session: value_for(session, key, None).value
    if key.startswith("alerts."):
        return _alert_reader(key)
    if key == "workspace.home_currency":
        return lambda session: load_money_context(session).home
    if key == "workspace.exchange_rates":
        return lambda session: dict(load_money_context(session).rates)
    if key.startswith("scoring."):
        return _scoring_reader(key)
    if key == "learn.holdout_percent":
        return lambda session: read_holdout_config(session).percent
    if key == "learn.holdout_seed":
        return lambda session: read_holdout_config(session).seed
    if key == "learn.attribution_days":
        return lambda session: read_holdout_config(session).window_days
    if key.startswith("freshness."):  # what services/freshness/report.py reads
        from services.settings.views import FreshnessSettings

        field = {"freshness.cadence_days": "cadence_days"}.get(key, "source_cadence_days")
        return lambda session: getattr(FreshnessSettings.read(session), field)
    if key == "workspace.time_zone":
        # What an import reads, on its own connection inside its transaction.
        return lambda session: _resolved(session.connection(), key, SETTINGS[key].default)
    return lambda session: get_setting(session, key)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = tmp_path_factory.mktemp("one-door") / "w.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    yield ws
    ws.close()


@pytest.fixture
def lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    def write(locked: dict[str, Any], defaults: dict[str, Any] | None = None) -> None:
        path = tmp_path / "policies.json"
        path.write_text(json.dumps({"locked": locked, "defaults": defaults or {}}), "utf-8")
        monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(path))
        policy = reload_policy()
        assert not policy.problems, policy.problems

    yield write
    monkeypatch.delenv("ACCOUNT_RADAR_POLICIES", raising=False)
    reload_policy()


def test_every_declared_setting_has_a_policy_value_to_try() -> None:
    for key in SETTINGS:
        value = policy_value(key)
        assert validate_setting(key, value) is None, key
        assert value != SETTINGS[key].default, key


SETTING_KEYS = [k for k, spec in SETTINGS.items() if not spec.state]
STATE_KEYS = [k for k, spec in SETTINGS.items() if spec.state]


@pytest.mark.parametrize("key", SETTING_KEYS)
def test_a_setting_locked_by_policy_is_what_its_reader_sees(
    key: str, workspace: Workspace, lock: Callable[..., None]
) -> None:
    value = policy_value(key)
    lock({key: value})
    with Session(workspace.engine) as session:
        seen = reader(key)(session)
    assert seen == value, f"{key}: the policy locks {value!r}, its reader sees {seen!r}"


@pytest.mark.parametrize("key", [k for k in SETTINGS if k.startswith("alerts.")])
def test_a_lock_wins_over_the_users_own_alert_setting(
    key: str, workspace: Workspace, lock: Callable[..., None]
) -> None:
    """The user's own value stored in the workspace gives way to IT's lock; without the
    lock it is the user's again."""
    value = policy_value(key)
    own = SETTINGS[key].default
    with Session(workspace.engine) as session, session.begin():
        session.merge(Setting(key=key, value=copy.deepcopy(own)))
    try:
        lock({key: value})
        with Session(workspace.engine) as session:
            assert reader(key)(session) == value
        lock({}, {key: value})  # an organisation default: the user's own wins over it
        with Session(workspace.engine) as session:
            assert reader(key)(session) == own
    finally:
        with Session(workspace.engine) as session, session.begin():
            session.query(Setting).filter(Setting.key == key).delete()


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def test_a_daily_cap_locked_by_policy_caps_the_alerts_raised(
    book: Book, lock: Callable[..., None]
) -> None:
    only(book, "ticket_past_sla")
    late = [book.customer(f"Late {k}", owner="Maya") for k in range(8)]
    for cid in late:
        book.interaction(cid, "ticket", 5, status="open")
    book.score({c: {"churn": 0.2, "clv": 100.0} for c in late})
    lock({"alerts.daily_cap_per_owner": 3})
    result = book.generate()
    assert result.created == 3
    assert result.capped == 5
    assert current_policy().locked == {"alerts.daily_cap_per_owner": 3}


# --- no feature reads the settings table behind the resolver's back ----------------------

# Modules that read the settings table themselves, each with why that is not a bypass.
# This list may only shrink.
RAW_READERS = {
    "services/settings/store.py": "the store and the resolver themselves",
    "services/settings/personal.py": "the person's own settings, a workspace's kept value "
    "adopted once (get_setting resolves it)",
    "services/alerts/config.py": "reads the alert rows at once, each through policy.resolve",
    "services/importing/settling.py": "reads on the import's connection through policy.resolve",
    "services/core/money.py": "reads both money settings at once, each through policy.resolve",
    "services/core/rollups.py": "clears its own bookkeeping flag (rollups.stale)",
    "services/usecases/customers.py": "reads its own flag (rollups.stale) inside a query",
    "services/listen/sentiment.py": "its own bookkeeping (the last import read)",
    "services/team/offline.py": "copies the table whole and reads rollups.stale",
    "services/core/offline_origin.py": "its own marker (offline.copy), no declared setting",
    "app/cli/config.py": "`config show --sources` asks which keys are stored, not their values",
}


def _raw_reads(path: Path) -> bool:
    source = path.read_text(encoding="utf-8")
    if "FROM settings" in source or "from settings where" in source.lower():
        return True
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "Setting"
            and node.attr in ("key", "value")
        ):
            return True
        if isinstance(node, ast.Call) and any(
            isinstance(arg, ast.Name) and arg.id == "Setting" for arg in node.args
        ):
            return True
    return False


def test_only_the_known_modules_read_the_settings_table_themselves() -> None:
    found = set()
    for folder in ("app", "views", "services", "models"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            if _raw_reads(path):
                found.add(path.relative_to(ROOT).as_posix())
    assert found <= set(RAW_READERS), (
        f"{sorted(found - set(RAW_READERS))} read the settings table directly: read a "
        "setting with services.settings.get_setting (or policy.resolve) instead"
    )
    for name in RAW_READERS:
        assert (ROOT / name).exists(), f"{name} is gone: take it off RAW_READERS"


def test_the_apps_own_records_are_no_settings_a_policy_can_lock(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flags, counters and learned reasons kept among the settings are the app's
    records: a policy naming one is told there is no such setting and changes nothing,
    and `config show` lists the settings only (no value shown "in force" that no reader
    would apply)."""
    assert {"rollups.stale", "listen.sentiment_checked_import", "learn.holdout_draws"} <= set(
        STATE_KEYS
    )
    path = tmp_path / "policies.json"
    path.write_text(json.dumps({"locked": {"rollups.stale": True, "learn.holdout_draws": {}}}))
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(path))
    try:
        policy = reload_policy()
        assert policy.locked == {}
        assert any("no setting 'rollups.stale'" in p for p in policy.problems)
        assert any("no setting 'learn.holdout_draws'" in p for p in policy.problems)
        out, err = io.StringIO(), io.StringIO()
        db = str(workspace.engine.url.database)
        assert main(["--db", db, "config", "show", "--sources"], out=out, err=err) == 0
        listed = {line.split()[0] for line in out.getvalue().splitlines() if line.strip()}
        assert listed == set(SETTING_KEYS)
    finally:
        monkeypatch.delenv("ACCOUNT_RADAR_POLICIES")
        reload_policy()
