"""Settings: one typed schema, each setting declared once, read and written through here.

Workspace settings travel with the workspace; personal ones (``scope="personal"``: the
LLM provider, the sender's name and signature, the mail server) follow the person to every
workspace, kept in their own settings file (services/settings/personal.py). The CLI and
the window read both through the same resolver, so they see the same values.
Window geometry and other UI state live in QSettings instead, never here.

This module is the face: the declarations live by feature (services/settings/learn.py,
scoring.py...), gathered in services/settings/schema.py; reading, writing and migrating
values is services/settings/store.py's; the typed views of each group of settings are in
services/settings/views.py.
"""

from __future__ import annotations

from services.settings.alert_rules import ALERT_GENERAL as ALERT_GENERAL
from services.settings.alert_rules import ALERT_PARAMETERS as ALERT_PARAMETERS
from services.settings.alert_rules import ALERT_RULE_KEYS as ALERT_RULE_KEYS
from services.settings.alert_rules import ALERT_RULES as ALERT_RULES
from services.settings.alert_rules import AlertRuleSpec as AlertRuleSpec
from services.settings.outreach import GOALS as GOALS
from services.settings.outreach import LLM_PRESETS as LLM_PRESETS
from services.settings.outreach import PRIVACY_DEFAULT as PRIVACY_DEFAULT
from services.settings.outreach import PRIVACY_FIELDS as PRIVACY_FIELDS
from services.settings.outreach import TONES as TONES
from services.settings.personal import adopt_personal_settings as adopt_personal_settings
from services.settings.personal import personal_values as personal_values
from services.settings.schema import SETTINGS as SETTINGS
from services.settings.scoring import ENGAGEMENT_WEIGHTS as ENGAGEMENT_WEIGHTS
from services.settings.scoring import HEALTH_WEIGHTS as HEALTH_WEIGHTS
from services.settings.scoring import MAX_HORIZON_DAYS as MAX_HORIZON_DAYS
from services.settings.scoring import SCORING_THRESHOLDS as SCORING_THRESHOLDS
from services.settings.store import MIGRATIONS as MIGRATIONS
from services.settings.store import MONEY_KEYS as MONEY_KEYS
from services.settings.store import READ_CACHE as READ_CACHE
from services.settings.store import SCHEMA_VERSION as SCHEMA_VERSION
from services.settings.store import SCHEMA_VERSION_KEY as SCHEMA_VERSION_KEY
from services.settings.store import VERSIONED_PREFIXES as VERSIONED_PREFIXES
from services.settings.store import SettingError as SettingError
from services.settings.store import all_settings as all_settings
from services.settings.store import config_version as config_version
from services.settings.store import get_setting as get_setting
from services.settings.store import migrate_settings as migrate_settings
from services.settings.store import normalised as normalised
from services.settings.store import organisation_value as organisation_value
from services.settings.store import reset_setting as reset_setting
from services.settings.store import set_setting as set_setting
from services.settings.store import set_settings as set_settings
from services.settings.store import setting_specs as setting_specs
from services.settings.store import unset_setting as unset_setting
from services.settings.store import validate_setting as validate_setting
from services.settings.workspace import CONFIG_VERSION_KEY as CONFIG_VERSION_KEY
from services.settings.workspace import WORKSPACE_LOCATION as WORKSPACE_LOCATION
