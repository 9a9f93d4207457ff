"""The Results tab's breakdown table: its columns and how it is laid out.

One row per rule, segment, owner... (the report's breakdown). Each group's column reads
its re-engagement rate and its size together ("33.8% of 65"): two columns both headed
"Rate" read as one. The figures' columns keep the width their header and figures need;
the first column (the name) takes the rest, on one line, a long name elided with the
whole of it in its tooltip; rows get room to breathe.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from services.core.formatting import format_date
from services.learn.records import AT_RISK_BREAKDOWNS, EffectivenessReport, GroupRate, Slice
from services.learn.wording import at_risk_share, interval, money, points, rate
from views.item_models.work_list_model import WorkColumn

AT_RISK_HEADER = "At risk"
ROW_PADDING = 7  # pixels above and below a row's text


def _group(group: GroupRate) -> str:
    """A group's rate and size: "33.8% of 65" ("none" when it has no customers)."""
    if not group.customers.count:
        return "none"
    return f"{rate(group.rate)} of {group.customers.count:,}"


def breakdown_columns(report: EffectivenessReport | None) -> list[WorkColumn]:
    """The table's columns for ``report`` (the at-risk share only where it is known)."""

    def tone(part: Slice) -> str | None:
        return None if part.lift.enough else "muted"

    def won_back(part: Slice) -> str:
        return money(report, part.revenue.won_back_cents) if report is not None else ""

    def name(part: Slice) -> str:
        return part.label or part.key

    return [
        WorkColumn("", name, tooltip=name, tone=tone),
        WorkColumn(
            "Contacted",
            lambda p: _group(p.lift.contacted),
            tooltip=lambda p: "Re-engaged, of the customers contacted",
            tone=tone,
        ),
        WorkColumn(
            "Held out",
            lambda p: _group(p.lift.holdout),
            tooltip=lambda p: "Re-engaged, of the customers held out",
            tone=tone,
        ),
        WorkColumn(
            "Lift",
            lambda p: points(p.lift.lift).replace(" points", "") or "-",
            tooltip=lambda p: (
                f"{points(p.lift.lift)} ({interval(p.lift)})"
                + ("" if p.lift.enough else f". Not enough data yet: {p.lift.not_enough_reason}")
            ),
            tone=tone,
        ),
        WorkColumn("95% CI", lambda p: interval(p.lift).replace("95% CI ", ""), tone=tone),
        WorkColumn("Won back", won_back, tone=tone),
        *(
            [
                WorkColumn(
                    AT_RISK_HEADER,
                    lambda p: at_risk_share(report, p) or "",
                    tooltip=lambda p: (
                        f"Share of these customers at risk in the scoring of "
                        f"{format_date(report.at_risk.as_of)}"
                        if report.at_risk
                        else ""
                    ),
                )
            ]
            if report is not None and report.at_risk is not None and report.by in AT_RISK_BREAKDOWNS
            else []
        ),
    ]


def set_up_breakdown_table(table: QTableView) -> None:
    """Rows picked whole, one line each with room around it; the figures' columns fit
    their contents, the name column takes the rest and elides."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    rows = table.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 2 * ROW_PADDING)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    table.setCursor(Qt.CursorShape.PointingHandCursor)
    table.setToolTip("Click a row for its customers")
