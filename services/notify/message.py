"""A post's bytes: built by one function, ``build_post``, so that the preview shows exactly
what is sent.

Slack takes Block Kit (``{"text": ..., "blocks": [...]}``: a header, a section per
alert, a context line); Microsoft Teams takes an Adaptive Card in a message's
"attachments" envelope (``{"type": "message", "attachments": [{"contentType":
"application/vnd.microsoft.card.adaptive", "content": {...}}]}``), which both Teams'
incoming webhooks and its workflows (Power Automate) accept; the retired MessageCard is
never sent. Text from the workspace is data: Slack's control characters (``& < >``) and
the card's Markdown are escaped, so a customer's name never becomes a link or markup.
"""

from __future__ import annotations

import json
import re
from typing import Any

from services.notify.records import AlertItem, Post, PostContent

MAX_ALERTS = 20  # a post's alerts at most; the rest are counted at its end
SLACK_TEXT_LIMIT = 2900  # a section's text is at most 3,000 characters
HEADER_LIMIT = 150  # a Slack header's plain text
CARD_VERSION = "1.4"  # what Teams renders on every client
OPEN_WORDS = "Open in Account Radar"
SEVERITY_WORDS = {
    "critical": "Critical",
    "warning": "Warning",
    "opportunity": "Opportunity",
    "info": "Info",
}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MARKDOWN = re.compile(r"([\\`*_\[\]()#>~|])")


def _card_escape(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text)


def _headline(item: AlertItem) -> str:
    severity = SEVERITY_WORDS.get(item.severity, item.severity.capitalize())
    if item.kind == "sla":
        return f"{item.customer}: past its time to act ({severity}, {item.title})"
    return f"{item.customer}: {severity}, {item.title}"


def _facts(item: AlertItem) -> list[tuple[str, str]]:
    facts = []
    if item.worth:
        facts.append((item.stake, item.worth))
    if item.due:
        facts.append(("Time to act", item.due))
    return facts


def _bullet(line: str) -> str:
    """A line of the post's list, as every side of it says it: the readable text, Slack's
    section and Teams' card (a "- " would be Markdown's list there, drawn as a dot)."""
    return f"• {line}"


def _more_words(more: int) -> str:
    return f"and {more:,} more in Account Radar" if more else ""


def readable_text(content: PostContent) -> str:
    """What the post says, as plain text (the preview's readable side)."""
    out = [content.title, ""]
    for item in content.alerts:
        out.append(_headline(item))
        if item.reason:
            out.append(f"  {item.reason}")
        facts = " · ".join(f"{k}: {v}" for k, v in _facts(item))
        if facts:
            out.append(f"  {facts}")
        out.append(f"  {OPEN_WORDS}: {item.link}")
        out.append("")
    out.extend(_bullet(line) for line in content.lines)
    if content.more:
        out.append(_more_words(content.more))
    return "\n".join(out).rstrip() + "\n"


def _slack(content: PostContent) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _cut(content.title, HEADER_LIMIT)},
        }
    ]
    for item in content.alerts:
        parts = [f"*{_slack_escape(_headline(item))}*"]
        if item.reason:
            parts.append(_slack_escape(item.reason))
        facts = " · ".join(f"{k}: {_slack_escape(v)}" for k, v in _facts(item))
        if facts:
            parts.append(facts)
        parts.append(f"<{item.link}|{OPEN_WORDS}> ({item.link})")
        text = "\n".join(parts)
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, SLACK_TEXT_LIMIT)}}
        )
    if content.lines:
        text = "\n".join(_bullet(_slack_escape(line)) for line in content.lines)
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, SLACK_TEXT_LIMIT)}}
        )
    if content.more:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": _more_words(content.more)}]}
        )
    return {"text": content.title, "blocks": blocks}


def _card(content: PostContent) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": _card_escape(content.title), "size": "Large",
         "weight": "Bolder", "wrap": True}
    ]  # fmt: skip
    for item in content.alerts:
        items: list[dict[str, Any]] = [
            {"type": "TextBlock", "text": _card_escape(_headline(item)), "weight": "Bolder",
             "wrap": True,
             "color": "Attention" if item.severity == "critical" else "Default"},
        ]  # fmt: skip
        if item.reason:
            items.append({"type": "TextBlock", "text": _card_escape(item.reason), "wrap": True})
        facts = _facts(item)
        if facts:
            rows = [{"title": k, "value": _card_escape(v)} for k, v in facts]
            items.append({"type": "FactSet", "facts": rows})
        items.append({"type": "TextBlock", "text": f"[{OPEN_WORDS}]({item.link})", "wrap": True})
        body.append({"type": "Container", "separator": True, "items": items})
    for line in content.lines:
        body.append({"type": "TextBlock", "text": _bullet(_card_escape(line)), "wrap": True})
    if content.more:
        body.append({"type": "TextBlock", "text": _more_words(content.more), "isSubtle": True,
                     "wrap": True})  # fmt: skip
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": body,
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
             "content": card}
        ],
    }  # fmt: skip


def capped(content: PostContent) -> PostContent:
    """``content`` with at most MAX_ALERTS alerts, the rest counted in ``more``."""
    if len(content.alerts) <= MAX_ALERTS:
        return content
    return PostContent(
        content.title,
        content.alerts[:MAX_ALERTS],
        content.lines,
        content.more + len(content.alerts) - MAX_ALERTS,
        content.log_keys,
    )


def build_post(service: str, content: PostContent) -> Post:
    """The post for ``service`` ("slack" or "teams"): its bytes, and the same said readably.

    The one builder: the preview shows ``pretty`` and ``readable`` of the very Post whose
    ``body`` is sent. Every alert's key is in ``log_keys``, also those counted in ``more``
    (they are said, so they are not posted again)."""
    keys = content.log_keys or tuple(item.log_key for item in content.alerts)
    shown = capped(content)
    payload = _slack(shown) if service == "slack" else _card(shown)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    pretty = json.dumps(json.loads(body), ensure_ascii=False, indent=2)
    return Post(service, body, readable_text(shown), pretty, keys, content.title)
