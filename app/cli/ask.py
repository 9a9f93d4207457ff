"""Command ask: a question in plain words over the workspace, answered as a table.

With a provider set up for email drafting (the same settings and privacy rules), the
model writes one read-only query over the ask_ views; with none, or with --offline, the
saved-question library answers (matched from the words, or named with --saved).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from services.ask.answer import Answer

from app.cli.report import FORMATS  # the same output formats as report

CELL_WIDTH = 40
MATCHES_SHOWN = 3

ASK_EPILOG = """\
Saved questions answer offline; `ask --list` lists them with their parameters.
Examples:
  python main.py ask "customers with 3+ tickets in the last 60 days"
  python main.py ask --saved customer_360 --param customer=42
  python main.py ask "what share of Gold customers ordered twice?" --show-sql
  python main.py ask "top reasons for negative reviews" --format csv > reasons.csv"""


def _param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"'{text}' is not NAME=VALUE, e.g. days=30")
    return name.strip(), value.strip()


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the ask command to the main parser."""
    ask = commands.add_parser(
        "ask",
        help="ask a question in plain words; the answer is a table",
        description="Ask a question over the workspace: customers, scores, orders, "
        "tickets, reviews, emails, deals, alerts, tasks and outreach.",
        epilog=ASK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ask.add_argument("question", nargs="?", default="", help="the question, in quotes")
    ask.add_argument(
        "--format", choices=FORMATS, default="table", help="table (default), csv or json"
    )
    ask.add_argument("--show-sql", action="store_true", help="print the query and its parameters")
    ask.add_argument("--list", action="store_true", help="list the saved questions")
    ask.add_argument("--saved", metavar="ID", help="run this saved question (see --list)")
    ask.add_argument(
        "--param",
        type=_param,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a saved question's parameter, e.g. days=30 (repeatable)",
    )
    ask.add_argument(
        "--offline",
        action="store_true",
        help="answer from the saved questions only; send nothing to a provider",
    )
    ask.add_argument(
        "--show-request",
        action="store_true",
        help="print exactly what would be sent to the provider, and send nothing",
    )
    ask.add_argument(
        "--confirm-send",
        action="store_true",
        help="you have reviewed the request: send it to this provider from now on",
    )
    ask.set_defaults(handler=cmd_ask)  # fmt: skip


def cmd_ask(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Answer the question and print the answer."""
    from app.cli.errors import EXIT_OK, CommandError
    from app.workspace import command_workspace

    with command_workspace(args.db) as workspace:
        engine = workspace.engine
        if args.list:
            _print_list(engine, out)
            return EXIT_OK
        params = dict(args.param)
        if args.saved:
            from services.ask.errors import AskError
            from services.ask.library import answer_saved, find_question

            try:
                question = find_question(engine, args.saved)
            except AskError as exc:
                raise CommandError(f"{exc} `ask --list` lists the saved questions.") from exc
            answer = answer_saved(engine, question, params)
        elif not args.question.strip():
            raise CommandError(
                'Give a question in quotes, e.g. ask "biggest open deals", or --list.'
            )
        else:
            found = _answer(engine, args, params, out, err)
            if found is None:
                return EXIT_OK  # --show-request printed the request
            answer = found
    _print_answer(answer, args, out)
    return EXIT_OK


def _answer(
    engine: Engine, args: argparse.Namespace, params: dict[str, str], out: TextIO, err: TextIO
) -> Answer | None:
    from app.cli.errors import CommandError
    from services.ask.generate import model_ready
    from services.ask.library import answer_saved, saved_questions
    from services.ask.match import STRONG_MATCH, match

    found = match(args.question, saved_questions(engine))
    answering = [m for m in found if m.answers]
    strong = bool(answering) and answering[0].score >= STRONG_MATCH
    if not args.offline and not strong and model_ready(engine):
        return _answer_by_model(engine, args, out, err)
    if not found:
        raise CommandError(
            "No saved question matches those words, and no provider is set up to write a "
            "query (Settings ▸ Email drafting). See `ask --list`."
        )
    if not answering:
        # The closest question would answer something else under the user's words.
        unknown = " or ".join(f"'{w}'" for w in found[0].unexplained)
        shown = "; ".join(f"{m.question.id} ({m.question.title})" for m in found[:MATCHES_SHOWN])
        raise CommandError(
            f"No saved question answers that (the closest says nothing about {unknown}). "
            f"The closest ones: {shown}. Run one with --saved ID, or ask in other words."
        )
    best = answering[0]
    if best.score < 0.5 and len(answering) > 1 and answering[1].score > best.score * 0.8:
        shown = "; ".join(
            f"{m.question.id} ({m.question.title})" for m in answering[:MATCHES_SHOWN]
        )
        raise CommandError(
            f"Those words fit several saved questions: {shown}. Run one with --saved ID."
        )
    print(f"Answered by the saved question '{best.question.title}'.", file=err)
    return answer_saved(engine, best.question, {**best.params, **params}, asked=args.question)


def _answer_by_model(
    engine: Engine, args: argparse.Namespace, out: TextIO, err: TextIO
) -> Answer | None:
    from app.cli.errors import CommandError
    from services.ask.generate import ask_model, mark_request_reviewed, prepare_request

    request = prepare_request(engine, args.question)
    if args.show_request:
        out.write(request.preview_text())
        return None
    if request.needs_review and not args.confirm_send:
        raise CommandError(
            f"This question would go to {request.config.base_url}, which is not on this "
            "computer. Review the request with --show-request, then add --confirm-send."
        )
    if request.needs_review:
        mark_request_reviewed(engine, request)
    print(f"Asking {request.config.model_label} at {request.config.base_url}...", file=err)
    return ask_model(engine, request)


def _print_list(engine: Engine, out: TextIO) -> None:
    from services.ask.library import saved_questions

    for q in saved_questions(engine):
        origin = "" if q.builtin else "  (saved)"
        print(f"{q.id}{origin}", file=out)
        print(f"    {q.question}", file=out)
        if q.params:
            shown = ", ".join(f"{p.name}={p.default}" for p in q.params)
            print(f"    parameters: {shown}", file=out)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 1 or value == 0 else f"{value:.3f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = " ".join(str(value).split())
    return text if len(text) <= CELL_WIDTH else text[: CELL_WIDTH - 1] + "…"


def _print_answer(answer: Answer, args: argparse.Namespace, out: TextIO) -> None:
    if args.format == "json":
        import json

        out.write(json.dumps(answer_json(answer), indent=2, default=str) + "\n")
        return
    if args.format == "csv":
        write_csv(answer, out)
    else:
        for line in answer_table(answer):
            print(line, file=out)
        print("", file=out)
        print(answer.summary, file=out)
        if answer.notice:
            print(f"Note: {answer.notice}", file=out)
        if answer.explanation:
            print(f"How: {answer.explanation}", file=out)
    if args.show_sql:
        import sys

        target = sys.stderr if args.format != "table" else out
        print("", file=target)
        print(answer.sql.strip(), file=target)
        if answer.params:
            shown = ", ".join(f"{k}={v}" for k, v in answer.params.items())
            print(f"-- parameters: {shown}", file=target)


def answer_table(answer: Answer) -> list[str]:
    """The answer's rows as an aligned text table."""
    cells = [[_cell(v) for v in row] for row in answer.rows]
    widths = [len(c) for c in answer.columns]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    numeric = [
        all(isinstance(r[i], int | float) or r[i] is None for r in answer.rows)
        and bool(answer.rows)
        for i in range(len(answer.columns))
    ]

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(list(answer.columns)), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    if answer.truncated:
        out.append(f"(the first {len(answer.rows):,} rows; there are more)")
    return out


def write_csv(answer: Answer, out: TextIO) -> None:
    """The rows as CSV, through the exports' writer: text a spreadsheet would read as a
    formula gets an apostrophe, and a cell holding a line break (a bare CR too) is
    quoted."""
    from services.usecases.exporting import write_csv_rows

    write_csv_rows(out, answer.columns, answer.rows, newline="\n")


def answer_json(answer: Answer) -> dict[str, Any]:
    """The answer as JSON: the question, the rows as objects, the summary and the SQL."""
    return {
        "question": answer.question,
        "source": answer.source,
        "saved_question": answer.saved_id,
        "summary": answer.summary,
        "notice": answer.notice,
        "columns": list(answer.columns),
        "rows": [dict(zip(answer.columns, row, strict=True)) for row in answer.rows],
        "truncated": answer.truncated,
        "sql": answer.sql,
        "params": answer.params,
    }
