"""Shopify orders export (Admin > Orders > Export, plain CSV) -> orders.

The export has one row per line item. Rows are grouped by ``Name`` (#1001): order-level
fields (Financial Status, Total, Cancelled at...) are only on an order's first row, and
continuation rows repeat Name, Email and Created at. Status:

- cancelled: "Cancelled at" is set (whatever the financial status: voided, refunded);
- paid: Financial Status paid or partially_refunded; the amount is the net paid
  (Total - Refunded Amount), the gross Total and the refunded amount stay in attributes;
- refunded: Financial Status refunded (amount = the gross Total);
- cancelled also for a voided payment; anything else (pending, authorized...) is pending.

Orders without an email are guest checkouts (``guest`` True). Line items are kept in the
order's attributes ("Lineitems": one dict per line), with every order-level column the
canonical form does not hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from services.importing import values
from services.importing.canonical import Batch
from services.importing.formats._base import (
    BaseAdapter,
    Columns,
    RowErrors,
    attribute_dicts,
    norm_header,
    settled_currency,
)

if TYPE_CHECKING:
    from services.importing.reader import RawTable

# Columns that describe one line item (everything else describes the order).
_LINE_PREFIX = "lineitem "
_LINE_COLUMNS = {"vendor"}
# Columns that may give a line item's product category (Shopify's plain export has none;
# apps and re-exports add one).
_CATEGORY_COLUMNS = (
    "Lineitem product type",
    "Lineitem category",
    "Product Type",
    "Product Category",
    "Lineitem product category",
)
_CHANNELS = {"pos": "store", "iphone": "app", "android": "app", "shopify_mobile": "app"}


class ShopifyOrders(BaseAdapter):
    """Shopify orders export: line items grouped into orders."""

    name = "shopify_orders"
    title = "Shopify orders export"
    kinds = ("orders",)
    source = "shopify"
    required = (
        ("Name", "Email", "Financial Status", "Created at", "Lineitem quantity", "Total"),
        ("Name", "Email", "Financial Status", "Created at", "Lineitem name", "Total"),
    )

    def convert(self, table: RawTable) -> Batch:  # noqa: PLR0915
        """One order per Name, in canonical form."""
        frame, rows = self.data_of(table)
        file = self.file_of(table)
        cols = Columns(frame)
        n = len(frame)
        errors = RowErrors(n)

        # --- line items ------------------------------------------------------------------
        name = cols.get("Name").astype(str).str.strip()
        errors.add(name == "", "missing order name (Name)")
        qty_text = cols.get("Lineitem quantity", use=False)
        quantity, bad_qty = values.parse_int(qty_text)
        errors.add_bad(bad_qty, qty_text, "a quantity", "Lineitem quantity")
        qty = quantity.fillna(0).to_numpy(dtype="int64")
        errors.add(qty < 0, "negative quantity (Lineitem quantity)")
        price, _ = values.parse_money_cents(cols.get("Lineitem price", use=False))

        codes = pd.factorize(name.where(name != "", None), use_na_sentinel=True)[0]
        in_order = codes >= 0
        m = int(codes.max()) + 1 if in_order.any() else 0
        positions = np.flatnonzero(in_order)
        # Each order's first row (first appearance in the file).
        first_pos = np.full(m, -1, dtype=np.int64)
        first_pos[codes[positions][::-1]] = positions[::-1]
        # The row holding the order-level fields: the first one with a Financial Status or
        # a Total (the first row in a Shopify export; any row if the file was re-sorted).
        level = (cols.get("Financial Status", use=False) != "") | (
            cols.get("Total", use=False) != ""
        )
        level_rows = np.flatnonzero(level.to_numpy(dtype=bool) & in_order)
        level_pos = first_pos.copy()
        level_pos[codes[level_rows][::-1]] = level_rows[::-1]

        # --- order-level values ----------------------------------------------------------
        line_cols = [
            str(c)
            for c in frame.columns
            if norm_header(c).startswith(_LINE_PREFIX) or norm_header(c) in _LINE_COLUMNS
        ]
        order_cols = [str(c) for c in frame.columns if str(c) not in line_cols]
        first = frame.iloc[level_pos][order_cols].reset_index(drop=True)
        # Continuation rows repeat Name, Email and Created at: fill them in if the
        # order-level row lacks them.
        for repeated in ("Email", "Created at"):
            column = cols.name(repeated)
            if column is None:
                continue
            cells = frame[column].to_numpy(dtype=object)
            missing = first[column].to_numpy(dtype=object) == ""
            if missing.any():
                filled_rows = np.flatnonzero((cells != "") & in_order)
                any_pos = np.full(m, -1, dtype=np.int64)
                any_pos[codes[filled_rows][::-1]] = filled_rows[::-1]
                fill = missing & (any_pos >= 0)
                first.loc[fill, column] = cells[any_pos[fill]]
        ocols = Columns(first)
        oerr = RowErrors(m)

        created_text = ocols.get("Created at")
        created, bad_created = values.parse_datetimes(created_text)
        oerr.add_bad(bad_created, created_text, "a date and time", "Created at")
        oerr.add(created.isna().to_numpy(), "missing order date (Created at)")
        total_text = ocols.get("Total", use=False)
        total, read_currency, bad_total = values.parse_money(total_text)
        oerr.add_bad(bad_total, total_text, "an amount", "Total")
        currency = settled_currency(ocols, oerr, ("Currency",), total_text, read_currency, "Total")
        oerr.add(total.isna().to_numpy(), "missing order total (Total)")
        refund_text = ocols.get("Refunded Amount", use=False)
        refunded, bad_refunded = values.parse_money_cents(refund_text)
        oerr.add_bad(bad_refunded, refund_text, "an amount", "Refunded Amount")
        email_text = ocols.get("Email")
        email, bad_email = values.normalize_email(email_text)
        oerr.add_bad(bad_email, email_text, "an email address", "Email")
        cancelled_text = ocols.get("Cancelled at", use=False).astype(str).str.strip()
        _, bad_cancelled = values.parse_datetimes(cancelled_text)
        oerr.add_bad(bad_cancelled, cancelled_text, "a date and time", "Cancelled at")

        financial = ocols.get("Financial Status", use=False).astype(str).str.strip().str.lower()
        is_cancelled = ((cancelled_text != "") | (financial == "voided")).to_numpy()
        is_paid = financial.isin(["paid", "partially_refunded"]).to_numpy() & ~is_cancelled
        is_refunded = (financial == "refunded").to_numpy() & ~is_cancelled
        status = np.select(
            [is_cancelled, is_paid, is_refunded], ["cancelled", "paid", "refunded"], "pending"
        ).astype(object)
        total_cents = total.fillna(0).to_numpy(dtype="int64")
        refunded_cents = refunded.fillna(0).to_numpy(dtype="int64")
        amount = np.where(is_paid, total_cents - refunded_cents, total_cents)
        oerr.add(total_cents < 0, "negative amount (Total)")
        oerr.add(refunded_cents < 0, "negative amount (Refunded Amount)")
        oerr.add(amount < 0, "refunded amount is larger than the order total")

        # --- line figures per order ------------------------------------------------------
        items = np.bincount(codes[in_order], weights=qty[in_order], minlength=m).astype("int64")
        line_value = price.fillna(0).to_numpy(dtype="int64") * np.maximum(qty, 1)
        category = self._category(cols, codes, line_value, m)

        # --- rejects: a bad line rejects its whole order (a partial order would be wrong) --
        order_bad = ~oerr.ok
        order_bad[np.unique(codes[~errors.ok & in_order])] = True
        first_rows = rows[level_pos] if m else np.empty(0, dtype=np.int64)
        row_order_bad = np.zeros(n, dtype=bool)
        row_order_bad[in_order] = order_bad[codes[in_order]]
        is_first = np.zeros(n, dtype=bool)
        is_first[level_pos] = True
        own = np.asarray(oerr.reasons, dtype=object)[np.maximum(codes, 0)]
        own[~in_order] = None
        errors.add(row_order_bad & is_first, pd.Series(own))
        part_of = (
            "part of order " + name + " which cannot be imported (another of its rows is rejected)"
        )
        errors.add(row_order_bad, part_of)

        # --- canonical orders ------------------------------------------------------------
        guest = email.isna().to_numpy()
        source_value = ocols.get("Source", use=False).astype(str).str.strip().str.lower()
        channel = np.array([_CHANNELS.get(s, "online") for s in source_value], dtype=object)
        customer_name, _ = values.clean_text(ocols.get("Billing Name", "Shipping Name", use=False))
        ocols.use("Name")
        # Unmapped order columns stay in attributes; so do the gross Total, the Refunded
        # Amount, Financial Status and Cancelled at (the status condenses them).
        attrs = attribute_dicts(first, ocols.unused())
        line_attrs = attribute_dicts(frame, line_cols)
        per_order: list[list[dict[str, Any]]] = [[] for _ in range(m)]
        for i in positions:
            entry = line_attrs[i]
            if entry:
                per_order[int(codes[i])].append(entry)
        attributes: list[dict[str, Any] | None] = []
        for k in range(m):
            merged: dict[str, Any] = dict(attrs[k] or {})
            if per_order[k]:
                merged["Lineitems"] = per_order[k]
            attributes.append(merged or None)

        orders = pd.DataFrame(
            {
                "row": first_rows.astype("int64"),
                "source": self.source,
                "external_id": ocols.get("Name", use=False).astype(str).str.strip().to_numpy(),
                "customer_source": None,
                "customer_external_id": None,
                "customer_email": email.to_numpy(dtype=object),
                "customer_name": customer_name.where(~guest, None).to_numpy(dtype=object),
                "customer_company": None,
                "guest": guest,
                "order_date": created.to_numpy(),
                "amount_cents": amount.astype("int64"),
                "currency": currency.to_numpy(dtype=object),
                "status": status,
                "channel": channel,
                "category": category,
                "items": items,
                "attributes": pd.Series(attributes, dtype=object).to_numpy(),
            },
            index=pd.RangeIndex(m),
        )
        orders["order_date"] = created.reset_index(drop=True)
        # The shop's clock ("… -0700"): the local date of the order (services/local_dates).
        orders["utc_offset_minutes"] = values.event_offsets(created_text).to_numpy()
        orders = orders[~order_bad].reset_index(drop=True)

        kept = pd.Series(status[~order_bad]).value_counts()
        notes = [f"{len(orders):,} orders from {n:,} line item rows"]
        for label in ("refunded", "cancelled", "pending"):
            if kept.get(label, 0):
                notes.append(f"{int(kept[label]):,} {label} orders kept with status {label}")
        guests = int(guest[~order_bad].sum())
        if guests:
            notes.append(
                f"{guests:,} guest orders without an email (kept under one guest customer)"
            )
        return self.batch(table, {"orders": orders}, errors.rejects(file, rows), n, notes)

    @staticmethod
    def _category(cols: Columns, codes: np.ndarray, line_value: np.ndarray, m: int) -> np.ndarray:
        """Per order, the category of its most expensive line (None without such a column)."""
        out = np.full(m, None, dtype=object)
        column = cols.name(*_CATEGORY_COLUMNS)
        if column is None:
            return out
        text, _ = values.clean_text(cols.get(column))
        lines = pd.DataFrame({"code": codes, "value": line_value, "category": text.to_numpy()})
        lines = lines[(lines["code"] >= 0) & lines["category"].notna()]
        if lines.empty:
            return out
        top = lines.sort_values("value", ascending=False, kind="stable").groupby("code").first()
        out[top.index.to_numpy()] = top["category"].to_numpy(dtype=object)
        return out
