"""The names a generic file's headers go by: for each canonical field, the header names it
recognises (in English, and the German, French, Spanish and Dutch words some exports use),
and where a field means something else in one kind (an opportunity's name is not a
person's); how a header name is normalised and matched against them (exactly, by whole
words, or by near-miss spelling); and the header key that saved mapping profiles are
found by.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
from collections.abc import Sequence

__all__ = ["field_synonyms", "header_key", "normalized_name", "synonym_score"]

# Header names (normalised: lower case, words separated by single spaces) per field.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": (
        "customer id",
        "kundennummer",
        "kunden nr",
        "kundennr",
        "kunde",
        "client nr",
        "numero client",
        "n client",
        "id client",
        "cliente",
        "id cliente",
        "klantnummer",
        "customer",
        "cust id",
        "cust no",
        "cust number",
        "customer no",
        "customer number",
        "customer nr",
        "customer num",
        "client id",
        "client",
        "client no",
        "client number",
        "account id",
        "account number",
        "account no",
        "member id",
        "member number",
        "loyalty id",
        "loyalty number",
        "contact id",
        "buyer id",
        "user id",
        "customer code",
        "customer ref",
        "customer reference",
        "id",
    ),
    "email": (
        "email",
        "e mail adresse",
        "courriel",
        "correo",
        "e mail",
        "mail",
        "email address",
        "e mail address",
        "emailaddress",
        "customer email",
        "contact email",
        "primary email",
    ),
    "customer_email": (
        "customer email",
        "e mail adresse",
        "courriel",
        "correo",
        "email",
        "e mail",
        "mail",
        "email address",
        "buyer email",
        "client email",
        "contact email",
        "customer e mail",
        "purchaser email",
    ),
    "name": (
        "name",
        "nom",
        "nombre",
        "full name",
        "customer name",
        "contact name",
        "client name",
        "display name",
    ),
    "customer_name": ("customer name", "client name", "buyer name", "contact name", "name"),
    "first_name": ("first name", "firstname", "given name", "forename", "first"),
    "last_name": ("last name", "lastname", "surname", "family name", "last"),
    "company": (
        "company",
        "company name",
        "organisation",
        "organization",
        "account name",
        "business",
        "business name",
        "employer",
    ),
    "customer_company": (
        "company",
        "company name",
        "account name",
        "organisation",
        "organization",
        "customer company",
    ),
    "phone": ("phone", "phone number", "telephone", "tel", "mobile", "mobile phone", "cell"),
    "owner": (
        "owner",
        "account owner",
        "account manager",
        "sales rep",
        "rep",
        "assigned to",
        "opportunity owner",
        "deal owner",
        "am",
    ),
    "tier": (
        "tier",
        "level",
        "loyalty tier",
        "membership",
        "plan tier",
        "customer tier",
        "vip tier",
    ),
    "region": ("region", "state", "province", "territory", "county", "area"),
    "signup_date": (
        "signup date",
        "sign up date",
        "signed up",
        "created at",
        "created",
        "customer since",
        "joined",
        "join date",
        "date joined",
        "registration date",
        "registered",
        "created date",
        "first seen",
    ),
    "tracking_consent": (
        "tracking consent",
        "consent to tracking",
        "tracking allowed",
        "activity tracking consent",
    ),
    "tracking_opt_out": (
        "tracking opt out",
        "opt out tracking",
        "opt out of tracking",
        "opted out of tracking",
        "do not track",
        "no tracking",
    ),
    "do_not_contact": (
        "do not contact",
        "dnc",
        "do not email",
        "opted out",
        "opt out",
        "unsubscribed",
        "email opt out",
    ),
    "order_id": (
        "order id",
        "bestellnummer",
        "bestell nr",
        "auftragsnummer",
        "rechnungsnummer",
        "commande",
        "numero commande",
        "n commande",
        "pedido",
        "numero pedido",
        "order",
        "order no",
        "order number",
        "order nr",
        "order ref",
        "order reference",
        "invoice",
        "invoice id",
        "invoice no",
        "invoice number",
        "transaction id",
        "receipt",
        "receipt no",
        "receipt number",
        "sale id",
        "ticket no",
        "id",
    ),
    "order_date": (
        "order date",
        "bestelldatum",
        "datum",
        "auftragsdatum",
        "rechnungsdatum",
        "date commande",
        "date de commande",
        "fecha",
        "fecha pedido",
        "date",
        "purchased at",
        "purchase date",
        "ordered at",
        "order time",
        "ordered",
        "transaction date",
        "sale date",
        "invoice date",
        "created at",
        "date of purchase",
        "order datetime",
        "timestamp",
    ),
    "amount": (
        "amount",
        "betrag",
        "summe",
        "gesamt",
        "gesamtbetrag",
        "preis",
        "umsatz",
        "montant",
        "total ttc",
        "prix",
        "importe",
        "precio",
        "total",
        "revenue",
        "price",
        "order total",
        "total amount",
        "value",
        "sales",
        "sale amount",
        "order amount",
        "grand total",
        "net total",
        "paid",
        "amount paid",
        "total paid",
        "subtotal",
        "net amount",
        "gross amount",
        "deal amount",
        "mrr",
    ),
    "currency": (
        "currency",
        "wahrung",
        "waehrung",
        "devise",
        "moneda",
        "currency code",
        "ccy",
        "curr",
    ),
    "status": (
        "status",
        "order status",
        "state",
        "financial status",
        "payment status",
        "stage status",
        "subscription status",
        "ticket status",
    ),
    "channel": ("channel", "sales channel", "source", "store", "location", "medium"),
    "category": (
        "category",
        "kategorie",
        "categorie",
        "categoria",
        "warengruppe",
        "product category",
        "product type",
        "department",
        "type",
        "segment",
        "item category",
    ),
    "items": ("items", "quantity", "qty", "item count", "units", "number of items"),
    "interaction_id": (
        "interaction id",
        "id",
        "event id",
        "activity id",
        "ticket id",
        "message id",
    ),
    "occurred_at": (
        "date",
        "occurred at",
        "timestamp",
        "time",
        "created at",
        "event date",
        "activity date",
        "sent at",
        "datetime",
        "event time",
    ),
    "interaction_type": (
        "type",
        "kind",
        "interaction type",
        "event",
        "event type",
        "activity type",
        "activity",
    ),
    "subject": ("subject", "title", "topic", "summary"),
    "text": (
        "text",
        "body",
        "message",
        "comment",
        "comments",
        "notes",
        "note",
        "description",
        "details",
        "review",
    ),
    "sentiment": ("sentiment", "sentiment score"),
    "rating": ("rating", "stars", "score", "nps", "nps score", "csat"),
    "satisfaction": ("satisfaction", "satisfaction score", "csat rating"),
    "opportunity_id": ("opportunity id", "deal id", "opportunity", "id"),
    "type": ("type", "opportunity type", "deal type"),
    "stage": ("stage", "deal stage", "opportunity stage", "pipeline stage"),
    "probability": ("probability", "probability %", "win probability", "likelihood"),
    "created_at": ("created at", "created", "created date", "create date", "opened"),
    "close_date": (
        "close date",
        "closed date",
        "expected close",
        "expected close date",
        "closing date",
        "close",
    ),
    "closed": ("closed", "is closed"),
    "won": ("won", "is won", "closed won"),
    "subscription_id": ("subscription id", "subscription", "id", "contract id"),
    "plan": ("plan", "product", "plan name", "price", "package", "subscription plan"),
    "started_at": ("started at", "start", "start date", "started", "created", "created at"),
    "current_period_end": (
        "current period end",
        "period end",
        "renewal date",
        "renews at",
        "next billing date",
        "end date",
    ),
    "canceled_at": (
        "canceled at",
        "cancelled at",
        "cancel date",
        "cancellation date",
        "ended at",
        "canceled",
        "cancelled",
    ),
    "cancel_at_period_end": ("cancel at period end", "cancels at period end"),
    "interval": ("interval", "billing interval", "billing period", "frequency", "period"),
    "contract_id": ("contract id", "contract number", "contract no", "agreement id", "contract"),
    "start_date": (
        "start date",
        "start",
        "term start",
        "contract start",
        "contract start date",
        "starts",
        "effective date",
        "begin date",
    ),
    "end_date": (
        "end date",
        "end",
        "term end",
        "contract end",
        "contract end date",
        "renewal date",
        "expiry date",
        "expiration date",
        "expires",
        "ends",
    ),
    "period": ("billing period", "period", "interval", "billing interval", "billing frequency"),
    "auto_renew": ("auto renew", "auto renews", "autorenew", "automatic renewal", "auto renewal"),
    "notice_days": (
        "notice days",
        "notice period",
        "notice period days",
        "notice",
        "cancellation notice",
        "notice period in days",
    ),
    "seats": ("seats", "licenses", "licences", "users", "quantity", "seat count"),
    "outcome": ("outcome", "renewal outcome", "result", "renewed"),
    "renewed_amount": (
        "renewed amount",
        "renewal amount",
        "renewed at",
        "new amount",
        "renewed value",
    ),
}


# Where a field means something else in one kind (an opportunity's name is not a person's).
_KIND_SYNONYMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("opportunities", "name"): (
        "opportunity name",
        "deal name",
        "name",
        "opportunity",
        "deal",
        "title",
        "project",
    ),
    ("opportunities", "created_at"): ("created at", "created", "created date", "create date"),
    ("interactions", "status"): ("status", "ticket status", "state"),
    ("contacts", "customer_id"): ("account id", "accountid", "account number", "customer id"),
    ("contacts", "customer_company"): ("account", "account name", "company", "organisation"),
    ("contacts", "title"): ("title", "job title", "position", "job"),
    ("contacts", "role"): ("role", "contact role", "buying role"),
    ("contacts", "contact_id"): ("contact id", "contactid", "person id"),
    ("contracts", "name"): (
        "plan",
        "plan name",
        "contract name",
        "product",
        "package",
        "subscription plan",
        "contract",
    ),
    ("contracts", "amount"): (
        "recurring amount",
        "amount",
        "mrr",
        "arr",
        "acv",
        "contract value",
        "annual value",
        "price",
        "recurring revenue",
        "value",
    ),
    ("contracts", "status"): ("status", "contract status", "subscription status", "state"),
}


def field_synonyms(field_name: str, kind: str = "") -> tuple[str, ...]:
    """The normalised header names a field recognises in files of one kind."""
    return _KIND_SYNONYMS.get(
        (kind, field_name), _SYNONYMS.get(field_name, (field_name.replace("_", " "),))
    )


def _norm(name: str) -> str:
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(name).replace("\ufeff", ""))
    text = re.sub(r"[^0-9a-z%]+", " ", text.lower())
    return " ".join(text.split())


def header_key(header: Sequence[str]) -> str:
    """The signature of a header (sha256 of its normalised names) for mapping profiles."""
    joined = "\x1f".join(_norm(h) for h in header)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=65536)
def normalized_name(column: str) -> str:
    """A column's name normalised as the synonyms are (cached: every kind asks again)."""
    return _norm(column)


@functools.lru_cache(maxsize=262144)
def synonym_score(norm: str, synonyms: tuple[str, ...], fuzzy: bool = True) -> float:
    """How well a normalised column name matches a field's synonyms (cached: every kind
    asks about the same columns, so a wide file costs one pass, not five)."""
    if norm in synonyms:
        # Earlier synonyms are the field's usual names; generic words ("id") score less.
        rank = synonyms.index(norm)
        return 1.0 if rank < max(3, len(synonyms) - 1) or len(norm) > 3 else 0.8
    tokens = f" {norm} "
    best = 0.0
    for synonym in synonyms:
        if len(synonym) >= 4 and f" {synonym} " in tokens:
            best = max(best, 0.8)
    if best or not fuzzy:
        return best
    # difflib's ratio is at most 2*min/(sum of the lengths): skip the synonyms it cannot
    # reach the cutoff with (most of them, for a column named "col123").
    near = [s for s in synonyms if 2 * min(len(s), len(norm)) >= 0.82 * (len(s) + len(norm))]
    if not near:
        return 0.0
    close = difflib.get_close_matches(norm, near, n=1, cutoff=0.82)
    if close:
        return 0.7 * difflib.SequenceMatcher(None, norm, close[0]).ratio()
    return 0.0
