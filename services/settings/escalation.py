"""The escalation rules' settings (declared here, gathered into services.settings;
the rules themselves: services/alerts/escalation.py)."""

from __future__ import annotations

from services.core.setting_spec import SettingSpec

GROUP = "Escalations"

ESCALATION_SPECS = (
    SettingSpec("escalation.team_lead", str, "", "Team lead", None, GROUP,
                help="Who gets the tasks of negative high-priority tickets (a name, as the "
                "owners are written)."),
    SettingSpec("escalation.notify_email", str, "", "Email escalations to", None, GROUP,
                help="Every escalation is also emailed here (through Sending email's "
                "server); empty: tasks only."),
    SettingSpec("escalation.ticket.enabled", bool, False,
                "Negative high-priority ticket: a task for the team lead", None, GROUP),
    SettingSpec("escalation.ticket.priorities", list, ["High", "Urgent"], "Priorities", None,
                GROUP, help="The help desk's priorities that count (ignoring case)."),
    SettingSpec("escalation.ticket.window_days", int, 7, "Tickets of the last", None, GROUP,
                "days", 1, 90),
    SettingSpec("escalation.deal.enabled", bool, False,
                "High-value deal at risk: a task for the deal's owner", None, GROUP),
    SettingSpec("escalation.deal.min_amount", (int, float), 5000, "Deals worth at least",
                None, GROUP, "in the home currency", 0, 100_000_000),
    SettingSpec("escalation.churn.enabled", bool, False,
                "Churn risk on a high-value customer: a retention task", None, GROUP),
    SettingSpec("escalation.churn.min_clv", (int, float), 1000, "Value at least",
                None, GROUP, "in the home currency (the value over the value horizon)", 0,
                100_000_000),
    SettingSpec("escalation.sla.enabled", bool, False,
                "Critical alert past its time to act: a task for the team lead", None, GROUP,
                help="A critical alert nobody acted on by its due time (Alerts ▸ Act on "
                "critical alerts within), once per alert."),
)  # fmt: skip
