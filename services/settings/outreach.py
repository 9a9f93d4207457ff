"""Email drafting's and sending's settings (declared here, gathered into
services.settings.SETTINGS, which also offers the names below).

- ``llm.*``: who writes the drafts (the provider, its address and model) and whether
  cloud AI services may (``llm.allowed_hosts``, the organisation's own servers:
  services/settings/hosts.py).
- ``outreach.*``: what the drafts say and which fields of a customer may leave the
  computer; ``outreach.templates``, the template library, has its own editor.
- ``smtp.*``: the server that sends them (the password lives in the system keyring).

The provider and how it is asked (``llm.preset``, ``llm.base_url``, ``llm.model``,
``llm.temperature``, ``llm.timeout_s``, ``llm.azure_api_version``), the sender's name and
signature and the mail server are the person's own (``scope="personal"``: they follow
them to every workspace); whether cloud AI may be used, what may leave the computer and
what the drafts say stay with the workspace.
"""

from __future__ import annotations

from typing import Any

from models.vocab import OUTREACH_GOALS, OUTREACH_TONES
from services.core.setting_spec import Scope, SettingSpec
from services.settings.hosts import LLM_HOST_SPECS

YOURS: Scope = "personal"

# Email drafting (docs/design.md section 9). The provider's API key is never a setting: it lives
# in the OS keyring through services/core/credentials.py.
LLM_PRESETS = ("none", "openai", "azure", "ollama", "lmstudio", "llamacpp", "vllm", "other")
GOALS = OUTREACH_GOALS
TONES = OUTREACH_TONES
# Fields of the drafting context that may leave the laptop; the default keeps out the
# surname, the email address and the phone number.
PRIVACY_FIELDS = (
    "first_name",
    "surname",
    "email",
    "phone",
    "company",
    "region",
    "tier",
    "tenure",
    "last_order",
    "categories",
    "segment",
    "drivers",
    "tickets",
    "reviews",
    "owner",
)
PRIVACY_DEFAULT = [f for f in PRIVACY_FIELDS if f not in ("surname", "email", "phone")]


def _fields_check(value: Any) -> str | None:
    unknown = [v for v in value if v not in PRIVACY_FIELDS]
    if unknown:
        return f"unknown field {unknown[0]!r}; known fields: {', '.join(PRIVACY_FIELDS)}"
    return None


def _url_check(value: Any) -> str | None:
    text = str(value).strip()
    if text and not text.startswith(("http://", "https://")):
        return "the address must start with http:// or https://"
    return None


def _domains_check(value: Any) -> str | None:
    from services.core.domains import team_domains_problem

    return team_domains_problem(value)


def _templates_check(value: Any) -> str | None:
    for goal, template in value.items():
        if goal not in GOALS:
            return f"unknown goal {goal!r}; goals: {', '.join(GOALS)}"
        if not isinstance(template, dict) or not {"subject", "body"} <= set(template):
            return f"the template for {goal!r} needs a subject and a body"
        if not all(isinstance(template[k], str) for k in ("subject", "body")):
            return f"the template for {goal!r} must be text"
    return None


def _outreach_specs() -> tuple[SettingSpec, ...]:
    draft, mail = "Email drafting", "Sending email"
    # The Email drafting page reads top to bottom (``order``): who writes, what may be sent
    # to them, what they write, how you sign. Who writes and how you sign are the
    # person's own (YOURS: they follow them to every workspace); what may leave the
    # computer and what the team's drafts say stay with the workspace.
    who, privacy, what = "Who writes the drafts", "Privacy", "What the drafts say"
    signing = "Your name and signature"
    return (
        SettingSpec("llm.preset", str, "none", "Provider", None, draft, choices=LLM_PRESETS,
                    help="Who writes the drafts: none (templates only), OpenAI, Azure OpenAI "
                    "or a server on this computer or your network.", section=who, order=10,
                    scope=YOURS),
        SettingSpec("llm.allow_cloud", bool, True, "Allow cloud AI services", None, draft,
                    help="Off: only servers on this computer or the company's network write "
                    "drafts and answer questions (OpenAI, Azure and other public AI services "
                    "are refused). Usually set by IT.", section=privacy, order=76),
        *LLM_HOST_SPECS,
        SettingSpec("llm.base_url", str, "", "Base URL", _url_check, draft,
                    help="The server's OpenAI-compatible address, e.g. "
                    "http://localhost:11434/v1 for Ollama.", section=who, order=20,
                    scope=YOURS),
        SettingSpec("llm.model", str, "", "Model", None, draft,
                    help="The model (Azure: the deployment) that writes the drafts.",
                    section=who, order=30, kind="suggest", scope=YOURS),
        SettingSpec("llm.temperature", (int, float), 0.7, "Temperature", None, draft, "", 0, 2,
                    help="Higher is more varied, lower more predictable.", section=who,
                    order=40, scope=YOURS),
        SettingSpec("llm.timeout_s", (int, float), 60, "Time-out", None, draft, "seconds", 1,
                    600, help="Give up on a draft the server has not finished in this time.",
                    section=who, order=50, scope=YOURS),
        SettingSpec("llm.azure_api_version", str, "2024-10-21", "Azure API version", None,
                    draft, help="Only for Azure OpenAI.", section=who, order=60,
                    placeholder="e.g. 2024-10-21", scope=YOURS),
        SettingSpec("llm.reviewed_remote", list, [], "Providers whose request the user has "
                    "seen before the first send (base URLs)", None, "", hidden=True),
        SettingSpec("outreach.sent_fields", list, PRIVACY_DEFAULT, "Fields that may leave "
                    "this computer", _fields_check, draft,
                    help="Only these fields of the customer go into the request to a provider "
                    "(the template draft never leaves the computer).", section=privacy,
                    order=80, kind="fields"),
        SettingSpec("outreach.incentive_cap_percent", (int, float), 10, "Incentive at most",
                    None, draft, "% of the predicted value", 0, 100,
                    help="No offer in a draft, or in the recommended next step, may exceed "
                    "this share of the customer's predicted value (its revenue over the value "
                    "horizon, Settings ▸ Scores: 12 months by default).", section=what,
                    order=140),
        SettingSpec("outreach.max_words", int, 220, "Email length at most", None, draft,
                    "words", 30, 2000, help="Longer drafts are flagged for shortening.",
                    section=what, order=100),
        SettingSpec("outreach.default_tone", str, "warm", "Tone", None, draft, choices=TONES,
                    section=what, order=90),
        SettingSpec("outreach.brand_voice", str, "", "Brand voice", None, draft,
                    help="A few words on how the team writes (e.g. 'plain, warm, no "
                    "exclamation marks').", section=what, order=110, kind="multiline",
                    placeholder="e.g. plain and warm, no exclamation marks, first names only"),
        SettingSpec("outreach.signature", str, "", "Signature", None, draft,
                    help="Added under every draft; {owner} is your name (the one who sends).",
                    section=signing, order=180, kind="multiline", scope=YOURS,
                    placeholder="Best regards,\n{owner}\nAcme Outdoor"),
        SettingSpec("outreach.sender_name", str, "", "Your name", None, draft,
                    help="Signs your drafts, whoever the customer's account manager is "
                    "(empty: your name in File ▸ Who I am…, else in the From address).",
                    section=signing, order=170, scope=YOURS,
                    placeholder="e.g. Ana Lopez"),
        SettingSpec("outreach.team_domains", list, [], "Team domains", _domains_check,
                    draft, help="Links in a draft to any other domain are flagged before "
                    "sending; in imported calls, chats and emails, people with addresses on "
                    "them are your side. A subdomain of a listed domain counts as listed.",
                    section=what,
                    order=150, placeholder="e.g. example.com, shop.example.com"),
        # Edited in File ▸ Email templates…
        SettingSpec("outreach.templates", dict, {}, "Template library: goal -> subject and "
                    "body (Jinja2); a goal missing here uses the built-in template",
                    _templates_check, "", hidden=True),
        SettingSpec("smtp.host", str, "", "SMTP server", None, mail,
                    help="Leave empty to send from your own mail program only.",
                    placeholder="e.g. smtp.office365.com", scope=YOURS),
        SettingSpec("smtp.port", int, 587, "Port", None, mail, "", 1, 65535, scope=YOURS),
        SettingSpec("smtp.security", str, "starttls", "Security", None, mail,
                    choices=("starttls", "ssl", "none"), scope=YOURS),
        SettingSpec("smtp.user", str, "", "User name", None, mail,
                    help="The password is kept in your system keyring, never here.",
                    placeholder="e.g. ana.lopez@example.com", scope=YOURS),
        SettingSpec("smtp.from_address", str, "", "From address", None, mail,
                    placeholder="e.g. Ana Lopez <ana.lopez@example.com>", scope=YOURS),
    )  # fmt: skip


OUTREACH_SPECS = _outreach_specs()
