"""The action pane's SLA words (services/alerts/sla.py works them out)."""

from __future__ import annotations

import html

from views.alerts.source import AlertDetail
from views.kit.theme import Theme


def due_html(alert: AlertDetail, theme: Theme) -> str:
    """The header's SLA words (" · Due Fri, Nov 27"; red when overdue), "" once acted on."""
    if not alert.due_line:
        return ""
    colour = theme.critical if alert.overdue else theme.muted
    return f' · <span style="color:{colour}">{html.escape(alert.due_line)}</span>'
