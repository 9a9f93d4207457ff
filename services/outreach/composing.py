"""What the window's email composer works out without Qt (app/gui/outreach/ runs it on the
job runner's workers and shows the result).

- ``prepare_composer`` (database worker): the draft request, the SMTP settings, the
  alert the email answers and a draft of the customer's waiting in the review queue;
  ``describe_requests``: every variant's request exactly as the
  "What will be sent" view shows it (the key's source comes from the keyring, so outside
  the session).
- ``stream_variant`` (work pool): one variant's reply streamed from the provider, or why
  it failed so the composer can fall back to the template.
- ``recheck``: the checks run again on the text as the user edited it.

The words the composer shows are in ``composer_text``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from services.alerts.experiment_records import applied_strategy
from services.alerts.experiments import strategy_for_alert
from services.llm.errors import LLMError
from services.llm.providers import ProviderConfig
from services.mail.delivery import SmtpSettings, smtp_settings
from services.outreach import drafting
from services.outreach.checks import check_draft
from services.outreach.context import top_alert_id
from services.outreach.drafting import DraftRequest, key_source_words, prepare_draft, resolve_key
from services.outreach.prompt import describe_request
from services.outreach.waiting import waiting_draft

if TYPE_CHECKING:
    from services.llm.client import ChatStream
    from services.outreach.batch_records import WaitingDraft


@dataclass(frozen=True)
class ComposerPreparation:
    """What the composer needs from the database before it drafts."""

    request: DraftRequest
    smtp: SmtpSettings
    alert_id: int | None  # the alert the email answers (the one found, when asked to look)
    waiting: WaitingDraft | None = None  # the customer's draft waiting in the review queue
    experiment: str = ""  # the strategy a running experiment gave the alert, in words


def prepare_composer(
    session: Session,
    customer_id: int,
    *,
    alert_id: int | None,
    find_alert: bool,
    goal: str | None,
    tone: str | None,
    now: dt.datetime | None,
    contact_id: int | None = None,
) -> ComposerPreparation:
    """The draft request and SMTP settings for a customer; ``find_alert``: the email
    answers their highest-priority active alert, if they have one; ``contact_id``: the
    person at the account it goes to (None: the champion)."""
    found = top_alert_id(session, customer_id) if find_alert else alert_id
    strategy = strategy_for_alert(session, found)
    if strategy is not None and goal is None and tone is None:
        # The first draft follows the experiment's strategy; the user may still change it.
        goal, tone = applied_strategy(strategy, goal, tone)
    request = prepare_draft(
        session, customer_id, alert_id=found, goal=goal, tone=tone, now=now,
        contact_id=contact_id,
    )  # fmt: skip
    return ComposerPreparation(
        request=request,
        smtp=smtp_settings(session),
        alert_id=found,
        waiting=waiting_draft(session, customer_id),
        experiment=strategy.words if strategy is not None else "",
    )


def describe_requests(request: DraftRequest, variants: int) -> str:
    """Every variant's request exactly as it goes out (one per draft), the key not shown."""
    if request.config is None:
        return ""
    _key, source = resolve_key(request.config)
    words = key_source_words(request.config, source)
    parts = []
    for index in range(variants):
        head = f"=== Request {index + 1} of {variants} (draft {chr(ord('A') + index)}) ==="
        body = describe_request(request.config, request.messages_for(index), key_source=words)
        parts.append(f"{head}\n{body}")
    return "\n\n".join(parts)


def stream_variant(
    config: ProviderConfig,
    messages: list[dict[str, str]],
    *,
    cancelled: Callable[[], bool],
    progress: Callable[[float, str], None],
    on_stream: Callable[[ChatStream], None],
) -> tuple[str, str, str | None]:
    """One variant's reply, streamed: ("llm", text, finish_reason), or ("fallback", why,
    None) when the request failed for any reason but Stop (which raises LLMError).

    ``progress`` gets the text so far after each delta; ``on_stream`` gets the stream as
    soon as it exists, so that another thread can close it (Stop)."""
    try:
        # Looked up on the module at each call, as the composer always did: a wrapped
        # chat_stream (the tests' spy on the worker thread) is the one used.
        key, _source = drafting.require_key(config)
        stream = drafting.chat_stream(config, key, messages, cancelled=cancelled)
        on_stream(stream)
        if cancelled():
            stream.close()
        parts: list[str] = []
        for delta in stream:
            parts.append(delta)
            progress(0.5, "".join(parts))
        return "llm", "".join(parts), stream.finish_reason
    except LLMError as exc:
        if exc.kind == "cancelled" or cancelled():
            raise
        return "fallback", exc.message, None


def recheck(request: DraftRequest, subject: str, body: str) -> list[str]:
    """What the checks find in the text as edited (or stopped half-way), in plain words."""
    problems = check_draft(subject, body, request.context, max_words=request.max_words)
    return [problem.message for problem in problems]
