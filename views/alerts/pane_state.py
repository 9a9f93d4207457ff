"""What the alerts pane shows of its state (a mix-in of AlertsPane): the message in place
of the list (no workspace, loading, failed, nothing raised, nothing matching) with Retry,
the count of cards beside the title, and the note on the alerts the daily cap held back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QLabel, QPushButton

from services.core.formatting import plural
from views.alerts.source import QUEUE_LABELS, AlertSource
from views.item_models.alert_list_data import STATUS_FILTERS

if TYPE_CHECKING:
    from views.item_models.alert_list_model import AlertListModel
    from views.kit.lists import PeopleTableView

NO_ALERTS_MESSAGE = (
    "No alerts right now.\nAlerts are raised each time the workspace is scored "
    "(Scoring ▸ Score now, Ctrl+R)."
)
NO_MATCH_MESSAGE = "No alerts match these filters."


class PaneState:
    """Mixed into the alerts pane: its list, model, source, labels and status filter."""

    list: PeopleTableView
    model: AlertListModel
    message: QLabel
    retry_button: QPushButton
    held_back_note: QLabel
    count_label: QLabel
    status_combo: QComboBox
    draft_all_button: QPushButton
    _source: AlertSource | None
    _loading: bool
    _failed: bool

    def reload(self) -> None:  # the pane's own
        raise NotImplementedError

    def _update_draft_button(self, *_args: object) -> None:  # DraftTargets'
        raise NotImplementedError

    def show_held_back(self, show: bool = True) -> None:
        """List the alerts the daily cap held back (or go back to the active ones)."""
        key = "held_back" if show else "active"
        index = self.status_combo.findData(key)
        if index >= 0:
            self.status_combo.setCurrentIndex(index)

    def _on_held_back_link(self, href: str) -> None:
        self.show_held_back(href == "show")

    def _update_held_back_note(self) -> None:
        held = self.model.held_back_count()
        if self.model.filter.status == "held_back":
            text = (
                "Held back by the daily cap per owner: not in today's queue. Raise one "
                'now (A) to work on it. <a href="back">Back to the active alerts</a>'
            )
        elif held:
            text = f'<a href="show">{held:,} more held back by the daily cap</a>'
        else:
            text = ""
        self.held_back_note.setText(text)
        self.held_back_note.setVisible(bool(text) and self._source is not None)

    # -- the state shown --------------------------------------------------------------------------

    def _refresh_state(self) -> None:
        shown = self.model.rowCount()
        total = self.model.total()
        raised = self.model.raised()
        if self._source is None:
            text = "No workspace open."
        elif self._loading and raised == 0:
            text = "Loading alerts…"
        elif self._failed and raised == 0:
            text = "The alerts could not be loaded."
        elif raised == 0 and shown == 0:
            text = NO_ALERTS_MESSAGE
        elif shown == 0:
            text = NO_MATCH_MESSAGE
        else:
            text = ""
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.list.setVisible(not text)
        self.retry_button.setVisible(self._failed and raised == 0)
        self.draft_all_button.setEnabled(shown > 0)
        self._update_draft_button()
        if self.model.filter.status == "held_back":
            self.count_label.setText(f"{shown:,} held back")
        elif total:
            # One unit: cards (a customer's alerts of one queue), the list's rows; the
            # total is the queue's cards of the chosen status, so closed alerts count only
            # when the status filter lists them.
            flt = self.model.filter
            cards = plural(total, "card")
            alerts = plural(self.model.alert_count(), "alert")
            self.count_label.setText(
                f"{shown:,} of {cards}" if shown != total else f"{cards} · {alerts}"
            )
            status = STATUS_FILTERS.get(flt.status, STATUS_FILTERS["all"])[0].lower()
            kind = "" if flt.status == "all" else f"{status} "
            where = (
                f"the {QUEUE_LABELS.get(flt.queue, flt.queue)} queue"
                if flt.queue is not None
                else "every queue"
            )
            self.count_label.setToolTip(
                f"{shown:,} of the {total:,} {kind}cards in {where} shown, {alerts} on them. "
                "A card is one customer's alerts in one queue."
            )
        else:
            self.count_label.setText("")
        self._update_held_back_note()
