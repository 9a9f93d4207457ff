"""An accountradar:// link while the window runs: a second start of the app with the link
(what the desktop does when a Slack or Teams message's link is clicked) hands it to the
running window over the local socket (app/gui/single_instance.py) and ends at once; the
running window shows that customer, then that alert, and no second window opens."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from tests.e2e import steps
from tests.e2e.desktop import App, poll, settled, wait_changed

# How long the second start may take to hand the link over and end (s): the frozen
# bundle unpacks nothing, but Python and Qt's network module still load.
HAND_OVER_TIMEOUT = 20.0


def _ids(db: Path) -> tuple[int, int, int]:
    """A customer that is no alert's (not the one the Alerts tab shows first), and an
    alert with its customer."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        alert_id, alert_customer = conn.execute(
            "SELECT id, customer_id FROM alerts ORDER BY id DESC LIMIT 1"
        ).fetchone()
        (customer_id,) = conn.execute(
            "SELECT id FROM customers WHERE id NOT IN (SELECT customer_id FROM alerts) "
            "ORDER BY id LIMIT 1"
        ).fetchone()
    return int(customer_id), int(alert_id), int(alert_customer)


def _hand_over(apps, first: App, link: str) -> None:  # type: ignore[no-untyped-def]
    """Start the app again, in the same home, with ``link``: it must end promptly, with
    exit 0, without a window of its own."""
    started = time.monotonic()
    second = apps(first.desktop, (link,), home=first.home)
    code = second.wait_exit(HAND_OVER_TIMEOUT)
    took = time.monotonic() - started
    assert code == 0, f"the second start with {link} ended with {code}"
    assert took < HAND_OVER_TIMEOUT, f"the second start took {took:.1f} s"
    poll(
        f"the second start to say it handed {link} over",
        lambda: f"Handed {link} to the window already running" in first.log_text(),
    )


def test_link_goes_to_the_running_window(desktops, apps, demo_copy) -> None:  # type: ignore[no-untyped-def]
    customer_id, alert_id, alert_customer = _ids(demo_copy)
    desktop = desktops(1366, 768)
    first = apps(desktop, ("--db", str(demo_copy)))
    steps.main_window(first, digest=True)
    steps.wait_alone(first)
    assert first.main_id is not None
    desktop.activate(first.main_id)
    desktop.key("ctrl+1")
    alerts = settled(desktop)

    link = f"accountradar://customer/{customer_id}"
    _hand_over(apps, first, link)
    poll(
        f"the window to open {link}",
        lambda: f"Opened {link} (customer {customer_id})" in first.log_text(),
    )
    wait_changed(desktop, alerts, f"{link} handed over")
    shown = settled(desktop)
    desktop.screenshot(desktop.workdir / "customer link.png")
    assert [w.id for w in first.windows()] == [first.main_id], "a second window opened"

    link = f"accountradar://alert/{alert_id}"
    _hand_over(apps, first, link)
    poll(
        f"the window to open {link}",
        lambda: f"Opened {link} (customer {alert_customer})" in first.log_text(),
    )
    wait_changed(desktop, shown, f"{link} handed over")
    settled(desktop)
    desktop.screenshot(desktop.workdir / "alert link.png")
    assert [w.id for w in first.windows()] == [first.main_id], "a second window opened"

    steps.check_log(first)
    assert steps.quit_app(first) == 0
