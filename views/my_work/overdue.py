"""My work's "Overdue alerts": alerts of the user's book past their SLA that nobody has
acted on yet (services/alerts/sla.py). Enter or a double click opens the alert."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from views.item_models.work_list_model import WorkColumn
from views.my_work.section import WorkSection


def late_words(days: int) -> str:
    """How late, in words: "3 working days", "1 working day"."""
    return f"{days} working day{'' if days == 1 else 's'}"


EMPTY_OVERDUE = "No alert of yours is past its time to act."
OVERDUE_COLUMNS = (
    WorkColumn("Customer", lambda o: o.customer),
    WorkColumn("Alert", lambda o: o.alert,
               tone=lambda o: "alarm" if o.severity == "critical" else None),
    WorkColumn("Overdue", lambda o: late_words(o.overdue_days), tooltip=lambda o: o.since,
               tone=lambda o: "alarm"),
)  # fmt: skip


def overdue_section(parent: QWidget) -> WorkSection:
    """The section, named for tests and screen readers."""
    section = WorkSection("Overdue alerts", OVERDUE_COLUMNS, EMPTY_OVERDUE, parent,
                          hint="no action yet")  # fmt: skip
    section.table.setObjectName("workOverdue")
    section.fit_columns((150, 150))
    return section
