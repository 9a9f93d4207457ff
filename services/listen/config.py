"""Listen's settings (declared here, gathered into services.settings.SETTINGS).

- ``listen.sentiment_checked_import``: the newest import whose changed texts have had
  their sentiment read again (services/listen/sentiment.py); internal, not shown.
"""

from __future__ import annotations

from services.setting_spec import SettingSpec

LISTEN_SPECS = (
    SettingSpec("listen.sentiment_checked_import", int, 0,
                "Newest import whose texts have a current sentiment", None, ""),
)  # fmt: skip
