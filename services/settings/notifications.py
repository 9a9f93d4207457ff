"""The desktop notifications' setting (declared here, gathered into services.settings.SETTINGS).

- ``notifications.desktop``: while the window is open, a system-tray notification when a
  task falls due or a critical alert arrives (app/gui/notifications.py); off, nothing
  pops up (the status bar and My work still say it).
"""

from __future__ import annotations

from services.core.setting_spec import SettingSpec

DESKTOP_NOTIFICATIONS = "notifications.desktop"

NOTIFICATION_SPECS = (
    SettingSpec(
        DESKTOP_NOTIFICATIONS, bool, True, "Desktop notifications", group="Alerts",
        help="While the window is open, a notification when one of your tasks falls due "
        "or a critical alert arrives; click it to open the alert.",
    ),
)  # fmt: skip
