"""The words the email composer shows, worked out without Qt: who writes the drafts, the
most a draft may offer, where a draft came from, the "What will be sent" text when
nothing is, and the subject and body of a reply still being written.

Like ``records``, it loads neither SQLAlchemy nor openai nor Jinja2: the window imports
it when it starts.
"""

from __future__ import annotations

from services.core.clv_words import value_label
from services.core.incentive import cap_percent_words
from services.llm.providers import ProviderConfig, is_local, provider_name
from services.outreach.records import GOAL_LABELS, Draft, DraftContext


def split_partial(text: str) -> tuple[str, str]:
    """Subject and body of a reply still being written ("Subject: …", blank line, body)."""
    head, newline, rest = text.lstrip().partition("\n")
    stripped = head.strip().strip("*").strip()
    if stripped.lower().startswith("subject:"):
        return stripped[len("subject:") :].strip().strip("*").strip(), rest.lstrip("\n")
    if not newline:
        return "", head
    return "", text.lstrip()


def provider_words(config: ProviderConfig | None) -> tuple[str, bool]:
    """Who writes the drafts, in words, and whether the request leaves this computer."""
    if config is None:
        return "the template library (no provider in use)", False
    return provider_name(config), not is_local(config)


TEMPLATE_WRITER = "Drafted from the template library: nothing leaves this computer."


def writer_line(config: ProviderConfig | None) -> str:
    """The composer's line on who writes the drafts and whether the request leaves."""
    if config is None:
        return TEMPLATE_WRITER
    name, remote = provider_words(config)
    where = "the request leaves this computer" if remote else "nothing leaves this computer"
    return f"Written by {name}: {where}."


def incentive_words(ctx: DraftContext) -> str:
    """The most a draft may offer this customer, or why it offers nothing."""
    by = f', the cap of experiment "{ctx.offer_from}"' if ctx.offer_from else ""
    if ctx.cap_segment and not by:
        by = f", the cap for {ctx.cap_segment}"
    if ctx.incentive and ctx.no_offer_why:
        return (
            f"No offer in the draft: {ctx.no_offer_why}. If you add one, keep it at or "
            f"under {ctx.incentive} ({cap_percent_words(ctx.incentive_cap_percent)} of the "
            f"predicted {value_label(ctx.clv_months)})."
        )
    if ctx.incentive:
        return (
            f"Any offer stays at or under {ctx.incentive} "
            f"({cap_percent_words(ctx.incentive_cap_percent)} of the predicted "
            f"{value_label(ctx.clv_months)}{by})."
        )
    if ctx.incentive_cap_percent <= 0 and ctx.offer_from:
        return f'No offers: experiment "{ctx.offer_from}" makes no offer to this customer.'
    if ctx.incentive_cap_percent <= 0 and ctx.cap_segment:
        return f"No offers: the incentive cap for {ctx.cap_segment} is 0% (Settings ▸ Per segment)."
    if ctx.incentive_cap_percent <= 0:
        return "No offers: the incentive cap is 0% (Settings ▸ Email drafting)."
    return f"No offer: there is no predicted {value_label(ctx.clv_months)} for this customer yet."


def source_words(draft: Draft, seconds: float | None) -> str:
    """Where a draft came from, shown under it (the model and how long it took, or the
    template)."""
    if draft.source == "template":
        name = draft.template or "template"
        goal = GOAL_LABELS.get(name, name.replace("_", " "))
        return f"Template: {goal} (template library, on this computer)"
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    return f"Written by {draft.model or 'the model'}{took}"


def offline_preview_text(reason: str | None, goal: str) -> str:
    """The "What will be sent" text when no provider is in use: nothing is."""
    return (
        "No provider is in use, so nothing is sent: the draft comes from the "
        f"template library on this computer.\n\nReason: {reason}\n\n"
        f"Goal: {GOAL_LABELS.get(goal, goal)}"
    )
