"""Read a query's text before any database sees it: the plain reason a write is refused.

The database guards are the wall (services/ask/readonly.py); this reading gives the
reason in words, and catches the write the database would only call a syntax error: a
DELETE hidden inside a WITH clause is an error on SQLite and a data-modifying CTE on
PostgreSQL, and either way it is a write to refuse, never a broken query to send back to
the model for a "correction". String literals, quoted names and comments are blanked
first, so a customer's text that says "delete from customers" is only text.
"""

from __future__ import annotations

import re

from services.ask.errors import QueryRefused
from services.ask.views import VIEW_NAMES

STRINGS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|\[[^\]]*\]")
COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
ONLY_VIEWS = "Questions can read only the ask_ views ({views}), not the table {table!r}."
# Table-valued functions a question may read from besides the views (they read their
# argument, nothing stored).
TABLE_FUNCTIONS = frozenset({"json_each", "json_tree"})

_NAME = r"[A-Za-z_][\w.]*"
_DML = [
    (re.compile(r"\bdelete\s+from\b", re.IGNORECASE), "delete rows"),
    (re.compile(r"\binsert\s+(?:or\s+\w+\s+)?into\b", re.IGNORECASE), "insert rows"),
    (re.compile(r"\breplace\s+into\b", re.IGNORECASE), "insert rows"),
    (
        re.compile(
            rf"\bupdate\s+(?:or\s+\w+\s+)?(?:only\s+)?{_NAME}(?:\s+(?:as\s+)?\w+)?\s+set\b",
            re.IGNORECASE,
        ),
        "update rows",
    ),  # fmt: skip
    (re.compile(r"\bmerge\s+into\b", re.IGNORECASE), "merge rows"),
    (
        re.compile(r"\btruncate\s+(?:table\s+)?(?:only\s+)?[A-Za-z_]", re.IGNORECASE),
        "empty a table",
    ),  # fmt: skip
    (
        re.compile(
            r"\b(create|drop|alter)\s+(?:or\s+replace\s+|temp(?:orary)?\s+|unique\s+|"
            r"virtual\s+|materialized\s+|if\s+(?:not\s+)?exists\s+)*(table|view|index|"
            r"trigger|schema|database|role|user|function|procedure|sequence|extension|"
            r"type|policy)\b",
            re.IGNORECASE,
        ),
        "",
    ),  # fmt: skip
    (re.compile(r"\battach\s+(?:database\s+)?''", re.IGNORECASE), "attach another database"),
    (re.compile(r"\bpragma\s+\w+", re.IGNORECASE), "change a setting (PRAGMA)"),
]


def bare(sql: str) -> str:
    """The query with string literals, quoted names and comments blanked."""
    return COMMENTS.sub(" ", STRINGS.sub("''", sql))


def precheck(sql: str) -> None:
    """QueryRefused, with the plain reason, when the query's words would write anywhere
    in it (inside a WITH clause too), or it is more than one statement."""
    text = bare(sql).strip().rstrip(";")
    if ";" in text:
        raise QueryRefused("The query is more than one statement; a question runs one SELECT.")
    for pattern, words in _DML:
        found = pattern.search(text)
        if found is None:
            continue
        if not words:
            thing = found.group(2).lower()
            article = "an" if thing[0] in "aeiou" else "a"
            words = f"{found.group(1).lower()} {article} {thing}"
        raise QueryRefused(f"The query would {words}; a question can only read (SELECT).")


_TABLE_REFS = re.compile(r"\b(?:from|join)\s+([A-Za-z_][\w.]*)", re.IGNORECASE)
_CTE_NAMES = re.compile(r"(?:\bwith\s+(?:recursive\s+)?|,\s*)([A-Za-z_]\w*)\s*(?:\([^)]*\))?"
                        r"\s+as\s*(?:not\s+)?(?:materialized\s*)?\(", re.IGNORECASE)  # fmt: skip
_WRITES = re.compile(
    r"\b(insert|update|delete|merge|create|drop|alter|truncate|grant|revoke|copy|vacuum|"
    r"analyze|reindex|cluster|lock|set|reset|call|do|execute|prepare|listen|notify|"
    r"refresh|comment|security|discard|load|import)\b",
    re.IGNORECASE,
)


# Functions a question may not call on PostgreSQL: they change the role or a setting
# (set_config('role', ...) would step out of the reader role), run a query given as text
# past the views (query_to_xml('SELECT ... FROM customers')), or read files and other
# databases.
_UNSAFE_FUNCTIONS = re.compile(
    r"\b(set_config|query_to_xml\w*|table_to_xml\w*|cursor_to_xml\w*|database_to_xml\w*|"
    r"schema_to_xml\w*|pg_read_file|pg_read_binary_file|pg_ls_\w+|pg_stat_file|lo_\w+|"
    r"dblink\w*)\s*\(",
    re.IGNORECASE,
)
_LITERALS = re.compile(r"'(?:[^']|'')*'")
_QUOTED_REFS = re.compile(
    r'\b(?:from|join)\s+((?:"(?:[^"]|"")*"\s*\.\s*)?"((?:[^"]|"")*)")', re.IGNORECASE
)


def check_postgres_sql(sql: str) -> None:
    """QueryRefused unless ``sql`` is one SELECT naming only the ask_ views (and its own
    CTEs). The read-only transaction is the guard; this gives the plain reason early."""
    text = bare(sql)
    unsafe = _UNSAFE_FUNCTIONS.search(text) or re.search(r"''\s*\(", text)
    if unsafe:
        name = unsafe.group(1) if unsafe.groups() else "a quoted function"
        raise QueryRefused(f"The query calls {name}, which a question may not use.")
    quoted = COMMENTS.sub(" ", _LITERALS.sub("''", sql))
    for match in _QUOTED_REFS.finditer(quoted):
        name = match.group(2).replace('""', '"')
        if name not in VIEW_NAMES:
            raise QueryRefused(ONLY_VIEWS.format(views=", ".join(sorted(VIEW_NAMES)), table=name))
    if ";" in text:
        raise QueryRefused("The query is more than one statement; a question runs one SELECT.")
    if not re.match(r"\s*(select|with)\b", text, re.IGNORECASE):
        raise QueryRefused("A question runs one SELECT.")
    write = _WRITES.search(text)
    if write:
        raise QueryRefused(
            f"The query uses {write.group(1).upper()}; a question can only read (SELECT)."
        )
    ctes = {m.group(1).lower() for m in _CTE_NAMES.finditer(text)}
    for match in _TABLE_REFS.finditer(text):
        name = match.group(1).lower().split(".")[-1]
        if name not in VIEW_NAMES and name not in ctes and name not in TABLE_FUNCTIONS:
            raise QueryRefused(ONLY_VIEWS.format(views=", ".join(sorted(VIEW_NAMES)), table=name))
