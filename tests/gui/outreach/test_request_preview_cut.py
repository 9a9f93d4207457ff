"""The "What will be sent" view of a customer whose ticket is 1 MB: the request it shows
is the capped one, with the marker where the text was cut, and the view says what the
marker means."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import QLabel

from app.workspace import open_workspace, to_url
from models.db import session_scope
from services.llm.providers import config_from_preset
from services.outreach.context import build_context
from services.outreach.prompt import build_messages, describe_request
from services.settings import PRIVACY_DEFAULT
from views.outreach.composer_dialog import RequestPreviewDialog

TICKET = "It has been three weeks and nothing arrived. " * 25_000


def _request(tmp_path: Path, ticket: str) -> str:
    ws = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    when = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")
    try:
        with ws.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO customers (id, source, external_id, name, email, "
                "do_not_contact, created_at, updated_at) VALUES (1, 't', '1', 'Ann Lee', "
                "'ann@example.com', 0, '2026-01-01', '2026-01-01')"
            )
            conn.exec_driver_sql(
                "INSERT INTO interactions (customer_id, kind, occurred_at, subject, text, "
                "status, source) VALUES (1, 'ticket', ?, 'Late', ?, 'open', 't')",
                (when, ticket),
            )
        with session_scope(ws.sessions) as session:
            context = build_context(session, 1)
    finally:
        ws.close()
    config = config_from_preset("openai", model="gpt-4o-mini")
    return describe_request(config, build_messages(context, sent_fields=list(PRIVACY_DEFAULT)))


def _intro(dialog: RequestPreviewDialog) -> str:
    return " ".join(label.text() for label in dialog.findChildren(QLabel))


def test_the_view_shows_the_cut_request_and_says_what_the_marker_means(
    qtbot, tmp_path: Path
) -> None:
    text = _request(tmp_path, TICKET)
    assert len(text) < 6_000
    dialog = RequestPreviewDialog(text, host="api.openai.com", asking=True)
    qtbot.addWidget(dialog)
    shown = dialog.text.toPlainText()
    kept, more = TICKET.strip()[:1000], len(TICKET.strip()) - 1000
    assert f"{kept[-40:]}…[cut: {more:,} more characters]" in shown
    assert "Long customer texts are cut to keep the request short" in _intro(dialog)


def test_a_request_with_nothing_cut_does_not_mention_cutting(qtbot, tmp_path: Path) -> None:
    text = _request(tmp_path, "Where is my order?")
    dialog = RequestPreviewDialog(text, host="api.openai.com", asking=False)
    qtbot.addWidget(dialog)
    assert "Where is my order?" in dialog.text.toPlainText()
    assert "cut" not in _intro(dialog)
