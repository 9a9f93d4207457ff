"""The Save view prompt reads whole at 1366x768: its title, what is saved and
the name fit (QInputDialog alone was 200 px wide, and the title was clipped), and Save
hands back the name typed (the window opens it modal: views/customers/saved_views.py)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QWidget

from views.customers.saved_views import SAVE_LABEL, SAVE_TITLE, name_dialog


def test_the_prompt_says_what_is_saved_and_fits_its_words(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = name_dialog(parent, "Gone quiet, North")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == SAVE_TITLE == "Save view"
    label = dialog.findChild(QLabel)
    assert label is not None
    assert label.text() == SAVE_LABEL
    # The explanation on one line, whole; room for the title in the title bar.
    assert label.width() >= label.fontMetrics().horizontalAdvance(SAVE_LABEL)
    assert dialog.width() >= 3 * dialog.fontMetrics().horizontalAdvance(SAVE_TITLE)
    assert dialog.width() > 400
    assert dialog.textValue() == "Gone quiet, North"
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    assert buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "Save"


def test_save_hands_back_the_name_typed(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = name_dialog(parent, "View 1")
    qtbot.addWidget(dialog)
    dialog.show()
    edit = dialog.findChild(QLineEdit)
    assert edit is not None
    assert edit.selectedText() == "View 1"  # typing replaces the suggestion
    edit.setText("Big spenders")
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.textValue() == "Big spenders"


def test_the_share_prompt_says_it_is_for_everyone_in_the_workspace(qtbot) -> None:
    from views.customers.saved_views import SHARE_LABEL, SHARE_TITLE

    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = name_dialog(parent, "Renewals", share=True)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == SHARE_TITLE == "Share with the team"
    label = dialog.findChild(QLabel)
    assert label is not None
    assert label.text() == SHARE_LABEL
    assert "everyone in this workspace" in SHARE_LABEL
    assert label.width() >= label.fontMetrics().horizontalAdvance(SHARE_LABEL)
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    assert buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "Share"
