"""`pack` on the hand-made book of tests/support/packs_book.py: an account's PDF, a tier's
slides from a template given on the command line, --force, and the requests it refuses
(no id, an unknown customer or segment, a template IT locked)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from app.cli.main import main
from app.workspace import open_workspace, to_url
from tests.support.packs_book import fill_packs_book


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def book(tmp_path: Path) -> tuple[str, dict[str, int]]:
    url = to_url(str(tmp_path / "packs.radar.sqlite"))
    ws = open_workspace(url, backup=False)
    try:
        ids = fill_packs_book(ws.engine)
    finally:
        ws.close()
    return url, ids


def test_an_accounts_pdf(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, ids = book
    out = tmp_path / "ada.pdf"
    code, text, err = run("--db", url, "pack", "customer", str(ids["A"]), "--output", str(out),
                          "--page-size", "letter")  # fmt: skip
    assert code == 0, err
    assert text.startswith("Wrote the review pack of Ada [surname withheld] to ")
    reader = PdfReader(str(out))
    assert len(reader.pages) == 5
    assert round(float(reader.pages[0].mediabox.width)) == 612  # Letter
    orders = " ".join(reader.pages[2].extract_text().split())
    # Paid: $100 + $200 + $300, whatever today is.
    assert orders.startswith("Orders and usage PAID ORDERS 3 REVENUE $600")
    # An existing file is kept unless --force.
    code, _text, err = run("--db", url, "pack", "customer", str(ids["A"]), "--output", str(out))
    assert code == 1
    assert "already exists" in err
    code, _text, err = run("--db", url, "pack", "customer", str(ids["A"]), "--output", str(out),
                           "--force")  # fmt: skip
    assert code == 0, err


def test_a_tiers_slides_from_a_template(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    template = tmp_path / "company.pptx"
    deck = Presentation()
    deck.slides.add_slide(deck.slide_layouts[0]).shapes.title.text = "Sample"
    deck.save(str(template))
    out = tmp_path / "gold.pptx"
    code, text, err = run("--db", url, "pack", "segment", "gold", "--format", "pptx",
                          "--template", str(template), "--output", str(out))  # fmt: skip
    assert code == 0, err
    assert "Tier Gold" in text
    slides = list(Presentation(str(out)).slides)
    assert [s.shapes.title.text for s in slides] == [
        "Tier Gold", "Totals", "Health mix", "Top 2 accounts at risk", "Results",
    ]  # fmt: skip
    assert slides[1].notes_slide.notes_text_frame.text.startswith("Customers: customers in")


def test_what_it_refuses(book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    out = str(tmp_path / "x.pdf")
    code, _text, err = run("--db", url, "pack", "customer", "--output", out)
    assert (code, err.strip()) == (1, "error: pack customer needs the customer's id.")
    code, _text, err = run("--db", url, "pack", "customer", "999", "--output", out)
    assert code == 1
    assert "Customer 999 is not in this workspace" in err
    code, _text, err = run("--db", url, "pack", "segment", "Platinum", "--output", out)
    assert code == 1
    assert "No segment or tier is named 'Platinum'" in err
    code, _text, err = run("--db", url, "pack", "book", "Gold", "--output", out)
    assert code == 1
    assert "pack book takes no name" in err
    assert not Path(out).exists()


def test_a_locked_template_cannot_be_replaced(  # type: ignore[no-untyped-def]
    book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.core.policy import reload_policy

    url, _ids = book
    company = tmp_path / "company.pptx"
    Presentation().save(str(company))
    other = tmp_path / "other.pptx"
    Presentation().save(str(other))
    policy = tmp_path / "policies.json"
    policy.write_text(json.dumps({"locked": {"packs.template": str(company)}}), encoding="utf-8")
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(policy))
    reload_policy()
    try:
        out = tmp_path / "book.pptx"
        code, _text, err = run("--db", url, "pack", "book", "--format", "pptx",
                               "--template", str(other), "--output", str(out))  # fmt: skip
        assert code == 1
        assert "set by your organisation" in err
        assert not out.exists()
        code, _text, err = run("--db", url, "pack", "book", "--format", "pptx",
                               "--output", str(out))  # fmt: skip
        assert code == 0, err  # the locked template is used
    finally:
        monkeypatch.delenv("ACCOUNT_RADAR_POLICIES")
        reload_policy()


def test_run_daily_writes_the_dashboard_pdf(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    out = tmp_path / "dashboard.pdf"
    out.write_bytes(b"yesterday's")
    code, _text, err = run("--db", url, "run-daily", "--dashboard-pdf", str(out))
    assert code == 1
    assert "already exists" in err
    assert out.read_bytes() == b"yesterday's"  # refused before the round
    code, text, err = run("--db", url, "run-daily", "--dashboard-pdf", str(out), "--force")
    assert code in (0, 1), err  # the round's own outcome; the dashboard is written after it
    assert f"Wrote the dashboard to {out}." in text
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(str(out)).pages]
    assert pages[0].startswith("DAILY DASHBOARD Dashboard")
    assert pages[1].startswith("Totals CUSTOMERS 5 ")
    assert pages[-1].startswith("Alerts WORKING ALERTS ")
    assert pages[-1].endswith(f"Page {len(pages)} of {len(pages)}")
