"""Command ``pack``: a review pack of one account, a segment (or tier) or the whole book,
as a PDF or as PowerPoint slides. The figures are services/packs', the ones the window's
"Review pack…" writes; the charts are the app's own, drawn without a window."""

from __future__ import annotations

import argparse
import os
from typing import Any, TextIO

from app.cli.args import one_of
from app.cli.output import add_output_option

PACK_EPILOG = """\
An account's pack: a title page (the account, its owner, the period and the date), its
health and churn risk with their trend and the reasons in words, its orders and product
use, its renewal (when it has a contract), the outreach of the period and what came of it
(emails sent, replies, re-engaged), its open tasks and the next step of each open alert.
A segment's (an RFM segment or a tier, by name) and the book's: the totals, the mix of
health and churn risk, the top accounts at risk and Results' lift of outreach. The
period is the last three months. The privacy setting (outreach.sent_fields) holds: a
withheld name, address, phone or company never appears. The slides use the template of
Settings (packs.template), or --template, or a plain built-in one; a template IT locked
cannot be replaced.
Examples:
  python main.py pack customer 42 --format pdf --output acme-review.pdf
  python main.py pack segment "At Risk" --format pptx --output at-risk.pptx
  python main.py pack book --format pptx --template company.pptx --output book.pptx"""


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``pack`` to the main parser."""
    from services.packs.records import FORMATS, SCOPES

    parser = commands.add_parser(
        "pack",
        help="a review pack (PDF or PowerPoint) of an account, a segment or the book",
        description="Write a review pack: one account's, one segment's or tier's, or the "
        "whole book's, as a PDF or as PowerPoint slides, with the app's own charts.",
        epilog=PACK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("scope", type=one_of(SCOPES), metavar="customer|segment|book",
                        help="what the pack covers")  # fmt: skip
    parser.add_argument("target", nargs="?", metavar="ID|NAME",
                        help="the customer's id, or the segment's or tier's name")  # fmt: skip
    parser.add_argument("--format", type=one_of(FORMATS), metavar="F",
                        help="pdf or pptx (default: --output's extension, else pdf)")  # fmt: skip
    parser.add_argument("--template", metavar="FILE",
                        help="the slides' PowerPoint template (default: Settings' packs."
                        "template, else a plain one)")  # fmt: skip
    parser.add_argument("--page-size", type=one_of(("a4", "letter")), metavar="SIZE",
                        help="a4 or letter (default: from the system's locale)")  # fmt: skip
    add_output_option(parser, "--output", required=True, help="the file to write")
    parser.set_defaults(handler=cmd_pack)


def _target(args: argparse.Namespace) -> int | str | None:
    from app.cli.errors import CommandError

    if args.scope == "book":
        if args.target:
            raise CommandError("pack book takes no name: it covers every customer.")
        return None
    if not args.target:
        what = "customer's id" if args.scope == "customer" else "segment's or tier's name"
        raise CommandError(f"pack {args.scope} needs the {what}.")
    if args.scope == "customer":
        try:
            return int(args.target)
        except ValueError:
            raise CommandError(f"'{args.target}' is not a customer id (a number).") from None
    return str(args.target)


def pack_format(chosen: str | None, output: str) -> str:
    """The format to write: --format when it agrees with --output's extension, else the
    extension's when --format is absent (pdf when neither says); CommandError when the two
    disagree, so a PowerPoint file is never written under a .pdf name."""
    from app.cli.errors import CommandError
    from services.packs.records import FORMATS

    name = os.path.basename(output)
    stem, suffix = os.path.splitext(name)
    extension = suffix[1:].lower()
    if chosen is None:
        return extension if extension in FORMATS else "pdf"
    if extension and extension != chosen:
        raise CommandError(
            f"--output {name} ends in {suffix} but --format is {chosen}: name it "
            f"{stem}.{chosen}"
            + (f", or choose --format {extension}." if extension in FORMATS else ".")
            + " Nothing was written."
        )
    return chosen


def application() -> Any:
    """The Qt application the charts are drawn with: none shows, so no display is needed."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["account-radar-pack"])


def cmd_pack(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Write the review pack; exit 1 with a reason when it cannot."""
    from sqlalchemy.orm import Session

    from app.cli.errors import EXIT_OK, CommandError
    from app.cli.output import check_output, protected_files
    from app.workspace import command_workspace
    from services.core.records import CustomerNotFoundError
    from services.packs.make import make_pack, slides_template

    args.format = pack_format(args.format, args.output)
    target = _target(args)
    reads = [args.template] if args.template else []
    path = check_output(args, args.output, what="the review pack", reads=reads)
    with command_workspace(args.db) as workspace:
        template = None
        if args.format == "pptx":
            with Session(workspace.engine) as session:
                template = slides_template(session, args.template)
        try:
            pack = make_pack(workspace.engine, args.scope, target)
        except CustomerNotFoundError as exc:
            raise CommandError(str(exc)) from None
    app = application()
    from app.gui.pack_files import pack_images, write_pack_file

    images = pack_images(pack)
    written = write_pack_file(
        pack, images, args.format, path, template=template, force=args.force,
        protected=protected_files(args, *reads), page_size=args.page_size,
    )  # fmt: skip
    del app
    pages = len(pack.sections) + 1
    kind = "slides" if args.format == "pptx" else "sections"
    print(f"Wrote the review pack of {pack.title} to {written} ({pages} {kind} "
          f"with the title).", file=out)  # fmt: skip
    return EXIT_OK
