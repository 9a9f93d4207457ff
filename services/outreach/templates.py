"""The template library: a Jinja2 draft per goal, the fallback when no provider writes one.

Built-in templates live in ``resources/templates/email/<goal>.j2``. File format: the
first line is ``Subject: <subject template>``; the body template follows after one blank
line. A workspace can replace any goal's template (setting ``outreach.templates``:
goal -> {"subject", "body"}); ``save_template`` refuses one that does not render, and
``reset_template`` goes back to the built-in one.

Templates render in a sandbox, with StrictUndefined (a misspelt name is an error, not an
empty string) and no HTML escaping (the email is plain text); runs of blank lines left by
``{% if %}`` blocks collapse to one, so block tags may sit on lines of their own. The
names a template may use are ``template_variables``'s keys:

    first_name, greeting_name (first name, else "there"), name, company, owner, tier,
    region, segment, tenure ("customer for 2 years"), tenure_span ("2 years"),
    last_order (None, or .date "12 March 2025", .days_ago, .category, .amount "$84"),
    categories (favourites, by spend), favourite (the first, or None), new_categories
    (best sellers they have not bought; expansion drafts), drivers, open_tickets (each
    .subject, .status, .date), has_open_ticket, goal, goal_label, tone, incentive_cap
    ("$154" or None), offer (a round amount within the cap and a quarter of the average
    order, "$20", or None; None too when a complaint comes first),
    signature, brand_voice, currency_symbol.

The built-in templates write each tone (``tone``: warm, friendly, professional, concise)
in its own words, with the same facts: the greeting by name, why we write (the last
order, the open request, the new line) and the offer when there is one.

Nothing in a template draft leaves the computer.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
from pathlib import Path
from typing import Any

from jinja2 import (
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy.orm import Session

from models.errors import UserFacingError
from models.schema import AuditEvent
from services.core.formatting import format_long_date
from services.core.safe_read import TEMPLATE_LIMIT, BadFile, os_reason, read_text
from services.outreach.checks import check_draft
from services.outreach.records import (
    GOAL_LABELS,
    CustomerText,
    Draft,
    DraftContext,
    LastOrder,
    TemplateEntry,
)
from services.settings import GOALS, set_setting
from services.settings.views import TemplateLibrary

TEMPLATE_SETTING = "outreach.templates"
_ENV = SandboxedEnvironment(
    undefined=StrictUndefined,
    autoescape=False,
    trim_blocks=False,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)


class TemplateProblem(UserFacingError):
    """A template that cannot be used: the message says where and why, in plain words."""


def resources_dir() -> Path:
    """The resources folder, in a checkout and in a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def templates_dir() -> Path:
    """Where the built-in email templates are."""
    return resources_dir() / "templates" / "email"


def split_template_file(text: str) -> tuple[str, str]:
    """(subject, body) templates from a .j2 file's text ("Subject: ..." line, blank, body)."""
    first, _, rest = text.replace("\r\n", "\n").partition("\n")
    if not first.lower().startswith("subject:"):
        raise TemplateProblem("A template file must start with a 'Subject:' line.")
    return first.split(":", 1)[1].strip(), rest.strip("\n")


def builtin_template(goal: str) -> TemplateEntry:
    """The template shipped with the app for a goal."""
    path = templates_dir() / f"{goal}.j2"
    try:
        text = read_text(path, TEMPLATE_LIMIT)
    except (OSError, BadFile) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) else str(exc)
        raise TemplateProblem(
            f"The built-in template for '{GOAL_LABELS.get(goal, goal)}' cannot be read "
            f"({path}): {reason}. Reinstall the app."
        ) from exc
    subject, body = split_template_file(text)
    return TemplateEntry(subject=subject, body=body, custom=False)


def template_library(session: Session) -> dict[str, TemplateEntry]:
    """Every goal's template: the workspace's own where saved, else the built-in one."""
    custom = TemplateLibrary.read(session).templates or {}
    library: dict[str, TemplateEntry] = {}
    for goal in GOALS:
        mine = custom.get(goal)
        if isinstance(mine, dict) and {"subject", "body"} <= set(mine):
            library[goal] = TemplateEntry(str(mine["subject"]), str(mine["body"]), custom=True)
        else:
            library[goal] = builtin_template(goal)
    return library


# --- rendering -----------------------------------------------------------------------------


# A template's offer is at most this share of the customer's average order (and within the
# cap): a gesture, not the most the cap would allow.
OFFER_SHARE_OF_ORDER = 0.25


def _nice_offer(context: DraftContext) -> int | None:
    """A round amount (cents) within the cap and a quarter of the average order: $20 of
    $22.50, $150 of $154, $7 of $7.80; None without a cap, or when the alert's next step
    makes no offer (a complaint comes first)."""
    cap = context.incentive_cap_cents
    if cap is None or context.no_offer_why:
        return None
    if context.average_order_cents:
        cap = min(cap, int(context.average_order_cents * OFFER_SHARE_OF_ORDER))
    units = cap // 100
    step = 10 if units >= 100 else 5 if units >= 20 else 1
    offer = units - units % step
    return offer * 100 if offer >= 1 else None


def _order(order: LastOrder | None) -> dict[str, Any] | None:
    if order is None:
        return None
    return {
        "date": format_long_date(order.date),
        "days_ago": order.days_ago,
        "category": order.category,
        "amount": order.amount,
    }


def _ticket(ticket: CustomerText) -> dict[str, Any]:
    return {
        "subject": ticket.subject,
        "status": ticket.status,
        "date": format_long_date(ticket.date),
    }


def template_variables(context: DraftContext) -> dict[str, Any]:
    """The names a template can use (see the module docstring), from a context."""
    offer = _nice_offer(context)
    return {
        "first_name": context.first_name,
        "greeting_name": context.first_name or "there",
        "name": context.name,
        "company": context.company,
        "owner": context.owner,
        "tier": context.tier,
        "region": context.region,
        "segment": context.segment,
        "tenure": context.tenure,
        "tenure_span": context.tenure.removeprefix("customer for ").strip(),
        "last_order": _order(context.last_order),
        "categories": list(context.categories),
        "favourite": context.categories[0] if context.categories else None,
        "new_categories": list(context.new_categories),
        "drivers": list(context.drivers),
        "open_tickets": [_ticket(t) for t in context.open_tickets],
        "has_open_ticket": bool(context.open_tickets),
        "goal": context.goal,
        "goal_label": GOAL_LABELS.get(context.goal, context.goal),
        "tone": context.tone,
        "incentive_cap": context.incentive,
        "offer": context.money(offer) if offer is not None else None,
        "signature": context.signature,
        "brand_voice": context.brand_voice,
        "currency_symbol": context.currency_symbol,
    }


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _plain(exc: Exception, part: str) -> str:
    """A Jinja2 error in plain words, with the line where it is."""
    where = f"the {part}"
    if isinstance(exc, TemplateSyntaxError):
        line = f", line {exc.lineno}" if exc.lineno else ""
        return f"{where}{line}: {exc.message or 'the template syntax is wrong'}"
    if isinstance(exc, UndefinedError):
        found = re.search(r"'([^']+)' is undefined", str(exc))
        name = found.group(1) if found else str(exc)
        return f"{where}: there is no value called '{name}' (see the list of names you can use)"
    if isinstance(exc, SecurityError):
        return f"{where}: the template tries something templates may not do ({exc})"
    return f"{where}: {exc}"


@functools.lru_cache(maxsize=64)
def _compiled(source: str) -> Template:
    # Compiling costs ~4 ms a template; each draft renders the same few again.
    return _ENV.from_string(source)


def render_entry(entry: TemplateEntry, context: DraftContext) -> tuple[str, str]:
    """(subject, body) of one template for a context; TemplateProblem when it fails."""
    values = template_variables(context)
    rendered: list[str] = []
    for part, source in (("subject", entry.subject), ("body", entry.body)):
        try:
            rendered.append(_tidy(_compiled(source).render(values)))
        except (TemplateError, SecurityError, TypeError, ValueError) as exc:
            raise TemplateProblem(f"The template cannot be used: {_plain(exc, part)}.") from exc
    subject = " ".join(rendered[0].split())
    return subject, rendered[1]


def render_template_draft(
    context: DraftContext,
    goal: str | None = None,
    *,
    library: dict[str, TemplateEntry] | None = None,
    reason: str | None = None,
    max_words: int = 220,
) -> Draft:
    """A draft from the template of ``goal`` (default: the context's goal), checked.

    ``library``: the workspace's template library (template_library); the built-in
    templates when None.
    """
    chosen = goal or context.goal
    entry = library[chosen] if library is not None else builtin_template(chosen)
    subject, body = render_entry(entry, context)
    problems = check_draft(subject, body, context, max_words=max_words)
    return Draft(
        subject=subject,
        body=body,
        source="template",
        template=f"{chosen}{' (custom)' if entry.custom else ''}",
        reason=reason,
        problems=tuple(problems),
    )


# --- editing the library -------------------------------------------------------------------


def sample_context(goal: str = "win_back") -> DraftContext:
    """A made-up customer with every field filled, to try a template on."""
    day = dt.date(2025, 3, 12)
    return DraftContext(
        customer_id=0,
        external_id="SAMPLE-1",
        name="Ada Lovelace",
        first_name="Ada",
        surname="Lovelace",
        email="ada@example.com",
        phone="+1 555 0100",
        company="Analytical Engines",
        region="West",
        tier="Gold",
        owner="Maya Thompson",
        tenure_days=800,
        tenure="customer for 2 years",
        last_order=LastOrder(day, 95, "Outerwear", 8400, "$84"),
        categories=("Outerwear", "Knitwear", "Accessories"),
        new_categories=("Footwear", "Denim"),
        paid_orders=7,
        average_order_cents=9000,
        segment="At Risk",
        churn_risk=0.72,
        clv_12m_cents=154_000,
        drivers=("No order in 95 days, 3 times the usual gap",),
        open_tickets=(
            CustomerText("ticket", day, "Zip broke after a week", "A zip broke.", "open"),
        ),
        recent_feedback=(),
        alert_id=None,
        alert_rule=None,
        alert_reason=None,
        goal=goal,
        tone="warm",
        incentive_cap_percent=10.0,
        incentive_cap_cents=15_400,
        currency="USD",
        currency_symbol="$",
        brand_voice="",
        signature="Best regards,\nMaya Thompson",
        do_not_contact=False,
        unsubscribed=False,
        send_blocked=None,
        as_of=dt.datetime(2025, 6, 15, 12, 0, tzinfo=dt.UTC),
    )


def validate_template(goal: str, subject: str, body: str) -> None:
    """Refuse (TemplateProblem) a template that is empty or does not render on a sample
    customer, nor on one without orders, tickets, value or company."""
    if goal not in GOALS:
        raise TemplateProblem(f"'{goal}' is not a goal; choose one of {', '.join(GOALS)}.")
    if not subject.strip():
        raise TemplateProblem("Give the template a subject.")
    if not body.strip():
        raise TemplateProblem("Write the template's body.")
    entry = TemplateEntry(subject, body, custom=True)
    full = sample_context(goal)
    bare = _bare(full)
    for context in (full, bare):
        rendered_subject, rendered_body = render_entry(entry, context)
        if not rendered_subject:
            raise TemplateProblem("The template's subject comes out empty; write one.")
        if not rendered_body:
            raise TemplateProblem("The template's body comes out empty for some customers.")


def _bare(context: DraftContext) -> DraftContext:
    from dataclasses import replace

    return replace(
        context,
        first_name="",
        surname="",
        company=None,
        owner=None,
        tenure_days=None,
        tenure="",
        last_order=None,
        categories=(),
        new_categories=(),
        paid_orders=0,
        average_order_cents=None,
        segment=None,
        churn_risk=None,
        clv_12m_cents=None,
        drivers=(),
        open_tickets=(),
        incentive_cap_cents=None,
        signature="Best regards",
    )


def save_template(session: Session, goal: str, subject: str, body: str, actor: str) -> None:
    """Store the workspace's own template for a goal (inside the caller's transaction),
    after checking it renders; TemplateProblem (nothing stored) when it does not."""
    validate_template(goal, subject, body)
    library = dict(TemplateLibrary.read(session).templates or {})
    library[goal] = {"subject": subject, "body": body}
    set_setting(session, TEMPLATE_SETTING, library, actor=actor)
    session.add(
        AuditEvent(
            actor=actor,
            action="outreach.template_saved",
            entity_type="template",
            details={"goal": goal, "subject": subject},
        )
    )


def reset_template(session: Session, goal: str, actor: str) -> None:
    """Go back to the built-in template for a goal (inside the caller's transaction)."""
    if goal not in GOALS:
        raise TemplateProblem(f"'{goal}' is not a goal; choose one of {', '.join(GOALS)}.")
    library = dict(TemplateLibrary.read(session).templates or {})
    if library.pop(goal, None) is None:
        return
    set_setting(session, TEMPLATE_SETTING, library, actor=actor)
    session.add(
        AuditEvent(
            actor=actor,
            action="outreach.template_reset",
            entity_type="template",
            details={"goal": goal},
        )
    )
