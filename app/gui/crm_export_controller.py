"""File ▸ Export ▸ Activities for the CRM…: the dialog (views/crm_files/export_dialog.py),
what the choices would write counted on the database worker, and the export itself
through the job runner (services/crm_files). File ▸ Export ▸ Help-desk ticket for the
alert… opens the ticket of the alert the Alerts tab shows, prefilled, to edit and save
(views/crm_files/ticket_dialog.py); its Send emails the ticket to the help desk through
the SMTP settings (services/crm_files/ticket_send.py) on a worker, the dialog saying so
until the server answered. A refused file (the workspace, an existing file) or a refused
email is said in the dialog, which stays open with the ticket as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from app.gui.context import GuiContext, WindowContext
from models.errors import UserFacingError
from services.crm_files.export import ActivitiesExport, ExportPlan, export_activities, plan_export
from services.crm_files.records import TicketDraft
from services.crm_files.ticket import helpdesk_address, save_ticket, ticket_from_alert
from services.crm_files.ticket_send import SEND_TIMEOUT, TicketSent, send_ticket
from views.crm_files.export_dialog import ALL, SINCE, CrmExportDialog
from views.crm_files.ticket_dialog import TicketDialog, ask_discard_ticket
from views.kit.jobs import Operation, TaskState

# How the dialog asks for everything, in the words of a nothing-new export.
EVERYTHING_HINT = "choose “Everything logged in the app” to export everything"


class CrmExportController(QObject):
    """Opens the activities export for the window and runs it."""

    def __init__(self, context: WindowContext, user: str = "user") -> None:
        window = context.window
        super().__init__(window)
        self._jobs = context.jobs
        self._window = window
        self._workspace = context.workspace
        self.user = user
        self.dialog: CrmExportDialog | None = None
        # Asked before a ticket's changed fields are dropped (tests answer it themselves).
        self.confirm_discard: Callable[[QWidget], bool] = ask_discard_ticket
        self.last: ActivitiesExport | None = None
        menus = window.menus
        self.menu = QMenu("&Export", window)
        self.action = QAction("Activities for the &CRM…", window)
        self.action.setToolTip(
            "The calls, notes, emails and tasks logged here, as a Salesforce, HubSpot or CSV file"
        )
        self.action.triggered.connect(lambda: self.open())
        self.menu.addAction(self.action)
        self.ticket_action = QAction("Help-desk &ticket for the alert…", window)
        self.ticket_action.setToolTip(
            "A Zendesk or Freshdesk ticket, or an email to the help desk, from the alert shown"
        )
        self.ticket_action.triggered.connect(lambda: self.open_ticket())
        self.menu.addAction(self.ticket_action)
        self.ticket_dialog: TicketDialog | None = None
        self.send_timeout = SEND_TIMEOUT  # seconds to wait for the mail server
        self._sending: Operation[TicketSent] | None = None
        self.last_sent: TicketSent | None = None
        menus.file_menu.insertMenu(menus.backup_action, self.menu)

    def open(self) -> CrmExportDialog | None:
        """The dialog over the window (one at a time); None without a workspace."""
        if self._workspace() is None:
            return None
        if self.dialog is not None:
            self.dialog.raise_()
            return self.dialog
        dialog = CrmExportDialog(Path.home(), parent=self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.plan_wanted.connect(self._on_dialog_plan_wanted)
        dialog.export_requested.connect(self._on_dialog_export_requested)
        dialog.destroyed.connect(self._forget)
        self.dialog = dialog
        self._on_dialog_plan_wanted(dialog.chosen_target(), dialog.choice(), dialog.since_date())
        dialog.show()
        return dialog

    def _forget(self) -> None:
        self.dialog = None

    def _on_dialog_plan_wanted(self, target: str, choice: str, since: object) -> None:
        workspace = self._workspace()
        if workspace is None:
            return
        day = since if isinstance(since, dt.date) else None

        user = self.user  # the export's own mark (each person's, in a shared workspace)

        def task(_state: TaskState) -> ExportPlan:
            return plan_export(
                workspace.engine, target, since=day, everything=choice == ALL, actor=user
            )

        def done(plan: ExportPlan) -> None:
            if self.dialog is not None:
                self.dialog.set_plan(plan.words(), plan.count)

        (
            self._jobs.operation(
                task, parent=self, key=("crm.plan", id(self)), label="counting the activities"
            )
            .success(done)
            .run()
        )

    def _on_dialog_export_requested(
        self, target: str, choice: str, since: object, path: str
    ) -> None:
        workspace = self._workspace()
        if workspace is None:
            return
        day = since if isinstance(since, dt.date) and choice == SINCE else None
        user = self.user
        # The dialog asked before replacing an existing file.
        replace = self.dialog is not None and self.dialog.replace

        def task(_state: TaskState) -> ActivitiesExport:
            return export_activities(
                workspace.engine, target, path, since=day, everything=choice == ALL,
                actor=user, protected=(workspace.path,) if workspace.path else (),
                force=replace,
            )  # fmt: skip

        def done(result: ActivitiesExport) -> None:
            self.last = result
            if not result.written:  # nothing new: the file chosen is left as it was
                words = result.plan.nothing_words(EVERYTHING_HINT)
                self._window.statusBar().showMessage(f"{words}.", 10_000)
                if self.dialog is not None:
                    self.dialog.set_plan(f"{words}.", 0)
                return
            events = ""
            if result.events_path is not None and result.events_path != result.path:
                events = f" (its meetings as Salesforce Events in {result.events_path.name})"
            self._window.statusBar().showMessage(
                f"Wrote {result.path.name}{events}: {result.plan.words()}", 10_000
            )
            if self.dialog is not None:
                self.dialog.accept()

        def failed(error: BaseException) -> None:
            if isinstance(error, UserFacingError) and self.dialog is not None:
                self.dialog.set_problem(str(error))
            else:
                self._jobs.present_error(error)

        (
            self._jobs.operation(
                task, parent=self, key=("crm.export", id(self)), label="exporting activities"
            )
            .success(done)
            .failure(failed)
            .run()
        )

    # --- the help-desk ticket ---------------------------------------------------------------

    def shown_alert_id(self) -> int | None:
        """The alert the Alerts tab shows, if any."""
        view = getattr(self._window, "alerts_view", None)  # built after the first paint
        pane = getattr(view, "action_pane", None)
        alert = getattr(pane, "alert", None)
        return int(alert.id) if alert is not None else None

    def open_ticket(self, alert_id: int | None = None) -> None:
        """The ticket of the alert (the one shown when not given), prefilled, to edit."""
        workspace = self._workspace()
        alert_id = alert_id if alert_id is not None else self.shown_alert_id()
        if workspace is None or alert_id is None:
            self._window.statusBar().showMessage(
                "Open an alert in the Alerts tab first: the ticket is made from it.", 8_000
            )
            return

        def task(_state: TaskState) -> tuple[TicketDraft, str]:
            return ticket_from_alert(workspace.engine, alert_id), helpdesk_address(workspace.engine)

        (
            self._jobs.operation(task, parent=self, key=("crm.ticket", id(self)))
            .success(lambda loaded: self._show_ticket(*loaded))
            .run()
        )

    def _show_ticket(self, draft: TicketDraft, address: str = "") -> None:
        if self.ticket_dialog is not None:
            self.ticket_dialog.close()  # asks first when its fields were changed
            if self.ticket_dialog is not None and self.ticket_dialog.isVisible():
                self.ticket_dialog.raise_()  # Keep editing: that ticket stays, no second one
                return
        dialog = TicketDialog(draft, Path.home(), parent=self._window)
        dialog.confirm_discard = lambda: self.confirm_discard(dialog)
        dialog.address.setText(address)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.save_requested.connect(self._on_ticket_save_requested)
        dialog.send_requested.connect(self._on_ticket_send_requested)
        dialog.stop_requested.connect(self._on_ticket_stop_requested)
        dialog.destroyed.connect(self._forget_ticket)
        self.ticket_dialog = dialog
        dialog.show()

    def _forget_ticket(self) -> None:
        self.ticket_dialog = None

    def _on_ticket_save_requested(
        self, draft: object, helpdesk: str, path: str, address: str
    ) -> None:
        assert isinstance(draft, TicketDraft)
        ticket = draft

        # The dialog asked before replacing a file of that name.
        force = self.ticket_dialog is not None and self.ticket_dialog.replace

        def task(_state: TaskState) -> Path:
            return save_ticket(ticket, helpdesk, path, address=address or None, force=force)

        def done(written: Path) -> None:
            self._window.statusBar().showMessage(f"Saved the ticket to {written}.", 10_000)
            if self.ticket_dialog is not None:
                self.ticket_dialog.saved()

        def failed(error: BaseException) -> None:
            if isinstance(error, UserFacingError) and self.ticket_dialog is not None:
                self.ticket_dialog.set_problem(str(error))
            else:
                self._jobs.present_error(error)

        (
            self._jobs.operation(task, parent=self, key=("crm.ticket.save", id(self)))
            .success(done)
            .failure(failed)
            .run()
        )

    def _on_ticket_send_requested(self, draft: object, address: str) -> None:
        workspace = self._workspace()
        dialog = self.ticket_dialog
        if workspace is None or dialog is None:
            return
        assert isinstance(draft, TicketDraft)
        ticket, user, timeout = draft, self.user, self.send_timeout

        def task(state: TaskState) -> TicketSent:
            state.raise_if_cancelled()
            # Once handed to the server the email is out: it is logged even when the
            # window stopped waiting (the outcome is dropped, never the record).
            return send_ticket(workspace.engine, ticket, address, actor=user, timeout=timeout)

        def done(sent: TicketSent) -> None:
            self.last_sent = sent
            self._window.statusBar().showMessage(sent.words(), 10_000)
            if self.ticket_dialog is dialog:
                dialog.set_sending("")
                dialog.saved()

        def failed(error: BaseException) -> None:
            if self.ticket_dialog is dialog:
                dialog.set_sending("")
                if isinstance(error, UserFacingError):
                    dialog.set_problem(f"Not sent: {error}")
                    return
            # The dialog was closed on the way: the refusal is said all the same.
            self._jobs.present_error(error)

        dialog.set_sending(f"Sending the ticket to {address}…")
        self._sending = (
            self._jobs.operation(task, parent=self, pool="work", label="send a ticket")
            .success(done)
            .failure(failed)
            .run()
        )

    def _on_ticket_stop_requested(self) -> None:
        """Stop waiting at once: the outcome is dropped and the dialog is free again (the
        worker still logs an email the server took)."""
        if self._sending is not None:
            self._sending.cancel()
            self._sending = None
        dialog = self.ticket_dialog
        if dialog is not None:
            dialog.set_sending("")
            dialog.set_problem(
                "Stopped waiting for the mail server. If it had already taken the email, "
                "the help desk still gets it: check there before sending again."
            )


def install(ctx: GuiContext) -> CrmExportController:
    """File ▸ Export ▸ Activities for the CRM…, enabled with a workspace; the export names
    the user (File ▸ Who I am…) in its audit."""
    controller = CrmExportController(ctx, ctx.user())
    controller.action.setEnabled(False)
    ctx.workspace_opened.connect(lambda _name: controller.action.setEnabled(True))
    controller.ticket_action.setEnabled(False)
    ctx.workspace_opened.connect(lambda _name: controller.ticket_action.setEnabled(True))
    ctx.workspace_opened.connect(lambda _name: setattr(controller, "user", ctx.user()))
    window = ctx.window

    def connect_screens() -> None:  # the alert list is built after the first paint
        window.alerts_view.alerts_pane.ticket_requested.connect(controller.open_ticket)

    window.when_screens_built(connect_screens)
    return controller
