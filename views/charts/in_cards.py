"""Charts put in the cards of a pane's grid (views/kit/cards.py): the Dashboard's and the
Results tab's. Light to import: the panes load pyqtgraph, and the charts, only with the
first data they show."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from views.kit.cards import Card
from views.kit.theme import Theme

if TYPE_CHECKING:
    from views.charts.dashboard_chart import DashboardChart

# A chart and what a click on one of its bars calls (None: the chart opens nothing).
Placed = tuple["DashboardChart", Callable[[object], None] | None]


def place_charts(
    cards: Sequence[Card],
    charts: Sequence[Placed],
    theme: Theme,
    *,
    plot_lines: int | None = None,
) -> None:
    """Each chart into its card, in order, themed, at least ``plot_lines`` lines of tick
    text tall when given, its bar clicks connected to its slot."""
    for (frame, layout), (chart, slot) in zip(cards, charts, strict=False):
        chart.setParent(frame)
        if plot_lines is not None:
            chart.keep_plot_lines(plot_lines)
        chart.set_theme(theme)
        layout.addWidget(chart)
        if slot is not None:
            chart.bar_clicked.connect(slot)
