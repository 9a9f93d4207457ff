"""Listen's settings (declared here, gathered into services.settings.SETTINGS).

- ``listen.sentiment_checked_import``: the newest import whose changed texts have had
  their sentiment read again (services/listen/sentiment.py); internal, not shown.
- ``listen.sentiment_watermark``: the sentiment version, newest interaction and its
  fingerprint when the last complete pass began (services/listen/sentiment.py); internal.
- ``listen.reason_count``: how many reasons to learn (services/listen/reasons.py).
- ``listen.competitors``: the competitors' names a conversation's reading looks out for
  (services/conversations/reading.py).
- ``listen.reasons``: the reasons last learned and a fingerprint of the texts they were
  learned from (services/listen/reasons.py); internal, not shown.
"""

from __future__ import annotations

from services.core.setting_spec import SettingSpec


def _names_check(value: object) -> str | None:
    """Each name a short piece of text."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "a list of names"
    if len(value) > 200 or any(len(v) > 100 for v in value):
        return "at most 200 names of up to 100 characters"
    return None


GROUP = "Sentiment and reasons"

LISTEN_SPECS = (
    SettingSpec("listen.reason_count", int, 12, "Reasons to learn", None, GROUP, "reasons",
                2, 30, help="How many reasons the negative tickets and reviews are sorted "
                "into (fewer when there is little text). More reasons are finer; fewer are "
                "broader."),
    SettingSpec("listen.competitors", list, [], "Competitors", _names_check, GROUP,
                help="Names of the competitors customers may mention: a "
                "call, chat or email naming one raises a competitor risk in its reading.",
                placeholder="e.g. Northwind, Contoso"),
    SettingSpec("listen.sentiment_checked_import", int, 0,
                "Newest import whose texts have a current sentiment", None, "", state=True),
    SettingSpec("listen.sentiment_watermark", dict, {},
                "Where the last complete sentiment pass stopped", None, "", state=True),
    SettingSpec("listen.reasons", dict, {},
                "The reasons learned from the workspace's negative text", None, "",
                state=True),
)  # fmt: skip
