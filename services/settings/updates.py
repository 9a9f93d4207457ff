"""The update check's setting (declared here, gathered into services.settings.SETTINGS).

- ``updates.check_url``: the organisation's file naming the latest version
  (services/updates/check.py); empty, never checked.
"""

from __future__ import annotations

from services.core.setting_spec import SettingSpec
from services.updates.check import CHECK_URL

UPDATE_SPECS = (
    SettingSpec(
        CHECK_URL, str, "", "Update check address", None, "Updates",
        help="A JSON file on your organisation's server saying the latest version "
        '({"version": "1.2.0", "url": "..."}), asked once at start-up. Empty: never '
        "checked (nothing leaves this computer). Usually set by IT.",
        hidden=True,
    ),
)  # fmt: skip
