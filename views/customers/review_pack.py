"""Review pack… in the customer pane: the account's review as a PDF or slides. The pane
only offers it; the window's pack feature (app/gui/packs_controller.py) asks what to make
and makes it, and hands the pane its opener when it installs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QPushButton, QWidget

from services.core.records import CustomerDetail

# Open the pack dialog for (customer id, name shown).
PackOpener = Callable[[int, str], None]


class ReviewPackAction:
    """The customer pane's Review pack… button (a mix-in of CustomerDetailPane), shown
    once the window's pack feature gave it an opener."""

    _detail: CustomerDetail | None
    review_pack_opener: PackOpener | None = None

    def _build_review_pack_button(self, content: QWidget) -> None:
        self.review_pack_button = QPushButton("Review pack…", content)
        self.review_pack_button.setObjectName("reviewPack")
        self.review_pack_button.setToolTip(
            "This account's review as a PDF or PowerPoint slides, with its charts"
        )
        self.review_pack_button.clicked.connect(self._on_review_pack_clicked)
        self.review_pack_button.hide()

    def set_review_pack(self, opener: PackOpener | None) -> None:
        """Offer Review pack… (None: no longer)."""
        self.review_pack_opener = opener
        self.review_pack_button.setVisible(opener is not None)

    def _on_review_pack_clicked(self) -> None:
        if self._detail is not None and self.review_pack_opener is not None:
            self.review_pack_opener(self._detail.id, self._detail.name)
