"""A conversation, opened: listing and showing the kept conversations, making tasks of the
promises made in one, and reading one again with the language model set up for email
drafts (or going back to the reading made on this computer).

The conversations are the interactions services/importing/conversation_files.py keeps
(source "conversations"); services/conversations/stored.py reads them back.

Tasks: one per promise asked for, on the conversation's customer (no alert needed), due
on the day promised, today when that day has passed, else ``DEFAULT_DUE_DAYS`` days on;
named after the promise and who made it. A promise already made a task (the same title
on the same customer, from the same conversation) is not made again. Undoing removes
the tasks made (services/alerts/undo.py).

The model: the request is ``reading_model.model_request`` with every text and name masked
by the privacy setting (outreach.sent_fields, ``outreach.prompt.withheld_mask``: what the
composer withholds is withheld here too); the answer is read by ``parse_model_reading``,
which keeps a promise only where its speaker's own words are found and a risk only where
the customer's are (a speaker named as the masked request showed them). The model's reading
replaces the one in the attributes, the offline one kept beside it; undo puts back the
attributes as they were.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from models.errors import UserFacingError
from models.schema import Action, AuditEvent, Customer, Interaction
from services.alerts.config import default_actor
from services.alerts.lifecycle import TITLE_LENGTH, moment, unit_of_work
from services.alerts.records import AttributesBefore, Undoable
from services.conversations.reading_model import model_request, parse_model_reading
from services.conversations.stored import (
    KIND_WORDS,
    OFFLINE_KEY,
    OpenedConversation,
    PromiseShown,
    as_conversation,
    opened,
    transcript,
    with_model_reading,
    with_offline_reading,
)
from services.core.formatting import format_date
from services.importing.conversation_files import SOURCE, reading_attributes
from services.listen.proven_risks import workspace_proofs, workspace_proven
from services.llm.providers import ProviderConfig, host_of
from services.usecases.conversation_events import risk_words

DEFAULT_DUE_DAYS = 3
# What a model may write back, at most (a reading is a few hundred words of JSON).
MAX_REPLY_TOKENS = 1_500
Complete = Callable[[list[dict[str, str]]], str]


@dataclass(frozen=True)
class ConversationLine:
    """One kept conversation in a list."""

    id: int
    customer_id: int
    customer: str
    when: dt.datetime
    kind_words: str
    title: str
    with_name: str
    risks: str  # "raised cancellation; mentioned a competitor", "" when none
    method: str
    promises: int


@dataclass(frozen=True)
class TaskMade:
    """A promise made a task (or found already one)."""

    number: int
    task_id: int
    title: str
    due: dt.date
    due_words: str  # "due Fri 13 Mar 2026, the day promised"
    already: bool


@dataclass(frozen=True)
class TasksMade:
    """What "Make tasks" did, and what undoing it removes (None: nothing was made)."""

    tasks: tuple[TaskMade, ...]
    undo: Undoable | None

    @property
    def words(self) -> str:
        """What was done, in a sentence."""
        made = [t for t in self.tasks if not t.already]
        already = len(self.tasks) - len(made)
        parts = [f"Made {len(made)} task{'s' if len(made) != 1 else ''}"] if made else []
        if already:
            parts.append(f"{already} {'was' if already == 1 else 'were'} already a task")
        return "; ".join(parts) + "." if parts else "No promise was chosen."

    @property
    def details(self) -> str:
        """What was done and when each task is due: "Made 2 tasks. Promise 1: due ..."."""
        each = [
            f"Promise {t.number}: " + ("already a task" if t.already else t.due_words) + "."
            for t in self.tasks
        ]
        return " ".join([self.words, *each])


@dataclass(frozen=True)
class ModelAsk:
    """What reading a conversation with the model sends, before it is sent."""

    config: ProviderConfig
    messages: list[dict[str, str]]
    described: str  # the request, exactly, as the "What will be sent" view shows it
    host: str
    needs_review: bool  # a provider off this computer the user has not reviewed yet


class ConversationError(UserFacingError):
    """A conversation that cannot be found, read or acted on, said in words."""


# --- reading what is kept ----------------------------------------------------------------------


def _customer_name(session: Session, customer_id: int) -> str:
    """The account's name, as every screen names it (services/core/account_names.py)."""
    from services.core.account_names import name_of

    return name_of(session, customer_id)


def _row(session: Session, interaction_id: int) -> dict[str, Any]:
    row = session.get(Interaction, interaction_id)
    if row is None or row.source != SOURCE:
        raise ConversationError(
            f"There is no conversation {interaction_id} in this workspace "
            "(conversations list shows them)."
        )
    attributes = row.attributes if isinstance(row.attributes, dict) else {}
    return {
        "id": int(row.id), "customer_id": int(row.customer_id), "kind": row.kind,
        "occurred_at": row.occurred_at, "subject": row.subject, "text": row.text,
        "sentiment": row.sentiment, "attributes": attributes, "external_id": row.external_id,
    }  # fmt: skip


def _marker(interaction_id: int) -> str:
    return f"(conversation {interaction_id})"


def _promiser(session: Session, row: dict[str, Any], who: str) -> str:
    """Who made a promise, with their role when they are one of the account's people:
    "Dana Cole (decision maker)"; the name as said otherwise (one of ours, or someone the
    app does not know)."""
    from services.core.account_names import person_words
    from services.people.contacts import people_of

    said = " ".join(who.split())
    if not said:
        return "Someone"
    people = [p for p in people_of(session, row["customer_id"]) if p.contact_id is not None]
    with_ = row["attributes"].get("with")
    with_ = with_ if isinstance(with_, dict) else {}
    address = str(with_.get("email") or "").casefold()
    named = str(with_.get("name") or "").casefold()
    folded = said.casefold()
    found = [p for p in people if p.name.casefold() == folded]
    if not found and address and folded in (named, named.split(" ")[0]):
        found = [p for p in people if p.email.casefold() == address]
    if not found and " " not in said:  # a first name alone: one person of that name
        found = [p for p in people if p.name.casefold().split(" ")[0] == folded]
    if len(found) != 1:
        return said
    return person_words(found[0].name, found[0].role)


def _task_title(promiser: str, promise: PromiseShown) -> str:
    title = f"{promiser} promised: {' '.join(promise.what.split())}"
    return title if len(title) <= TITLE_LENGTH else title[: TITLE_LENGTH - 1] + "…"


def _promised(body: str | None, marker: str) -> str:
    """The promise a task's body says it was made of (its words after the marker)."""
    text = body or ""
    at = text.find(f"{marker}: ")
    return text[at + len(marker) + 2 :].split("\n", 1)[0] if at >= 0 else ""


def _tasks_made(session: Session, row: dict[str, Any]) -> dict[str, int]:
    """The tasks already made of this conversation's promises: the promise's words ->
    task id (the words, not the title: the title names the promiser's role, which may
    change)."""
    marker = _marker(row["id"])
    found = session.execute(
        select(Action.id, Action.body).where(
            Action.customer_id == row["customer_id"],
            Action.kind == "task",
            Action.body.like(f"%{marker}%"),
        )
    )
    return {_promised(body, marker): int(task_id) for task_id, body in found}


def _opened(session: Session, row: dict[str, Any]) -> OpenedConversation:
    # Each kind of risk against the rule's level: an unproven one says why it raises nothing.
    proofs = workspace_proofs(session)
    shown = opened(row, _customer_name(session, row["customer_id"]), proofs=proofs)
    made = _tasks_made(session, row)
    numbers = {p.number: made[p.what] for p in shown.promises if p.what in made}
    return opened(row, shown.customer, numbers, proofs) if numbers else shown


def load_conversation(engine: Engine, interaction_id: int) -> OpenedConversation:
    """One kept conversation, opened; ConversationError when there is none."""
    with Session(engine) as session:
        return _opened(session, _row(session, interaction_id))


def list_conversations(
    engine: Engine, *, customer_id: int | None = None, risks_only: bool = False
) -> list[ConversationLine]:
    """The kept conversations, newest first: one customer's, or those raising a risk."""
    query = (
        select(Interaction, Customer)
        .join(Customer, Customer.id == Interaction.customer_id)
        .where(Interaction.source == SOURCE)
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
    )
    if customer_id is not None:
        query = query.where(Interaction.customer_id == customer_id)
    lines = []
    with Session(engine) as session:
        proven = workspace_proven(session)
        for row, customer in session.execute(query):
            attributes = row.attributes if isinstance(row.attributes, dict) else {}
            risks = risk_words(attributes, proven)
            if risks_only and not risks:
                continue
            with_ = attributes.get("with") if isinstance(attributes.get("with"), dict) else {}
            lines.append(
                ConversationLine(
                    int(row.id), int(row.customer_id),
                    _customer_name(session, int(customer.id)), row.occurred_at,
                    KIND_WORDS.get(row.kind, "Conversation"), row.subject or "",
                    str((with_ or {}).get("name") or (with_ or {}).get("email") or ""), risks,
                    str(attributes.get("summary_method") or "extractive"),
                    len(attributes.get("actions") or []),
                )
            )  # fmt: skip
    return lines


# --- promises into tasks -----------------------------------------------------------------------


def due_for(promise: PromiseShown, today: dt.date) -> tuple[dt.date, str]:
    """The day a task of ``promise`` is due, and why, in words."""
    if promise.by is not None and promise.by >= today:
        return promise.by, f"due {format_date(promise.by)}, the day promised"
    if promise.by is not None:
        return today, f"due today: the day promised, {format_date(promise.by)}, has passed"
    due = today + dt.timedelta(days=DEFAULT_DUE_DAYS)
    return due, f"due {format_date(due)}: no day was said, so {DEFAULT_DUE_DAYS} days on"


def make_tasks(
    engine: Engine,
    interaction_id: int,
    numbers: Sequence[int],
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> TasksMade:
    """Make a task of each promise ``numbers`` names (1, 2... as listed), on the
    conversation's customer (see the module's docstring); audited, undoable."""
    when, who = moment(now), actor or default_actor()
    today = when.date()
    with unit_of_work(engine, write_first=True) as session:
        row = _row(session, interaction_id)
        shown = opened(row, "")
        by_number = {p.number: p for p in shown.promises}
        unknown = [n for n in numbers if n not in by_number]
        if unknown:
            raise ConversationError(
                f"This conversation has no promise {unknown[0]}; it has {len(by_number)}."
            )
        made = _tasks_made(session, row)
        tasks: list[TaskMade] = []
        for number in dict.fromkeys(numbers):
            promise = by_number[number]
            promiser = _promiser(session, row, promise.who)
            title = _task_title(promiser, promise)
            due, words = due_for(promise, today)
            if promise.what in made:
                task_id = made[promise.what]
                tasks.append(TaskMade(number, task_id, title, due, words, already=True))
                continue
            task = _add_task(session, row, promise, (title, promiser), due, words, when, who)
            made[promise.what] = task
            tasks.append(TaskMade(number, task, title, due, words, already=False))
        new = tuple(t.task_id for t in tasks if not t.already)
        name = _customer_name(session, row["customer_id"])
        undo = (
            Undoable(
                label=f"Made {len(new)} task{'s' if len(new) != 1 else ''} for {name} "
                "from a conversation",
                undid="conversation.tasks_made",
                customer_id=row["customer_id"],
                action_ids=new,
            )
            if new
            else None
        )
        return TasksMade(tuple(tasks), undo)


def _add_task(
    session: Session, row: dict[str, Any], promise: PromiseShown, named: tuple[str, str],
    due: dt.date, words: str, when: dt.datetime, who: str,
) -> int:  # fmt: skip
    """The task (its title, and who promised it: ``named``) on the conversation's account."""
    title, promiser = named
    said = KIND_WORDS.get(row["kind"], "Conversation").lower()
    day = format_date(row["occurred_at"].date()) if row["occurred_at"] else "an unknown day"
    subject = f" “{row['subject']}”" if row["subject"] else ""
    body = (
        f"Promised by {promiser} in the {said}{subject} of {day} {_marker(row['id'])}: "
        f"{promise.what}\nThe task is {words}."
    )
    task = Action(
        customer_id=row["customer_id"], alert_id=None, kind="task", title=title, body=body,
        due_date=due, created_by=who, created_at=when,
    )  # fmt: skip
    session.add(task)
    session.flush()
    session.add(
        AuditEvent(
            occurred_at=when, actor=who, action="conversation.task_created",
            entity_type="customer", entity_id=row["customer_id"],
            details={"action_id": int(task.id), "interaction_id": row["id"], "text": title,
                     "due": due.isoformat()},
        )
    )  # fmt: skip
    return int(task.id)


# --- reading with the model --------------------------------------------------------------------


def _split_name(name: str) -> tuple[str, str]:
    parts = name.split()
    return (parts[0], " ".join(parts[1:])) if len(parts) > 1 else (name, "")


def _mask(session: Session, row: dict[str, Any]) -> Callable[[str], str]:
    from services.outreach.prompt import allowed_fields, withheld_mask

    customer = session.get(Customer, row["customer_id"])
    people: list[dict[str, str | None]] = []
    phones: list[str] = []
    if customer is not None:
        first, surname = _split_name(customer.name or "")
        people.append({"first_name": first, "surname": surname, "email": customer.email,
                       "company": customer.company, "owner": customer.owner})  # fmt: skip
        phones.append(customer.phone or "")
    for turn in transcript(row["text"], row["attributes"]):
        if turn.customer:
            first, surname = _split_name(turn.speaker)
            people.append({"first_name": first, "surname": surname})
        else:  # one of ours: their name is withheld as the account manager's is
            people.append({"owner": turn.speaker})
    with_ = row["attributes"].get("with")
    if isinstance(with_, dict):
        first, surname = _split_name(str(with_.get("name") or ""))
        people.append({"first_name": first, "surname": surname, "email": with_.get("email")})
    return withheld_mask(people, phones, allowed_fields(session))


def _messages(session: Session, row: dict[str, Any]) -> list[dict[str, str]]:
    from services.people.tracking import opted_out_at

    if opted_out_at(session, int(row["customer_id"])) is not None:
        raise ConversationError(
            "This customer opted out of activity tracking: their conversations are not "
            "sent to a model."
        )
    conversation, theirs = as_conversation(row, transcript(row["text"], row["attributes"]))
    if not conversation.turns:
        raise ConversationError("This conversation kept no text to read.")
    system, user = model_request(conversation, theirs.__contains__, _mask(session, row))
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def model_ask(engine: Engine, interaction_id: int) -> ModelAsk:
    """What reading the conversation with the model would send; ConversationError in
    words when no model is set up."""
    from services.outreach.drafting import key_source_words, resolve_key
    from services.outreach.prompt import (
        describe_request,
        needs_review,
        provider_from_settings,
        provider_problem,
    )

    with Session(engine) as session:
        problem = provider_problem(session)
        config = provider_from_settings(session)
        if problem is not None or config is None:
            raise ConversationError(
                f"No model can read it: {problem or 'no provider is set up'}. "
                "The reading made on this computer stays."
            )
        messages = _messages(session, _row(session, interaction_id))
        review = needs_review(session, config)
    _, source = resolve_key(config)
    described = describe_request(config, messages, key_source=key_source_words(config, source))
    # The body's settings this request adds to the composer's: said where they go.
    limits = (
        f"max_tokens: {MAX_REPLY_TOKENS}\n"
        f"response_format: {json.dumps(_JSON_MODES[0])} (sent again without it if the "
        "server refuses it)\n\n--- system ---"
    )
    described = described.replace("\n\n--- system ---", "\n" + limits, 1)
    return ModelAsk(config, messages, described, host_of(config.base_url), review)


# JSON mode first (a server's grammar keeps a small model to an object), then plain text
# (the prompt asks for JSON either way) when the server refuses the mode.
_JSON_MODES: tuple[dict[str, Any] | None, ...] = ({"type": "json_object"}, None)
_REFUSAL_STATUSES = frozenset({400, 415, 422, 500, 501})


def _provider_complete(config: ProviderConfig, cancelled: Callable[[], bool]) -> Complete:
    from services.llm.client import stream_chat
    from services.llm.errors import LLMError
    from services.outreach.drafting import require_key

    key, _ = require_key(config)

    def complete(messages: list[dict[str, str]]) -> str:
        for mode in _JSON_MODES:
            try:
                return "".join(
                    stream_chat(config, key, messages, cancelled=cancelled,
                                max_tokens=MAX_REPLY_TOKENS, response_format=mode)
                )  # fmt: skip
            except LLMError as exc:
                if mode is None or exc.status not in _REFUSAL_STATUSES:
                    raise
        raise AssertionError("the last mode is plain text, which returns or raises")

    return complete


def read_with_model(
    engine: Engine,
    interaction_id: int,
    *,
    ask: ModelAsk | None = None,
    complete: Complete | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> Undoable:
    """Read the conversation with the model and keep its reading (the offline one kept
    beside it); ConversationError in words when the model fails, nothing changed.
    Returns what undoing it puts back."""
    from services.llm.errors import LLMError
    from services.outreach.prompt import mark_reviewed

    ask = ask or model_ask(engine, interaction_id)
    try:
        complete = complete or _provider_complete(ask.config, cancelled)
        answer = complete(ask.messages)
    except LLMError as exc:
        if exc.kind == "cancelled":
            raise ConversationError("Cancelled; the reading is unchanged.") from exc
        raise ConversationError(
            f"The model could not read it: {exc} The reading made on this computer stays."
        ) from exc
    if cancelled():  # the answer came after Cancel: it is not kept
        raise ConversationError("Cancelled; the reading is unchanged.")
    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine, write_first=True) as session:
        row = _row(session, interaction_id)
        conversation, theirs = as_conversation(row, transcript(row["text"], row["attributes"]))
        try:
            reading = parse_model_reading(
                answer, conversation, theirs.__contains__, _mask(session, row)
            )
        except ValueError as exc:
            raise ConversationError(f"{exc} The reading made on this computer stays.") from exc
        new = with_model_reading(row["attributes"], reading_attributes(reading))
        if ask.needs_review:
            mark_reviewed(session, ask.config, actor=who)
        return _replace(session, row, new, "conversation.read_by_model", when, who,
                        f"Read {_what(row)} with the model")  # fmt: skip


def use_offline_reading(
    engine: Engine, interaction_id: int, *, actor: str | None = None,
    now: dt.datetime | None = None,
) -> Undoable:  # fmt: skip
    """Put the reading made on this computer back in place of the model's (kept beside
    it); returns what undoing it puts back."""
    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine, write_first=True) as session:
        row = _row(session, interaction_id)
        new = with_offline_reading(row["attributes"])
        if new is None:
            raise ConversationError("This conversation has no other reading to go back to.")
        return _replace(session, row, new, "conversation.read_offline", when, who,
                        f"Went back to the offline reading of {_what(row)}")  # fmt: skip


def read_again_offline(
    engine: Engine, interaction_id: int, *, actor: str | None = None,
    now: dt.datetime | None = None,
) -> Undoable:  # fmt: skip
    """Read the conversation again on this computer (with the competitors named in the
    settings now); a model's reading in place is kept beside it. Returns what undoing it
    puts back."""
    from services.conversations.reading import read_offline
    from services.settings.views import ListenSettings

    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine, write_first=True) as session:
        row = _row(session, interaction_id)
        competitors = tuple(ListenSettings.read(session).competitors or ())
        conversation, theirs = as_conversation(row, transcript(row["text"], row["attributes"]))
        reading = read_offline(conversation, theirs.__contains__, competitors)
        new = with_offline_reading(row["attributes"]) or dict(row["attributes"])
        new.pop(OFFLINE_KEY, None)
        new.update(reading_attributes(reading))
        return _replace(session, row, new, "conversation.read_offline", when, who,
                        f"Read {_what(row)} again on this computer")  # fmt: skip


def _what(row: dict[str, Any]) -> str:
    kind = KIND_WORDS.get(row["kind"], "Conversation").lower()
    return f"the {kind} “{row['subject']}”" if row["subject"] else f"the {kind}"


def _replace(
    session: Session, row: dict[str, Any], new: dict[str, Any], action: str,
    when: dt.datetime, who: str, label: str,
) -> Undoable:  # fmt: skip
    session.execute(update(Interaction).where(Interaction.id == row["id"]).values(attributes=new))
    session.add(
        AuditEvent(
            occurred_at=when, actor=who, action=action, entity_type="customer",
            entity_id=row["customer_id"],
            details={"interaction_id": row["id"], "method": new.get("summary_method")},
        )
    )  # fmt: skip
    return Undoable(
        label=label,
        undid=action,
        customer_id=row["customer_id"],
        attributes=(
            AttributesBefore(
                row["id"],
                json.dumps(row["attributes"], sort_keys=True),
                json.dumps(new, sort_keys=True),
            ),
        ),
    )
