"""The window's single entry point for what a user does to an alert: one action by name
(services/alerts/lifecycle.py for the transitions, services/alerts/contact.py for
contact), in one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine

from services.alerts.contact import add_note, create_task, log_call, set_do_not_contact_in
from services.alerts.lifecycle import (
    AlertActionError,
    dismiss_alert,
    load_alert,
    raise_alert,
    reopen_alert,
    resolve_alert,
    snooze_alert,
    start_alert,
    unit_of_work,
)

ACTIONS = ("start", "resolve", "dismiss", "reopen", "snooze", "do_not_contact", "log", "task")


def apply_alert_action(
    engine: Engine,
    alert_id: int,
    action: str,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
    **params: Any,
) -> None:
    """Apply one action by name (what the window's action pane sends), in one transaction.

    ``start``; ``resolve`` (outcome, note); ``dismiss`` (note); ``reopen``; ``raise`` (a
    held-back alert into the queue); ``snooze``
    (until: date, or until_clear=True); ``do_not_contact`` (value, default True);
    ``log`` (kind: "call" or "note", text); ``task`` (text, due: date).
    """
    who: dict[str, Any] = {"actor": actor, "now": now}
    if action == "start":
        start_alert(engine, alert_id, note=params.get("note"), **who)
    elif action == "resolve":
        resolve_alert(engine, alert_id, params["outcome"], note=params.get("note"), **who)
    elif action == "dismiss":
        dismiss_alert(engine, alert_id, note=params.get("note"), **who)
    elif action == "reopen":
        reopen_alert(engine, alert_id, note=params.get("note"), **who)
    elif action == "raise":
        raise_alert(
            engine,
            alert_id,
            note=params.get("note"),
            customer_id=params.get("customer_id"),
            **who,
        )
    elif action == "snooze":
        snooze_alert(
            engine,
            alert_id,
            until=params.get("until"),
            until_clear=bool(params.get("until_clear", False)),
            note=params.get("note"),
            **who,
        )
    elif action == "do_not_contact":
        with unit_of_work(engine) as session:
            customer_id = load_alert(session, alert_id).customer_id
            set_do_not_contact_in(session, customer_id, bool(params.get("value", True)), **who)
    elif action == "log":
        kind = params.get("kind", "note")
        if kind == "call":
            log_call(engine, alert_id, params.get("text", ""), **who)
        elif kind == "note":
            add_note(engine, alert_id, params.get("text", ""), **who)
        else:
            raise AlertActionError(f"Cannot log '{kind}': log a call or a note.")
    elif action == "task":
        due = params.get("due")
        if not isinstance(due, dt.date):
            raise AlertActionError("Give the task a due date.")
        create_task(engine, alert_id, params.get("text", ""), due, **who)
    else:
        raise AlertActionError(f"Unknown action '{action}'; one of {', '.join(ACTIONS)}.")
