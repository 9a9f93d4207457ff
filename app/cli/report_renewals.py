"""Command ``report renewals``: the renewal pipeline by month, the upcoming renewals with
their likelihood and drivers (``--upcoming``), the model's backtest (``--backtest``) and
forecast against actual for the model and the owners (``--actual``), as a table, CSV or
JSON. The numbers are services.renewals', the same Results ▸ Renewals shows."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of
from app.cli.output import add_output_option

if TYPE_CHECKING:
    from services.renewals.records import Checked, RenewalsReport

RENEWALS_EPILOG = """\
The pipeline groups contracts by the month of their renewal date, by default from three
months back to twelve ahead (--since and --until pick the months of those dates). Amounts
are annual recurring revenue in the home currency. Expected weighs each open renewal by the
latest scoring's likelihood and adds what the renewed ones renewed at; committed: the
owner's latest call is commit; at risk: a likelihood below 50 % or a call of at risk or
lost. The likelihood comes from a model fitted on the workspace's own past renewals when
its backtest beats the baselines, else from the cold-start fallback; --backtest says which
and why. --actual sets each scoring's forecast and each owner's call, 6 and 3 months
before the date, against what happened.
Examples:
  python main.py report renewals
  python main.py report renewals --upcoming --owner "Maya Lopez"
  python main.py report renewals --backtest
  python main.py report renewals --actual --format csv --out renewals-actual.csv"""

PIPELINE_HEADER = [
    "month", "renewals", "up_cents", "expected_cents", "committed_cents", "at_risk_cents",
    "won_cents", "lost_cents", "expansion_cents", "contraction_cents", "currency",
    "contract_ids",
]  # fmt: skip
UPCOMING_HEADER = [
    "contract_id", "customer_id", "customer", "owner", "segment", "renewal_date",
    "annual_cents", "currency", "likelihood", "model", "call", "disagrees", "drivers",
]  # fmt: skip
ACTUAL_HEADER = [
    "forecaster", "checkpoint_months", "renewals", "hit_rate", "brier", "mean_forecast",
    "renewed_share", "contract_ids",
]  # fmt: skip
BACKTEST_HEADER = ["measure", "value"]


def register(kinds: argparse._SubParsersAction[Any], date: Any, formats: tuple[str, ...]) -> None:
    """Add ``report renewals`` to ``report``."""
    parser = kinds.add_parser(
        "renewals",
        help="the renewal pipeline, likelihoods to renew, the backtest, forecast against actual",
        description="Renewals: the contracts up for renewal by month with their expected, "
        "committed and at-risk recurring revenue, the upcoming renewals with their likelihood "
        "to renew and its drivers, the model's backtest, and forecast against actual.",
        epilog=RENEWALS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--since", type=date, metavar="DATE",
                        help="the pipeline from this date's month (YYYY-MM-DD)")  # fmt: skip
    parser.add_argument("--until", type=date, metavar="DATE",
                        help="the pipeline up to this date's month, included")  # fmt: skip
    parser.add_argument("--as-of", type=date, metavar="DATE", dest="as_of",
                        help="read as of this date (default today)")  # fmt: skip
    parser.add_argument("--owner", metavar="NAME", help="only this owner's contracts")
    parser.add_argument("--segment", metavar="NAME", help="only this segment's customers")
    view = parser.add_mutually_exclusive_group()
    view.add_argument("--upcoming", action="store_true",
                      help="the upcoming renewals with likelihood and drivers")  # fmt: skip
    view.add_argument("--backtest", action="store_true",
                      help="the model's backtest against its baselines")  # fmt: skip
    view.add_argument("--actual", action="store_true",
                      help="forecast against actual, for the model and each owner")  # fmt: skip
    parser.add_argument(
        "--format", type=one_of(formats), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    add_output_option(parser, "--out", help="write to FILE instead of the screen")
    parser.set_defaults(handler=cmd_renewals)


def _view(args: argparse.Namespace) -> str:
    return next((v for v in ("upcoming", "backtest", "actual") if getattr(args, v)), "pipeline")


def cmd_renewals(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print (or write to --out) the renewals report."""
    from app.cli.errors import EXIT_OK, CommandError
    from app.cli.output import check_output
    from app.cli.report_output import print_report
    from app.workspace import command_workspace
    from services.renewals.report import renewals_report

    if args.since and args.until and args.since > args.until:
        raise CommandError(f"--since {args.since} is after --until {args.until}.")
    if args.out:
        check_output(args, args.out, what="the report")
    view = _view(args)
    with command_workspace(args.db) as workspace:
        report = renewals_report(
            workspace.engine, as_of=args.as_of, since=args.since, until=args.until,
            owner=args.owner, segment=args.segment,
        )  # fmt: skip
    print_report(args, out, render(report, args.format, view), name="renewals")
    return EXIT_OK


def render(report: RenewalsReport, form: str, view: str = "pipeline") -> str:
    """One view of the report (pipeline, upcoming, backtest, actual) in ``form``."""
    from app.cli.report_output import report_text, write_plain_csv

    headers = {"pipeline": PIPELINE_HEADER, "upcoming": UPCOMING_HEADER,
               "backtest": BACKTEST_HEADER, "actual": ACTUAL_HEADER}  # fmt: skip
    rows = {"pipeline": pipeline_rows, "upcoming": upcoming_rows, "backtest": backtest_rows,
            "actual": actual_rows}[view]  # fmt: skip
    return report_text(
        form,
        table=lambda: table(report, view),
        csv=lambda stream: write_plain_csv(stream, headers[view], rows(report)),
        json=lambda: renewals_json(report, view),
    )


# --- table ------------------------------------------------------------------------------


def table(report: RenewalsReport, view: str) -> list[str]:
    """The view as lines of at most 100 columns."""
    import textwrap

    from services.renewals.wording import AMOUNTS_WORDS, EMPTY_WORDS, day, headline, model_words

    title = f"Renewals as of {day(report.as_of)} (in {report.home})"
    if not report.contracts:
        return [title, "", *textwrap.wrap(EMPTY_WORDS, 100)]
    lines = [title, "", *textwrap.wrap(headline(report), 100)]
    lines += textwrap.wrap(model_words(report, verdict=view != "backtest"), 100)
    lines.append("")
    lines += {"pipeline": _pipeline_lines, "upcoming": _upcoming_lines,
              "backtest": _backtest_lines, "actual": _actual_lines}[view](report)  # fmt: skip
    if view in ("pipeline", "upcoming"):
        lines += ["", *textwrap.wrap(AMOUNTS_WORDS, 100)]
    if report.no_rate:
        lines.append(f"{report.no_rate:,} contracts in a currency with no exchange rate are "
                     "left out of the amounts: add the rate in Settings.")  # fmt: skip
    return lines


def _pipeline_lines(report: RenewalsReport) -> list[str]:
    from services.renewals.wording import money

    head = (f"{'Month':<8} {'Renew':>5} {'Up':>9} {'Expected':>9} {'Committed':>9} "
            f"{'At risk':>9} {'Won':>9} {'Lost':>9} {'Expansion':>9} {'Contract.':>9}")  # fmt: skip
    lines = [head]
    for m in report.months:
        figures = (m.up_cents, m.expected_cents, m.committed_cents, m.at_risk_cents,
                   m.won_cents, m.lost_cents, m.expansion_cents, m.contraction_cents)  # fmt: skip
        cells = " ".join(f"{money(report, c) if m.contracts else '':>9}" for c in figures)
        lines.append(f"{m.month:%b %Y} {len(m.contracts) or '':>5} {cells}".rstrip())
    return lines


def _upcoming_lines(report: RenewalsReport) -> list[str]:
    import textwrap

    from services.renewals.wording import (
        DISAGREES,
        call_disagrees,
        call_words,
        likelihood_words,
        money,
    )

    if not report.upcoming:
        return ["No open renewal ahead."]
    lines = [f"{'Renews':<12} {'Customer':<24} {'Owner':<14} {'A year':>9} {'Likely':>7} Call"]
    for u in report.upcoming:
        name = u.name if len(u.name) <= 24 else u.name[:23] + "…"
        owner = u.owner if len(u.owner) <= 14 else u.owner[:13] + "…"
        # A call the model disagrees with says so, as in Results ▸ Renewals.
        call = call_words(u) + (f" · {DISAGREES}" if call_disagrees(report, u) else "")
        lines.append(f"{u.end.isoformat():<12} {name:<24} {owner:<14} "
                     f"{money(report, u.annual_cents):>9} {likelihood_words(u):>7} "
                     f"{call}".rstrip())  # fmt: skip
        if u.drivers:
            lines += textwrap.wrap("; ".join(u.drivers), 100, initial_indent=" " * 13,
                                   subsequent_indent=" " * 13)  # fmt: skip
    return lines


def _backtest_lines(report: RenewalsReport) -> list[str]:
    import textwrap

    from services.renewals.records import MIN_RENEWALS

    test = report.backtest
    if test is None:
        return ["No backtest."]
    lines = textwrap.wrap(test.verdict, 100) + [""]
    lines.append(f"Past renewals: {test.renewals:,} (the model needs {MIN_RENEWALS}); "
                 f"judged: {test.held_out:,}")  # fmt: skip
    if test.kind is None:
        return lines
    lines += [
        f"{'':<28} {'AUC':>6} {'Brier':>7}",
        f"{'Model (' + test.kind + ')':<28} {_num(test.auc, 2):>6} {_num(test.brier, 3):>7}",
        f"{'Past renewal rate':<28} {'0.50':>6} {_num(test.rate_brier, 3):>7}",
        f"{'One minus the churn risk':<28} {_num(test.risk_auc, 2):>6} "
        f"{_num(test.risk_brier, 3):>7}"
        + ("  not computed: no scoring before those renewals" if test.risk_brier is None else ""),
        "",
        "Calibration (held-out renewals by forecast, lowest first):",
        f"  {'Forecast':>8} {'Renewed':>8} {'Renewals':>8}",
    ]
    lines += [f"  {b.forecast:>8.0%} {b.renewed:>8.0%} {b.count:>8,}" for b in test.bins]
    return lines


def _num(value: float | None, digits: int) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _actual_lines(report: RenewalsReport) -> list[str]:
    checks = (*report.model_checks, *report.owner_checks)
    if not checks:
        return ["No renewal date has passed yet: forecast against actual shows once one has."]
    lines = [f"{'Forecaster':<22} {'Months before':>13} {'Renewals':>8} {'Hit rate':>8} "
             f"{'Brier':>6} {'Forecast':>8} {'Renewed':>8}"]  # fmt: skip
    for c in checks:
        who = c.who if len(c.who) <= 22 else c.who[:21] + "…"
        lines.append(f"{who:<22} {c.checkpoint_months:>13} {c.count:>8,} "
                     f"{_pct(c.hit_rate):>8} {_num(c.brier, 3):>6} "
                     f"{_pct(c.mean_forecast):>8} {_pct(c.renewed_share):>8}")  # fmt: skip
    lines += [
        "",
        "Hit: a forecast of 50% or more that renewed, or below that churned. An owner's call",
        "counts as commit 95%, likely 75%, at risk 35%, lost 5%.",
    ]
    from services.renewals.wording import model_unchecked_words

    unchecked = model_unchecked_words(report)
    if unchecked:
        lines += ["", *textwrap.wrap(unchecked, 90), "  python main.py score --as-of YYYY-MM-DD"]
    return lines


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


# --- csv and json -------------------------------------------------------------------------


def _exact(value: float | None) -> object:
    return "" if value is None else round(value, 6)


def pipeline_rows(report: RenewalsReport) -> Iterator[list[object]]:
    """CSV rows: one a month."""
    for m in report.months:
        yield [m.month.isoformat()[:7], len(m.contracts), round(m.up_cents),
               round(m.expected_cents), round(m.committed_cents), round(m.at_risk_cents),
               round(m.won_cents), round(m.lost_cents), round(m.expansion_cents),
               round(m.contraction_cents), report.home,
               " ".join(str(c) for c in m.contracts)]  # fmt: skip


def upcoming_rows(report: RenewalsReport) -> Iterator[list[object]]:
    """CSV rows: one an upcoming renewal."""
    for u in report.upcoming:
        yield [u.contract_id, u.customer_id, u.name, u.owner, u.segment, u.end.isoformat(),
               "" if u.annual_cents is None else round(u.annual_cents), report.home,
               _exact(u.likelihood), u.model or "", u.call or "",
               int(_disagrees(report, u)), "; ".join(u.drivers)]  # fmt: skip


def _disagrees(report: RenewalsReport, upcoming: Any) -> bool:
    from services.renewals.wording import call_disagrees

    return call_disagrees(report, upcoming)


def backtest_rows(report: RenewalsReport) -> Iterator[list[object]]:
    """CSV rows: one a measure of the backtest."""
    test = report.backtest
    if test is None:
        return
    rows: list[list[object]] = [["renewals", test.renewals], ["held_out", test.held_out],
                ["model", test.kind or ""], ["auc", _exact(test.auc)],
                ["brier", _exact(test.brier)], ["rate_brier", _exact(test.rate_brier)],
                ["risk_auc", _exact(test.risk_auc)], ["risk_brier", _exact(test.risk_brier)],
                ["beats_baselines", int(test.beats)], ["verdict", test.verdict]]  # fmt: skip
    yield from rows


def actual_rows(report: RenewalsReport) -> Iterator[list[object]]:
    """CSV rows: one a forecaster and checkpoint."""
    for c in (*report.model_checks, *report.owner_checks):
        yield [c.who, c.checkpoint_months, c.count, _exact(c.hit_rate), _exact(c.brier),
               _exact(c.mean_forecast), _exact(c.renewed_share),
               " ".join(str(k) for k in c.contracts)]  # fmt: skip


def _check_object(c: Checked) -> dict[str, object]:
    return {
        "forecaster": c.who, "checkpoint_months": c.checkpoint_months, "renewals": c.count,
        "hit_rate": c.hit_rate, "brier": c.brier, "mean_forecast": c.mean_forecast,
        "renewed_share": c.renewed_share, "contract_ids": list(c.contracts),
        "calibration": [{"forecast": b.forecast, "renewed": b.renewed, "count": b.count}
                        for b in c.bins],
    }  # fmt: skip


def _months_json(report: RenewalsReport) -> list[dict[str, object]]:
    out = []
    for m, row in zip(report.months, pipeline_rows(report), strict=True):
        figures: dict[str, object] = dict(zip(PIPELINE_HEADER[:-1], row[:-1], strict=True))
        figures |= {"contract_ids": list(m.contracts), "committed_ids": list(m.committed),
                    "at_risk_ids": list(m.at_risk), "won_ids": list(m.won),
                    "lost_ids": list(m.lost)}  # fmt: skip
        out.append(figures)
    return out


def _upcoming_json(report: RenewalsReport) -> list[dict[str, object]]:
    out = []
    for u, row in zip(report.upcoming, upcoming_rows(report), strict=True):
        figures: dict[str, object] = dict(zip(UPCOMING_HEADER, row, strict=True))
        figures |= {"drivers": list(u.drivers), "likelihood": u.likelihood}
        out.append(figures)
    return out


def renewals_json(report: RenewalsReport, view: str) -> str:
    """The view as one JSON object."""
    import json

    from services.renewals.wording import headline, model_words

    data: dict[str, object] = {
        "as_of": report.as_of.isoformat(),
        "currency": report.home,
        "amounts": "annual recurring revenue",
        "headline": headline(report),
        "model": model_words(report),
    }
    if view == "pipeline":
        data["months"] = _months_json(report)
    elif view == "upcoming":
        data["upcoming"] = _upcoming_json(report)
    elif view == "backtest":
        data["backtest"] = {str(k): v for k, v in backtest_rows(report)}
    else:
        data["forecasts"] = [_check_object(c) for c in (*report.model_checks, *report.owner_checks)]
    return json.dumps(data, indent=2, default=str)
