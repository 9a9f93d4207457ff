"""Generic files: any header, mapped to canonical fields by name similarity and content.

``suggest_mapping(table, kind)`` proposes a canonical field for each column with a score;
``infer_kind(table)`` picks customers / orders / interactions / opportunities /
subscriptions when the user did not say; ``convert(table, kind, mapping)`` turns the table
into a canonical Batch, rejecting rows it cannot read (bad date, negative amount, no
customer...). A mapping is ``{column: field or None}``; unmapped columns go to attributes.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from models.errors import UserFacingError
from models.vocab import INTERACTION_KINDS
from services.importing import values
from services.importing.canonical import Batch, Reject
from services.importing.types import ColumnGuess, FieldSpec

if TYPE_CHECKING:
    from services.importing.reader import RawTable

__all__ = [
    "CONFIDENT",
    "FIELDS",
    "GENERIC_SOURCE",
    "MappingSuggestion",
    "convert",
    "fields_for_kind",
    "header_key",
    "infer_kind",
    "suggest_mapping",
]

GENERIC_SOURCE = "generic"
CONFIDENT = 0.75  # a required field matched at least this well needs no mapping step
_SAMPLE = 200


def _f(name: str, title: str, kind: str, required: bool, value_type: str) -> FieldSpec:
    return FieldSpec(name=name, title=title, kind=kind, required=required, value_type=value_type)


def _customer_ref(kind: str) -> tuple[FieldSpec, ...]:
    return (
        _f("customer_id", "Customer ID", kind, False, "id"),
        _f("customer_email", "Customer email", kind, False, "email"),
        _f("customer_name", "Customer name", kind, False, "text"),
        _f("customer_company", "Customer company", kind, False, "text"),
    )


FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "customers": (
        _f("customer_id", "Customer ID", "customers", False, "id"),
        _f("email", "Email", "customers", False, "email"),
        _f("name", "Full name", "customers", False, "text"),
        _f("first_name", "First name", "customers", False, "text"),
        _f("last_name", "Last name", "customers", False, "text"),
        _f("company", "Company", "customers", False, "text"),
        _f("phone", "Phone", "customers", False, "text"),
        _f("owner", "Account owner", "customers", False, "text"),
        _f("tier", "Tier", "customers", False, "text"),
        _f("region", "Region", "customers", False, "text"),
        _f("signup_date", "Customer since", "customers", False, "date"),
        _f("do_not_contact", "Do not contact", "customers", False, "bool"),
    ),
    "orders": _customer_ref("orders")
    + (
        _f("order_id", "Order ID", "orders", False, "id"),
        _f("order_date", "Order date", "orders", True, "datetime"),
        _f("amount", "Amount", "orders", True, "money"),
        _f("currency", "Currency", "orders", False, "text"),
        _f("status", "Status", "orders", False, "text"),
        _f("channel", "Channel", "orders", False, "text"),
        _f("category", "Category", "orders", False, "text"),
        _f("items", "Items", "orders", False, "number"),
    ),
    "interactions": _customer_ref("interactions")
    + (
        _f("interaction_id", "Interaction ID", "interactions", False, "id"),
        _f("occurred_at", "Date", "interactions", True, "datetime"),
        _f("interaction_type", "Type", "interactions", False, "text"),
        _f("channel", "Channel", "interactions", False, "text"),
        _f("subject", "Subject", "interactions", False, "text"),
        _f("text", "Text", "interactions", False, "text"),
        _f("sentiment", "Sentiment (-1..1)", "interactions", False, "number"),
        _f("rating", "Rating", "interactions", False, "number"),
        _f("status", "Status", "interactions", False, "text"),
        _f("satisfaction", "Satisfaction", "interactions", False, "text"),
    ),
    "opportunities": _customer_ref("opportunities")
    + (
        _f("opportunity_id", "Opportunity ID", "opportunities", False, "id"),
        _f("name", "Opportunity name", "opportunities", True, "text"),
        _f("type", "Type", "opportunities", False, "text"),
        _f("stage", "Stage", "opportunities", False, "text"),
        _f("amount", "Amount", "opportunities", False, "money"),
        _f("currency", "Currency", "opportunities", False, "text"),
        _f("probability", "Probability", "opportunities", False, "number"),
        _f("created_at", "Created", "opportunities", False, "datetime"),
        _f("close_date", "Close date", "opportunities", False, "date"),
        _f("closed", "Closed", "opportunities", False, "bool"),
        _f("won", "Won", "opportunities", False, "bool"),
        _f("owner", "Owner", "opportunities", False, "text"),
    ),
    "subscriptions": _customer_ref("subscriptions")
    + (
        _f("subscription_id", "Subscription ID", "subscriptions", False, "id"),
        _f("plan", "Plan", "subscriptions", False, "text"),
        _f("status", "Status", "subscriptions", True, "text"),
        _f("started_at", "Started", "subscriptions", False, "datetime"),
        _f("current_period_end", "Current period end", "subscriptions", False, "datetime"),
        _f("canceled_at", "Canceled at", "subscriptions", False, "datetime"),
        _f("cancel_at_period_end", "Cancels at period end", "subscriptions", False, "bool"),
        _f("amount", "Amount", "subscriptions", False, "money"),
        _f("currency", "Currency", "subscriptions", False, "text"),
        _f("interval", "Interval", "subscriptions", False, "text"),
    ),
}

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
}

# Fields whose presence decides the kind of a file.
_SIGNATURE: dict[str, tuple[tuple[str, ...], ...]] = {
    "orders": (("order_date", "amount"),),
    "opportunities": (("name", "stage"), ("name", "close_date"), ("stage", "close_date")),
    "subscriptions": (("plan", "status"), ("status", "current_period_end"), ("interval",)),
    "interactions": (("occurred_at", "interaction_type"), ("occurred_at", "subject")),
    "customers": (("email",), ("customer_id",), ("name",)),
}

_ORDER_STATUS = {
    **dict.fromkeys(
        (
            "paid",
            "complete",
            "completed",
            "fulfilled",
            "shipped",
            "delivered",
            "closed",
            "success",
            "successful",
            "succeeded",
            "settled",
            "captured",
            "ok",
            "done",
            "partially_refunded",
            "partially refunded",
            "approved",
            "sale",
        ),
        "paid",
    ),
    **dict.fromkeys(("refunded", "refund", "returned", "return", "chargeback"), "refunded"),
    **dict.fromkeys(
        ("cancelled", "canceled", "void", "voided", "failed", "declined", "cancel"),
        "cancelled",
    ),
    **dict.fromkeys(
        (
            "pending",
            "open",
            "processing",
            "unpaid",
            "authorized",
            "awaiting payment",
            "new",
            "on hold",
            "on-hold",
            "partially_paid",
            "partially paid",
        ),
        "pending",
    ),
}


def fields_for_kind(kind: str) -> tuple[FieldSpec, ...]:
    """The canonical fields a generic column can map to, for one kind."""
    try:
        return FIELDS[kind]
    except KeyError:
        raise UserFacingError(
            f"'{kind}' is not a kind of data Account Radar imports; choose one of "
            f"{', '.join(FIELDS)}."
        ) from None


def _norm(name: str) -> str:
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(name).replace("\ufeff", ""))
    text = re.sub(r"[^0-9a-z%]+", " ", text.lower())
    return " ".join(text.split())


def header_key(header: Sequence[str]) -> str:
    """The signature of a header (sha256 of its normalised names) for mapping profiles."""
    joined = "\x1f".join(_norm(h) for h in header)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


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
}


# Past this many columns, names are matched exactly or by whole words only: near-miss
# spelling (difflib) costs about a millisecond per column, too much for a file of 10,000.
MAX_FUZZY_COLUMNS = 300
# Only this many columns have their values looked at for what they hold (emails, dates,
# amounts) when no name says it; a column whose name matches a field is always checked.
# Bounds the work on a very wide file (a date parser costs milliseconds per column).
MAX_SNIFFED_COLUMNS = 300


def _synonyms(field_name: str, kind: str = "") -> tuple[str, ...]:
    return _KIND_SYNONYMS.get(
        (kind, field_name), _SYNONYMS.get(field_name, (field_name.replace("_", " "),))
    )


@functools.lru_cache(maxsize=65536)
def _norm_cached(column: str) -> str:
    return _norm(column)


@functools.lru_cache(maxsize=262144)
def _synonym_score(norm: str, synonyms: tuple[str, ...], fuzzy: bool = True) -> float:
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


_SHARES: dict[tuple[int, str], tuple[pd.Series, float]] = {}


def _content_share(sample: pd.Series, value_type: str) -> float:
    """Share of sample values that read as ``value_type`` (1.0 for text and ids)."""
    # Every kind asks about the same columns: remember the answer per sample object.
    key = (id(sample), value_type)
    hit = _SHARES.get(key)
    if hit is not None and hit[0] is sample:
        return hit[1]
    share = _compute_share(sample, value_type)
    if len(_SHARES) > 4096:
        _SHARES.clear()
    _SHARES[key] = (sample, share)
    return share


def _compute_share(sample: pd.Series, value_type: str) -> float:
    if sample.empty or value_type in ("text", "id"):
        return 1.0
    if value_type == "email":
        _parsed, bad = values.normalize_email(sample)
    elif value_type in ("date", "datetime"):
        _parsed, bad = values.parse_datetimes(sample)
    elif value_type == "money":
        _parsed, bad = values.parse_money_cents(sample)
    elif value_type == "number":
        _parsed, bad = values.parse_number(sample)
    elif value_type == "bool":
        _parsed, bad = values.parse_bool(sample)
    else:
        return 1.0
    return float(1.0 - bad.mean())


# Cheap looks before the parsers: a value with no "@" is no email, one with no digit is no
# date or amount, and plain whole numbers of up to four digits are counts, not dates.
_NO_DIGIT = re.compile(r"^\D*$")
_SMALL_WHOLE = re.compile(r"^\d{1,4}$")


_MONEY_LOOK = re.compile(r"[.,]\d{2}\b|[$€£¥]|\b[A-Z]{3}\b")


def _could_be(texts: list[str], value_type: str) -> bool:
    """False when a cheap look (plain Python over the small sample) rules ``value_type``
    out for 95% of the sample, before any parser runs."""
    need = 0.95 * len(texts)
    if value_type == "email":
        return sum(1 for t in texts if "@" in t) >= need
    if sum(1 for t in texts if not _NO_DIGIT.match(t)) < need:
        return False
    if value_type in ("date", "datetime"):
        return sum(1 for t in texts if not _SMALL_WHOLE.match(t)) >= need
    if value_type == "money":
        # Amounts show cents or a currency; plain whole numbers are counts or ids.
        return sum(1 for t in texts if _MONEY_LOOK.search(t)) > 0.5 * len(texts)
    return True


_LOOKS: dict[int, tuple[pd.Series, str | None]] = {}


def _looks_like(sample: pd.Series) -> str | None:
    """What a column's values look like: "email", "datetime", "money", or None (remembered
    per sample: every kind asks about the same columns)."""
    hit = _LOOKS.get(id(sample))
    if hit is not None and hit[0] is sample:
        return hit[1]
    looks = _look(sample)
    if len(_LOOKS) > 65536:
        _LOOKS.clear()
    _LOOKS[id(sample)] = (sample, looks)
    return looks


def _look(sample: pd.Series) -> str | None:
    if sample.empty:
        return None
    texts = [str(v) for v in sample.tolist()]
    for value_type in ("email", "datetime", "money"):
        if not _could_be(texts, value_type):
            continue
        if _content_share(sample, value_type) >= 0.95:
            if value_type == "money" and not sample.str.contains(r"[.,]\d{2}\b|[$€£]").mean() > 0.5:
                continue
            return value_type
    return None


@dataclass(frozen=True)
class MappingSuggestion:
    """A suggested mapping for one kind, its columns' guesses, and whether it is sure."""

    kind: str
    guesses: tuple[ColumnGuess, ...]
    confident: bool
    unmapped_required: tuple[str, ...]  # required fields no column matched well
    score: float  # how well the file fits this kind

    @property
    def mapping(self) -> dict[str, str | None]:
        """{column: field or None}."""
        return {g.column: g.field for g in self.guesses}


def _samples(frame: pd.DataFrame, column: str) -> pd.Series:
    """Up to _SAMPLE non-empty values from the top of a column (cheap on big files)."""
    head = [v for v in frame[column].head(20 * _SAMPLE).tolist() if isinstance(v, str)]
    return pd.Series([v for v in head if v.strip()][:_SAMPLE], dtype=object)


def suggest_mapping(
    table: RawTable, kind: str, samples: dict[str, pd.Series] | None = None
) -> MappingSuggestion:
    """Suggest a field for every column of a generic table, for one kind."""
    specs = fields_for_kind(kind)
    frame = table.frame
    if samples is None:
        samples = {c: _samples(frame, c) for c in table.header}
    candidates: list[tuple[float, int, str, str]] = []  # (score, column order, column, field)
    fuzzy = len(table.header) <= MAX_FUZZY_COLUMNS
    # Each field's synonyms once per call, each column's normalised name once: a file of
    # 10,000 columns asks about every field of every kind (hundreds of thousands of pairs).
    synonyms_of = [(spec, _synonyms(spec.name, kind)) for spec in specs]
    for order, column in enumerate(table.header):
        sample = samples[column]
        looks = None
        norm = _norm_cached(column)
        for spec, synonyms in synonyms_of:
            score = _synonym_score(norm, synonyms, fuzzy)
            if score > 0:
                share = _content_share(sample, spec.value_type)
                if share < 0.5:
                    score *= 0.3  # the name says date, the values say otherwise
                elif share < 0.8:
                    score *= 0.85  # a few bad cells: they will be rejected
                candidates.append((score, -order, column, spec.name))
            elif order < MAX_SNIFFED_COLUMNS:
                if looks is None:
                    looks = _looks_like(sample) or ""
                if looks and spec.required and spec.value_type in (looks, "date"):
                    dated = looks == "datetime" and spec.value_type in ("date", "datetime")
                    if dated or looks == spec.value_type:
                        candidates.append((0.5, -order, column, spec.name))
                elif looks == "email" and spec.value_type == "email":
                    candidates.append((0.6, -order, column, spec.name))
    candidates.sort(reverse=True)
    chosen: dict[str, tuple[str, float]] = {}
    taken: set[str] = set()
    for score, _order, column, field_name in candidates:
        if column in chosen or field_name in taken or score < 0.3:
            continue
        chosen[column] = (field_name, score)
        taken.add(field_name)
    # Customers: an email column is enough of an id; names may come in two parts.
    guesses = tuple(
        ColumnGuess(
            column=c,
            field=chosen[c][0] if c in chosen else None,
            score=round(chosen[c][1], 2) if c in chosen else 0.0,
            samples=tuple(samples[c].tolist()[:5]),  # not .head(5): 50,000 of those took 3 s
        )
        for c in table.header
    )
    by_field = {g.field: g.score for g in guesses if g.field}
    missing = tuple(s.name for s in specs if s.required and by_field.get(s.name, 0.0) < CONFIDENT)
    has_customer = any(
        by_field.get(f, 0.0) >= CONFIDENT for f in ("customer_id", "customer_email", "email")
    )
    if kind != "customers" and not has_customer:
        missing += ("customer_id or customer_email",)
    if kind == "customers" and not has_customer:
        missing += ("customer_id or email",)
    signature = max(
        (min(by_field.get(f, 0.0) for f in group) for group in _SIGNATURE.get(kind, ())),
        default=0.0,
    )
    mapped = sum(by_field.values())
    score = signature * 10 + mapped - 2 * len(missing)
    return MappingSuggestion(
        kind=kind,
        guesses=guesses,
        confident=not missing,
        unmapped_required=missing,
        score=score,
    )


def infer_kind(table: RawTable) -> MappingSuggestion:
    """The best-fitting kind for a generic table, with its suggested mapping."""
    samples = {c: _samples(table.frame, c) for c in table.header}
    suggestions = [suggest_mapping(table, k, samples) for k in FIELDS]
    order = {
        k: i
        for i, k in enumerate(
            ("orders", "subscriptions", "opportunities", "interactions", "customers")
        )
    }
    # Customers last among equals: a list with an amount column is probably not customers.
    best = max(suggestions, key=lambda s: (s.confident, s.score, -order[s.kind]))
    return best


# --- conversion ---------------------------------------------------------------------------


def _check_mapping(kind: str, mapping: Mapping[str, str | None], header: Sequence[str]) -> None:
    names = {s.name for s in fields_for_kind(kind)}
    seen: dict[str, str] = {}
    for column, field_name in mapping.items():
        if field_name is None:
            continue
        if field_name not in names:
            raise UserFacingError(
                f"'{field_name}' is not a field of {kind} (column '{column}'); choose one of "
                f"{', '.join(sorted(names))}."
            )
        if field_name in seen:
            raise UserFacingError(
                f"Two columns, '{seen[field_name]}' and '{column}', are mapped to the same "
                f"field '{field_name}'; map one of them to nothing (keep in attributes)."
            )
        seen[field_name] = column
    missing = [c for c in mapping if c not in header and mapping[c] is not None]
    if missing:
        raise UserFacingError(
            f"The mapping names column(s) the file does not have: {', '.join(missing)}."
        )


class _Rows:
    """The first reason each row is rejected."""

    def __init__(self, n: int) -> None:
        self.reasons = np.full(n, None, dtype=object)

    def add(self, mask: Any, reason: str | pd.Series) -> None:
        hit = np.asarray(mask, dtype=bool) & pd.isna(self.reasons)
        if not hit.any():
            return
        if isinstance(reason, str):
            self.reasons[hit] = reason
        else:
            self.reasons[hit] = reason.astype(object).to_numpy()[hit]

    @property
    def ok(self) -> np.ndarray[Any, np.dtype[np.bool_]]:
        return np.asarray(pd.isna(self.reasons), dtype=bool)


def _bad_reason(raw: pd.Series, what: str, column: str) -> pd.Series:
    shown = raw.astype(str).str.strip().str.slice(0, 60)
    return "cannot read '" + shown + f"' as {what} ({column})"


_WHAT = {
    "email": "an email address",
    "date": "a date",
    "datetime": "a date",
    "money": "an amount",
    "number": "a number",
    "bool": "yes/no",
}


def _stable_ids(parts: list[pd.Series], prefix: str) -> pd.Series:
    """Deterministic ids from row content; identical rows get ":2", ":3"... in file order."""
    if not parts:
        return pd.Series([], dtype=object)
    joined = parts[0].astype(str)
    for p in parts[1:]:
        joined = joined + "\x1f" + p.astype(str)
    digests = joined.map(lambda t: hashlib.sha1(t.encode("utf-8")).hexdigest()[:20])
    occurrence = digests.groupby(digests).cumcount() + 1
    ids = prefix + digests
    return ids.where(occurrence == 1, ids + ":" + occurrence.astype(str))


def _filled(n: int, value: Any) -> np.ndarray[Any, Any]:
    """An object array of ``value`` (np.full is several times slower for objects)."""
    out = np.empty(n, dtype=object)
    if value is not None:
        out[:] = value
    return out


def _attributes(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any] | None]:
    if not columns:
        return [None] * len(frame)
    block = frame[columns].astype(object).to_numpy()
    out: list[dict[str, Any] | None] = []
    for row in block:
        d = {c: v for c, v in zip(columns, row, strict=True) if isinstance(v, str) and v.strip()}
        out.append(d or None)
    return out


def convert(
    table: RawTable,
    kind: str,
    mapping: Mapping[str, str | None],
    *,
    source: str = GENERIC_SOURCE,
    detected_format: str | None = None,
) -> Batch:
    """A generic table in canonical form, by ``mapping`` ({column: field or None})."""
    _check_mapping(kind, mapping, table.header)
    specs = {s.name: s for s in fields_for_kind(kind)}
    frame = table.frame.reset_index(drop=True)
    rows_no = np.asarray(table.row_numbers, dtype=np.int64)
    n = len(frame)
    file = table.file_name
    by_field = {f: c for c, f in mapping.items() if f is not None}
    errors = _Rows(n)
    out: dict[str, Any] = {"row": rows_no, "source": _filled(n, source)}
    # The currency each money field's cells named ("€12.50" -> EUR), by field.
    read_currency: dict[str, pd.Series] = {}

    def empty() -> pd.Series:
        return pd.Series(_filled(n, None), copy=False)

    def raw(field_name: str) -> pd.Series | None:
        column = by_field.get(field_name)
        return None if column is None else frame[column]

    def parsed(field_name: str, **kwargs: Any) -> pd.Series:
        column = by_field.get(field_name)
        spec = specs[field_name]
        if column is None:
            return empty()
        series = frame[column]
        vt = spec.value_type
        if vt == "email":
            result, bad = values.normalize_email(series)
        elif vt == "datetime":
            result, bad = values.parse_datetimes(series, **kwargs)
        elif vt == "date":
            result, bad = values.parse_dates(series)
        elif vt == "money":
            result, read_currency[field_name], bad = values.parse_money(series)
        elif vt == "number":
            result, bad = values.parse_number(series)
        elif vt == "bool":
            result, bad = values.parse_bool(series)
        else:
            result, bad = values.clean_text(series)
        if bad.any():
            errors.add(bad, _bad_reason(series, _WHAT.get(vt, "text"), column))
        return result

    def text(field_name: str) -> pd.Series:
        return parsed(field_name)

    def currency_of(amount_field: str) -> np.ndarray[Any, Any]:
        """The currency column where given, else what the amount named (None: none);
        rows whose amount contradicts the column, or whose column is no currency, are
        rejected."""
        column = raw("currency")
        codes, unknown, conflict = values.settle_currency(column, read_currency.get(amount_field))
        if column is not None:
            name = by_field["currency"]
            shown = column.astype(str).str.strip()
            if unknown.any():
                errors.add(
                    unknown,
                    "unknown currency '" + shown + f"' in column {name} (use a code such as EUR)",
                )
            if conflict.any():
                amount_shown = frame[by_field[amount_field]].astype(str).str.strip()
                errors.add(
                    conflict,
                    "the amount '"
                    + amount_shown
                    + "' is in "
                    + read_currency[amount_field].astype(str)
                    + f" but column {name} says "
                    + codes.astype(str)
                    + " (fix one of them)",
                )
        out: np.ndarray[Any, Any] = codes.to_numpy(dtype=object)
        return out

    if kind == "customers":
        ext = text("customer_id")
        email = parsed("email")
        name = text("name")
        if by_field.get("name") is None and ("first_name" in by_field or "last_name" in by_field):
            first = text("first_name").fillna("").astype(str)
            last = text("last_name").fillna("").astype(str)
            full = (first + " " + last).str.strip()
            name = full.where(full != "", None)
        errors.add(ext.isna() & email.isna(), "no customer id or email")
        dnc = parsed("do_not_contact") if "do_not_contact" in by_field else None
        out.update(
            external_id=ext.to_numpy(dtype=object),
            email=email.to_numpy(dtype=object),
            name=name.to_numpy(dtype=object),
            company=text("company").to_numpy(dtype=object),
            phone=(
                values.parse_phone(frame[by_field["phone"]])[0].to_numpy(dtype=object)
                if "phone" in by_field
                else _filled(n, None)
            ),
            owner=text("owner").to_numpy(dtype=object),
            tier=text("tier").to_numpy(dtype=object),
            region=text("region").to_numpy(dtype=object),
            signup_date=parsed("signup_date").to_numpy(dtype=object),
        )
        if dnc is not None:
            out["do_not_contact"] = dnc.fillna(False).to_numpy(dtype=bool)
        id_prefix = "c:"
    else:
        cust_id = text("customer_id")
        cust_email = parsed("customer_email")
        errors.add(cust_id.isna() & cust_email.isna(), "no customer id or email")
        out.update(
            customer_source=_filled(n, source),
            customer_external_id=cust_id.to_numpy(dtype=object),
            customer_email=cust_email.to_numpy(dtype=object),
            customer_name=text("customer_name").to_numpy(dtype=object),
            customer_company=text("customer_company").to_numpy(dtype=object),
            guest=np.zeros(n, dtype=bool),
        )
        id_prefix = ""
    id_field = {
        "customers": None,
        "orders": "order_id",
        "interactions": "interaction_id",
        "opportunities": "opportunity_id",
        "subscriptions": "subscription_id",
    }[kind]

    if kind == "orders":
        date = parsed("order_date")
        errors.add(date.isna(), "missing order date")
        amount = parsed("amount")
        errors.add(amount.isna(), "missing amount")
        negative = amount.fillna(0) < 0
        if negative.any():
            shown = raw("amount")
            assert shown is not None
            errors.add(
                negative,
                "negative amount '"
                + shown.astype(str).str.strip()
                + "' (a refund is an order status, not a negative amount)",
            )
        status_raw = text("status")
        if "status" in by_field:
            status = status_raw.astype(object).str.lower().str.strip().map(_ORDER_STATUS)
            unknown = status_raw.notna() & status.isna()
        else:
            status = pd.Series(_filled(n, "paid"), copy=False)
            unknown = pd.Series(False, index=status.index)
        if unknown.any():
            errors.add(
                unknown,
                "unknown order status '"
                + status_raw.astype(str)
                + "' (use paid, refunded, cancelled or pending)",
            )
        items = parsed("items")
        out.update(
            order_date=date,
            utc_offset_minutes=values.event_offsets(raw("order_date")).to_numpy()
            if raw("order_date") is not None
            else None,
            amount_cents=amount,
            currency=currency_of("amount"),
            status=status.fillna("paid").to_numpy(dtype=object),
            channel=text("channel").to_numpy(dtype=object),
            category=text("category").to_numpy(dtype=object),
            items=pd.array(items.round(), dtype="Int64") if "items" in by_field else None,
        )
        if out["items"] is None:
            del out["items"]
    elif kind == "interactions":
        when = parsed("occurred_at")
        errors.add(when.isna(), "missing date")
        itype = text("interaction_type").astype(object).str.lower().str.strip()
        itype = itype.str.replace(r"[\s-]+", "_", regex=True)
        known = itype.isin(INTERACTION_KINDS)
        itype = itype.where(known, "note")
        out.update(
            kind=itype.to_numpy(dtype=object),
            occurred_at=when,
            utc_offset_minutes=values.event_offsets(raw("occurred_at")).to_numpy()
            if raw("occurred_at") is not None
            else None,
            channel=text("channel").to_numpy(dtype=object),
            subject=text("subject").to_numpy(dtype=object),
            text=text("text").to_numpy(dtype=object),
            sentiment=parsed("sentiment").to_numpy(dtype=object),
            rating=parsed("rating").to_numpy(dtype=object),
            status=text("status").to_numpy(dtype=object),
            satisfaction=text("satisfaction").to_numpy(dtype=object),
        )
    elif kind == "opportunities":
        name = text("name")
        errors.add(name.isna(), "missing opportunity name")
        amount = parsed("amount")
        errors.add(amount.fillna(0) < 0, "negative amount")
        prob = parsed("probability")
        prob = prob.where(prob.isna() | (prob <= 1), prob / 100.0)
        stage = text("stage")
        stage_l = stage.fillna("").astype(str).str.lower()
        closed = parsed("closed") if "closed" in by_field else stage_l.str.contains("closed")
        won = parsed("won") if "won" in by_field else stage_l.str.contains("won")
        out.update(
            name=name.to_numpy(dtype=object),
            type=text("type").to_numpy(dtype=object),
            stage=stage.to_numpy(dtype=object),
            amount_cents=amount,
            currency=currency_of("amount"),
            probability=prob.to_numpy(dtype=object),
            created_at=parsed("created_at"),
            close_date=parsed("close_date").to_numpy(dtype=object),
            closed=pd.Series(closed).fillna(False).to_numpy(dtype=bool),
            won=pd.Series(won).fillna(False).to_numpy(dtype=bool),
            owner=text("owner").to_numpy(dtype=object),
        )
    elif kind == "subscriptions":
        status = text("status")
        errors.add(status.isna(), "missing subscription status")
        amount = parsed("amount")
        errors.add(amount.fillna(0) < 0, "negative amount")
        cape = parsed("cancel_at_period_end")
        out.update(
            plan=text("plan").to_numpy(dtype=object),
            status=status.astype(object).str.lower().to_numpy(dtype=object),
            started_at=parsed("started_at"),
            current_period_end=parsed("current_period_end"),
            canceled_at=parsed("canceled_at"),
            cancel_at_period_end=cape.fillna(False).to_numpy(dtype=bool),
            amount_cents=amount,
            currency=currency_of("amount"),
            interval=text("interval").to_numpy(dtype=object),
        )

    ext_ids: pd.Series
    if id_field is not None and id_field in by_field:
        ext_ids = text(id_field)
        errors.add(ext_ids.isna(), f"missing {specs[id_field].title.lower()}")
    elif kind == "customers":
        ext_ids = pd.Series(out["external_id"], dtype=object)
    else:
        # No id column: a stable id from the row's content, so re-importing is a no-op.
        parts = [frame[c] for c in table.header if mapping.get(c) is not None]
        ext_ids = _stable_ids(parts, id_prefix or "h:") if parts else empty()
    if kind != "customers":
        out["external_id"] = ext_ids.to_numpy(dtype=object)
    unmapped = [c for c in table.header if mapping.get(c) is None]
    out["attributes"] = _attributes(frame, unmapped)

    ok = errors.ok
    index = pd.RangeIndex(n)
    columns: dict[str, Any] = {}
    # copy=False: the arrays were built for this frame (pandas would copy each again).
    for k, v in out.items():
        if isinstance(v, pd.Series):
            columns[k] = v.set_axis(index)
        elif isinstance(v, list):
            columns[k] = pd.Series(v, index=index, dtype=object)
        else:
            columns[k] = pd.Series(v, index=index, copy=False)
    canonical = pd.DataFrame(columns, index=index, copy=False)
    if not ok.all():
        canonical = canonical.loc[ok].reset_index(drop=True)
    rejects = [
        Reject(file=file, row=int(rows_no[i]), reason=str(errors.reasons[i]))
        for i in np.flatnonzero(~ok)
    ]
    batch = Batch(
        file=str(table.path),
        detected_format=detected_format or f"generic_{kind}",
        frames={kind: canonical} if len(canonical) else {},
        rejects=rejects,
        rows_read=n,
    )
    return batch


def mapping_json(kind: str, mapping: Mapping[str, str | None], source: str) -> dict[str, Any]:
    """The JSON stored in a mapping profile."""
    return {"kind": kind, "source": source, "columns": dict(mapping)}


def dumps(value: Any) -> str:
    """JSON text (used for stable comparisons)."""
    return json.dumps(value, sort_keys=True)
