"""The window's tabs as saved between sessions: the key and the names (no Qt here, so
that app/gui/opening.py can read which tab the window opens on before Qt is loaded)."""

from __future__ import annotations

KEY_TAB = "ui/tab"
TAB_KEYS = ("alerts", "customers", "dashboard", "my_work", "results", "ask")


def saved_tab_key(saved: object) -> str:
    """The tab the window opens on, from the saved value (Alerts the first time)."""
    text = str(saved) if saved is not None else TAB_KEYS[0]
    return text if text in TAB_KEYS else TAB_KEYS[0]


# The tabs' positions in the window, in the order of TAB_KEYS.
TAB_ALERTS, TAB_CUSTOMERS, TAB_DASHBOARD, TAB_MY_WORK, TAB_RESULTS, TAB_ASK = range(6)
