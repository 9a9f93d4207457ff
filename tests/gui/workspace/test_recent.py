"""Land in your own book: the window reopens the workspace worked in last (not the demo),
and File ▸ Open recent lists the others, a missing file greyed with a way to remove it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings
from PySide6.QtGui import QImage

from app.gui.application import GuiController
from app.workspace import ENV_VAR, to_url
from services.core.recent import recent_workspaces

TIMEOUT_MS = 60_000


def opened(qtbot, controller: GuiController, path: Path) -> None:
    controller.open_url(to_url(str(path)))
    qtbot.waitUntil(
        lambda: (
            controller.workspace is not None
            and controller.workspace.url == to_url(str(path))
            and controller.jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )


def launched(monkeypatch: pytest.MonkeyPatch, make_gui, tmp_path: Path) -> GuiController:
    """A new launch as run_gui makes it, with no --db and no $ACCOUNT_RADAR_DB."""
    from app.gui import application as gui

    made: list[GuiController] = []
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(
        gui, "make_controller", lambda *_a, **_k: made.append(make_gui()) or made[-1]
    )
    monkeypatch.setattr(gui.ErrorPresenter, "install_excepthook", lambda self: None)
    monkeypatch.setattr(gui, "_setup_logging", lambda: None)
    monkeypatch.setattr(gui, "route_qt_messages", lambda: None)
    gui.launch(None, QSettings(str(tmp_path / "launch.ini"), QSettings.Format.IniFormat))
    (controller,) = made
    return controller


def test_relaunching_lands_in_the_workspace_worked_in_last(
    qtbot, make_gui, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, alerts_file: Path
) -> None:
    mine = tmp_path / "books" / "mine.radar.sqlite"
    mine.parent.mkdir()
    shutil.copy(alerts_file, mine)
    first = make_gui()
    opened(qtbot, first, mine)
    assert recent_workspaces()[0] == str(mine.resolve())
    first.shutdown()

    again = launched(monkeypatch, make_gui, tmp_path)
    qtbot.waitUntil(
        lambda: again.workspace is not None and again.jobs.is_idle(), timeout=TIMEOUT_MS
    )
    assert again.workspace is not None
    assert again.workspace.url == to_url(str(mine.resolve()))
    assert again.window.summary is not None  # shown, not the first launch's welcome


def darkest(picture: QImage, rect: QRect) -> int:
    """The lightness of the darkest pixel inside ``rect`` (the ink of its text)."""
    return min(
        picture.pixelColor(x, y).lightness()
        for x in range(rect.left(), rect.right(), 2)
        for y in range(rect.top(), rect.bottom())
    )


def test_open_recent_lists_the_others_greys_a_missing_one_and_removes_it(
    qtbot, make_gui, tmp_path: Path, alerts_file: Path
) -> None:
    files = {name: tmp_path / f"{name}.radar.sqlite" for name in ("north", "south", "gone")}
    for path in files.values():
        shutil.copy(alerts_file, path)
    gui = make_gui()
    for name in ("gone", "north", "south"):
        opened(qtbot, gui, files[name])
    files["gone"].unlink()
    gui.recent.refresh()
    menu = gui.window.menus.recent_menu
    actions = [a for a in menu.actions() if not a.isSeparator()]
    texts = [a.text() for a in actions]
    # The workspace open now is not listed; the others most recent first.
    assert texts[0].startswith("north.radar.sqlite")
    assert texts[1] == "gone.radar.sqlite   (missing)"
    assert actions[0].isEnabled()
    assert not actions[1].isEnabled()
    # Greyed on screen too: its darkest ink is lighter than a present file's.
    menu.ensurePolished()
    menu.resize(menu.sizeHint())
    picture = menu.grab().toImage()  # drawn as shown, without a popup
    assert darkest(picture, menu.actionGeometry(actions[1])) > 40 + darkest(
        picture, menu.actionGeometry(actions[0])
    )
    assert texts[2] == "Remove missing files from the list"
    actions[2].trigger()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == [f"north.radar.sqlite   ({tmp_path.resolve()})"]
    assert str(files["gone"].resolve()) not in recent_workspaces()
    # Choosing one opens it.
    menu.actions()[0].trigger()
    qtbot.waitUntil(
        lambda: (
            gui.workspace is not None
            and gui.workspace.url == to_url(str(files["north"].resolve()))
            and gui.jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )
