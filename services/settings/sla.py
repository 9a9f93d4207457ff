"""The alert SLAs' settings: working days (Mon-Fri) to act on an alert of each severity
(declared here, gathered into services.settings; the logic: services/alerts/sla.py)."""

from __future__ import annotations

from services.core.setting_spec import SettingSpec

GROUP = "Alerts"

SLA_SPECS = (
    SettingSpec("alerts.sla.critical_days", int, 1, "Act on critical alerts within", None,
                GROUP, "working days", 1, 60,
                help="Working days (Monday to Friday) from the day the alert is raised; "
                "the first call, note, task, email or status change meets it."),
    SettingSpec("alerts.sla.warning_days", int, 3, "Act on warnings within", None, GROUP,
                "working days", 1, 60),
    SettingSpec("alerts.sla.opportunity_days", int, 5, "Act on opportunities within", None,
                GROUP, "working days", 1, 60),
    SettingSpec("alerts.sla.info_days", int, 7, "Act on info alerts within", None, GROUP,
                "working days", 1, 60),
)  # fmt: skip
