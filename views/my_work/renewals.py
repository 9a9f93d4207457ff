"""My work's "Renewals": the owner's renewal calls due at a checkpoint, then the calls
the model disagrees with by a wide margin (services/alerts/renewal_work.py). With
"Everyone's" it is the team lead's list: each disagreement names whose call it is. Shown
only while something waits; Enter or a double click opens the customer, whose renewal
card records the call."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from services.core.formatting import format_date
from views.item_models.work_list_model import WorkColumn
from views.my_work.section import WorkSection

RENEWAL_COLUMNS = (
    WorkColumn("Customer", lambda r: r.customer),
    WorkColumn("Renews", lambda r: format_date(r.renewal_date), tooltip=lambda r: r.contract),
    WorkColumn("What", lambda r: r.what, tooltip=lambda r: r.what,
               tone=lambda r: "note" if r.kind == "disagrees" else None),
)  # fmt: skip


class RenewalsSection(WorkSection):
    """The renewals waiting for the owner's word (hidden when none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Renewals", RENEWAL_COLUMNS, "", parent,
            hint="calls due, and calls the model disagrees with",
        )  # fmt: skip
        self.table.setObjectName("workRenewals")
        self.fit_columns((160, 110))
        self.set_rows(())

    def set_rows(self, rows: Sequence[object], *, loading: bool = False) -> None:
        super().set_rows(rows, loading=loading)
        self.setVisible(bool(rows))  # nothing waiting: no room taken
