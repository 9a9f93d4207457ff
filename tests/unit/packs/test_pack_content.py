"""What a review pack says, on the hand-made book of tests/support/packs_book.py (its
counts written out there), on SQLite and PostgreSQL: an account's pack, the book's, a
tier's and a segment's, the privacy setting, and cancelling."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from services.packs.book import PackNotFoundError, book_pack
from services.packs.customer import customer_pack
from services.packs.records import BOOK, CUSTOMER, SEGMENT, Pack, PackCancelled, Section
from tests.support.packs_book import NOW, TASK, fill_packs_book


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Engine, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_packs_book(ws.engine)
    yield ws.engine, ids
    ws.close()


def _section(pack: Pack, title: str) -> Section:
    return next(s for s in pack.sections if s.title.startswith(title))


def _figures(section: Section) -> dict[str, str]:
    return {f.label: f.value for f in section.figures}


def _texts(pack: Pack) -> str:
    parts = [pack.title, pack.owner, *pack.title_lines]
    for s in pack.sections:
        parts += [s.title, *s.lines, *s.notes, *(f"{f.label} {f.value}" for f in s.figures)]
    return "\n".join(parts)


def test_an_accounts_pack(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    pack = customer_pack(engine, ids["A"], now=NOW)
    assert pack.scope == CUSTOMER
    # The privacy setting's default withholds the surname, the address and the phone.
    assert pack.title == "Ada [surname withheld]"
    assert pack.title_lines == (
        "Account owner: Maya",
        "Period: Aug 28, 2026 to Nov 27, 2026",
        "Prepared on Nov 27, 2026",
    )
    # No contract, so no renewal section.
    assert [s.title for s in pack.sections] == [
        "Health and churn risk", "Orders and usage", "Outreach and outcomes",
        "Open tasks and next steps",
    ]  # fmt: skip
    scores = _section(pack, "Health and churn risk")
    # Health 70 -> 55, churn risk 40% -> 70% between the two scorings.
    assert _figures(scores) == {
        "Health": "55 of 100 (-15 points since the scoring before)",
        "Churn risk": "70% (+30 points since the scoring before); likely 60% to 80%",
        "Segment": "At Risk",
    }
    assert scores.lines[1:] == (
        "No order in 33 days; usual gap 20 days (raises churn risk).",
        "Customer for 1 year (lowers churn risk).",
    )
    assert [c.kind for c in scores.charts] == ["score_history"]
    assert len(scores.charts[0].data["points"]) == 2
    assert any(d.startswith("Churn risk: the calibrated probability") for d in scores.definitions)
    orders = _figures(_section(pack, "Orders and usage"))
    # Paid: $100 + $200 + $300 (the $50 refund is no purchase); in the period only Oct 25.
    assert orders["Paid orders"] == "3"
    assert orders["Revenue"] == "$600"
    assert orders["In the period"] == "1 order, $300"
    assert orders["Last order"] == "Oct 25, 2026"
    outreach = _section(pack, "Outreach and outcomes")
    # One email on Oct 20, an order five days later: re-engaged within the 30-day window.
    assert _figures(outreach) == {"Emails sent": "1", "Replies": "0", "Re-engaged": "1 of 1"}
    assert outreach.lines == ("Oct 20, 2026: Checking in",)
    steps = _section(pack, "Open tasks and next steps")
    assert _figures(steps) == {"Open tasks": "1", "Open alerts": "1"}
    assert steps.lines[0] == f"Task: {TASK} (due Dec 5, 2026)"
    assert steps.lines[1].startswith("High risk, high value: A personal check-in.")
    text = _texts(pack)
    for withheld in ("Lovelace", "ada@lovelace.example", "555"):
        assert withheld not in text


def test_the_privacy_setting_decides_what_a_pack_shows(book) -> None:  # type: ignore[no-untyped-def]
    from services.settings import set_setting

    engine, ids = book
    with Session(engine) as s, s.begin():
        set_setting(s, "outreach.sent_fields", ["first_name", "surname", "segment"])
    pack = customer_pack(engine, ids["A"], now=NOW)
    assert pack.title == "Ada Lovelace"
    assert pack.owner == "[name withheld]"  # the owner is withheld now
    scores = _section(pack, "Health and churn risk")
    assert "Segment" in _figures(scores)
    # The reasons (drivers) are withheld: no line of them.
    assert scores.lines == ("Scored on Nov 1, 2026.",)
    assert "Last order" not in _figures(_section(pack, "Orders and usage"))
    assert "Maya" not in _texts(pack)


def test_the_books_pack(book) -> None:  # type: ignore[no-untyped-def]
    from services.alerts.dashboard import dashboard

    engine, _ids = book
    pack = book_pack(engine, now=NOW)
    assert pack.scope == BOOK
    assert pack.title == "The book"
    totals = _figures(_section(pack, "Totals"))
    # 5 scored; at risk A and B (D is Lost): 2 of 5; $210 + $50 + $10 + $90 + $20 = $380.
    assert totals["Customers"] == "5"
    assert totals["At risk"] == "2 (40%)"
    assert totals["Revenue at risk"] == "$380"
    figures = dashboard(engine, now=NOW)
    assert figures is not None
    assert (figures.customers, figures.at_risk_customers) == (5, 2)  # the dashboard's own
    # The book's health is the dashboard's: the mean of the latest run (its trend's point).
    mean = figures.trend[-1].mean_health
    assert mean is not None
    assert totals["Mean health"] == f"{mean:.0f} of 100"
    mix = _figures(_section(pack, "Health mix"))
    assert mix == {
        "Churn risk high (60% or more)": "3 (60%)",
        "Of them at risk": "2 (40%), the other 1 Lost",  # A and B; D is Lost, as in the totals
        "Churn risk medium (30% to 60%)": "1 (20%)",
        "Churn risk low (under 30%)": "1 (20%)",
    }
    top = _section(pack, "Top 2 accounts at risk")
    assert top.lines == (
        "Ada [surname withheld]: churn risk 70%, $210 at risk",
        "Ben [surname withheld]: churn risk 65%, $50 at risk",
    )
    results = _section(pack, "Results")
    # One contacted alert and no held-out one: too few to measure, said first.
    assert _figures(results)["Lift of outreach"] == "Not enough data yet"
    assert results.lines[0].startswith("Not enough data yet")


def test_a_tiers_pack_and_a_segments(book) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    gold = book_pack(engine, "gold", now=NOW)  # any case
    assert (gold.scope, gold.title) == (SEGMENT, "Tier Gold")
    # A and B: both at risk, $210 + $50.
    assert _figures(_section(gold, "Totals"))["At risk"] == "2 (100%)"
    assert _figures(_section(gold, "Totals"))["Revenue at risk"] == "$260"
    # Both of the high band at risk: none Lost, and the pack does not say "the rest Lost".
    assert _figures(_section(gold, "Health mix"))["Of them at risk"] == "2 (100%)"
    assert "Results does not break outreach down by tier" in " ".join(
        _section(gold, "Results").lines
    )
    champions = book_pack(engine, "Champions", now=NOW)
    assert champions.title == "Segment Champions"
    assert _figures(_section(champions, "Totals"))["Customers"] == "1"
    assert _section(champions, "Accounts at risk").lines == ("No customer is at risk.",)
    with pytest.raises(PackNotFoundError, match="No segment or tier is named 'Platinum'"):
        book_pack(engine, "Platinum", now=NOW)


def test_cancelling_stops_the_pack(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    steps: list[str] = []
    with pytest.raises(PackCancelled):
        customer_pack(engine, ids["A"], now=NOW, progress=lambda _f, m: steps.append(m),
                      cancelled=lambda: len(steps) >= 2)  # fmt: skip
    assert steps == ["Reading the account", "Reading the scores and orders"]


def test_the_renewal_once_there_is_a_contract(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    pack = customer_pack(engine, ids["B"], now=NOW)
    renewal = _section(pack, "Renewal")
    assert pack.sections.index(renewal) == 2  # after the orders, before the outreach
    # $100 a month, renewing Mar 1, 2027, notice 30 days before: by Jan 30, 2027.
    assert renewal.lines[0] == (
        "Ben's plan: Renews Mar 1, 2027 · $100 a month · does not auto-renew · "
        "notice by Jan 30, 2027."
    )
    assert renewal.figures == ()  # not yet scored for renewal: no likelihood


def test_the_pack_title_named_for_its_file_follows_the_privacy_setting(book) -> None:  # type: ignore[no-untyped-def]
    """The name a pack's file is suggested by reads as the pack's own title: the same mask."""
    from services.packs.customer import customer_pack_title
    from services.settings import set_setting

    engine, ids = book
    assert customer_pack_title(engine, ids["A"]) == "Ada [surname withheld]"
    assert customer_pack_title(engine, ids["A"]) == customer_pack(engine, ids["A"], now=NOW).title
    with Session(engine) as s, s.begin():
        set_setting(s, "outreach.sent_fields", ["first_name", "surname", "segment"])
    assert customer_pack_title(engine, ids["A"]) == "Ada Lovelace"
    with Session(engine) as s, s.begin():
        set_setting(s, "outreach.sent_fields", ["segment"])
    assert customer_pack_title(engine, ids["A"]) == "[first name withheld] [surname withheld]"


def test_the_books_pack_has_its_renewals_and_retention(book) -> None:  # type: ignore[no-untyped-def]
    from services.retention.report import retention_report
    from services.retention.wording import rate

    engine, _ids = book
    pack = book_pack(engine, now=NOW)
    section = _section(pack, "Renewals and retention")
    figures = _figures(section)
    # Ben's plan ends Mar 1, 2027: 94 days after Nov 27, 2026, so not in the next 90 days;
    # its 6-month checkpoint (Sep 1) is reached and no call was made: one call due.
    assert figures["Renewals, next 90 days"] == "0"
    assert figures["Renewal calls due"] == "1"
    assert section.lines[0].startswith("0 renewals in the next 90 days")
    # Retention as Results ▸ Retention computes it, over the 12 months before November.
    whole = retention_report(engine, today=NOW.date()).overall
    assert figures["Customers kept, 12 months"] == rate(whole.retention_rate)
    assert "Dec 2025 – Nov 2026" not in section.lines[1]
    assert "(Nov 2025 – Oct 2026)" in section.lines[1]
    assert all(f.definition for f in section.figures)
    # A segment's pack does not carry the book's renewals.
    gold = book_pack(engine, "gold", now=NOW)
    assert not any(s.title == "Renewals and retention" for s in gold.sections)
