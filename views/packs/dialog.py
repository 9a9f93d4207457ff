"""Review pack…: what the pack covers (the account shown; or, from Results, the whole book,
an RFM segment or a tier), PDF or PowerPoint slides, the slides' template in words (set in
Settings ▸ Review packs, or by the organisation), and where to save it. Saving over a
file asks first (the file dialog's own question); the pack is then made by the job
runner, with its progress and Cancel (app/gui/packs_controller.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from services.packs.records import BOOK, CUSTOMER, FORMAT_LABELS, PDF, PPTX, SEGMENT
from views.kit.combo import ComboBox
from views.kit.dialog_parts import plain_label
from views.kit.file_dialogs import open_file_name, save_file_name

SUFFIXES = {PDF: ".pdf", PPTX: ".pptx"}
FILTERS = {PDF: "PDF (*.pdf)", PPTX: "PowerPoint slides (*.pptx)"}


@dataclass(frozen=True)
class PackRequest:
    """What the user asked for: the scope and its target, the format and the file (the
    user agreed to replace it when it exists)."""

    scope: str
    target: int | str | None
    fmt: str
    path: Path
    template: Path | None = None  # another template for these slides (None: the setting's)


@dataclass(frozen=True)
class PackChoices:
    """What the dialog offers: the account (CUSTOMER), or the segments and tiers."""

    scope: str  # CUSTOMER, or BOOK for Results (the book, a segment or a tier)
    title: str  # the account's name, or "The whole book"
    target: int | None = None  # the customer's id
    segments: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    template: str = "The plain built-in template"  # the slides' template, in words
    template_locked: bool = False  # set by the organisation: no other may be chosen
    suggested: str = "Review pack"  # the file's name without its suffix
    folder: str = ""


# Asks for a pack (tests answer for the user); None: cancelled.
PackPrompt = Callable[[QWidget, PackChoices], "PackRequest | None"]


class ReviewPackDialog(QDialog):
    """The choices of a review pack (the file is asked for by ``ask_pack``)."""

    def __init__(self, choices: PackChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Review pack")
        self.setObjectName("reviewPackDialog")
        self.setMinimumWidth(460)
        self._choices = choices
        form = QFormLayout()
        if choices.scope == CUSTOMER:
            self.what_combo = None
            form.addRow("Account", plain_label(choices.title, self, "packAccount"))
        else:
            self.what_combo = ComboBox(self)
            self.what_combo.setObjectName("packWhat")
            self.what_combo.addItem("The whole book", (BOOK, None))
            for name in choices.segments:
                self.what_combo.addItem(f"Segment: {name}", (SEGMENT, name))
            for name in choices.tiers:
                self.what_combo.addItem(f"Tier: {name}", (SEGMENT, name))
            form.addRow("Covering", self.what_combo)
        self.pdf_radio = QRadioButton(FORMAT_LABELS[PDF], self)
        self.pptx_radio = QRadioButton(FORMAT_LABELS[PPTX], self)
        self.pdf_radio.setChecked(True)
        group = QButtonGroup(self)
        formats = QVBoxLayout()
        for radio in (self.pdf_radio, self.pptx_radio):
            group.addButton(radio)
            formats.addWidget(radio)
        form.addRow("As", formats)
        self.template_label = plain_label(choices.template, self, "packTemplate")
        self.template_label.setToolTip("Set in File ▸ Settings ▸ Review packs")
        self.template: Path | None = None
        self.template_button = QPushButton("Another…", self)
        self.template_button.setObjectName("packTemplateChoose")
        self.template_button.setToolTip("Make these slides from another PowerPoint template")
        self.template_button.setEnabled(not choices.template_locked)
        self.template_button.clicked.connect(self._on_template_button_clicked)
        template_row = QHBoxLayout()
        template_row.addWidget(self.template_label, 1)
        template_row.addWidget(self.template_button)
        form.addRow("Slides template", template_row)
        note = plain_label(
            "Figures, charts and the next steps as the app shows them; the privacy "
            "setting's withheld fields (names, addresses, phone numbers) are left out.",
            self, "kpiNote",
        )  # fmt: skip
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton("Save as…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def _on_template_button_clicked(self) -> None:
        path, _filter = open_file_name(
            self, "A PowerPoint template", "", "PowerPoint (*.pptx *.potx)"
        )
        if path:
            self.choose_template(Path(path))

    def choose_template(self, path: Path) -> None:
        """Make these slides from ``path`` (and slides, then, not a PDF)."""
        self.template = path
        self.template_label.setText(path.name)
        self.pptx_radio.setChecked(True)

    @property
    def fmt(self) -> str:
        return PPTX if self.pptx_radio.isChecked() else PDF

    @property
    def scope_and_target(self) -> tuple[str, int | str | None]:
        if self.what_combo is None:
            return CUSTOMER, self._choices.target
        scope, target = self.what_combo.currentData()
        return str(scope), target

    def suggested_name(self) -> str:
        """A file name for the choice: "Review pack - Segment At Risk.pdf"."""
        scope, target = self.scope_and_target
        words = self._choices.suggested if scope != SEGMENT else f"Review pack - {target}"
        safe = "".join(ch for ch in words if ch.isalnum() or ch in " -_.").strip()
        return f"{safe or 'Review pack'}{SUFFIXES[self.fmt]}"


def _save_path(parent: QWidget, dialog: ReviewPackDialog, folder: str) -> Path | None:
    name = dialog.suggested_name()
    # The folder last used, else the home folder (never the working directory).
    start = str(Path(folder or Path.home()) / name)
    # The file dialog asks before replacing a file that exists.
    path, _filter = save_file_name(parent, "Save the review pack", start,
                                                FILTERS[dialog.fmt])  # fmt: skip
    if not path:
        return None
    suffix = SUFFIXES[dialog.fmt]
    return Path(path if path.lower().endswith(suffix) else path + suffix)


def ask_pack(parent: QWidget, choices: PackChoices) -> PackRequest | None:
    """Show the dialog, then ask where to save; None when either was cancelled."""
    dialog = ReviewPackDialog(choices, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        path = _save_path(parent, dialog, choices.folder)
        if path is None:
            return None
        scope, target = dialog.scope_and_target
        template = dialog.template if dialog.fmt == PPTX else None
        return PackRequest(scope, target, dialog.fmt, path, template)
    finally:
        dialog.deleteLater()
