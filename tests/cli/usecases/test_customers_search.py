"""`customers list --search` end to end on the hand-made book of
tests/support/accounts_book.py: a company's name finds its account, named as the window
names it (the company, its person beside it, never the champion who left)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from app.cli.main import main
from app.workspace import open_workspace, to_url
from tests.support.accounts_book import fill_accounts_book


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_a_company_finds_its_account(tmp_path: Path) -> None:
    url = to_url(str(tmp_path / "accounts.radar.sqlite"))
    ws = open_workspace(url, backup=False)
    try:
        ids = fill_accounts_book(ws.engine)
    finally:
        ws.close()
    code, out, err = run("--db", url, "customers", "list", "--search", "Willow Creek",
                         "--format", "json")  # fmt: skip
    assert code == 0, err
    (row,) = json.loads(out)
    assert (row["customer_id"], row["name"], row["person"]) == (
        ids["W"], "Willow Creek Clinic", "Dana Cole",
    )  # fmt: skip
    code, out, _ = run("--db", url, "customers", "list", "--search", "willow")
    assert code == 0
    assert out.splitlines()[0] == "1 customer"
    assert "Willow Creek Clinic" in out
    assert "Dana Cole" in out
    assert "Henry" not in out
    code, out, _ = run("--db", url, "customers", "list", "--search", "nobody here")
    assert (code, out.splitlines()[0]) == (0, "0 customers")
