"""The digest in words: plain text, Markdown or HTML (Jinja2, every value escaped: a
ticket subject is the customer's text, never markup; a source that is late or stale marked
⚠), and sent by email through the workspace's SMTP settings (Settings ▸ Sending email), as
outreach is."""

from __future__ import annotations

from jinja2 import Environment, select_autoescape
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from models.errors import UserFacingError
from services.core.formatting import format_date
from services.listen.records import Digest

FORMATS = ("text", "md", "html")

_TEXT = """{{ title }}
{% for line in lines %}- {{ "⚠ " if line.opens == "notice" }}{{ line.text }}
{% for said in line.examples %}    “{{ said }}”
{% endfor %}{% endfor %}{% if quiet %}Nothing new.
{% endif %}"""

_MD = """## {{ title }}

{% for line in lines %}- {{ "⚠ " if line.opens == "notice" }}{{ line.text | md }}
{% for said in line.examples %}  - “{{ said | md }}”
{% endfor %}{% endfor %}{% if quiet %}Nothing new.
{% endif %}"""

_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body style="font-family: sans-serif; color: #1f2933;">
<h2 style="font-size: 18px;">{{ title }}</h2>
<ul>
{% for line in lines -%}
<li style="margin: 4px 0;{% if not line.count %} color: #7b8794;{% endif %}
{%- if line.opens == "notice" %} color: #b45309;{% endif %}">
{{- "⚠ " if line.opens == "notice" }}{{ line.text }}
{%- if line.examples %}<ul>
{%- for said in line.examples %}<li><i>“{{ said }}”</i></li>{% endfor -%}
</ul>{% endif %}</li>
{% endfor %}</ul>
{% if quiet %}<p>Nothing new.</p>{% endif %}
<p style="color: #7b8794; font-size: 12px;">Account Radar, {{ made }}</p>
</body></html>
"""


def _md_escape(value: object) -> str:
    text = str(value)
    for ch in "\\`*_[]<>#|":
        text = text.replace(ch, "\\" + ch)
    return text


def _environment(html: bool) -> Environment:
    env = Environment(
        autoescape=select_autoescape(default=html, default_for_string=html),
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md_escape
    return env


def render_digest(digest: Digest, fmt: str = "text", *, workspace: str = "") -> str:
    """The digest as text, md or html."""
    if fmt not in FORMATS:
        raise UserFacingError(f"Unknown digest format '{fmt}'; choose {', '.join(FORMATS)}.")
    title = f"Account Radar — {digest.title}" + (f" ({workspace})" if workspace else "")
    source = {"text": _TEXT, "md": _MD, "html": _HTML}[fmt]
    template = _environment(fmt == "html").from_string(source)
    return template.render(
        title=title,
        lines=digest.lines,
        quiet=digest.quiet,
        made=format_date(digest.until.date()),
    )


def check_can_send(engine: Engine) -> None:
    """MailError in plain words when no SMTP server is set (checked before a daily round,
    so that a round that cannot send its digest does not run first)."""
    from services.mail.delivery import smtp_settings
    from services.mail.message import MailError

    with translate_db_errors(), Session(engine) as session:
        smtp = smtp_settings(session)
    if not smtp.host.strip():
        raise MailError(
            "No SMTP server is set, so the digest cannot be emailed. Set one in the window "
            "(File ▸ Settings ▸ Sending email), or leave out --to to print the digest."
        )


def send_digest(engine: Engine, digest: Digest, to: str, *, workspace: str = "") -> None:
    """Email the digest (text with an HTML alternative) through the SMTP settings; a
    MailError in plain words when it cannot go. ``workspace`` is its name, never a path."""
    from services.mail.delivery import send_email, smtp_settings

    check_can_send(engine)
    with translate_db_errors(), Session(engine) as session:
        smtp = smtp_settings(session)
    sender = smtp.from_address or smtp.user or to
    subject = f"Account Radar: {digest.since_text}" + (f" ({workspace})" if workspace else "")
    send_email(
        smtp,
        subject,
        render_digest(digest, "text", workspace=workspace),
        to,
        sender,
        html=render_digest(digest, "html", workspace=workspace),
    )
