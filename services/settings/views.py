"""Typed views of the settings: each group of settings read at once into a frozen dataclass.

A view declares each of its fields once, with the key of the setting it holds::

    class LearnSettings(SettingsView):
        attribution_days: int = setting("learn.attribution_days")

and ``LearnSettings.read(session).attribution_days`` is then an ``int`` to mypy and at
run time. ``read`` reads each key once through ``get_setting`` (the policy locks, the
person's own settings, the read cache and the defaults apply as to any read).

When a view's class is created, every field is checked against the schema: its key must
be a declared setting, and its annotation must say the setting's type (``float`` for a
number that may be whole; ``str | None`` for a text that may be empty). A mistyped key or
a wrong type fails at import, never at the first read.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, ClassVar, Self, dataclass_transform

from sqlalchemy.orm import Session

from services.settings.schema import SETTINGS
from services.settings.store import get_setting

# The metadata entry of a view's field that names its setting.
KEY = "setting_key"


class SettingsViewError(TypeError):
    """A settings view whose field names an unknown setting or says the wrong type."""


def setting(key: str) -> Any:
    """A field of a settings view holding the value of the setting ``key``."""
    return dataclasses.field(metadata={KEY: key})


def _kinds(annotation: Any) -> frozenset[type]:
    """The run-time types an annotation allows (``dict[str, Any] | None``: dict and None)."""
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    parts = typing.get_args(annotation) if union else (annotation,)
    kinds = set()
    for part in parts:
        origin = typing.get_origin(part) or part
        if not isinstance(origin, type):
            raise SettingsViewError(f"{annotation!r} is not a type a setting has")
        kinds.add(origin)
    return frozenset(kinds)


def type_problem(key: str, annotation: Any) -> str | None:
    """What is wrong with ``annotation`` as the type of a field holding setting ``key``:
    an unknown setting, or a type other than the setting's; None when it agrees.

    A ``float`` field may hold a setting of whole numbers, or of any number (it is read
    as a float); an ``int`` field only one of whole numbers."""
    spec = SETTINGS.get(key)
    if spec is None:
        return f"'{key}' is not a declared setting"
    declared = frozenset(spec.type) if isinstance(spec.type, tuple) else frozenset({spec.type})
    try:
        kinds = _kinds(annotation)
    except SettingsViewError as exc:
        return f"'{key}': {exc}"
    # A float field takes whole numbers too; it never stands for bool or anything else.
    takes = kinds | {int} if float in kinds else kinds
    if not declared <= takes or not kinds - {float} <= declared:
        names = " | ".join(sorted(k.__name__ for k in declared))
        return f"'{key}' holds {names}, not {annotation!r}"
    return None


def _coerce(kinds: frozenset[type], value: Any) -> Any:
    """The value as its field's type says: a whole number in a float field is a float."""
    if float in kinds and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _check(cls: type) -> tuple[tuple[str, str, frozenset[type]], ...]:
    """Each field of a view as (name, key, types); raises SettingsViewError naming every
    field whose key is unknown or whose annotation disagrees with its setting's type."""
    hints = typing.get_type_hints(cls)
    problems, out = [], []
    for item in dataclasses.fields(cls):
        key = item.metadata.get(KEY)
        if not isinstance(key, str):
            problems.append(f"{item.name} is not declared with setting(key)")
            continue
        problem = type_problem(key, hints[item.name])
        if problem is not None:
            problems.append(f"{item.name}: {problem}")
            continue
        out.append((item.name, key, _kinds(hints[item.name])))
    if problems:
        raise SettingsViewError(f"{cls.__name__}: " + "; ".join(problems) + ".")
    return tuple(out)


@dataclass_transform(frozen_default=True, field_specifiers=(setting,))
class SettingsView:
    """The base of a typed view: a subclass is made a frozen dataclass and checked against
    the schema when it is created (module doc)."""

    _fields: ClassVar[tuple[tuple[str, str, frozenset[type]], ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True)(cls)
        cls._fields = _check(cls)

    @classmethod
    def setting_keys(cls) -> tuple[str, ...]:
        """The keys of the settings this view holds, in the order of its fields."""
        return tuple(key for _, key, _ in cls._fields)

    @classmethod
    def read(cls, session: Session) -> Self:
        """The view's settings as they apply now, each read once through ``get_setting``."""
        values = {
            name: _coerce(kinds, get_setting(session, key)) for name, key, kinds in cls._fields
        }
        return cls(**values)


# --- the views, by group (the declarations: services/settings/<group>.py) ---------------------


class WorkspaceSettings(SettingsView):
    """The workspace's name and its demo marker (None for real data)."""

    name: str = setting("workspace.name")
    demo: dict[str, Any] | None = setting("workspace.demo")


class DateSettings(SettingsView):
    """The workspace's time zone (empty: this computer's)."""

    time_zone: str = setting("workspace.time_zone")


class MoneySettings(SettingsView):
    """The home currency and the exchange rates into it."""

    home_currency: str = setting("workspace.home_currency")
    exchange_rates: dict[str, Any] = setting("workspace.exchange_rates")


class ImportSettings(SettingsView):
    """The watched import folder (None: off) and the files of it already handled."""

    watched_folder: str | None = setting("import.watched_folder")
    watched_files: dict[str, Any] = setting("import.watched_files")


class ScoringSettings(SettingsView):
    """The horizons, weights and thresholds of scoring."""

    horizon_days: int = setting("scoring.horizon_days")
    clv_months: int = setting("scoring.clv_months")
    engagement_weights: dict[str, Any] = setting("scoring.engagement_weights")
    health_weights: dict[str, Any] = setting("scoring.health_weights")
    thresholds: dict[str, Any] = setting("scoring.thresholds")


class AlertSettings(SettingsView):
    """The alerts' general settings (each rule's own are read by services/alerts/config.py)."""

    daily_cap_per_owner: int = setting("alerts.daily_cap_per_owner")
    cooldown_days: int = setting("alerts.cooldown_days")
    realert_days: int = setting("alerts.realert_days")
    critical_cap_per_owner: int = setting("alerts.critical_cap_per_owner")
    priority_uses_lower_bound: bool = setting("alerts.priority_uses_lower_bound")
    weekly_budget_per_owner: int = setting("alerts.weekly_budget_per_owner")
    lapse_floor_percent: int = setting("alerts.lapse_floor_percent")
    reach_weight: float = setting("alerts.reach_weight")


class KeyContactSettings(SettingsView):
    """How long a champion or decision maker may go unheard before they count as gone
    dark (the People tab says so; the Key contact gone dark alert raises it)."""

    quiet_days: int = setting("alerts.key_contact_dark.quiet_days")


class StalledDealSettings(SettingsView):
    """The Stalled opportunity rule's stages and days in a stage."""

    stages: list[str] = setting("alerts.stalled_opportunity.stages")
    stalled_days: int = setting("alerts.stalled_opportunity.stalled_days")


class TimeToActSettings(SettingsView):
    """Working days to act on an alert of each severity."""

    critical_days: int = setting("sla.critical_days")
    warning_days: int = setting("sla.warning_days")
    opportunity_days: int = setting("sla.opportunity_days")
    info_days: int = setting("sla.info_days")

    def by_severity(self) -> dict[str, int]:
        """The days keyed by severity ("critical", "warning"...)."""
        return {
            "critical": self.critical_days,
            "warning": self.warning_days,
            "opportunity": self.opportunity_days,
            "info": self.info_days,
        }


class EscalationSettings(SettingsView):
    """Who escalations go to and which of their rules are on."""

    team_lead: str = setting("escalation.team_lead")
    notify_email: str = setting("escalation.notify_email")
    ticket_enabled: bool = setting("escalation.ticket.enabled")
    ticket_priorities: list[str] = setting("escalation.ticket.priorities")
    ticket_window_days: int = setting("escalation.ticket.window_days")
    deal_enabled: bool = setting("escalation.deal.enabled")
    deal_min_amount: float = setting("escalation.deal.min_amount")
    churn_enabled: bool = setting("escalation.churn.enabled")
    churn_min_clv: float = setting("escalation.churn.min_clv")
    sla_enabled: bool = setting("escalation.sla.enabled")


class LearnSettings(SettingsView):
    """The holdout and the attribution window of measuring outreach."""

    holdout_percent: float = setting("learn.holdout_percent")
    holdout_seed: int = setting("learn.holdout_seed")
    attribution_days: int = setting("learn.attribution_days")


class RetentionSettings(SettingsView):
    """What acquiring a customer costs, per acquisition channel (home currency)."""

    cac_by_channel: dict[str, Any] = setting("retention.cac_by_channel")


class PackSettings(SettingsView):
    """The company's PowerPoint template of review packs' slides (empty: the built-in one)."""

    template: str = setting("packs.template")


class HoldoutRecords(SettingsView):
    """The holdout draws so far, per risk band (kept by services/alerts/holdout.py)."""

    draws: dict[str, Any] = setting("learn.holdout_draws")


class ReturnSettings(SettingsView):
    """What outreach earns and costs, for its return (money in the home currency)."""

    margin_percent: float = setting("learn.margin_percent")
    cost_offer_percent: float = setting("learn.cost_offer_percent")
    cost_email: float = setting("learn.cost_email")
    cost_call: float = setting("learn.cost_call")
    cost_meeting: float = setting("learn.cost_meeting")
    cost_team_month: float = setting("learn.cost_team_month")


class LlmSettings(SettingsView):
    """The provider that writes the drafts and what may reach it."""

    preset: str = setting("llm.preset")
    allow_cloud: bool = setting("llm.allow_cloud")
    allowed_hosts: list[str] = setting("llm.allowed_hosts")
    base_url: str = setting("llm.base_url")
    model: str = setting("llm.model")
    temperature: float = setting("llm.temperature")
    timeout_s: float = setting("llm.timeout_s")
    azure_api_version: str = setting("llm.azure_api_version")


class LlmRecords(SettingsView):
    """The remote providers whose terms someone reviewed and accepted."""

    reviewed_remote: list[Any] = setting("llm.reviewed_remote")


class TemplateLibrary(SettingsView):
    """The workspace's own email templates, by name."""

    templates: dict[str, Any] = setting("outreach.templates")


class OutreachSettings(SettingsView):
    """How the drafts are written: what is sent, their length, tone and voice."""

    sent_fields: list[str] = setting("outreach.sent_fields")
    incentive_cap_percent: float = setting("outreach.incentive_cap_percent")
    max_words: int = setting("outreach.max_words")
    default_tone: str = setting("outreach.default_tone")
    brand_voice: str = setting("outreach.brand_voice")
    team_domains: list[str] = setting("outreach.team_domains")


class SenderSettings(SettingsView):
    """The person's own name and signature, and the pace of their batches."""

    sender_name: str = setting("outreach.sender_name")
    signature: str = setting("outreach.signature")
    batch_concurrency: int = setting("outreach.batch_concurrency")
    send_per_minute: int = setting("outreach.send_per_minute")


class MailSettings(SettingsView):
    """The person's mail server (the password is a credential, never a setting)."""

    host: str = setting("smtp.host")
    port: int = setting("smtp.port")
    security: str = setting("smtp.security")
    user: str = setting("smtp.user")
    from_address: str = setting("smtp.from_address")


class AskSettings(SettingsView):
    """The bounds of a question's query."""

    row_limit: int = setting("ask.row_limit")
    time_limit_s: float = setting("ask.time_limit_s")


class SavedQuestions(SettingsView):
    """The questions saved in Ask's library."""

    saved: list[Any] = setting("ask.saved")


class ListenSettings(SettingsView):
    """How many reasons Listen finds in the tickets."""

    reason_count: int = setting("listen.reason_count")
    competitors: list[str] = setting("listen.competitors")
    # The precision a kind of risk read out of conversations must have shown on the
    # listening corpus before it raises anything (services/listen/proven_risks.py).
    risk_precision_percent: float = setting("alerts.conversation_risk.min_precision_percent")


class ListenRecords(SettingsView):
    """What Listen learned and kept among the settings: the reasons, and the mark of the
    texts whose sentiment was last worked out."""

    reasons: dict[str, Any] = setting("listen.reasons")
    sentiment_watermark: dict[str, Any] = setting("listen.sentiment_watermark")


class UpdateSettings(SettingsView):
    """The organisation's file naming the latest version (empty: never checked)."""

    check_url: str = setting("updates.check_url")


class NotificationSettings(SettingsView):
    """Whether new critical alerts are said on the desktop."""

    desktop: bool = setting("notifications.desktop")


class NotifySettings(SettingsView):
    """Where alerts are posted (Slack or Teams), what is posted, and the time-out."""

    service: str = setting("notify.service")
    critical: bool = setting("notify.critical")
    sla: bool = setting("notify.sla")
    digest: bool = setting("notify.digest")
    timeout_s: int = setting("notify.timeout_s")


class NotifyRecords(SettingsView):
    """What was posted to which webhook, and which webhooks' first post was approved."""

    posted: list[str] = setting("notify.posted")
    approved: list[str] = setting("notify.approved")


class PlaybookSettings(SettingsView):
    """The workspace's own playbooks, as written in the Settings dialog."""

    custom: str = setting("playbooks.custom")


class FreshnessSettings(SettingsView):
    """The expected cadence of the sources' imports: one for every source (0: learned from
    its imports) and each source's own, by the format it is imported in."""

    cadence_days: int = setting("freshness.cadence_days")
    source_cadence_days: dict[str, Any] = setting("freshness.source_cadence_days")


class HelpdeskSettings(SettingsView):
    """Where a ticket made from an alert goes as an email."""

    address: str = setting("crm.helpdesk_address")


class RenewalCallSettings(SettingsView):
    """The checkpoints of the owner's renewal calls, and the gap between call and model
    that is said on the card and to the team lead."""

    checkpoint_months: list[int] = setting("renewals.checkpoint_months")
    disagreement_points: float = setting("renewals.disagreement_points")


class LifecycleSettings(SettingsView):
    """Where a customer's stage comes from, the counts that decide it, each stage's health
    weights and the floor of the best time to reach out."""

    source: str = setting("lifecycle.source")
    onboarding_days: int = setting("lifecycle.onboarding_days")
    renewal_days: int = setting("lifecycle.renewal_days")
    mature_days: int = setting("lifecycle.mature_days")
    mature_orders: int = setting("lifecycle.mature_orders")
    health_profiles: dict[str, Any] = setting("lifecycle.health_profiles")
    reach_min_emails: int = setting("lifecycle.reach_min_emails")
    stage_check: dict[str, Any] = setting("lifecycle.stage_check")
