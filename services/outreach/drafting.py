"""Getting a draft: what the command line and the window both call (no Qt here).

Two steps, so the window can run each on the right worker:

1. ``prepare_draft`` (database work): the context, the provider from the settings, the
   messages, whether the user must first review what will be sent, and the template
   draft (rendered now, so that a failed request can fall back without the database).
2. ``run_draft`` (network work): stream the reply from the provider and ``finish_draft``
   it (parse, add the signature, check). With no provider, or when the request fails for
   any reason but Stop, the template draft comes back instead, with the reason.

The pieces are public too: ``stream_draft`` (the text deltas), ``chat_stream`` (a stream
another thread can close), ``finish_draft``, ``draft_offline`` and ``resolve_key``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from models.errors import UserFacingError
from services.core.credentials import SecretSource, llm_key_name, resolve_api_key
from services.llm.errors import LLMError, no_key_error
from services.llm.providers import ProviderConfig, needs_key
from services.outreach.checks import check_draft, has_subject, parse_draft
from services.outreach.context import build_context
from services.outreach.prompt import (
    ENV_PROVIDER_ID,
    allowed_fields,
    build_messages,
    describe_request,
    needs_review,
    provider_from_settings,
    provider_problem,
)
from services.outreach.records import Draft, DraftContext, DraftProblem
from services.outreach.templates import (
    TemplateProblem,
    builtin_template,
    render_template_draft,
    template_library,
)
from services.settings.views import OutreachSettings

if TYPE_CHECKING:
    from services.llm.client import ChatStream

log = logging.getLogger(__name__)

# Where each provider kind's key may also come from, besides the keyring.
KEY_ENV_VARS = {"openai": "OPENAI_API_KEY", "azure": "AZURE_OPENAI_API_KEY"}
SOURCE_WORDS = {
    "keyring": "the keyring",
    "session": "this session",
    "environment": "the environment variable",
}


def _never() -> bool:
    return False


class ReviewNeeded(UserFacingError):
    """The request would go to a provider off this computer that the user has not
    reviewed: show ``describe_request`` first, then ``mark_reviewed``."""


# --- keys ----------------------------------------------------------------------------------


def resolve_key(config: ProviderConfig) -> tuple[str | None, SecretSource]:
    """The provider's API key and where it came from (keyring, session, environment)."""
    env_var = KEY_ENV_VARS.get(config.kind)
    if config.provider_id == ENV_PROVIDER_ID:
        env_var = "OPENAI_API_KEY"  # OPENAI_BASE_URL's own key, for any server it names
    return resolve_api_key(llm_key_name(config.provider_id), env_var)


def require_key(config: ProviderConfig) -> tuple[str | None, SecretSource]:
    """``resolve_key``, but a provider that needs a key and has none is an
    LLMError("no_key") saying where to enter it."""
    key, source = resolve_key(config)
    if key is None and needs_key(config):
        raise no_key_error(config)
    return key, source


def key_source_words(config: ProviderConfig, source: SecretSource) -> str | None:
    """Where the key comes from, for the "What will be sent" view; None: no key is sent."""
    if source == "none":
        return None
    if source == "environment":
        if config.provider_id == ENV_PROVIDER_ID:
            return "OPENAI_API_KEY"
        return KEY_ENV_VARS.get(config.kind, "the environment")
    return SOURCE_WORDS.get(source, source)


# --- the pieces ----------------------------------------------------------------------------


def chat_stream(
    config: ProviderConfig,
    api_key: str | None,
    messages: list[dict[str, str]],
    *,
    cancelled: Callable[[], bool] = _never,
) -> ChatStream:
    """A streamed reply: iterate (once) for the deltas; ``close()`` from any thread stops it."""
    from services.llm.client import ChatStream  # imports openai: only when asking

    return ChatStream(config, api_key, messages, cancelled=cancelled)


def stream_draft(
    config: ProviderConfig,
    api_key: str | None,
    messages: list[dict[str, str]],
    *,
    cancelled: Callable[[], bool] = _never,
) -> Iterator[str]:
    """The reply's text deltas as they arrive; LLMError when the request fails."""
    from services.llm.client import stream_chat  # imports openai: only when asking

    yield from stream_chat(config, api_key, messages, cancelled=cancelled)


# A closing line a model writes ("Best regards,", "Warm wishes", "Cheers"), and the name or
# placeholder it may put under it ("Alex", "[Your name]").
_CLOSING = re.compile(
    r"^(?:(?:best|kind|warm|warmest|many|with)\s+)?(?:regards|wishes|thanks)[,!.]?$"
    r"|^(?:sincerely|yours(?:\s+(?:sincerely|truly))?|cheers|thanks|thank\s+you|best"
    r"|all\s+the\s+best|take\s+care|talk\s+soon|warmly|with\s+gratitude)[,!.]?$",
    re.IGNORECASE,
)
_PLACEHOLDER_NAME = re.compile(r"^[\[{<(].{0,40}[\]}>)]$")


def strip_sign_off(body: str) -> str:
    """The body without a sign-off the model wrote at its end (a closing line and up to
    two short lines under it), so that the app's signature is the only one."""
    lines = body.rstrip().split("\n")
    for start in range(len(lines) - 1, max(len(lines) - 4, 0) - 1, -1):
        if _CLOSING.match(lines[start].strip()):
            tail = [t.strip() for t in lines[start + 1 :]]
            short = all(len(t.split()) <= 6 or _PLACEHOLDER_NAME.match(t) for t in tail if t)
            if short:
                return "\n".join(lines[:start]).rstrip()
    return body


def _with_signature(body: str, signature: str) -> str:
    if not signature or body.rstrip().endswith(signature.strip()):
        return body
    body = strip_sign_off(body)
    return f"{body.rstrip()}\n\n{signature}" if body.strip() else signature


def cut_off_problem(finish_reason: str | None) -> DraftProblem | None:
    """The check a reply fails when the server did not say it was finished, else None."""
    from services.llm.client import FINISHED_REASONS

    if finish_reason in FINISHED_REASONS:
        return None
    if finish_reason == "length":
        why = "it reached the length limit of the model's answer"
    elif finish_reason is None:
        why = "the connection closed before the server said the answer was complete"
    else:
        why = f"the server stopped it ({finish_reason})"
    return DraftProblem(
        "cut_off",
        f"This draft was cut off: {why}. Regenerate it, or finish it by hand before it is sent.",
    )


def finish_draft(
    text: str,
    context: DraftContext,
    *,
    provider: str | None,
    model: str | None,
    max_words: int,
    finish_reason: str | None = "stop",
) -> Draft:
    """A provider's reply as a checked draft: subject and body split, the signature added
    under the body, every failed check listed (nothing is silently changed). A reply the
    server did not finish (``finish_reason`` None, "length"...) is marked cut off."""
    subject, body = parse_draft(text, goal=context.goal)
    problems: list[DraftProblem] = []
    if (cut := cut_off_problem(finish_reason)) is not None:
        problems.append(cut)
    if not has_subject(text):
        problems.append(
            DraftProblem(
                "no_subject",
                f"The reply had no subject line; '{subject}' was put in. Check it.",
            )
        )
    problems += check_draft(subject, body, context, max_words=max_words)
    return Draft(
        subject=subject,
        body=_with_signature(body, context.signature) if body.strip() else body,
        source="llm",
        provider=provider,
        model=model,
        problems=tuple(problems),
    )


def max_words(session: Session) -> int:
    """The length limit of a draft (setting outreach.max_words)."""
    return OutreachSettings.read(session).max_words


def draft_offline(session: Session, context: DraftContext, reason: str | None) -> Draft:
    """The template draft for the context's goal (the workspace's own template, else the
    built-in one; a workspace template that fails falls back to the built-in one, and the
    draft says so)."""
    limit = max_words(session)
    library = template_library(session)
    try:
        return render_template_draft(context, library=library, reason=reason, max_words=limit)
    except TemplateProblem as exc:
        if not library[context.goal].custom:
            raise
        builtin = {**library, context.goal: builtin_template(context.goal)}
        draft = render_template_draft(context, library=builtin, reason=reason, max_words=limit)
        note = DraftProblem("template", f"{exc} The built-in template was used instead.")
        return replace(draft, problems=(note, *draft.problems))


# --- the two steps -------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftRequest:
    """Everything needed to get a draft without the database (see the module docstring).

    ``config`` is None when the template is used (``offline_reason`` says why).
    ``template_draft`` is the fallback, already checked. ``needs_review``: the user must
    see ``describe()`` before the first request goes to this provider.
    """

    context: DraftContext
    config: ProviderConfig | None
    messages: tuple[dict[str, str], ...]
    sent_fields: tuple[str, ...]
    variant: int
    max_words: int
    needs_review: bool
    offline_reason: str | None
    template_draft: Draft

    def messages_for(self, variant: int) -> list[dict[str, str]]:
        """The messages of another variant (Regenerate, a second version)."""
        return build_messages(self.context, sent_fields=list(self.sent_fields), variant=variant)

    def describe(self) -> str:
        """The exact request, for the "What will be sent" view ("" without a provider)."""
        if self.config is None:
            return ""
        _, source = resolve_key(self.config)
        return describe_request(
            self.config, list(self.messages), key_source=key_source_words(self.config, source)
        )


def prepare_draft(
    session: Session,
    customer_id: int,
    *,
    alert_id: int | None = None,
    goal: str | None = None,
    tone: str | None = None,
    variant: int = 0,
    offline: bool = False,
    now: dt.datetime | None = None,
    contact_id: int | None = None,
) -> DraftRequest:
    """Step 1 (database): the context, provider, messages and the fallback template draft,
    to ``contact_id`` at the account when given (else its champion)."""
    context = build_context(
        session, customer_id, alert_id=alert_id, goal=goal, tone=tone, now=now,
        contact_id=contact_id,
    )  # fmt: skip
    fields = allowed_fields(session)
    config = None if offline else provider_from_settings(session)
    reason = (
        "you asked for the template"
        if offline
        else None
        if config is not None
        else provider_problem(session)
    )
    return DraftRequest(
        context=context,
        config=config,
        messages=tuple(build_messages(context, sent_fields=fields, variant=variant)),
        sent_fields=tuple(fields),
        variant=variant,
        max_words=max_words(session),
        needs_review=config is not None and needs_review(session, config),
        offline_reason=reason,
        template_draft=draft_offline(session, context, reason),
    )


def run_draft(
    request: DraftRequest,
    *,
    reviewed: bool = False,
    variant: int | None = None,
    api_key: str | None = None,
    cancelled: Callable[[], bool] = _never,
    on_text: Callable[[str], None] | None = None,
) -> Draft:
    """Step 2 (network): the provider's draft, or the template draft with the reason.

    ``on_text`` gets each delta as it arrives. ``api_key``: None resolves it (keyring,
    session, environment). Stop (``cancelled``) raises LLMError("cancelled"); any other
    failure falls back to the template. A request that still needs review raises
    ReviewNeeded unless ``reviewed``.
    """
    config = request.config
    if config is None:
        return request.template_draft
    if request.needs_review and not reviewed:
        raise ReviewNeeded(
            f"Review what will be sent to {config.base_url} before the first draft from it."
        )
    messages = (
        list(request.messages)
        if variant is None or variant == request.variant
        else request.messages_for(variant)
    )
    try:
        key = api_key if api_key is not None else require_key(config)[0]
        parts: list[str] = []
        stream = chat_stream(config, key, messages, cancelled=cancelled)
        for delta in stream:
            parts.append(delta)
            if on_text is not None:
                on_text(delta)
    except LLMError as exc:
        if exc.kind == "cancelled":
            raise
        log.info("Draft request failed (%s); using the template", exc.kind)
        return replace(request.template_draft, reason=exc.message)
    return finish_draft(
        "".join(parts),
        request.context,
        provider=config.provider_id,
        model=config.model_label,
        max_words=request.max_words,
        finish_reason=stream.finish_reason,
    )
