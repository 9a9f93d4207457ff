"""Help ▸ About: the version from pyproject.toml and the bundled packages' licences."""

from __future__ import annotations

from services.core.licences import Licence
from services.core.version import version_text
from views.about.dialog import NO_TEXT, AboutDialog

ROWS = [
    Licence("Python", "3.11.7", "PSF-2.0", "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2"),
    Licence("PySide6_Essentials (with Qt)", "6.11.3", "LGPL-3.0-only", "GNU LESSER GENERAL"),
    Licence("tiny", "1.0", "MIT", ""),
]


def test_about_shows_the_version_and_each_licence(qtbot) -> None:
    dialog = AboutDialog(ROWS)
    qtbot.addWidget(dialog)
    dialog.show()
    assert version_text() in dialog.version_label.text()
    model = dialog.table.model()
    assert model.rowCount() == 3
    assert [model.index(r, 2).data() for r in range(3)] == ["PSF-2.0", "LGPL-3.0-only", "MIT"]
    assert "PYTHON SOFTWARE FOUNDATION" in dialog.text.toPlainText()  # the first, chosen
    dialog.table.selectRow(1)
    assert dialog.text.toPlainText() == "GNU LESSER GENERAL"
    dialog.table.selectRow(2)
    assert dialog.text.toPlainText() == NO_TEXT


def test_the_help_menu_opens_it(qtbot, monkeypatch) -> None:
    from views.shell import window_menus

    shown: list[AboutDialog] = []
    monkeypatch.setattr(AboutDialog, "exec", lambda self: shown.append(self) or 0)
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    window_menus.show_about(parent)
    assert len(shown) == 1
    model = shown[0].table.model()
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert "Python" in names
    assert any(n.startswith("PySide6") for n in names)
