"""A person's first two sessions: the first launch in a fresh home, Try the demo, quit;
then the app started again on that workspace must answer input (a start on an existing
workspace once left the window painted but deaf to every key), show each tab, open and
close each dialog, and end with Ctrl+Q."""

from __future__ import annotations

import subprocess

from tests.e2e import steps
from tests.e2e.desktop import START_TIMEOUT


def test_try_the_demo_then_relaunch(desktops, apps) -> None:  # type: ignore[no-untyped-def]
    desktop = desktops(1366, 768)
    first = apps(desktop)
    welcome = first.wait_window("Welcome to Account Radar", START_TIMEOUT)
    desktop.screenshot(desktop.workdir / "welcome.png")
    desktop.activate(welcome.id)
    desktop.key("Return")  # "Try the demo" is the default choice
    steps.main_window(first, digest=True)
    steps.answers_input(first, "after Try the demo")
    assert steps.quit_app(first) == 0
    steps.check_log(first)

    # The second start, in the same home: the workspace of the first session opens.
    again = apps(desktop, home=first.home)
    steps.main_window(again, digest=False)  # shown today already
    desktop.screenshot(desktop.workdir / "relaunched.png")
    steps.answers_input(again, "after the relaunch")
    steps.every_tab(again)

    for dialog in (
        steps.SETTINGS,
        steps.IMPORT_FILES,
        steps.COMPOSER,
        steps.DRAFT_FOR_ALL,
    ):
        window = steps.open_dialog(again, dialog)
        desktop.screenshot(desktop.workdir / f"{dialog.name}.png")
        steps.close_dialog(again, dialog, window)
        steps.answers_input(again, f"after closing {dialog.name}")

    # The review queue: a batch of drafts by the templates, closed, then reopened from
    # Email ▸ Review drafts….
    queue = steps.start_batch(again)
    steps.settled(desktop)
    desktop.screenshot(desktop.workdir / "Review queue.png")
    steps.close_dialog(again, steps.REVIEW_QUEUE, queue)
    steps.answers_input(again, "after closing the review queue")
    queue = steps.open_dialog(again, steps.REVIEW_QUEUE)
    steps.close_dialog(again, steps.REVIEW_QUEUE, queue)
    steps.answers_input(again, "after closing the reopened review queue")

    try:
        code = steps.quit_app(again)
    except subprocess.TimeoutExpired as error:
        raise AssertionError(f"Ctrl+Q did not end the app in {steps.QUIT_TIMEOUT:.0f} s") from error
    assert code == 0
    steps.check_log(again)
