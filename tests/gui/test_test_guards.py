"""The suite's own guards catch what they are for."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog


def test_a_modal_dialog_fails_the_test_instead_of_hanging(qtbot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.setWindowTitle("Log a call")
    # (conftest.ModalDialogInTestError, a RuntimeError: pytest loads conftest apart.)
    with pytest.raises(RuntimeError, match="a modal dialog was opened .*Log a call"):
        dialog.exec()
