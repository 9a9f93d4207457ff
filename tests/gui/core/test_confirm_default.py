"""Every yes-or-cancel question defaults to Cancel: Enter leaves things as they are; a step
that can be undone, asked with its own button, goes on with Enter."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from tests.support.modal import REAL_EXEC, answer_next
from views.kit.confirm import ask_yes_cancel

ROOT = Path(__file__).resolve().parents[3]
# Questions with other buttons than Yes and Cancel ("Open" / "Close" for a copy taken
# offline), asked through their own dialog.
OWN_BUTTONS = {"app/gui/offline_controller.py"}


def test_the_question_offers_yes_and_cancel_with_cancel_the_default(
    qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[object, ...]] = []

    def answer(*args: object) -> QMessageBox.StandardButton:
        asked.append(args)
        return args[4]  # type: ignore[return-value]  # the default: what Enter picks

    monkeypatch.setattr(QMessageBox, "question", answer)
    assert ask_yes_cancel(None, "Delete view", 'Delete the view "Mine"?') is False
    _, title, question, buttons, default = asked[0]
    assert (title, question) == ("Delete view", 'Delete the view "Mine"?')
    assert buttons == QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel
    assert default == QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    assert ask_yes_cancel(None, "Delete view", "Delete?") is True


def _question_calls(path: Path) -> int:
    calls = 0
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "question"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "QMessageBox"
        ):
            calls += 1
    return calls


def test_every_screen_asks_through_the_one_question() -> None:
    found = {
        str(path.relative_to(ROOT))
        for folder in ("views", "app")
        for path in (ROOT / folder).rglob("*.py")
        if _question_calls(path)
    }
    assert found - OWN_BUTTONS == {"views/kit/confirm.py"}


def test_a_step_that_can_be_undone_goes_on_with_enter_and_stops_with_esc(
    qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ask_to_go_on (importing into the demo workspace, undone from Import history): its
    named button is the default, Esc cancels. Real boxes, answered by real keys."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from views.kit.confirm import ask_to_go_on

    monkeypatch.setattr(QDialog, "exec", REAL_EXEC)  # the suite refuses modal dialogs
    defaults: list[str] = []

    def press(key: Qt.Key) -> None:
        def answer(box: QMessageBox) -> None:
            defaults.append(box.defaultButton().text())
            QTest.keyClick(box, key)

        answer_next(QMessageBox, answer)

    press(Qt.Key.Key_Return)
    assert ask_to_go_on(None, "Import into the demo workspace?", "Mix?", "Import anyway")
    press(Qt.Key.Key_Escape)
    assert not ask_to_go_on(None, "Import into the demo workspace?", "Mix?", "Import anyway")
    assert defaults == ["Import anyway", "Import anyway"]
