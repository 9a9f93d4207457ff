"""The alert SLAs' settings: working days (Mon-Fri) to act on an alert of each severity
(declared here, gathered into services.settings; the logic: services/alerts/sla.py).

Keyed ``sla.*``, not ``alerts.*``: the alerts' settings are versioned and apply from the
next scoring, while a due time is worked out whenever the list is read, so a change here
applies at once (shown on the Alerts page all the same)."""

from __future__ import annotations

from services.core.setting_spec import SettingSpec

GROUP = "Alerts"
SECTION = "Time to act"

SLA_SPECS = (
    SettingSpec("sla.critical_days", int, 1, "Act on critical alerts within", None,
                GROUP, "working days", 1, 60,
                help="Working days (Monday to Friday) from the day the alert is raised; "
                "the first call, note, task, email or status change meets it.",
                section=SECTION),
    SettingSpec("sla.warning_days", int, 3, "Act on warnings within", None, GROUP,
                "working days", 1, 60, section=SECTION),
    SettingSpec("sla.opportunity_days", int, 5, "Act on opportunities within", None,
                GROUP, "working days", 1, 60, section=SECTION),
    SettingSpec("sla.info_days", int, 7, "Act on info alerts within", None, GROUP,
                "working days", 1, 60, section=SECTION),
)  # fmt: skip
