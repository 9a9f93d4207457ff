"""A question on PostgreSQL cannot step out of the views: no quoted table name, no
set_config (which would leave the reader role), no query given as text to an XML
function, no file or other-database reads (services/ask/sqlcheck.py)."""

from __future__ import annotations

import pytest

from services.ask.errors import QueryRefused
from services.ask.sqlcheck import check_postgres_sql


@pytest.mark.parametrize(
    ("sql", "words"),
    [
        ('SELECT email FROM "customers"', "not the table 'customers'"),
        ('SELECT c.email FROM "public"."customers" c', "not the table 'customers'"),
        ("SELECT set_config('role', 'none', true), count(*) FROM ask_customers", "set_config"),
        ("SELECT query_to_xml('select email from customers', true, false, '')", "query_to_xml"),
        ("SELECT pg_read_file('/etc/passwd')", "pg_read_file"),
        ("SELECT \"set_config\"('role', 'none', true)", "a quoted function"),
    ],
)
def test_a_question_cannot_step_out_of_the_views(sql: str, words: str) -> None:
    with pytest.raises(QueryRefused, match=words):
        check_postgres_sql(sql)


@pytest.mark.parametrize(
    "sql",
    [
        'SELECT name, "tier" FROM "ask_customers" WHERE segment = \'set_config(\'',
        "SELECT count(*) FROM ask_customers c JOIN ask_orders o ON o.customer_id = c.customer_id",
        "SELECT name FROM ask_customers WHERE name LIKE '%\"customers\"%'",
    ],
)
def test_questions_on_the_views_still_run(sql: str) -> None:
    check_postgres_sql(sql)
