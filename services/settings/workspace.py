"""The workspace's own settings and records (declared here, gathered into
services.settings.SETTINGS): its name and demo marker, where IT says it is, its time
zone, the watched import folder, and the records the app keeps among the settings (the
per-customer totals' state, the configuration version).
"""

from __future__ import annotations

from services.core.local_dates import TIME_ZONE_SETTING, zone_problem
from services.core.setting_spec import SettingSpec

WORKSPACE_LOCATION = "workspace.location"
CONFIG_VERSION_KEY = "config.version"

WORKSPACE_SPECS = (
    SettingSpec(
        "workspace.demo",
        (dict, type(None)),
        None,
        "Demo workspace marker: how the demo data was built (None for real data)",
        hidden=True,
    ),
    SettingSpec("workspace.name", str, "", "Workspace name shown in the title bar", hidden=True),
    SettingSpec(
        WORKSPACE_LOCATION,
        str,
        "",
        "Workspace the app opens when none is named (set by IT; empty: the user's own)",
        help="A file path or a postgresql+psycopg:// URL. Read from the organisation's "
        "policy only: it says where the workspace is, so it can't live in one.",
        hidden=True,
    ),
)

DATE_SPECS = (
    SettingSpec(
        TIME_ZONE_SETTING,
        str,
        "",
        "Time zone",
        zone_problem,
        "Dates",
        help="The local time of orders and tickets that a file gives in UTC, taken when "
        "they are imported (an IANA name such as America/New_York). Empty: this "
        "computer's zone. Times a file gives with their own offset keep it; dates with "
        "no zone are kept as written.",
        placeholder="this computer's zone; or e.g. America/New_York",
    ),
)

RECORD_SPECS = (
    SettingSpec(
        "rollups.stale",
        bool,
        False,
        "Per-customer totals need a refresh (set by writes, cleared by services.core.rollups)",
        state=True,
    ),
    SettingSpec(
        "rollups.single_currency",
        str,
        "",
        "The currency of every order at the last refresh of the per-customer totals "
        "(empty: several, or not known)",
        state=True,
    ),
    SettingSpec(
        CONFIG_VERSION_KEY,
        int,
        0,
        "Configuration version: bumped by every change of a scoring or alert setting",
        state=True,
    ),
)

IMPORT_SPECS = (
    SettingSpec(
        "import.watched_folder",
        (str, type(None)),
        None,
        "Folder whose new export files the window imports as they appear (None: off)",
        hidden=True,
    ),
    SettingSpec(
        "import.watched_files",
        dict,
        {},
        "Files of the watched folder already handled: path -> [size, mtime_ns]",
        hidden=True,
        max_length=1_000_000,  # years of exports kept in one folder
    ),
)
