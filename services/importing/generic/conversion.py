"""A mapped generic table in canonical form: ``convert(table, kind, mapping)`` reads each
mapped column as its field's type (emails, dates, amounts with their currency, yes/no...),
fills the kind's canonical columns (services/importing/canonical.py) and gives each
record an id (its id column's, else a stable one from its content), keeps unmapped columns
as attributes, and rejects the rows it cannot read (bad date, negative amount, no
customer...) with the first reason for each.

The steps, in order: check the mapping, read the customer (or the customer reference),
read the kind's own columns, the record ids, the attributes, then the frame and rejects.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from models.errors import UserFacingError
from models.vocab import INTERACTION_KINDS
from services.importing import values
from services.importing.canonical import Batch
from services.importing.consent import tracking_opted_out
from services.importing.contracts import (
    NOTICE_DAYS,
    OPEN,
    OUTCOME_WORDS,
    RENEWED,
    SEATS,
    out_of_range,
    outcomes_from_status,
    read_periods,
    term_ids,
)
from services.importing.generic.fields import GENERIC_SOURCE, fields_for_kind
from services.importing.rejects import RowErrors

if TYPE_CHECKING:
    from services.importing.reader import RawTable

__all__ = ["convert"]

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


def _check_mapping(kind: str, mapping: Mapping[str, str | None], header: Sequence[str]) -> None:
    """Refuse a mapping to a field the kind does not have, two columns mapped to one field,
    or a column the file does not have."""
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
    """Each row's non-empty cells of the unmapped ``columns``, kept as its attributes."""
    if not columns:
        return [None] * len(frame)
    block = frame[columns].astype(object).to_numpy()
    out: list[dict[str, Any] | None] = []
    for row in block:
        d = {c: v for c, v in zip(columns, row, strict=True) if isinstance(v, str) and v.strip()}
        out.append(d or None)
    return out


class _Cells:
    """The mapped columns of one table, read by field. Each reading rejects the rows it
    cannot read (``errors`` keeps the first reason per row); a money field's reading keeps
    the currency its cells named, which ``currency_of`` settles with the currency column."""

    def __init__(self, frame: pd.DataFrame, kind: str, mapping: Mapping[str, str | None]) -> None:
        self.frame = frame
        self.n = len(frame)
        self.specs = {s.name: s for s in fields_for_kind(kind)}
        self.by_field = {f: c for c, f in mapping.items() if f is not None}
        self.errors = RowErrors(self.n)
        # The currency each money field's cells named ("€12.50" -> EUR), by field.
        self.read_currency: dict[str, pd.Series] = {}

    def empty(self) -> pd.Series:
        """A column of None, one per row."""
        return pd.Series(_filled(self.n, None), copy=False)

    def raw(self, field_name: str) -> pd.Series | None:
        """The cells of the column mapped to ``field_name`` as written (None: not mapped)."""
        column = self.by_field.get(field_name)
        return None if column is None else self.frame[column]

    def parsed(self, field_name: str, **kwargs: Any) -> pd.Series:
        """The column mapped to ``field_name`` read as its field's type (None where not
        mapped); rows with a cell it cannot read are rejected."""
        column = self.by_field.get(field_name)
        spec = self.specs[field_name]
        if column is None:
            return self.empty()
        series = self.frame[column]
        vt = spec.value_type
        if vt == "email":
            result, bad = values.normalize_email(series)
        elif vt == "datetime":
            result, bad = values.parse_datetimes(series, **kwargs)
        elif vt == "date":
            result, bad = values.parse_dates(series)
        elif vt == "money":
            result, self.read_currency[field_name], bad = values.parse_money(series)
        elif vt == "number":
            result, bad = values.parse_number(series)
        elif vt == "bool":
            result, bad = values.parse_bool(series)
        else:
            result, bad = values.clean_text(series)
        if bad.any():
            self.errors.add_bad(bad, series, _WHAT.get(vt, "text"), column)
        return result

    def text(self, field_name: str) -> pd.Series:
        """A text field's column, cleaned (see ``parsed``)."""
        return self.parsed(field_name)

    def currency_of(self, amount_field: str) -> np.ndarray[Any, Any]:
        """The currency column where given, else what the amount named (None: none);
        rows whose amount contradicts the column, or whose column is no currency, are
        rejected."""
        column = self.raw("currency")
        codes, unknown, conflict = values.settle_currency(
            column, self.read_currency.get(amount_field)
        )
        if column is not None:
            name = self.by_field["currency"]
            if unknown.any():
                shown = column.astype(str).str.strip()
                self.errors.add(
                    unknown,
                    "unknown currency '" + shown + f"' in column {name} (use a code such as EUR)",
                )
            if conflict.any():
                amount_shown = self.frame[self.by_field[amount_field]].astype(str).str.strip()
                self.errors.add(
                    conflict,
                    "the amount '"
                    + amount_shown
                    + "' is in "
                    + self.read_currency[amount_field].astype(str)
                    + f" but column {name} says "
                    + codes.astype(str)
                    + " (fix one of them)",
                )
        out: np.ndarray[Any, Any] = codes.to_numpy(dtype=object)
        return out


def _customer_columns(cells: _Cells) -> dict[str, Any]:
    """A customers file's columns: id, email, name (whole, or from first and last name),
    company, phone, owner, tier, region, since when, do not contact; a row with neither id
    nor email is rejected."""
    by_field, errors, text, parsed = cells.by_field, cells.errors, cells.text, cells.parsed
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
    out: dict[str, Any] = dict(
        external_id=ext.to_numpy(dtype=object),
        email=email.to_numpy(dtype=object),
        name=name.to_numpy(dtype=object),
        company=text("company").to_numpy(dtype=object),
        phone=(
            values.parse_phone(cells.frame[by_field["phone"]])[0].to_numpy(dtype=object)
            if "phone" in by_field
            else _filled(cells.n, None)
        ),
        owner=text("owner").to_numpy(dtype=object),
        tier=text("tier").to_numpy(dtype=object),
        region=text("region").to_numpy(dtype=object),
        signup_date=parsed("signup_date").to_numpy(dtype=object),
    )
    if dnc is not None:
        out["do_not_contact"] = dnc.fillna(False).to_numpy(dtype=bool)
    if "tracking_opt_out" in by_field:
        out["tracking_opted_out_at"] = tracking_opted_out(parsed("tracking_opt_out"))
    elif "tracking_consent" in by_field:  # consent refused ("no") is an opt-out
        consent = parsed("tracking_consent")
        out["tracking_opted_out_at"] = tracking_opted_out(consent.eq(False) & consent.notna())
    return out


def _customer_ref_columns(cells: _Cells, source: str) -> dict[str, Any]:
    """The customer a record of any other kind belongs to (id, email, name, company, in the
    records' source); a row with neither id nor email is rejected."""
    errors, text, parsed = cells.errors, cells.text, cells.parsed
    cust_id = text("customer_id")
    cust_email = parsed("customer_email")
    errors.add(cust_id.isna() & cust_email.isna(), "no customer id or email")
    return dict(
        customer_source=_filled(cells.n, source),
        customer_external_id=cust_id.to_numpy(dtype=object),
        customer_email=cust_email.to_numpy(dtype=object),
        customer_name=text("customer_name").to_numpy(dtype=object),
        customer_company=text("customer_company").to_numpy(dtype=object),
        guest=np.zeros(cells.n, dtype=bool),
    )


def _order_columns(cells: _Cells) -> dict[str, Any]:
    """An order's date (with its offset), amount and currency, status (paid when no column
    says), channel, category and items; rows with no date or amount, a negative amount or
    a status it does not know are rejected."""
    by_field, errors, n = cells.by_field, cells.errors, cells.n
    text, parsed, raw = cells.text, cells.parsed, cells.raw
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
    out: dict[str, Any] = dict(
        order_date=date,
        utc_offset_minutes=values.event_offsets(raw("order_date")).to_numpy()
        if raw("order_date") is not None
        else None,
        amount_cents=amount,
        currency=cells.currency_of("amount"),
        status=status.fillna("paid").to_numpy(dtype=object),
        channel=text("channel").to_numpy(dtype=object),
        category=text("category").to_numpy(dtype=object),
        items=pd.array(items.round(), dtype="Int64") if "items" in by_field else None,
    )
    if out["items"] is None:
        del out["items"]
    return out


def _interaction_columns(cells: _Cells) -> dict[str, Any]:
    """An interaction's date (with its offset), kind (a note unless it names a known one),
    channel, subject, text, sentiment, rating, status and satisfaction; a row with no date
    is rejected."""
    errors, text, parsed, raw = cells.errors, cells.text, cells.parsed, cells.raw
    when = parsed("occurred_at")
    errors.add(when.isna(), "missing date")
    itype = text("interaction_type").astype(object).str.lower().str.strip()
    itype = itype.str.replace(r"[\s-]+", "_", regex=True)
    known = itype.isin(INTERACTION_KINDS)
    itype = itype.where(known, "note")
    return dict(
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


def _opportunity_columns(cells: _Cells) -> dict[str, Any]:
    """An opportunity's name, type, stage, amount and currency, probability (a percentage
    read as a fraction), dates, closed and won (from the stage when no column says) and
    owner; rows with no name or a negative amount are rejected."""
    by_field, errors, text, parsed = cells.by_field, cells.errors, cells.text, cells.parsed
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
    return dict(
        name=name.to_numpy(dtype=object),
        type=text("type").to_numpy(dtype=object),
        stage=stage.to_numpy(dtype=object),
        amount_cents=amount,
        currency=cells.currency_of("amount"),
        probability=prob.to_numpy(dtype=object),
        created_at=parsed("created_at"),
        close_date=parsed("close_date").to_numpy(dtype=object),
        closed=pd.Series(closed).fillna(False).to_numpy(dtype=bool),
        won=pd.Series(won).fillna(False).to_numpy(dtype=bool),
        owner=text("owner").to_numpy(dtype=object),
    )


def _subscription_columns(cells: _Cells) -> dict[str, Any]:
    """A subscription's plan, status (lower case), dates, whether it cancels at the period's
    end, amount and currency, and interval; rows with no status or a negative amount are
    rejected."""
    errors, text, parsed = cells.errors, cells.text, cells.parsed
    status = text("status")
    errors.add(status.isna(), "missing subscription status")
    amount = parsed("amount")
    errors.add(amount.fillna(0) < 0, "negative amount")
    cape = parsed("cancel_at_period_end")
    return dict(
        plan=text("plan").to_numpy(dtype=object),
        status=status.astype(object).str.lower().to_numpy(dtype=object),
        started_at=parsed("started_at"),
        current_period_end=parsed("current_period_end"),
        canceled_at=parsed("canceled_at"),
        cancel_at_period_end=cape.fillna(False).to_numpy(dtype=bool),
        amount_cents=amount,
        currency=cells.currency_of("amount"),
        interval=text("interval").to_numpy(dtype=object),
    )


def _contract_columns(cells: _Cells) -> dict[str, Any]:
    """A contract term's name, start and end (the renewal date), recurring amount and
    currency, billing period (a year unless a column says), auto-renew, notice days, seats,
    owner, and its outcome: the outcome column's when given, else churned for a cancelled
    term that has ended, else open until a following term shows it renewed. Rows with no
    start or end, an end before the start, a negative amount or a period it cannot read
    are rejected."""
    errors, text, parsed = cells.errors, cells.text, cells.parsed
    start, end = parsed("start_date"), parsed("end_date")
    errors.add(start.isna(), "missing start date")
    errors.add(end.isna(), "missing end date")
    before = [
        isinstance(s, dt.date) and isinstance(e, dt.date) and e < s
        for s, e in zip(start, end, strict=True)
    ]
    errors.add(np.asarray(before, dtype=bool), "the end date is before the start date")
    amount = parsed("amount")
    errors.add(amount.isna(), "missing recurring amount")
    errors.add(amount.fillna(0) < 0, "negative amount")
    raw_period = cells.raw("period")
    if raw_period is not None:
        period, factor, bad = read_periods(raw_period)
        errors.add(
            bad,
            "cannot read '" + raw_period.astype(str).str.strip() + "' as a billing period "
            "(use month, quarter or year)",
        )
        amount = (amount.astype(float) * factor.to_numpy()).round()
    else:
        period = pd.Series(_filled(cells.n, "year"), copy=False)
    notice, seats = parsed("notice_days"), parsed("seats")
    for numbers, bounds, what in ((notice, NOTICE_DAYS, "Notice period (days)"),
                                  (seats, SEATS, "Seats")):  # fmt: skip
        outside, reason = out_of_range(numbers, bounds, what)
        errors.add(outside, reason)
    today = dt.date.today()
    outcome, given = outcomes_from_status(text("status"), end, today)
    if "outcome" in cells.by_field:
        words = text("outcome").fillna("").astype(str).str.strip().str.lower()
        stated = words.map(OUTCOME_WORDS)
        errors.add(
            stated.isna(),
            "unknown outcome '" + words + "' (use renewed, churned or open)",
        )
        named = stated.notna() & (words != "")
        outcome = np.where(named, stated.fillna(OPEN), outcome).astype(object)
        given = given | named.to_numpy(dtype=bool)
    renewed = parsed("renewed_amount")
    errors.add(renewed.fillna(0) < 0, "negative renewed amount")
    has_renewed = renewed.notna().to_numpy(dtype=bool) & (outcome == OPEN)
    outcome = np.where(has_renewed, RENEWED, outcome).astype(object)
    given = given | has_renewed
    ended = np.asarray(outcome != OPEN, dtype=bool)
    auto = parsed("auto_renew")
    return dict(
        name=text("name").to_numpy(dtype=object),
        start_date=start.to_numpy(dtype=object),
        end_date=end.to_numpy(dtype=object),
        amount_cents=amount,
        currency=cells.currency_of("amount"),
        period=period.to_numpy(dtype=object),
        auto_renew=auto.fillna(False).to_numpy(dtype=bool),
        notice_days=_whole(notice),
        seats=_whole(seats),
        outcome=outcome,
        outcome_given=given,
        renewed_amount_cents=renewed.to_numpy(dtype=object),
        decided_on=np.where(ended, end.to_numpy(dtype=object), None),
        owner=text("owner").to_numpy(dtype=object),
    )


def _whole(column: pd.Series) -> np.ndarray[Any, Any]:
    """Numbers rounded to whole ones (None where missing)."""
    numbers = pd.to_numeric(column, errors="coerce").round()
    return np.array([None if pd.isna(v) else int(v) for v in numbers.tolist()], dtype=object)


def _contract_ids(cells: _Cells) -> np.ndarray[Any, Any]:
    """``<contract>@<start>``: the contract id column's, else the customer's (one contract
    a customer), so that the terms of one contract follow each other."""
    start = cells.parsed("start_date")
    if "contract_id" in cells.by_field:
        contract = cells.text("contract_id")
        cells.errors.add(contract.isna(), "missing contract id")
    else:
        customer = cells.text("customer_id")
        email = cells.parsed("customer_email")
        contract = "c:" + customer.fillna(email).fillna("").astype(str)
    return term_ids(contract, start)


def _contact_columns(cells: _Cells) -> dict[str, Any]:
    """A person at an account: name (or first and last), email, title, phone and role
    (services/importing/contact_roles.py reads the CRM's words); a row with neither name
    nor email is rejected."""
    from services.importing.contact_roles import read_roles
    from services.importing.values import email_key

    errors, text, parsed = cells.errors, cells.text, cells.parsed
    name = text("name")
    joined = (text("first_name").fillna("") + " " + text("last_name").fillna("")).str.strip()
    name = name.where(name.notna(), joined.where(joined != "", None))
    email = parsed("email")
    errors.add(name.isna() & email.isna(), "no name or email for the contact")
    keys = [email_key(e) if isinstance(e, str) else None for e in email.tolist()]
    out: dict[str, Any] = dict(
        name=name.to_numpy(dtype=object),
        email=email.to_numpy(dtype=object),
        email_normalized=np.array(keys, dtype=object),
        title=text("title").to_numpy(dtype=object),
        phone=text("phone").to_numpy(dtype=object),
    )
    if "role" in cells.by_field:  # a file that says no role keeps the stored ones
        out["role"] = read_roles(text("role"))[0]
    return out


def _contact_refs(cells: _Cells, source: str, own: dict[str, Any]) -> dict[str, Any]:
    """The account a contact belongs to: the customer fields' when given, else the person
    themselves by their email (their own account, as in a B2C book)."""
    refs = dict(
        customer_source=_filled(cells.n, source),
        customer_external_id=cells.text("customer_id").to_numpy(dtype=object),
        customer_email=cells.parsed("customer_email").to_numpy(dtype=object),
        customer_name=cells.text("customer_name").to_numpy(dtype=object),
        customer_company=cells.text("customer_company").to_numpy(dtype=object),
        guest=np.zeros(cells.n, dtype=bool),
    )
    no_ref = pd.isna(refs["customer_external_id"]) & pd.isna(refs["customer_email"])
    refs["customer_email"] = np.where(no_ref, own["email"], refs["customer_email"])
    no_name = pd.isna(refs["customer_name"]) & no_ref
    refs["customer_name"] = np.where(no_name, own["name"], refs["customer_name"])
    return refs


def _contact_ids(cells: _Cells, own: dict[str, Any]) -> np.ndarray[Any, Any]:
    """A contact's id: its id column's, else its address (stable when their title
    changes), else a stable id from the row's name and account."""
    if "contact_id" in cells.by_field:
        ids = cells.text("contact_id")
        cells.errors.add(ids.isna(), "missing contact id")
        given: np.ndarray[Any, Any] = ids.to_numpy(dtype=object)
        return given
    keyed = ["e:" + k if isinstance(k, str) else None for k in own["email_normalized"]]
    named = _stable_ids([cells.text("customer_id"), pd.Series(own["name"])], "n:")
    return np.array(
        [k if k is not None else n for k, n in zip(keyed, named.tolist(), strict=True)],
        dtype=object,
    )


# Each kind's own columns, after its customer reference (customers have only their own).
_KIND_COLUMNS: dict[str, Callable[[_Cells], dict[str, Any]]] = {
    "orders": _order_columns,
    "interactions": _interaction_columns,
    "opportunities": _opportunity_columns,
    "subscriptions": _subscription_columns,
    "contracts": _contract_columns,
}

# The field holding a record's own id, by kind (a customer's is its customer id).
_ID_FIELD = {
    "orders": "order_id",
    "interactions": "interaction_id",
    "opportunities": "opportunity_id",
    "subscriptions": "subscription_id",
}


def _record_ids(cells: _Cells, kind: str, mapped: list[str]) -> np.ndarray[Any, Any]:
    """The ids of a kind's records other than customers: its id column's where mapped (a
    row with none is rejected), else a stable id from the mapped cells' content."""
    if kind == "contracts":
        return _contract_ids(cells)
    id_field = _ID_FIELD[kind]
    ext_ids: pd.Series
    if id_field in cells.by_field:
        ext_ids = cells.text(id_field)
        cells.errors.add(ext_ids.isna(), f"missing {cells.specs[id_field].title.lower()}")
    else:
        # No id column: a stable id from the row's content, so re-importing is a no-op.
        parts = [cells.frame[c] for c in mapped]
        ext_ids = _stable_ids(parts, "h:") if parts else cells.empty()
    ids: np.ndarray[Any, Any] = ext_ids.to_numpy(dtype=object)
    return ids


def _canonical_frame(out: dict[str, Any], n: int) -> pd.DataFrame:
    """The canonical columns (arrays, Series or lists of ``n`` rows) as one frame."""
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
    return pd.DataFrame(columns, index=index, copy=False)


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
    frame = table.frame.reset_index(drop=True)
    rows_no = np.asarray(table.row_numbers, dtype=np.int64)
    n = len(frame)
    file = table.file_name
    cells = _Cells(frame, kind, mapping)
    out: dict[str, Any] = {"row": rows_no, "source": _filled(n, source)}
    if kind == "customers":
        out.update(_customer_columns(cells))
    elif kind == "contacts":
        own = _contact_columns(cells)
        out.update(_contact_refs(cells, source, own))
        out.update(own)
        out["external_id"] = _contact_ids(cells, own)
    else:
        out.update(_customer_ref_columns(cells, source))
        out.update(_KIND_COLUMNS[kind](cells))
        mapped = [c for c in table.header if mapping.get(c) is not None]
        out["external_id"] = _record_ids(cells, kind, mapped)
    unmapped = [c for c in table.header if mapping.get(c) is None]
    out["attributes"] = _attributes(frame, unmapped)

    errors = cells.errors
    ok = errors.ok
    canonical = _canonical_frame(out, n)
    if not ok.all():
        canonical = canonical.loc[ok].reset_index(drop=True)
    rejects = errors.rejects(file, rows_no)
    batch = Batch(
        file=str(table.path),
        detected_format=detected_format or f"generic_{kind}",
        frames={kind: canonical} if len(canonical) else {},
        rejects=rejects,
        rows_read=n,
    )
    return batch
