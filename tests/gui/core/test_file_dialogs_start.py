"""Where the app's file dialogs open (views/kit/file_dialogs.py): the folder the caller
names, unless it is the home folder, a system temporary folder or the app's own folder;
then the folder last used in a dialog this session, else the home folder, with the
suggested file name kept. Real dialogs, accepted as a person accepts them."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog

import views.kit.file_dialogs as file_dialogs
from tests.support.modal import REAL_EXEC, answer_next
from views.kit.file_dialogs import existing_directory, open_file_name, save_file_name, start_in

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A home folder, a system temporary folder and a documents folder of their own, and
    no folder used yet this session."""
    out = {name: tmp_path / name for name in ("home", "systemp", "documents", "downloads")}
    for folder in out.values():
        folder.mkdir()
    monkeypatch.setenv("HOME", str(out["home"]))
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(out["systemp"]))
    monkeypatch.setattr(file_dialogs, "_last_folder", None)
    return out


def test_a_named_folder_is_kept_and_a_poor_one_becomes_home(places: dict[str, Path]) -> None:
    home, documents = places["home"], places["documents"]
    assert start_in(str(documents / "export.csv")) == str(documents / "export.csv")
    assert start_in(str(documents)) == str(documents)
    assert start_in("") == str(home)
    assert start_in("Review pack.pptx") == str(home / "Review pack.pptx")
    assert start_in(str(home)) == str(home)
    assert start_in(str(places["systemp"] / "x" / "w.radar.sqlite")) == str(home / "w.radar.sqlite")
    assert start_in(str(ROOT / "resources" / "a.pptx")) == str(home / "a.pptx")
    assert start_in(str(ROOT), folder_only=True) == str(home)


def _answer(qtbot, answer) -> list[str]:  # noqa: ANN001
    """Answer the next file dialog with ``answer(dialog)``; the folders it opened in."""
    opened: list[str] = []

    def record(dialog: QFileDialog) -> None:
        opened.append(dialog.directory().absolutePath())
        answer(dialog)

    answer_next(QFileDialog, record)
    return opened


def test_the_next_dialog_opens_where_the_last_one_chose(
    qtbot, places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QDialog, "exec", REAL_EXEC)
    downloads = places["downloads"]
    (downloads / "orders.csv").write_text("order_id\n1\n", encoding="utf-8")

    def choose(dialog: QFileDialog) -> None:
        dialog.selectFile(str(downloads / "orders.csv"))
        dialog.accept()

    opened = _answer(qtbot, choose)
    path, _ = open_file_name(None, "Import", str(Path.home()), "CSV files (*.csv)")
    assert path == str(downloads / "orders.csv")
    assert opened == [str(places["home"])]  # nothing used yet: home

    cancelled = _answer(qtbot, lambda dialog: dialog.reject())
    assert save_file_name(None, "Save the email", "Reply.eml") == ("", "")
    assert cancelled == [str(downloads)]  # the folder last used, the name kept

    kept = _answer(qtbot, lambda dialog: dialog.reject())
    existing_directory(None, "Save the approved emails in", str(places["documents"]))
    assert kept == [str(places["documents"])]  # a folder the caller names is kept

    again = _answer(qtbot, lambda dialog: dialog.reject())
    open_file_name(None, "A PowerPoint template", "", "PowerPoint (*.pptx *.potx)")
    assert again == [str(downloads)]  # cancelling changes nothing
