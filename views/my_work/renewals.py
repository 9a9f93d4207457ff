"""My work's "Renewals": the owner's renewal calls due at a checkpoint, then the calls
the model disagrees with by a wide margin (services/alerts/renewal_work.py). Without
"Everyone's" only the user's own customers are listed; with it, it is the team lead's
list, each line saying whose call it is. Shown while something waits: when only other
owners' renewals wait, a sentence says so (and how to see them) instead of the rows.
Enter or a double click opens the customer, whose renewal card records the call."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from services.core.formatting import format_date, plural
from views.item_models.work_list_model import WorkColumn
from views.my_work.section import WorkSection
from views.my_work.source import MyWork

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

    def show_work(self, work: MyWork) -> None:
        """The user's renewals; none of theirs while others' wait: a sentence saying so."""
        self.set_rows(work.renewals)
        if work.renewals or not work.renewals_elsewhere:
            return
        self.empty.setText(elsewhere_words(work.owner, work.renewals_elsewhere))
        self.setVisible(True)


def elsewhere_words(owner: str | None, count: int) -> str:
    """Why "Mine" lists no renewal while ``count`` wait on other owners' customers."""
    waiting = plural(count, "renewal waits", "renewals wait")
    if not owner:
        return (
            "No customer is yours until you say who you are (File ▸ Who I am…). "
            f"{waiting} on the team's customers: tick Everyone's to see them."
        )
    return (
        "No renewal of your customers waits for your call. "
        f"{waiting} on other owners' customers: tick Everyone's to see them."
    )
