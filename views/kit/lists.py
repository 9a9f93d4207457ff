"""Lists whose rows are people: letter keys never move the selection.

In the alerts list and the customers table, letters are action keys (E drafts, D
dismisses, X marks do-not-contact...). A view's type-ahead would take a letter whose
action is unavailable (greyed out for this customer) and jump to the first name
starting with it, so the next key would act on another customer. These views have no
type-ahead: finding a customer is the search box's job.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTableView


class PeopleTableView(QTableView):
    """A QTableView without keyboard search (see the module docstring)."""

    def keyboardSearch(self, search: str) -> None:  # noqa: N802  (Qt's name)
        """Ignore typed letters: they are action keys here, never a jump to a name."""
