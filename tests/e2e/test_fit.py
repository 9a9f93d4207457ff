"""Fit: on a 1366x768 laptop at 100 %, 150 % and 200 % text and at 150 % display
scaling, and on a 1920x1080 screen, every top-level window the app opens (the main
window and each dialog, frame and all, as the window manager places it) is inside the
screen's available area after every step, and the main window's action pane (the Alerts
tab's right-hand pane: the alert text, the next step, the action buttons) is on the
screen.

How the text size and the display scaling are set: tests/e2e/desktop.py's docstring.
Every misfit of a run is listed together, with its numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e import steps
from tests.e2e.desktop import App, Rect, Window, settled

# Larger text: the fonts' DPI with Qt's high-DPI scaling off (text in more pixels,
# nothing else scaled); display scaling: Xft.dpi in the X resources (the device pixel
# ratio). tests/e2e/desktop.py says how each was measured.
TEXT_150 = {"QT_FONT_DPI": "144", "QT_ENABLE_HIGHDPI_SCALING": "0"}
TEXT_200 = {"QT_FONT_DPI": "192", "QT_ENABLE_HIGHDPI_SCALING": "0"}


@dataclass(frozen=True)
class Screen:
    width: int
    height: int
    env: dict[str, str] = field(default_factory=dict)
    xft_dpi: int | None = None


SCREENS = {
    "1366x768-text100": Screen(1366, 768),
    "1366x768-text150": Screen(1366, 768, TEXT_150),
    "1366x768-text200": Screen(1366, 768, TEXT_200),
    "1366x768-display150": Screen(1366, 768, xft_dpi=144),
    "1920x1080-text100": Screen(1920, 1080),
}


class Fit:
    """Every window of the app, looked at after each step: those not inside the
    available area, with their numbers (each window's misfit once, at its widest)."""

    def __init__(self, app: App, area: Rect) -> None:
        self.app = app
        self.area = area
        self.seen: list[str] = []
        self.misfits: dict[str, tuple[int, str]] = {}

    def name(self, window: Window) -> str:
        if window.id == self.app.main_id:
            return "the main window"
        return window.name.removesuffix(" — Account Radar") or f"untitled window {window.id}"

    def check(self, step: str, windows: list[Window] | None = None) -> None:
        for window in windows if windows is not None else self.app.windows():
            name = self.name(window)
            line = f"{name} {step}: frame {window.frame} (client {window.client})"
            self.seen.append(line)
            if window.frame.inside(self.area):
                continue
            size = window.frame.width * window.frame.height
            if name not in self.misfits or size > self.misfits[name][0]:
                self.misfits[name] = (size, f"{line} is not inside {self.area}")
            if (
                window.id == self.app.main_id
                and window.client.right > self.area.right
                and "the action pane" not in self.misfits  # the first step it was off
            ):
                # The action pane is the Alerts tab's right-hand pane, against the
                # window's right edge: off the screen when that edge is.
                self.misfits["the action pane"] = (
                    0,
                    f"the action pane {step} is off the screen: the main window's right "
                    f"edge is at x={window.client.right}, the screen's available area ends "
                    f"at x={self.area.right} (the window is {window.client.width} px wide)",
                )


@pytest.mark.parametrize("screen", SCREENS.values(), ids=SCREENS.keys())
def test_every_window_fits(screen: Screen, desktops, apps, demo_copy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    desktop = desktops(screen.width, screen.height, xft_dpi=screen.xft_dpi)
    app: App = apps(desktop, ("--db", str(demo_copy)), env=screen.env)
    fit = Fit(app, desktop.work_area())

    # The main window as it first opens, and Since yesterday over it.
    main = app.wait_window(steps.WORKSPACE_TITLE, steps.START_TIMEOUT)
    app.main_id = main.id
    digest = app.wait_window(steps.DIGEST_TITLE, steps.START_TIMEOUT)
    settled(desktop)
    fit.check("at start-up")
    steps.close_digest(app, digest)
    # (That the window answers input after each step is test_first_launch.py's: here
    # the tour of the tabs and the dialogs, each waited for, shows it answers.)
    settled(desktop, 10)
    desktop.screenshot(desktop.workdir / "main-window.png")
    fit.check("on its Alerts tab")
    steps.every_tab(app)
    fit.check("after every tab")

    for dialog in (steps.SETTINGS, steps.IMPORT_FILES, steps.COMPOSER, steps.DRAFT_FOR_ALL):
        window = steps.open_dialog(app, dialog)
        settled(desktop)
        desktop.screenshot(desktop.workdir / f"{dialog.name}.png")
        fit.check(f"with {dialog.name} open")
        steps.close_dialog(app, dialog, window)

    queue = steps.start_batch(app)
    settled(desktop)
    desktop.screenshot(desktop.workdir / "Review queue.png")
    fit.check("with the review queue open")
    queue = steps.ask_sent(app, queue, tmp_path)
    desktop.screenshot(desktop.workdir / "Review queue - Did you send them.png")
    fit.check('with the review queue asking "Did you send them?"')
    box = steps.close_asking_queue(app, queue)
    fit.check('(the queue closed: "Did you send them?" asked again)', [box])

    fit.check("at the end")
    assert steps.quit_app(app) == 0
    steps.check_log(app)
    where = f"{screen.width}x{screen.height}" + (f" {screen.env}" if screen.env else "")
    where += f" Xft.dpi {screen.xft_dpi}" if screen.xft_dpi else ""
    assert not fit.misfits, (
        f"on {where}:\n"
        + "\n".join(line for _size, line in fit.misfits.values())
        + "\n\nevery window seen:\n"
        + "\n".join(fit.seen)
    )
