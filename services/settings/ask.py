"""Ask's settings (declared here, gathered into services.settings.SETTINGS).

- ``ask.saved``: the questions the user saved to the library (services/ask/library.py).
- ``ask.row_limit`` and ``ask.time_limit_s``: the most rows an answer shows, and how long
  a query may run before it is stopped.
"""

from __future__ import annotations

from typing import Any

from services.core.setting_spec import SettingSpec

GROUP = "Ask"


def _saved_check(value: Any) -> str | None:
    for item in value:
        if not isinstance(item, dict) or not {"id", "title", "sql"} <= set(item):
            return "each saved question needs an id, a title and its SQL"
    return None


ASK_SPECS = (
    SettingSpec("ask.saved", list, [], "Questions saved to the library", _saved_check, "",
                hidden=True),
    SettingSpec("ask.row_limit", int, 1000, "Rows in an answer", None, GROUP, "rows", 10,
                100_000, help="An answer shows at most this many rows and says when there "
                "are more."),
    SettingSpec("ask.time_limit_s", (int, float), 10, "Time limit of a question", None, GROUP,
                "seconds", 1, 300, help="A question still running after this is stopped."),
)  # fmt: skip
