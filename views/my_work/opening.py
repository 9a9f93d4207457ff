"""Opening what a My work row is about in the Alerts tab."""

from __future__ import annotations

from views.alerts.pane import AlertsPane
from views.alerts.query import AlertQuery

OPENED_TITLE = "An alert opened from My work"


def reveal_alert(pane: AlertsPane, alert_id: int) -> bool:
    """Select an alert's card in the alerts pane, widening the filters to every queue and
    status when the current ones hide it; False when the list does not hold it (the alert
    is gone, or held back by the daily cap)."""
    if pane.select_alert(alert_id):
        return True
    data = pane.model.data_set
    if data is None or not data.contains(alert_id):
        return False
    pane.apply_query(AlertQuery(status="all", title=OPENED_TITLE))
    return pane.select_alert(alert_id)
