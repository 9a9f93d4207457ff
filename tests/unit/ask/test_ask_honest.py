"""Ask says only what it knows: a saved question answers typed words only when it accounts
for every one of them; summaries read as sentences; a follow-up shows the column it
filtered on; money reads the same on PostgreSQL as on SQLite."""

from __future__ import annotations

import io
import re

import pytest

from app.workspace import Workspace, open_workspace
from services.ask.answer import answer_from
from services.ask.followup import refine
from services.ask.library import answer_saved, find_question
from services.ask.match import match
from services.ask.questions import BUILTIN
from services.ask.readonly import QueryResult, run_query
from tests.unit.ask.test_ask_library import WORDINGS
from tests.unit.ask.test_ask_readonly import scored_file, ws  # noqa: F401  (the fixtures)
from tests.unit.workspace.test_postgres import pg_url  # noqa: F401  (the fixture)


@pytest.mark.parametrize(
    ("text", "closest", "unexplained"),
    [
        ("customers at risk in the North region", "at_risk_by_owner", ("north", "region")),
        ("Which region has the most Platinum customers?", "top_clv", ("platinum", "region")),
    ],
)
def test_words_the_closest_question_does_not_know_are_not_answered(
    text: str, closest: str, unexplained: tuple[str, ...]
) -> None:
    found = match(text, BUILTIN)
    assert found[0].question.id == closest
    assert found[0].unexplained == unexplained
    assert not found[0].answers


def test_every_known_wording_is_answered_by_its_question() -> None:
    for question_id, texts in WORDINGS.items():
        for text in texts:
            best = match(text, BUILTIN)[0]
            assert best.question.id == question_id
            assert best.answers, (text, best.unexplained)


def _result(columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> QueryResult:
    return QueryResult(columns, rows, False, 0.0)


def test_a_breakdown_is_summed_up_in_a_sentence() -> None:
    counts = _result(("reason", "reviews"), [("Sizing", 12), ("Fabric", 7), ("Delivery", 3)])
    answer = answer_from("q", "SELECT 1", counts, source="library")
    assert answer.summary == "3 groups; Sizing has the most reviews (12), Delivery the fewest (3)."
    shares = _result(("ticket_type", "satisfaction_pct"), [("Delivery", 64.2), ("Billing", 46.5)])
    answer = answer_from("q", "SELECT 1", shares, source="library")
    assert answer.summary == (
        "2 groups; Delivery has the highest satisfaction (64.2%), Billing the lowest (46.5%)."
    )


def test_a_follow_up_shows_the_column_it_filtered_on(ws: Workspace) -> None:  # noqa: F811
    # The most valuable customers, without their tier.
    sql = (
        "SELECT customer_id, name AS customer, owner FROM ask_customers "
        "WHERE value_home IS NOT NULL ORDER BY value_home DESC LIMIT 200"
    )
    previous = answer_from("valuable", sql, run_query(ws.engine, sql), source="library")
    assert "tier" not in previous.columns
    narrowed = refine(ws.engine, previous, "only the Gold ones")
    assert narrowed is not None
    assert narrowed.columns == (*previous.columns, "tier")
    tiers = dict(run_query(ws.engine, "SELECT customer_id, tier FROM ask_customers").rows)
    gold = [r for r in previous.rows if tiers[r[0]] == "Gold"]
    assert 0 < len(gold) < len(previous.rows)
    assert narrowed.rows == [(*r, "Gold") for r in gold]


def test_a_follow_up_word_means_the_column_most_rows_share(ws: Workspace) -> None:  # noqa: F811
    owner = run_query(ws.engine, "SELECT min(owner) FROM ask_customers").rows[0][0]
    first = owner.split()[0]
    with ws.engine.begin() as conn:  # a customer named like the owner, in another's book
        conn.exec_driver_sql(
            "UPDATE customers SET name = ? WHERE id = "
            "(SELECT min(id) FROM customers WHERE owner <> ?)",
            (f"{first} Zed", owner),
        )
    sql = "SELECT customer_id, name AS customer, owner FROM ask_customers ORDER BY customer_id"
    previous = answer_from("customers", sql, run_query(ws.engine, sql), source="library")
    narrowed = refine(ws.engine, previous, f"just {first}'s")
    assert narrowed is not None
    assert narrowed.params["only"] == owner
    assert {r[2] for r in narrowed.rows} == {owner}
    assert len(narrowed.rows) == sum(1 for r in previous.rows if r[2] == owner) > 1


def test_money_reads_the_same_on_postgresql(pg_url: str) -> None:  # noqa: F811
    from app.cli.ask import answer_table
    from app.cli.main import main
    from services.demo import build_demo

    pg = open_workspace(pg_url)
    try:
        build_demo(pg.engine, customers=150, seed=5)  # enough for open deals on any day
        answer = answer_saved(pg.engine, find_question(pg.engine, "biggest_open_deals"))
        amounts = [row[answer.columns.index("amount")] for row in answer.rows]
        assert amounts
        assert all(type(a) is float for a in amounts)
        result = run_query(
            pg.engine,
            "SELECT sum(CAST(paid_orders AS BIGINT)) AS orders, "
            "round(avg(revenue_home), 2) AS average FROM ask_customers",
        )
        ((orders, average),) = result.rows
        assert type(orders) is int
        assert type(average) is float
        table = "\n".join(answer_table(answer))
    finally:
        pg.close()
    assert not re.search(r"\.\d{4,}", table), table
    out, err = io.StringIO(), io.StringIO()
    assert main(["--db", pg_url, "ask", "--saved", "biggest_open_deals"], out=out, err=err) == 0
    cells = re.findall(r"\d[\d,]*\.\d+", out.getvalue())
    assert cells
    assert all(re.fullmatch(r"\d[\d,]*\.\d\d|0\.\d{3}", c) for c in cells), cells
