"""Review pack… in the window: the customer pane's button (the account shown) and Results'
(the book, a segment or a tier). The dialog (views/packs/dialog.py) asks what to make
and where; the pack's figures are read on the database worker with a progress dialog
and Cancel, its charts drawn by the app's own charts on the UI thread, and the file
written on a worker through the one guarded writer (app/gui/pack_files.py).

Signals:
    pack_written(str): the pack was saved at this path.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog

from app.gui.context import GuiContext, WindowContext
from app.workspace import Workspace
from models.db import translate_db_errors
from services.packs.records import BOOK, CUSTOMER, PPTX, PackCancelled
from views.kit.jobs import Operation, TaskState
from views.packs.dialog import PackChoices, PackPrompt, PackRequest, ask_pack

if TYPE_CHECKING:
    from services.packs.records import Pack

BUILT_IN_WORDS = "The plain built-in template"


def read_choices(workspace: Workspace, choices: PackChoices) -> PackChoices:
    """The template in words, and for the book the segments and tiers (database worker)."""
    from dataclasses import replace

    from sqlalchemy.orm import Session

    from services.core.policy import is_locked
    from services.packs.book import segment_names
    from services.settings.packs import TEMPLATE_SETTING
    from services.settings.views import PackSettings

    with translate_db_errors(), Session(workspace.engine) as session:
        template = PackSettings.read(session).template.strip()
    words = f"{Path(template).name}" if template else BUILT_IN_WORDS
    locked = is_locked(TEMPLATE_SETTING)
    if locked:
        words += " (set by your organisation)"
    if choices.scope == BOOK:
        segments, tiers = segment_names(workspace.engine)
        choices = replace(choices, segments=segments, tiers=tiers)
    elif choices.scope == CUSTOMER and choices.target is not None:
        choices = replace(choices, suggested=customer_file_stem(workspace, choices.target))
    return replace(choices, template=words, template_locked=locked)


def customer_file_stem(workspace: Workspace, customer_id: int) -> str:
    """The suggested file name of an account's pack, without its suffix: named as the
    pack's title reads, so the privacy setting's mask holds for the name as for the
    content. A withheld part is left out of the name and the customer's number in the
    app added, so two Marias' packs differ ("Review pack - Maria - customer 1234";
    database worker)."""
    from services.outreach.prompt import WITHHELD
    from services.packs.customer import customer_pack_title

    title = customer_pack_title(workspace.engine, customer_id)
    shown = title
    for mask in WITHHELD.values():
        shown = shown.replace(mask, " ")
    stem = " ".join("".join(ch for ch in shown if ch.isalnum() or ch in " -_.").split())
    if shown != title:
        stem = f"{stem} - customer {customer_id}" if stem else f"customer {customer_id}"
    return f"Review pack - {stem or customer_id}"


def make(workspace: Workspace, request: PackRequest, state: TaskState) -> tuple[Pack, Any]:
    """The pack's figures and, for slides, its template (database worker)."""
    from sqlalchemy.orm import Session

    from services.packs.make import make_pack, slides_template

    template = None
    if request.fmt == PPTX:
        with Session(workspace.engine) as session:
            chosen = str(request.template) if request.template is not None else None
            template = slides_template(session, chosen)
    pack = make_pack(workspace.engine, request.scope, request.target,
                     progress=state.progress, cancelled=state.cancelled)  # fmt: skip
    return pack, template


class PackController(QObject):
    """Asks for a review pack, makes it with progress and Cancel, and saves it."""

    pack_written = Signal(str)

    def __init__(
        self, ctx: WindowContext, *, ask: PackPrompt = ask_pack, show_progress: bool = True
    ) -> None:
        super().__init__(ctx.window)
        self._jobs, self._window, self._workspace = ctx.jobs, ctx.window, ctx.workspace
        self._ask = ask
        self._show_progress = show_progress
        self.progress_dialog: QProgressDialog | None = None
        self.operation: Operation[Any] | None = None
        self._folder = ""

    def open_for_customer(self, customer_id: int, name: str) -> None:
        """Review pack… of the account shown (its file name is read with the choices,
        through the pack's privacy mask)."""
        self._open(PackChoices(CUSTOMER, name, customer_id,
                               suggested=f"Review pack - {customer_id}"))  # fmt: skip

    def open_for_book(self) -> None:
        """Review pack… of the book, a segment or a tier (Results)."""
        self._open(PackChoices(BOOK, "The whole book", suggested="Review pack - The book"))

    def _open(self, choices: PackChoices) -> None:
        workspace = self._workspace()
        if workspace is None or self.operation is not None:
            return
        (
            self._jobs.operation(
                lambda _s: read_choices(workspace, choices),
                parent=self._window,
                label="review pack choices",
            )  # fmt: skip
            .success(lambda read: self._asked(workspace, read))
            .failure(self._jobs.present_error)
            .run()
        )

    def _asked(self, workspace: Workspace, choices: PackChoices) -> None:
        from dataclasses import replace

        request = self._ask(self._window, replace(choices, folder=self._folder))
        if request is not None:
            self._folder = str(request.path.parent)
            self.run(workspace, request)

    def run(self, workspace: Workspace, request: PackRequest) -> Operation[Any]:
        """Make the pack and save it; the progress dialog's Cancel stops it."""
        self._progress_dialog()
        op = (
            self._jobs.operation(
                lambda state: make(workspace, request, state),
                parent=self._window,
                key=("packs", id(self)),
                label="review pack",
                what="making a review pack",
            )  # fmt: skip
            .progress(self._on_progress)
            .success(lambda made: self._on_made(workspace, request, made))
            .failure(self._on_failed)
            .cancelled(self._on_cancelled)
        )
        self.operation = op
        return op.run()

    def cancel(self) -> None:
        """Stop the pack in flight (the progress dialog's Cancel)."""
        if self.operation is not None:
            self.operation.cancel()

    def _progress_dialog(self) -> None:
        if not self._show_progress:
            return
        dialog = QProgressDialog("Making the review pack…", "Cancel", 0, 100, self._window)
        dialog.setWindowTitle("Review pack")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumWidth(420)
        dialog.canceled.connect(self.cancel)
        self.progress_dialog = dialog

    def _on_progress(self, fraction: float, message: str) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.setValue(int(fraction * 90))
            if message:
                self.progress_dialog.setLabelText(f"{message}…")

    def _on_made(self, workspace: Workspace, request: PackRequest, made: tuple[Pack, Any]) -> None:
        from app.gui.pack_files import pack_images, write_pack_file

        pack, template = made
        self._on_progress(0.92, "Drawing the charts")
        images = pack_images(pack)  # the charts are widgets: on the UI thread
        self._on_progress(0.96, "Writing the file")
        protected = [workspace.path] if workspace.path is not None else []

        def write(state: TaskState) -> Path:
            if state.cancelled():
                raise PackCancelled("The review pack was cancelled.")
            # The file dialog asked before a file was replaced.
            return write_pack_file(pack, images, request.fmt, request.path, template=template,
                                   force=True, protected=protected)  # fmt: skip

        op = (
            self._jobs.operation(
                write,
                parent=self._window,
                pool="work",
                key=("packs", id(self)),
                label="review pack file",
            )  # fmt: skip
            .success(self._on_written)
            .failure(self._on_failed)
            .cancelled(self._on_cancelled)
        )
        self.operation = op
        op.run()

    def _done(self) -> None:
        self.operation = None
        if self.progress_dialog is not None:
            self.progress_dialog.hide()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None

    def _on_written(self, path: Path) -> None:
        self._done()
        self._window.statusBar().showMessage(f"Review pack saved: {path}", 10_000)
        self.pack_written.emit(str(path))

    def _on_failed(self, error: BaseException) -> None:
        self._done()
        if isinstance(error, PackCancelled):
            self._on_cancelled()
            return
        self._jobs.present_error(error)

    def _on_cancelled(self) -> None:
        self._done()
        self._window.statusBar().showMessage("Review pack cancelled; nothing was saved.", 8000)


def install(ctx: GuiContext) -> PackController:
    """Review pack… in the customer pane (the Customers tab's and the Alerts tab's) and in
    Results."""
    controller = PackController(ctx, show_progress=ctx.show_progress)
    window = ctx.window
    window.detail_pane.set_review_pack(controller.open_for_customer)
    window.results.review_pack_requested.connect(controller.open_for_book)
    # The Alerts tab's customer pane is built after the first paint.
    window.when_screens_built(
        lambda: window.alerts_view.detail_pane.set_review_pack(controller.open_for_customer)
    )
    return controller
