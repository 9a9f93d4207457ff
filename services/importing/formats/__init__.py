"""Known export formats: recognised from their header, converted to the canonical form.

``detect(header)`` returns the adapter of a known format (Salesforce, HubSpot, Zendesk,
Freshdesk, Shopify, Stripe, Chargebee, Recurly, Zuora, Mailchimp, email campaign activity,
and CRM activities: Salesforce tasks and events, HubSpot activities, the app's own
activities file) or None for anything else, which the import core treats as a generic
file (mapping step). A
format is recognised by a subset of its columns, never by the exact header: exports gain
and lose columns with account settings and views, and spreadsheets change case and
spacing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from services.importing.formats.activities import (
    HubSpotActivities,
    RadarActivities,
    SalesforceActivities,
)
from services.importing.formats.billing import (
    ChargebeeSubscriptions,
    RecurlySubscriptions,
    ZuoraSubscriptions,
)
from services.importing.formats.email_activity import EmailCampaignActivity
from services.importing.formats.freshdesk import FreshdeskTickets
from services.importing.formats.hubspot import HubSpotCompanies, HubSpotContacts, HubSpotDeals
from services.importing.formats.mailchimp import MailchimpSubscribed, MailchimpUnsubscribed
from services.importing.formats.salesforce import (
    SalesforceAccount,
    SalesforceContact,
    SalesforceOpportunity,
    SalesforceOpportunityReport,
    salesforce_id18,
)
from services.importing.formats.salesforce_contracts import SalesforceContract
from services.importing.formats.salesforce_roles import SalesforceContactRole
from services.importing.formats.shopify import ShopifyOrders
from services.importing.formats.stripe import StripeSubscriptions
from services.importing.formats.zendesk import ZendeskTickets

if TYPE_CHECKING:
    from services.importing.canonical import Batch
    from services.importing.reader import RawTable

__all__ = ["ADAPTERS", "FormatAdapter", "adapter_named", "detect", "salesforce_id18"]


class FormatAdapter(Protocol):
    """One known export format.

    ``name`` is the detected_format recorded with the import, ``title`` its plain name
    for people, ``kinds`` the canonical kinds it produces (services/importing/canonical.py).
    """

    @property
    def name(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def kinds(self) -> tuple[str, ...]: ...

    def matches(self, header: Sequence[str]) -> bool:
        """Whether a file with this header is in this format."""
        ...

    def footer_rows(self, table: RawTable) -> set[int]:
        """Row numbers that are a report footer, not data (an empty set for most formats)."""
        ...

    def convert(self, table: RawTable) -> Batch:
        """The table in canonical form (footer rows left out)."""
        ...


# Most specific first: a header that could match two formats takes the first.
ADAPTERS: tuple[FormatAdapter, ...] = (
    SalesforceActivities(),
    HubSpotActivities(),
    RadarActivities(),
    ShopifyOrders(),
    SalesforceOpportunityReport(),
    SalesforceOpportunity(),
    SalesforceContract(),
    SalesforceContactRole(),
    SalesforceContact(),
    SalesforceAccount(),
    HubSpotDeals(),
    HubSpotCompanies(),
    HubSpotContacts(),
    ZendeskTickets(),
    FreshdeskTickets(),
    StripeSubscriptions(),
    ChargebeeSubscriptions(),
    RecurlySubscriptions(),
    ZuoraSubscriptions(),
    MailchimpUnsubscribed(),
    MailchimpSubscribed(),
    EmailCampaignActivity(),
)


def detect(header: Sequence[str]) -> FormatAdapter | None:
    """The adapter of the known format this header belongs to, or None (a generic file)."""
    for adapter in ADAPTERS:
        if adapter.matches(header):
            return adapter
    return None


def adapter_named(name: str) -> FormatAdapter | None:
    """The adapter whose detected_format is ``name`` (e.g. to re-run a recorded import)."""
    for adapter in ADAPTERS:
        if adapter.name == name:
            return adapter
    return None
