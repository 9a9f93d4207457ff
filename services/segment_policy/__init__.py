"""Settings per segment: which segments a customer is in, and the one door every reader
asks for "the value of setting K for customer C" (``value_for``, ``values_for``).

The rules and the order of precedence are services/settings/segments.py's; this package
adds the customer: their RFM segment (the latest scoring), tier and region.
"""

from __future__ import annotations

from services.segment_policy.door import has_segment_values as has_segment_values
from services.segment_policy.door import value_for as value_for
from services.segment_policy.door import values_for as values_for
from services.segment_policy.door import values_for_keys as values_for_keys
from services.segment_policy.edit import SegmentRuleError as SegmentRuleError
from services.segment_policy.edit import SegmentTable as SegmentTable
from services.segment_policy.edit import move_rule as move_rule
from services.segment_policy.edit import read_table as read_table
from services.segment_policy.edit import replace_rules as replace_rules
from services.segment_policy.edit import set_segment_value as set_segment_value
from services.segment_policy.edit import unset_segment_value as unset_segment_value
from services.segment_policy.membership import KINDS as KINDS
from services.segment_policy.membership import known_names as known_names
from services.segment_policy.membership import memberships as memberships
from services.segment_policy.owners import RuleOwners as RuleOwners
from services.segment_policy.owners import give_rule_owners as give_rule_owners
from services.segment_policy.team_filters import TeamFilter as TeamFilter
from services.segment_policy.team_filters import TeamFilterError as TeamFilterError
from services.segment_policy.team_filters import delete_filter as delete_filter
from services.segment_policy.team_filters import list_filters as list_filters
from services.segment_policy.team_filters import members as members
from services.segment_policy.team_filters import rename_filter as rename_filter
from services.segment_policy.team_filters import save_filter as save_filter
