"""What a person does in the window, as the scenarios share it: wait for the main window,
check it answers input, walk the tabs, open and close the dialogs."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.desktop import (
    START_TIMEOUT,
    STEP_TIMEOUT,
    App,
    Desktop,
    Window,
    poll,
    settled,
    wait_changed,
)

# The main window's title once a workspace is open: "<file> — Account Radar".
WORKSPACE_TITLE = re.compile(r"\.radar\.sqlite — Account Radar$")
# The digest's window: "Since the workspace was built" on one built today (the demo).
DIGEST_TITLE = re.compile(r"^Since (yesterday|the workspace was built)")
# The window's tabs in order, each with its shortcut (views/shell/window_menus.py: View ▸
# <tab>, Ctrl+1 to Ctrl+6; views/shell/tab_keys.py).
TABS = ("Alerts", "Customers", "Dashboard", "My work", "Results", "Ask")
# How long Ctrl+Q may take to end the process (s).
QUIT_TIMEOUT = 20.0
# How long a dialog with a next thing to try (Dialog.again) is waited for before it is
# tried on the next thing (s): long enough for a slow start on a busy machine.
AGAIN_AFTER = 10.0


def main_window(app: App, *, digest: bool, timeout: float = START_TIMEOUT) -> Window:
    """The main window with a workspace open. ``digest``: the first start of the day on a
    workspace with customers, where "Since yesterday" opens over it by itself once its
    digest is read (app/gui/digest_controller.py): wait for it and close it with Escape.
    Otherwise it is closed if it shows."""
    window = app.wait_window(WORKSPACE_TITLE, timeout)
    app.main_id = window.id
    if digest:
        close_digest(app, app.wait_window(DIGEST_TITLE, timeout))
    else:
        settled(app.desktop, 10)
        for other in app.windows():
            if other.id != app.main_id and DIGEST_TITLE.search(other.name):
                close_digest(app, other)
    return window


def wait_alone(app: App, timeout: float = START_TIMEOUT) -> None:
    """Until the main window is the app's only top-level window (progress dialogs and
    notices gone)."""
    poll(
        "the main window alone",
        lambda: [w.id for w in app.windows()] == [app.main_id],
        timeout,
    )


def close_digest(app: App, window: Window) -> None:
    app.desktop.activate(window.id)
    app.desktop.key("Escape")
    app.wait_gone(window.id)


def check_log(app: App) -> None:
    bad = app.bad_log_lines()
    assert not bad, f"the log ({app.log}) or stderr ({app.err}) says:\n" + "\n".join(bad)


def answers_input(app: App, where: str, rounds: int = 3) -> Path:
    """The main window answers keys: Ctrl+2 (Customers) must change the screen, and Ctrl+1
    must change it again, back to the Alerts screen seen before (closer to it than to
    the Customers one: a key that is merely late does not pass for the next one); and
    the log holds no warning, error or traceback. Leaves the window on its Alerts tab;
    returns the last screenshot.

    A workspace just opened may still fill its Alerts screen (the list, the first
    customer's detail) after the first look: when the screen Ctrl+1 brings back is
    like neither, the round is tried again from that screen, up to ``rounds`` times. A
    window deaf to a key fails every round (no change), one that shows the wrong tab
    fails the comparison every round."""
    desktop = app.desktop
    assert app.main_id is not None
    desktop.activate(app.main_id)
    try:
        desktop.key("ctrl+1")
        alerts = settled(desktop)
        for round_ in range(1, rounds + 1):
            desktop.key("ctrl+2")
            wait_changed(desktop, alerts, f"Ctrl+2 ({where})")
            customers = settled(desktop)
            desktop.key("ctrl+1")
            wait_changed(desktop, customers, f"Ctrl+1 ({where})")
            back = settled(desktop)
            to_alerts, to_customers = (Desktop.difference(back, s) for s in (alerts, customers))
            if to_alerts < to_customers:
                break
            assert round_ < rounds, (
                f"Ctrl+1 ({where}) did not bring back the Alerts screen in {rounds} rounds: "
                f"{back} differs from {alerts} (Alerts) by {to_alerts} pixels, from "
                f"{customers} (Customers) by {to_customers}"
            )
            alerts = back
    except AssertionError as error:
        bad = app.bad_log_lines()
        raise AssertionError(f"{error}\nthe log says:\n" + "\n".join(bad)) from None
    check_log(app)
    return back


def every_tab(app: App) -> list[Path]:
    """Each tab by its shortcut, from Alerts round to Alerts: the screen changes each
    time, and ends closer to the first Alerts screen than to the last tab's."""
    desktop = app.desktop
    assert app.main_id is not None
    desktop.activate(app.main_id)
    desktop.key("ctrl+1")
    before = settled(desktop)
    shots = [before]
    for index, name in [*list(enumerate(TABS))[1:], (0, TABS[0])]:
        desktop.key(f"ctrl+{index + 1}")
        wait_changed(desktop, before, f"Ctrl+{index + 1} ({name} tab)")
        before = settled(desktop)
        shots.append(before)
    first, last_tab, back = shots[0], shots[-2], shots[-1]
    assert Desktop.difference(back, first) < Desktop.difference(back, last_tab), (
        f"Ctrl+1 after the tour did not bring back the Alerts screen ({first}, {back})"
    )
    check_log(app)
    return shots


@dataclass(frozen=True)
class Dialog:
    """A dialog a person opens from the main window: ``open`` sends the keys (the main
    window active), ``title`` is in its window title, ``close`` closes it."""

    name: str
    title: str
    open: Callable[[Desktop], None]
    close: tuple[str, ...] = ("Escape",)
    # When the dialog may rightly not open for what is selected (E on a customer who
    # asked not to be contacted only says why in the status bar), the keys that move on
    # to the next thing and try again, and how many things to try.
    again: tuple[str, ...] = ()
    tries: int = 1


def _keys(*keys: str) -> Callable[[Desktop], None]:
    return lambda desktop: desktop.key(*keys)


def _draft_for_all(desktop: Desktop) -> None:
    # The alert list's context menu (the Menu key, as a right-click) ends with "Draft for
    # all N shown…" (views/alerts/draft_targets.py). Ctrl+F puts the cursor in the Alerts
    # search box, Down moves it into the list (views/alerts/pane.py).
    desktop.key("ctrl+1", "ctrl+f", "Down", "Menu")
    desktop.key("Up", "Return")


SETTINGS = Dialog("Settings", "Settings", _keys("ctrl+comma"))
# File ▸ Import… (Ctrl+I) opens the file dialog first (views/shell/window_actions.py).
IMPORT_FILES = Dialog("Import (file dialog)", "Import export files", _keys("ctrl+i"))
# E: Draft email on the alert shown (views/alerts/action_pane.py), from the alert list
# (Ctrl+F, then Down from the search box into the list). The demo is made relative to
# today, so the first card may be a customer who asked not to be contacted (E then only
# says so in the status bar): Down moves to the next card, and E again.
COMPOSER = Dialog(
    "Email composer",
    "Draft an email",
    _keys("ctrl+1", "ctrl+f", "Down", "e"),
    again=("Down", "e"),
    tries=6,
)
DRAFT_FOR_ALL = Dialog("Draft for all", "Draft for all", _draft_for_all)
# Email ▸ Review drafts… (the menu by its mnemonics: Alt+M, then R).
REVIEW_QUEUE = Dialog("Review queue", "Review drafts", _keys("alt+m", "r"))


# The queue's title while it drafts or sends says so after its own ("Review drafts ·
# Drafted 14 of 69 — Account Radar"); idle, its own is followed by the app's name.
QUEUE_IDLE = re.compile(r"^Review drafts\s+[—–-]\s")


def start_batch(app: App) -> Window:
    """Draft for all…, then its Draft N button (Return: with no provider set up the
    templates write, nothing leaves the machine): the review queue opens as the drafts
    arrive. Returns the queue's window once every draft is written (its title no longer
    says what it is doing): "Send approved" waits for the drafting to end."""
    start = open_dialog(app, DRAFT_FOR_ALL)
    app.desktop.activate(start.id)
    app.desktop.key("Return")
    app.wait_gone(start.id)
    app.wait_window(REVIEW_QUEUE.title, START_TIMEOUT)
    return app.wait_window(QUEUE_IDLE, 3 * START_TIMEOUT)


def ask_sent(app: App, queue: Window, folder: Path) -> Window:
    """In the review queue: approve the draft shown (A), then Send approved (N)… ▸ Save
    as a folder of .eml files… into ``folder`` (the queue's footer: Shift+Tab twice from
    the list reaches the button, Space opens its menu, Up picks its last entry); the
    queue then asks "Did you send them?" in a bar above the drafts. Returns the queue's
    window as it is then."""
    desktop = app.desktop
    desktop.activate(queue.id)
    before = settled(desktop)
    desktop.key("a")
    wait_changed(desktop, before, "A (approve) in the review queue")
    desktop.key("shift+Tab", "shift+Tab", "space")
    desktop.key("Up", "Return")
    chooser = app.wait_window("Save the approved emails in")
    settled(desktop)
    desktop.type(str(folder))
    desktop.key("Return")
    app.wait_gone(chooser.id)
    poll(f"the .eml files in {folder}", lambda: any(folder.glob("*.eml")))
    settled(desktop)
    return desktop.window(queue.id) or queue


def close_asking_queue(app: App, queue: Window) -> Window:
    """Close the queue with "Did you send them?" unanswered: it asks once more in a
    message box, answered Not sent (Escape). Returns the message box's window."""
    desktop = app.desktop
    desktop.activate(queue.id)
    before = [w.id for w in app.windows()]
    # Escape closes the queue from anywhere but its subject and body, which it sends
    # back to the list first (views/outreach/review_queue.py): at most two.
    box = None
    for _ in range(2):
        desktop.key("Escape")
        try:
            box = app.wait_window("Did you send them?", 10, exclude=before)
            break
        except TimeoutError:
            continue
    assert box is not None, "Escape did not close the review queue (no Did you send them?)"
    box = desktop.window(box.id) or box
    desktop.activate(box.id)
    desktop.key("Escape")
    app.wait_gone(box.id)
    app.wait_gone(queue.id)
    return box


def open_dialog(app: App, dialog: Dialog, timeout: float = STEP_TIMEOUT) -> Window:
    """Open ``dialog`` from the main window: a new top-level window with its title."""
    desktop = app.desktop
    assert app.main_id is not None
    desktop.activate(app.main_id)
    before = [w.id for w in app.windows()]
    dialog.open(desktop)
    for _ in range(dialog.tries - 1):
        try:
            window = app.wait_window(dialog.title, AGAIN_AFTER, exclude=before)
            break
        except TimeoutError:
            desktop.key(*dialog.again)
    else:
        window = app.wait_window(dialog.title, timeout, exclude=before)
    poll(f"{dialog.name} to settle", lambda: app.desktop.window(window.id), timeout)
    return desktop.window(window.id) or window


def close_dialog(app: App, dialog: Dialog, window: Window) -> None:
    desktop = app.desktop
    desktop.activate(window.id)
    desktop.key(*dialog.close)
    app.wait_gone(window.id)


def quit_app(app: App) -> int:
    """Ctrl+Q in the main window; the process's exit code (it must end in QUIT_TIMEOUT)."""
    assert app.main_id is not None
    app.desktop.activate(app.main_id)
    app.desktop.key("ctrl+q")
    return app.wait_exit(QUIT_TIMEOUT)
