"""The section of ``report alerts`` on the relationship signals: the four signals replayed
weekly on their own (services/alerts/signal_replay.py, seconds, apart from the alert
replay), against lost renewals and against lapses, with the base rate beside each
precision, and whether each is proven (services/alerts/proof.py's words)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.alerts.proof import Proof
    from services.alerts.signal_records import SignalFigures, SignalReport

# Findings, then judged, precision, base rate, recall and lead against each outcome.
WIDTHS = (6, 7, 7, 6, 7, 6, 7, 7, 6, 7, 6)
HEADS = ("Judged", "Prec", "Base", "Recall", "Lead")
TITLE = 27


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _cells(f: SignalFigures | None) -> list[str]:
    if f is None:
        return ["–"] * 5
    lead = "–" if f.lead_median is None else f"{f.lead_median:.0f}"
    return [f"{f.judged:,}", _percent(f.precision), _percent(f.base_rate), _percent(f.recall),
            lead]  # fmt: skip


def _row(title: str, cells: list[str]) -> str:
    shown = title if len(title) <= TITLE - 1 else title[: TITLE - 2] + "…"
    return f"{shown:<{TITLE}}" + "".join(f"{c:>{w}}" for c, w in zip(cells, WIDTHS, strict=True))


def signals_table(report: SignalReport, proofs: dict[str, Proof]) -> list[str]:
    """The section as lines of at most 100 columns."""
    from services.alerts._relationship import RULES
    from services.alerts.signal_records import LAPSE, RENEWAL, SECTION_TITLE

    lines = [
        f"{SECTION_TITLE} ({report.weeks} weeks to {report.as_of}, horizon "
        f"{report.horizon_days} days)",
        *textwrap.wrap(report.method() + f" Computed in {report.seconds:,.1f} s.", 100),
        "",
        f"{'':<{TITLE}}{'':>6}{'Against lost renewals':^33}{'Against lapses':^33}",
        _row("", ["Finds", *HEADS, *HEADS]),
    ]
    for key in RULES:
        renewal, lapse = report.figure(key, RENEWAL), report.figure(key, LAPSE)
        either = renewal or lapse
        title = either.title if either is not None else key
        finds = f"{either.findings:,}" if either is not None else "–"
        lines.append(_row(title, [finds, *_cells(renewal), *_cells(lapse)]))
    lines += ["", "Raised only while proven:"]
    for key in RULES:
        proof = proofs[key]
        lines += textwrap.wrap(
            f"{proof.subject}: {proof.words()}", 100, initial_indent="  ", subsequent_indent="    "
        )
    lines += ["", *textwrap.wrap("Definitions: " + report.definitions, 100)]
    return lines


def signals_rows(report: SignalReport) -> Iterator[list[object]]:
    """The signals' rows of the CSV, in its columns (report_alerts.CSV_HEADER): group
    signal_renewal or signal_lapse, the rule, its title, its findings as ``alerts``, and
    its outcomes as ``lapsed``."""

    def blank(value: float | None, digits: int = 4) -> object:
        return "" if value is None else round(value, digits)

    for f in report.figures:
        yield [
            f"signal_{f.outcome}", f.rule, f.title, f.findings, "", "", f.judged, f.hits,
            blank(f.precision), f.outcomes, f.caught, blank(f.recall), blank(f.lead_median, 1),
            "", "", "", "", "", "", "", "", "",
        ]  # fmt: skip


def signals_json(report: SignalReport, proofs: dict[str, Proof]) -> dict[str, Any]:
    """The section as JSON-ready data: every figure, the base rates, the proofs."""
    from services.alerts.signal_records import report_to_dict

    data = report_to_dict(report)
    data["proofs"] = {
        key: {"precision": p.precision, "judged": p.judged, "required": p.required,
              "proven": p.proven, "words": p.words()}
        for key, p in proofs.items()
    }  # fmt: skip
    return data
