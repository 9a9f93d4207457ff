"""Fit: on a 1366x768 laptop at 100 %, 150 % and 200 % text and at 150 % display
scaling, and on a 1920x1080 screen, every top-level window the app opens (the main
window and each dialog, frame and all, as the window manager places it) is inside the
screen's available area, and the main window's action pane (the Alerts tab's right-hand
pane: the alert text, the next step, the action buttons) is on the screen.

How the text size and the display scaling are set: tests/e2e/desktop.py's docstring.
Every misfit of a run is listed together, with its numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

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


class Misfits:
    """The windows seen, and those not inside the available area, with their numbers."""

    def __init__(self, area: Rect) -> None:
        self.area = area
        self.seen: list[str] = []
        self.found: list[str] = []

    def check(self, what: str, window: Window) -> None:
        line = f"{what}: frame {window.frame} (inside {window.client})"
        self.seen.append(line)
        if not window.frame.inside(self.area):
            self.found.append(f"{line} is not inside the available area {self.area}")


@pytest.mark.parametrize("screen", SCREENS.values(), ids=SCREENS.keys())
def test_every_window_fits(screen: Screen, desktops, apps, demo_copy) -> None:  # type: ignore[no-untyped-def]
    desktop = desktops(screen.width, screen.height, xft_dpi=screen.xft_dpi)
    app: App = apps(desktop, ("--db", str(demo_copy)), env=screen.env)
    area = desktop.work_area()
    misfits = Misfits(area)

    # The main window as it first opens, and Since yesterday over it (checked before it
    # is closed).
    main = app.wait_window(steps.WORKSPACE_TITLE, steps.START_TIMEOUT)
    app.main_id = main.id
    digest = app.wait_window("Since yesterday", steps.START_TIMEOUT)
    misfits.check("Since yesterday", digest)
    steps.close_digest(app, digest)
    steps.answers_input(app, "at start-up")
    main = desktop.window(main.id) or main
    desktop.screenshot(desktop.workdir / "main-window.png")
    misfits.check("the main window", main)
    # The action pane is the Alerts tab's right-hand pane, against the window's right
    # edge: it is on the screen when that edge is.
    if main.client.right > area.right:
        misfits.found.append(
            f"the action pane is off the screen: the main window's right edge is at "
            f"x={main.client.right}, the available area ends at x={area.right} (the window "
            f"is {main.client.width} px wide)"
        )

    for dialog in (steps.SETTINGS, steps.IMPORT_FILES, steps.COMPOSER, steps.DRAFT_FOR_ALL):
        window = steps.open_dialog(app, dialog)
        settled(desktop)
        window = desktop.window(window.id) or window
        desktop.screenshot(desktop.workdir / f"{dialog.name}.png")
        misfits.check(dialog.name, window)
        steps.close_dialog(app, dialog, window)

    queue = steps.start_batch(app)
    settled(desktop)
    queue = desktop.window(queue.id) or queue
    desktop.screenshot(desktop.workdir / "Review queue.png")
    misfits.check("the review queue", queue)
    steps.close_dialog(app, steps.REVIEW_QUEUE, queue)

    steps.answers_input(app, "after the dialogs")
    assert steps.quit_app(app) == 0
    steps.check_log(app)
    assert not misfits.found, (
        f"on {screen.width}x{screen.height} {screen.env or ''}"
        f"{f'Xft.dpi {screen.xft_dpi}' if screen.xft_dpi else ''}:\n"
        + "\n".join(misfits.found)
        + "\n\nall windows seen:\n"
        + "\n".join(misfits.seen)
    )
