"""File ▸ Email templates…: the workspace's template library, read, previewed and saved.

Reading and saving run on the database worker; the preview renders on the UI thread
(a few milliseconds, no database: a made-up customer).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from app.gui.context import GuiContext, WindowContext
from app.workspace import Workspace
from views.kit.jobs import TaskState
from views.outreach.template_library_dialog import TemplateLibraryDialog, TemplateText

VARIABLES = (
    "first_name, greeting_name, name, company, owner, tier, region, segment, tenure, "
    "tenure_span, last_order (.date, .days_ago, .category, .amount), categories, favourite, "
    "new_categories, drivers, open_tickets, has_open_ticket, goal_label, tone, "
    "incentive_cap, offer, signature, brand_voice, currency_symbol"
)


def read_library(workspace: Workspace) -> dict[str, TemplateText]:
    """Every goal's template as the dialog shows it (database worker)."""
    from services.outreach.records import GOAL_LABELS
    from services.outreach.templates import template_library

    with workspace.sessions() as session:
        library = template_library(session)
    return {
        goal: TemplateText(goal, GOAL_LABELS.get(goal, goal), e.subject, e.body, e.custom)
        for goal, e in library.items()
    }


def preview(goal: str, subject: str, body: str) -> tuple[str, str]:
    """The template rendered for a made-up customer; ValueError with the plain reason."""
    from services.outreach.records import TemplateEntry
    from services.outreach.templates import (
        TemplateProblem,
        render_entry,
        sample_context,
        validate_template,
    )

    try:
        validate_template(goal, subject, body)
        return render_entry(TemplateEntry(subject, body, custom=True), sample_context(goal))
    except TemplateProblem as exc:
        raise ValueError(str(exc)) from exc


class TemplateController(QObject):
    """Opens the template library for the open workspace and stores what the user saves."""

    def __init__(
        self,
        context: WindowContext,
        *,
        user: Callable[[], str],
        confirm: Callable[[str], bool] | None = None,
    ) -> None:
        jobs, window = context.jobs, context.window
        super().__init__(window)
        self._jobs = jobs
        self._window: QWidget = window
        self._workspace = context.workspace
        self._user = user
        self._confirm = confirm
        self.dialog: TemplateLibraryDialog | None = None

    def open(self) -> None:
        workspace = self._workspace()
        if workspace is None:
            return
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        (
            self._jobs.operation(
                lambda _state: read_library(workspace), parent=self, label="read templates"
            )
            .success(self._on_read)
            .run()
        )

    def _on_read(self, templates: dict[str, TemplateText]) -> None:
        dialog = TemplateLibraryDialog(
            templates, preview, VARIABLES, self._window, confirm=self._confirm
        )
        dialog.save_requested.connect(self._on_dialog_save_requested)
        dialog.reset_requested.connect(self._on_dialog_reset_requested)
        dialog.finished.connect(lambda _r: self._on_dialog_finished(dialog))
        self.dialog = dialog
        dialog.show()

    def _on_dialog_finished(self, dialog: TemplateLibraryDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _on_dialog_save_requested(self, goal: str, subject: str, body: str) -> None:
        self._write(goal, lambda session, actor: _save(session, goal, subject, body, actor))

    def _on_dialog_reset_requested(self, goal: str) -> None:
        self._write(goal, lambda session, actor: _reset(session, goal, actor))

    def _write(self, goal: str, change: Callable[..., None]) -> None:
        workspace = self._workspace()
        if workspace is None or self.dialog is None:
            return
        actor = self._user()

        def task(_state: TaskState) -> dict[str, TemplateText]:
            with workspace.sessions() as session, session.begin():
                change(session, actor)
            return read_library(workspace)

        (
            self._jobs.operation(task, parent=self.dialog, label="save template")
            .success(lambda templates: self._on_written(templates[goal]))
            .failure(self._on_write_failed)
            .run()
        )

    def _on_written(self, template: TemplateText) -> None:
        if self.dialog is not None:
            self.dialog.show_problem("")
            self.dialog.set_template(template)

    def _on_write_failed(self, error: BaseException) -> None:
        from models.errors import UserFacingError

        if self.dialog is not None and isinstance(error, UserFacingError):
            self.dialog.show_problem(f"Not saved: {error}")
            return
        self._jobs.present_error(error)


def _save(session: object, goal: str, subject: str, body: str, actor: str) -> None:
    from services.outreach.templates import save_template

    save_template(session, goal, subject, body, actor)  # type: ignore[arg-type]


def _reset(session: object, goal: str, actor: str) -> None:
    from services.outreach.templates import reset_template

    reset_template(session, goal, actor)  # type: ignore[arg-type]


def install(ctx: GuiContext) -> TemplateController:
    """File ▸ Email templates…: the template library the composer falls back on."""
    templates = TemplateController(ctx, user=ctx.user)
    ctx.window.templates_requested.connect(templates.open)
    return templates
