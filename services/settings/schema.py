"""The settings schema: every setting declared once (type, default, title, bounds), gathered
from the declarations of each feature into SETTINGS, in the order the Settings dialog
shows them. Reading and writing values is the store's (services/settings/store.py).
"""

from __future__ import annotations

from services.core.setting_spec import SettingSpec
from services.settings.alert_rules import ALERT_SPECS
from services.settings.ask import ASK_SPECS
from services.settings.crm import CRM_SPECS
from services.settings.escalation import ESCALATION_SPECS
from services.settings.freshness import FRESHNESS_SPECS
from services.settings.learn import LEARN_SPECS
from services.settings.lifecycle import LIFECYCLE_SPECS
from services.settings.listen import LISTEN_SPECS
from services.settings.money import MONEY_SPECS
from services.settings.notifications import NOTIFICATION_SPECS
from services.settings.notify import NOTIFY_SPECS
from services.settings.outreach import OUTREACH_SPECS
from services.settings.packs import PACK_SPECS
from services.settings.playbooks import PLAYBOOK_SPECS
from services.settings.renewal_calls import RENEWAL_CALL_SPECS
from services.settings.retention import RETENTION_SPECS
from services.settings.scoring import SCORING_SPECS
from services.settings.segments import SEGMENT_SPECS, use_declarations
from services.settings.sla import SLA_SPECS
from services.settings.team_filters import TEAM_FILTER_SPECS
from services.settings.updates import UPDATE_SPECS
from services.settings.workspace import DATE_SPECS, IMPORT_SPECS, RECORD_SPECS, WORKSPACE_SPECS

SETTINGS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        *WORKSPACE_SPECS,
        *MONEY_SPECS,
        *DATE_SPECS,
        *RECORD_SPECS,
        *SCORING_SPECS,
        *IMPORT_SPECS,
        *FRESHNESS_SPECS,
        *ALERT_SPECS,
        *OUTREACH_SPECS,
        *LEARN_SPECS,
        *RETENTION_SPECS,
        *ASK_SPECS,
        *ESCALATION_SPECS,
        *LISTEN_SPECS,
        *UPDATE_SPECS,
        *NOTIFICATION_SPECS,
        *SLA_SPECS,  # after the notifications: their own sub-heading on the Alerts page
        *PLAYBOOK_SPECS,
        *RENEWAL_CALL_SPECS,
        *NOTIFY_SPECS,
        *LIFECYCLE_SPECS,
        *SEGMENT_SPECS,  # settings per segment: services/settings/segments.py
        *TEAM_FILTER_SPECS,  # shared customer filters: services/settings/team_filters.py
        *PACK_SPECS,
        *CRM_SPECS,
    )
}
use_declarations(SETTINGS)  # a segment's value is checked as its setting's
