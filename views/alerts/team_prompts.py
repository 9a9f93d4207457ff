"""What Assign… (A) and Schedule a meeting… (M) ask in the action pane, turned into the
parameters of the card's action (views.alerts.source.AlertSource.apply_alert_action):
``assign`` (customer_id, to) and ``meeting`` (title, start, minutes, file). Tests give
their own prompts, file prompt and opener."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from views.alerts.meeting_dialog import (
    MeetingPrompt,
    SavePathPrompt,
    _ask_meeting,
    _ask_save_path,
    _open_file,
    _tell_unopened,
    deliver_meeting,
)
from views.alerts.source import AlertDetail
from views.item_models.alert_list_model import reason_text
from views.kit.assign_dialog import AssignPrompt, _ask_assign


@dataclass(frozen=True)
class TeamPrompts:
    """The prompts of the team actions."""

    ask_assign: AssignPrompt
    ask_meeting: MeetingPrompt
    ask_path: SavePathPrompt
    open_file: Callable[[Path], bool] = _open_file
    # No calendar program opened the invitation: say so, and where the file is.
    unopened: Callable[[Path], None] = lambda path: _tell_unopened(None, path)

    @classmethod
    def asking(cls, parent: QWidget) -> TeamPrompts:
        """The real dialogs, over ``parent``."""
        return cls(
            ask_assign=lambda customer, owner, names: _ask_assign(parent, customer, owner, names),
            ask_meeting=lambda customer, email, why: _ask_meeting(parent, customer, email, why),
            ask_path=lambda suggested: _ask_save_path(parent, suggested),
            unopened=lambda path: _tell_unopened(parent, path),
        )

    def ask(self, key: str, alert: AlertDetail) -> dict[str, Any] | None:
        """Ask for ``key`` ("assign" or "meeting") on the card shown; None: cancelled."""
        if key == "assign":
            to = self.ask_assign(alert.customer, alert.owner, alert.teammates)
            return {"customer_id": alert.customer_id, "to": to} if to else None
        reasons = [
            reason_text(a.reason, a.condition_cleared, alert.queue, alert.churn_now)
            for a in alert.card
        ] or [alert.reason]
        answer = self.ask_meeting(alert.customer, alert.email, reasons)
        if answer is None:
            return None
        path = deliver_meeting(
            answer,
            alert.customer,
            alert.email,
            reasons,
            ask_path=self.ask_path,
            open_file=self.open_file,
            unopened=self.unopened,
        )
        if path is None:
            return None
        return {
            "title": answer.title,
            "start": answer.start,
            "minutes": answer.minutes,
            "file": str(path),
        }
