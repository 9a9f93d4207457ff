"""Settings: one typed schema, each setting declared once, read and written through here.

Workspace settings travel with the workspace; personal ones (``scope="personal"``: the
LLM provider, the sender's name and signature, the mail server) follow the person to every
workspace, kept in their own settings file (services/settings/personal.py). The CLI and
the window read both through the same resolver, so they see the same values.
Window geometry and other UI state live in QSettings instead, never here.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.errors import UserFacingError
from models.schema import AuditEvent, Setting
from models.vocab import SEVERITIES
from services.core.clv_words import DEFAULT_CLV_MONTHS, MAX_CLV_MONTHS
from services.core.local_dates import TIME_ZONE_SETTING, zone_problem
from services.core.money import HOME_SETTING, RATES_SETTING
from services.core.policy import current_policy, locked_problem, resolve, use_settings
from services.core.setting_spec import SettingSpec, bounds_problem, check_value
from services.settings.alert_rules import ALERT_GENERAL as ALERT_GENERAL
from services.settings.alert_rules import ALERT_PARAMETERS as ALERT_PARAMETERS
from services.settings.alert_rules import ALERT_RULE_KEYS as ALERT_RULE_KEYS
from services.settings.alert_rules import ALERT_RULES as ALERT_RULES
from services.settings.alert_rules import AlertRuleSpec as AlertRuleSpec
from services.settings.ask import ASK_SPECS
from services.settings.escalation import ESCALATION_SPECS
from services.settings.learn import LEARN_SPECS
from services.settings.listen import LISTEN_SPECS
from services.settings.money import MONEY_SPECS
from services.settings.notifications import NOTIFICATION_SPECS
from services.settings.outreach import GOALS as GOALS
from services.settings.outreach import LLM_PRESETS as LLM_PRESETS
from services.settings.outreach import OUTREACH_SPECS
from services.settings.outreach import PRIVACY_DEFAULT as PRIVACY_DEFAULT
from services.settings.outreach import PRIVACY_FIELDS as PRIVACY_FIELDS
from services.settings.outreach import TONES as TONES
from services.settings.personal import adopt_personal_settings as adopt_personal_settings
from services.settings.personal import forget_personal, personal_value, store_personal, use_specs
from services.settings.personal import personal_values as personal_values
from services.settings.playbooks import PLAYBOOK_SPECS
from services.settings.sla import SLA_SPECS
from services.settings.updates import UPDATE_SPECS

log = logging.getLogger(__name__)

SCHEMA_VERSION_KEY = "settings.schema_version"
WORKSPACE_LOCATION = "workspace.location"
SCHEMA_VERSION = 1


# Every change of a setting under these prefixes bumps "config.version" and is audited, so
# that score charts can mark where the configuration changed.
VERSIONED_PREFIXES = ("scoring.", "alerts.")
CONFIG_VERSION_KEY = "config.version"
# The settings that per-customer money totals (services/core/rollups.py) depend on.
MONEY_KEYS = (HOME_SETTING, RATES_SETTING)

# Scoring defaults (docs/design.md section 6); services/scoring documents what each one does.
ENGAGEMENT_WEIGHTS = {
    "recency": 35.0,
    "frequency": 25.0,
    "monetary": 15.0,
    "interaction": 15.0,
    "fatigue": 10.0,
    "usage": 15.0,  # product usage: counted only where the workspace has usage data
}
HEALTH_WEIGHTS = {
    "recency": 30.0,
    "frequency": 20.0,
    "satisfaction": 20.0,
    "email_engagement": 10.0,
    "review_sentiment": 10.0,
    "ticket_volume": 10.0,
    "product_usage": 15.0,  # counted only where the workspace has usage data
}
SCORING_THRESHOLDS = {
    # First order fewer days than this before the as-of date: population model, low confidence.
    "new_customer_days": 30.0,
    # High confidence needs this much tenure and this many distinct purchase days.
    "high_confidence_days": 180.0,
    "high_confidence_purchase_days": 3.0,
    # Below this share of the health weight backed by data, confidence drops one level.
    "min_data_coverage": 0.6,
    # Champions need at least this RFM monetary score (1-5); lower ones count as Loyal.
    "champion_min_monetary": 3.0,
    # Fewer training customers than this (or than 20 of either outcome): no classifier.
    "min_training_customers": 200.0,
}
MAX_HORIZON_DAYS = 1095


_NOT_ALWAYS = ("fatigue", "usage", "product_usage")


def _weights_check(defaults: dict[str, float]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        unknown = sorted(set(value) - set(defaults))
        if unknown:
            return f"unknown component(s) {', '.join(unknown)}; known: {', '.join(defaults)}"
        for key, weight in value.items():
            if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
                return f"the weight of '{key}' must be a number of at least 0"
        merged = {**defaults, **value}
        # Usage counts only on a workspace with usage data: another weight must be above 0.
        if sum(float(w) for k, w in merged.items() if k not in _NOT_ALWAYS) <= 0:
            return "at least one weight must be above 0"
        return None

    return check


def _thresholds_check(value: Any) -> str | None:
    unknown = sorted(set(value) - set(SCORING_THRESHOLDS))
    if unknown:
        return f"unknown threshold(s) {', '.join(unknown)}; known: {', '.join(SCORING_THRESHOLDS)}"
    for key, number in value.items():
        if isinstance(number, bool) or not isinstance(number, int | float) or number < 0:
            return f"'{key}' must be a number of at least 0"
    return None


def _horizon_check(value: Any) -> str | None:
    if isinstance(value, bool) or not 1 <= value <= MAX_HORIZON_DAYS:
        return f"must be between 1 and {MAX_HORIZON_DAYS} days"
    return None


def _stages_check(value: Any) -> str | None:
    if not value:
        return "give at least one stage name"
    if not all(isinstance(v, str) and v.strip() for v in value):
        return "every stage must be a non-empty name"
    return None


def _alert_specs() -> tuple[SettingSpec, ...]:
    titles = {rule.key: rule.title for rule in ALERT_RULES}
    specs = [
        SettingSpec(f"alerts.{param}", kind, default, title, None, "Alerts", unit, low, high,
                    (), text, applies="next_scoring")
        for _, param, kind, default, title, unit, low, high, text in ALERT_GENERAL
    ]  # fmt: skip
    specs.append(
        SettingSpec(
            "alerts.priority_uses_lower_bound", bool, False,
            "Rank churn alerts by the low end of the risk", group="Alerts",
            help="Revenue at risk counts the low end of the customer's likely churn risk "
            "(8 in 10 chances above it) rather than the best guess: customers whose risk "
            "is only uncertain move down the list.", applies="next_scoring",
        )
    )  # fmt: skip
    specs.append(
        SettingSpec(
            "alerts.weekly_budget_per_owner", int, 25, "Alerts per owner per week I can handle",
            group="Alerts", unit="alerts", minimum=1, maximum=10_000,
            help="The budget the suggested thresholds of Results ▸ Early warning keep to: "
            "at most this many new alerts per owner per week, on average.",
            applies="next_scoring",
        )
    )  # fmt: skip
    specs.append(
        SettingSpec(
            "alerts.lapse_floor_percent", int, 70, "Warn of a lapse from a chance of",
            group="Alerts", unit="%", minimum=1, maximum=99,
            help="The rules that read the orders warn only of customers whose chance of no "
            "order before their lapse point is at least this (a critical alert is raised "
            "whatever its chance; Lapse coming keeps its own minimum too, the higher "
            "applies). Left unset, the "
            "last Early-warning replay (Results ▸ Outreach) chooses it on this workspace's "
            "history (70 until one has run).", applies="next_scoring",
        )
    )  # fmt: skip
    specs.append(
        SettingSpec(
            "alerts.reach_weight", (int, float), 20, "Weight of each lapse beyond its value",
            group="Alerts", unit="typical values", minimum=0, maximum=10_000,
            help="The queue ranks lapse warnings by chance x (value + this x a typical "
            "customer's value): 0 puts the biggest accounts first, a large weight the "
            "likeliest lapses. Left unset, the last Early-warning replay (Results ▸ "
            "Outreach) chooses it on "
            "this workspace's history (20 until one has run).", applies="next_scoring",
        )
    )  # fmt: skip
    for rule in ALERT_RULES:
        group = titles[rule.key]
        specs.append(
            SettingSpec(
                f"alerts.{rule.key}.enabled",
                bool,
                True,
                "Raise these alerts",
                group=group,
                help=rule.description,
                applies="next_scoring",
            )
        )
        specs.append(
            SettingSpec(
                f"alerts.{rule.key}.severity",
                str,
                rule.severity,
                "Severity",
                group=group,
                choices=SEVERITIES,
                applies="next_scoring",
            )
        )
        for key, param, kind, default, title, unit, low, high, text in ALERT_PARAMETERS:
            if key == rule.key:
                specs.append(
                    SettingSpec(
                        f"alerts.{key}.{param}", kind, default, title,
                        _stages_check if param == "stages" else None,
                        group, unit, low, high, (), text, applies="next_scoring",
                    )
                )  # fmt: skip
    return tuple(specs)


SETTINGS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec(
            "workspace.demo",
            (dict, type(None)),
            None,
            "Demo workspace marker: how the demo data was built (None for real data)",
            hidden=True,
        ),
        SettingSpec(
            "workspace.name", str, "", "Workspace name shown in the title bar", hidden=True
        ),
        SettingSpec(
            WORKSPACE_LOCATION,
            str,
            "",
            "Workspace the app opens when none is named (set by IT; empty: the user's own)",
            help="A file path or a postgresql+psycopg:// URL. Read from the organisation's "
            "policy only: it says where the workspace is, so it can't live in one.",
            hidden=True,
        ),
        *MONEY_SPECS,
        SettingSpec(
            TIME_ZONE_SETTING,
            str,
            "",
            "Time zone",
            zone_problem,
            "Dates",
            help="The local time of orders and tickets that a file gives in UTC, taken when "
            "they are imported (an IANA name such as America/New_York). Empty: this "
            "computer's zone. Times a file gives with their own offset keep it; dates with "
            "no zone are kept as written.",
            placeholder="this computer's zone; or e.g. America/New_York",
        ),
        SettingSpec(
            "rollups.stale",
            bool,
            False,
            "Per-customer totals need a refresh (set by writes, cleared by services.core.rollups)",
            state=True,
        ),
        SettingSpec(
            "rollups.single_currency",
            str,
            "",
            "The currency of every order at the last refresh of the per-customer totals "
            "(empty: several, or not known)",
            state=True,
        ),
        SettingSpec(
            CONFIG_VERSION_KEY,
            int,
            0,
            "Configuration version: bumped by every change of a scoring or alert setting",
            state=True,
        ),
        SettingSpec(
            "scoring.horizon_days",
            int,
            90,
            "Churn horizon in days: churn risk is the chance of no order in this many days",
            _horizon_check,
            page="Scores",
            applies="next_scoring",
        ),
        SettingSpec(
            "scoring.clv_months",
            int,
            DEFAULT_CLV_MONTHS,
            "Value horizon",
            unit="months",
            help="The customer's value is their predicted revenue over this many months, "
            "and is named after them: the 12-month value by default, the 24-month value "
            "at 24.",
            minimum=1,
            maximum=MAX_CLV_MONTHS,
            page="Scores",
            applies="next_scoring",
        ),
        SettingSpec(
            "scoring.engagement_weights",
            dict,
            ENGAGEMENT_WEIGHTS,
            "Engagement score weights (recency, frequency, monetary, interaction, usage; "
            "fatigue is a penalty)",
            _weights_check(ENGAGEMENT_WEIGHTS),
            page="Scores",
            applies="next_scoring",
        ),
        SettingSpec(
            "scoring.health_weights",
            dict,
            HEALTH_WEIGHTS,
            "Health score weights; missing components are left out and the rest re-weighted",
            _weights_check(HEALTH_WEIGHTS),
            page="Scores",
            applies="next_scoring",
        ),
        SettingSpec(
            "scoring.thresholds",
            dict,
            SCORING_THRESHOLDS,
            "Scoring thresholds: new-customer days, confidence levels, segment rules",
            _thresholds_check,
            hidden=True,
            applies="next_scoring",
        ),
        SettingSpec(
            "import.watched_folder",
            (str, type(None)),
            None,
            "Folder whose new export files the window imports as they appear (None: off)",
            hidden=True,
        ),
        SettingSpec(
            "import.watched_files",
            dict,
            {},
            "Files of the watched folder already handled: path -> [size, mtime_ns]",
            hidden=True,
            max_length=1_000_000,  # years of exports kept in one folder
        ),
        *_alert_specs(),
        *OUTREACH_SPECS,
        *LEARN_SPECS,
        *ASK_SPECS,
        *ESCALATION_SPECS,
        *LISTEN_SPECS,
        *UPDATE_SPECS,
        *NOTIFICATION_SPECS,
        *SLA_SPECS,  # after the notifications: their own sub-heading on the Alerts page
        *PLAYBOOK_SPECS,
    )
}

# Numbered migrations from version N-1 to N: functions over the raw key/value dict.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class SettingError(UserFacingError):
    """A setting name or value that the schema refuses."""


def _spec(key: str) -> SettingSpec:
    try:
        return SETTINGS[key]
    except KeyError:
        raise SettingError(f"Unknown setting '{key}'.") from None


# Work that reads the same workspace-wide values hundreds of times (a batch of drafts)
# opens its sessions with ``info={READ_CACHE: {}}``: the settings (and the categories sold,
# services.alerts.next_step) are then read once for that dict's lifetime. Only for
# read-only work that does not change them.
READ_CACHE = "read_cache"
_MISSING = object()


def get_setting(session: Session, key: str) -> Any:
    """The stored value of a declared setting, or its default."""
    cache = session.info.get(READ_CACHE)
    if cache is not None:
        hit = cache.get(("setting", key), _MISSING)
        if hit is not _MISSING:
            return copy.deepcopy(hit)
    spec = _spec(key)
    if spec.scope == "personal":
        stored, has_stored = personal_value(session, key)
    else:
        row = session.get(Setting, key)
        stored, has_stored = (None, False) if row is None else (row.value, True)
        if has_stored and not _within_bounds(spec, stored):
            stored, has_stored = None, False
    # Locked policy > the user's own > organisation default > built-in (a copy of it).
    value = resolve(key, spec.default, stored, has_stored)
    if cache is not None:
        cache[("setting", key)] = copy.deepcopy(value)
    return value


# The settings whose stored value was found out of bounds, said once per process.
_TOLD: set[tuple[str, str]] = set()


def _within_bounds(spec: SettingSpec, value: Any) -> bool:
    """Whether a value the workspace keeps is within the setting's bounds; one that is
    not (written by an older version, or by hand) counts as not set, and is said once in
    the log naming the setting: the organisation's default or the built-in one applies."""
    problem = bounds_problem(spec, value)
    if problem is None:
        return True
    if (spec.key, problem) not in _TOLD:
        _TOLD.add((spec.key, problem))
        log.warning(
            "The workspace's value of %s is not used: %s The default applies until it is "
            "saved again.", spec.key, problem,
        )  # fmt: skip
    return False


def validate_setting(key: str, value: Any) -> str | None:
    """What is wrong with ``value`` for setting ``key``, in plain words; None when it is fine.

    The one check of a value, wherever it comes from (the Settings dialog, the command
    line, a policy, the person's own file): its type, its bounds (range, length, count,
    nesting), its choices and the setting's own check (``check_value``). Raises
    SettingError for an unknown key. A settings dialog can show the text next to the field.
    """
    return check_value(_spec(key), value)


# A policy sets and locks settings, never the app's own records kept beside them.
use_settings({k: s for k, s in SETTINGS.items() if not s.state}, validate_setting)
use_specs(SETTINGS, validate_setting)


def setting_specs(prefix: str = "") -> tuple[SettingSpec, ...]:
    """The declared settings whose key starts with ``prefix``, in declaration order."""
    return tuple(spec for key, spec in SETTINGS.items() if key.startswith(prefix))


def set_setting(session: Session, key: str, value: Any, *, actor: str = "user") -> None:
    """Validate against the schema and store (inside the caller's transaction).

    Raises SettingError with the plain reason when the value is refused. A change of a
    scoring or alert setting (VERSIONED_PREFIXES) also bumps "config.version" and writes
    an audit event "settings.changed" by ``actor``.
    """
    problem = validate_setting(key, value) or locked_problem(key, value)
    if problem is not None:
        raise SettingError(problem)
    if SETTINGS[key].scope == "personal":
        # The person's own file, never the workspace (a shared one's team never sees it).
        store_personal(session, key, value)
        return
    if key.startswith(VERSIONED_PREFIXES):
        old = get_setting(session, key)
        if old != value:
            _store(session, key, value)
            _versioned_change(session, key, old, value, actor)
        _ensure_schema_version(session)
        return
    changed_money = key in MONEY_KEYS and get_setting(session, key) != value
    _store(session, key, value)
    _ensure_schema_version(session)
    if changed_money:
        from services.core.rollups import refresh_rollups

        # Customer totals are sums in the home currency: every reader (the window, Ask,
        # exports) sees them in the new currency or at the new rates at once.
        session.flush()
        refresh_rollups(session)


def normalised(values: dict[str, Any]) -> dict[str, Any]:
    """Values as they are kept, however they were typed: a currency code in capitals
    ("eur" is EUR). The Settings dialog and `config set` both save through this."""
    if isinstance(values.get(HOME_SETTING), str):
        return {**values, HOME_SETTING: values[HOME_SETTING].strip().upper()}
    return values


def set_settings(session: Session, values: dict[str, Any], *, actor: str = "user") -> None:
    """Validate every value first, then store them all (inside the caller's transaction).

    Nothing is stored when any value is refused: the SettingError names every problem.
    """
    problems = [
        p
        for key, value in values.items()
        if (p := validate_setting(key, value) or locked_problem(key, value))
    ]
    if problems:
        raise SettingError(" ".join(problems))
    for key, value in values.items():
        set_setting(session, key, value, actor=actor)


def reset_setting(session: Session, key: str, *, actor: str = "user") -> None:
    """Put a setting back to its declared default (audited like any change)."""
    set_setting(session, key, copy.deepcopy(_spec(key).default), actor=actor)


def unset_setting(session: Session, key: str, *, actor: str = "user") -> None:
    """Forget the value kept for ``key`` (in the workspace, or the person's own for a
    personal setting): the organisation's default, else the built-in one, applies again.
    A scoring or alert setting's change is versioned and audited as ``set_setting``'s."""
    spec = _spec(key)
    if spec.scope == "personal":
        forget_personal(key)
        return
    row = session.get(Setting, key)
    if row is None:
        return
    old = get_setting(session, key)
    session.delete(row)
    session.flush()
    new = get_setting(session, key)
    if old == new:
        return
    if key.startswith(VERSIONED_PREFIXES):
        _versioned_change(session, key, old, new, actor)
    elif key in MONEY_KEYS:
        from services.core.rollups import refresh_rollups

        refresh_rollups(session)


def _versioned_change(session: Session, key: str, old: Any, new: Any, actor: str) -> None:
    """Bump "config.version" and audit the change of a scoring or alert setting."""
    version = int(get_setting(session, CONFIG_VERSION_KEY)) + 1
    _store(session, CONFIG_VERSION_KEY, version)
    session.add(
        AuditEvent(
            actor=actor,
            action="settings.changed",
            entity_type="setting",
            details={"key": key, "old": old, "new": new, "config_version": version},
        )
    )


def config_version(session: Session) -> int:
    """The workspace configuration version (0 until a scoring or alert setting changes)."""
    return int(get_setting(session, CONFIG_VERSION_KEY))


def _store(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
        row.updated_at = utcnow()


def all_settings(session: Session) -> dict[str, Any]:
    """Every declared setting with its current value."""
    stored = {row.key: row.value for row in session.scalars(select(Setting))}
    personal = [k for k, s in SETTINGS.items() if s.scope == "personal"]
    for key in personal:
        stored.pop(key, None)
    stored = {
        k: v for k, v in stored.items() if k not in SETTINGS or _within_bounds(SETTINGS[k], v)
    }
    stored.update(personal_values(session, personal))
    return {k: resolve(k, s.default, stored.get(k), k in stored) for k, s in SETTINGS.items()}


def _ensure_schema_version(session: Session) -> None:
    if session.get(Setting, SCHEMA_VERSION_KEY) is None:
        session.add(Setting(key=SCHEMA_VERSION_KEY, value=SCHEMA_VERSION))


def migrate_settings(session: Session) -> int:
    """Apply numbered settings migrations up to SCHEMA_VERSION; returns the version now."""
    row = session.get(Setting, SCHEMA_VERSION_KEY)
    version = int(row.value) if row is not None else SCHEMA_VERSION
    if version > SCHEMA_VERSION:
        raise SettingError(
            "This workspace's settings were written by a newer Account Radar; update the app."
        )
    if version == SCHEMA_VERSION:
        return version
    values = {r.key: r.value for r in session.scalars(select(Setting))}
    for target in range(version + 1, SCHEMA_VERSION + 1):
        values = MIGRATIONS[target](values)
    for key, value in values.items():
        existing = session.get(Setting, key)
        if existing is None:
            session.add(Setting(key=key, value=value))
        else:
            existing.value = value
    assert row is not None
    row.value = SCHEMA_VERSION
    return SCHEMA_VERSION


def organisation_value(key: str) -> tuple[Any, bool]:
    """(value, locked) the organisation's policy gives a setting, (None, False) when none.

    For what is decided before any workspace is open (``workspace.location``)."""
    policy = current_policy()
    if key in policy.locked:
        return policy.locked[key], True
    return policy.defaults.get(key), False
