"""Chat logs: Intercom conversations and Zendesk Chat transcripts, as JSON.

Intercom, as its REST API and its official client's types describe a conversation: an
``id``, ``created_at`` (epoch seconds), ``title``, the ``source`` that opened it
(``subject``, ``body`` in HTML, ``author`` with ``type`` user / lead / contact / admin /
bot / team, ``name``, ``email``), and ``conversation_parts`` (a list, or Intercom's
``{"type": "conversation_part.list", "conversation_parts": [...]}``) whose parts have a
``part_type``, an HTML ``body``, ``created_at`` and an ``author``. A file holds one
conversation or ``{"conversations": [...]}``. Parts without words (assignments, closes)
and the team's internal notes are left out: they were never said to the customer.

Zendesk Chat, as its Chat API gives a chat: ``id``, ``timestamp``, ``visitor`` (``name``,
``email``), ``agent_names`` and ``history``, each entry ``{"type": "chat.msg", "name",
"nick", "msg", "timestamp"}`` (ISO 8601, or epoch milliseconds in the real-time API's
exports); an offline message has ``message`` instead of a history. A file holds one chat,
a list of them, or ``{"chats": [...]}``.

A message is one turn, placed as "message N"; the people on the team's side (Intercom's
admins and bots, Zendesk's agents) are named in ``extra["internal"]``.
"""

from __future__ import annotations

from typing import Any

from services.conversations.formats._common import (
    distinct,
    html_to_text,
    parse_time,
    person,
    stable_key,
    tables,
    text_of,
)
from services.conversations.model import Conversation, Person, Skipped, Turn

_TEAM_AUTHORS = {"admin", "bot", "team", "operator"}
_SKIPPED_PARTS = {"note", "note_and_reopen"}


def _intercom_list(data: Any) -> list[Any] | None:
    if isinstance(data, dict) and isinstance(data.get("conversations"), list):
        return list(data["conversations"])
    if isinstance(data, dict) and ("conversation_parts" in data or "source" in data):
        return [data]
    if (
        isinstance(data, list)
        and data
        and all(isinstance(item, dict) and "conversation_parts" in item for item in data)
    ):
        return data
    return None


def is_intercom(data: Any) -> bool:
    """True for JSON shaped as Intercom conversations."""
    found = _intercom_list(data)
    return bool(found) and any(
        isinstance(item, dict) and ("conversation_parts" in item or "source" in item)
        for item in found or []
    )


def _parts(conversation: dict[str, Any]) -> list[dict[str, Any]]:
    parts = conversation.get("conversation_parts")
    if isinstance(parts, dict):
        parts = parts.get("conversation_parts")
    return tables(parts)


def _author(value: Any) -> tuple[Person, bool]:
    author = value if isinstance(value, dict) else {}
    kind = str(author.get("type") or "").lower()
    return person(author.get("name"), author.get("email")), kind in _TEAM_AUTHORS


def _intercom(conversation: dict[str, Any], index: int, file: str) -> Conversation | None:
    source = conversation.get("source") if isinstance(conversation.get("source"), dict) else {}
    source = source or {}
    messages: list[dict[str, Any]] = []
    if text_of(source.get("body")).strip():
        messages.append({**source, "created_at": conversation.get("created_at")})
    messages += [p for p in _parts(conversation) if str(p.get("part_type")) not in _SKIPPED_PARTS]
    turns: list[Turn] = []
    team: list[Person] = []
    for message in messages:
        words = html_to_text(text_of(message.get("body")))
        if not words:
            continue
        speaker, ours = _author(message.get("author"))
        if ours:
            team.append(speaker)
        turns.append(
            Turn(
                speaker=speaker,
                text=words,
                at=parse_time(message.get("created_at")),
                anchor=f"message {len(turns) + 1}",
            )
        )
    if not turns:
        return None
    conversation_id = conversation.get("id")
    internal = "; ".join(who.email or who.name for who in distinct(team))
    return Conversation(
        kind="chat",
        source="intercom",
        key=(
            f"intercom:{conversation_id}"
            if conversation_id not in (None, "")
            else stable_key("intercom", file, index, "\n".join(t.text for t in turns))
        ),
        title=text_of(conversation.get("title")) or html_to_text(text_of(source.get("subject"))),
        started_at=parse_time(conversation.get("created_at")) or turns[0].at,
        participants=distinct([turn.speaker for turn in turns]),
        turns=tuple(turns),
        file=file,
        link=text_of(source.get("url")),
        extra={"internal": internal} if internal else {},
    )


def read_intercom(data: Any, file: str) -> tuple[list[Conversation], list[Skipped]]:
    """The conversations in an Intercom export (already parsed JSON)."""
    conversations: list[Conversation] = []
    skipped: list[Skipped] = []
    for index, item in enumerate(_intercom_list(data) or [], 1):
        made = _intercom(item, index, file) if isinstance(item, dict) else None
        if made is None:
            skipped.append(Skipped(file, f"conversation {index}", "it has no messages"))
        else:
            conversations.append(made)
    return conversations, skipped


def _zendesk_list(data: Any) -> list[Any]:
    if isinstance(data, dict) and isinstance(data.get("chats"), list):
        return list(data["chats"])
    if isinstance(data, list):
        return data
    return [data]


def _is_chat(item: Any) -> bool:
    return isinstance(item, dict) and (
        isinstance(item.get("history"), list)
        or (item.get("type") == "offline_msg" and "message" in item)
    )


def is_zendesk_chat(data: Any) -> bool:
    """True for JSON shaped as Zendesk Chat transcripts."""
    chats = _zendesk_list(data)
    return bool(chats) and any(_is_chat(chat) for chat in chats)


def _zendesk(chat: dict[str, Any], index: int, file: str) -> Conversation | None:
    visitor_data = chat.get("visitor") if isinstance(chat.get("visitor"), dict) else {}
    visitor = person((visitor_data or {}).get("name"), (visitor_data or {}).get("email"))
    history = tables(chat.get("history"))
    if not history and text_of(chat.get("message")):
        history = [{"type": "chat.msg", "nick": "visitor", "msg": chat["message"]}]
    turns: list[Turn] = []
    team: list[Person] = []
    for entry in history:
        words = " ".join(text_of(entry.get("msg")).split())
        if entry.get("type") != "chat.msg" or not words:
            continue
        nick = str(entry.get("nick") or "")
        name = text_of(entry.get("name")) or (visitor.name if nick.startswith("visitor") else "")
        is_visitor = nick.startswith("visitor") or (bool(name) and name == visitor.name)
        speaker = visitor if is_visitor and name in ("", visitor.name) else person(name)
        if nick.startswith("agent"):
            team.append(speaker)
        turns.append(
            Turn(
                speaker=speaker,
                text=words,
                at=parse_time(entry.get("timestamp")),
                anchor=f"message {len(turns) + 1}",
            )
        )
    if not turns:
        return None
    chat_id = chat.get("id")
    internal = "; ".join(who.name for who in distinct(team))
    return Conversation(
        kind="chat",
        source="zendesk_chat",
        key=(
            f"zendesk_chat:{chat_id}"
            if chat_id not in (None, "")
            else stable_key("zendesk_chat", file, index, "\n".join(t.text for t in turns))
        ),
        started_at=parse_time(chat.get("timestamp")) or turns[0].at,
        participants=distinct([visitor] + [turn.speaker for turn in turns]),
        turns=tuple(turns),
        file=file,
        extra={"internal": internal} if internal else {},
    )


def read_zendesk_chat(data: Any, file: str) -> tuple[list[Conversation], list[Skipped]]:
    """The chats in a Zendesk Chat export (already parsed JSON)."""
    conversations: list[Conversation] = []
    skipped: list[Skipped] = []
    for index, chat in enumerate(_zendesk_list(data), 1):
        made = _zendesk(chat, index, file) if _is_chat(chat) else None
        if made is None:
            skipped.append(Skipped(file, f"chat {index}", "it has no messages"))
        else:
            conversations.append(made)
    return conversations, skipped
