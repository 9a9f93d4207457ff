"""The customer detail's four KPI tiles (orders, revenue, last order, usual gap): what
each shows for one customer. Kept apart from views/customers/detail_pane.py, which builds
the tiles and hands them here with each customer."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from services.core import money
from services.core.formatting import days_ago, format_date
from services.core.records import CustomerDetail
from views.kit.formatting import (
    QUIET_CRITICAL_DAYS,
    QUIET_WARNING_DAYS,
    days_between,
    format_money,
    utc_date,
)
from views.kit.tiles import KpiTile


class KpiTiles(NamedTuple):
    """The detail pane's four KPI tiles."""

    orders: KpiTile
    revenue: KpiTile
    last_order: KpiTile
    gap: KpiTile


def show_kpi_tiles(tiles: KpiTiles, d: CustomerDetail, now: dt.datetime) -> None:
    """Fill the tiles with the customer's orders, revenue, last order and usual gap."""
    other = int((d.orders["status"] != "paid").sum()) if len(d.orders) else 0
    tiles.orders.set(
        f"{d.paid_orders:,}",
        f"{other} refunded/cancelled" if other else "paid orders",
        short_note=(f"{other} not paid",) if other else (),
    )
    home = d.currency
    if d.paid_orders and d.revenue_left_out:
        # Currencies with no exchange rate are summed apart, never added to the rest.
        totals = {home: d.revenue * 100.0}
        for code, units in d.revenue_left_out.items():
            totals[code] = totals.get(code, 0.0) + units * 100.0
        tiles.revenue.set(
            money.format_totals(totals),
            "no exchange rate for " + ", ".join(sorted(d.revenue_left_out)),
            short_note=("no rate",),
        )
        tiles.revenue.setToolTip(
            "Amounts in a currency with no exchange rate to "
            f"{home} are shown apart; add a rate in Settings ▸ Money to convert them."
        )
    elif d.paid_orders:
        tiles.revenue.set(
            format_money(d.revenue, home, cents=False),
            f"{format_money(d.revenue / d.paid_orders, home)} per order",
            short_note=(f"{format_money(d.revenue / d.paid_orders, home, cents=False)}/order",),
        )
        tiles.revenue.setToolTip("")
    else:
        tiles.revenue.set(format_money(0, home, cents=False), "no paid orders")
        tiles.revenue.setToolTip("")
    days = days_between(d.last_order, now) if d.last_order is not None else None
    if d.last_order is None or days is None:
        tiles.last_order.set("—", "never ordered", "warning")
    else:
        tone = (
            "critical"
            if days >= QUIET_CRITICAL_DAYS
            else "warning"
            if days >= QUIET_WARNING_DAYS
            else ""
        )
        # How long ago is the number that matters; the date is the footnote.
        tiles.last_order.set(
            days_ago(days),
            format_date(utc_date(d.last_order)),
            tone,
            # "109 days" under "LAST ORDER" still reads right in a narrow tile.
            short_value=(days_ago(days).removesuffix(" ago"),),
        )
    if d.avg_gap_days is None:
        tiles.gap.set("—", "needs two orders")
    else:
        gap = d.avg_gap_days
        overdue = days is not None and days > 2 * gap and days >= 30
        tiles.gap.set(
            f"{gap:,.0f} days",
            f"now {days / gap:.0f}× overdue" if overdue and days else "between orders",
            "critical" if overdue else "",
            # A narrow tile keeps the figure, not "now 6× overd…".
            short_note=(f"{days / gap:.0f}× overdue",) if overdue and days else (),
        )
