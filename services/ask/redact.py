"""What of a database error may go back to the model: its kind and where, never a value.

A query the database could not run goes back to the model once, with the error, for a
correction. An error can quote data: SQLite's "JSON path error near '...'" quotes the
path it was given, PostgreSQL's 'invalid input syntax for type integer: "..."' the text
it could not cast, Python's "Could not decode to UTF-8 column ... with text '...'" the
bytes. A query can put any value there (every customer's name and email address, which
the privacy setting withholds), so the text of an error never goes back as it is:

- an error the parser builds from the query's own words ("no such column: tierz",
  'syntax error at or near "FORM"') keeps that word, when it is a word of the query;
- any other error keeps its kind: the words before its first quoted part or colon (what
  follows a colon is the value: PostgreSQL's 'operator does not exist: ...' names any
  text cast to regoper), each a word of the database's messages or of the query, every
  other word and every number left out (a value can be spelled as a number too);
- PostgreSQL's position of the error in the query (a character offset) is kept.

Nothing quoted from the data, and no number from it, can reach the provider this way.
"""

from __future__ import annotations

import re

from services.ask.sqlcheck import bare

MAX_KIND = 160  # characters of an error's kind
GAP = "…"

# Errors whose name part comes from the query's text alone (the parser's), on SQLite and
# PostgreSQL. The name is kept only when it is a word of the query.
_FROM_QUERY = [
    re.compile(r"^(?P<kind>no such (?:column|table|function|window): )(?P<name>[\w.$]+)$"),
    re.compile(r"^(?P<kind>ambiguous column name: )(?P<name>[\w.$]+)$"),
    re.compile(r'^(?P<kind>near )"(?P<name>[^"\s]{1,40})"(?P<tail>: syntax error)$'),
    re.compile(r"^(?P<kind>wrong number of arguments to function )(?P<name>\w+)(?P<tail>\(\))$"),
    re.compile(
        r"^(?P<kind>misuse of (?:aggregate|window)(?: function)?:? )(?P<name>\w+)"
        r"(?P<tail>\(\))$"
    ),  # fmt: skip
    re.compile(r'^(?P<kind>column )"?(?P<name>[\w.$]+)"?(?P<tail> does not exist)$'),
    re.compile(r'^(?P<kind>syntax error at or near )"(?P<name>[^"\s]{1,40})"$'),
    re.compile(r'^(?P<kind>column reference )"(?P<name>[\w$]+)"(?P<tail> is ambiguous)$'),
    re.compile(r'^(?P<kind>missing FROM-clause entry for table )"(?P<name>[\w$]+)"$'),
    re.compile(
        r"^(?P<kind>function )(?P<name>[\w.]+)(?P<tail>\([\w\s,\[\]]*\) does not "
        r"exist)$"
    ),  # fmt: skip
    re.compile(
        r'^(?P<kind>column )"(?P<name>[\w.$]+)"(?P<tail> must appear in the GROUP BY '
        r"clause or be used in an aggregate function)$"
    ),  # fmt: skip
]
# A relation named in an error is a name of the query only when the query reads FROM it:
# a cast to regclass turns any value into "relation ... does not exist".
_RELATION = re.compile(r'^(?P<kind>relation )"(?P<name>[\w.$]+)"(?P<tail> does not exist)$')
_TABLE_REFS = re.compile(r"\b(?:from|join)\s+([A-Za-z_][\w.]*)", re.IGNORECASE)
_WORDS = re.compile(r"[A-Za-z_][\w$]*|\d+|[^\s\w]")
_QUOTES = re.compile(r"['\"`]|:(?=\s|$)")
_NUMBERS = re.compile(r"(?<![A-Za-z_])[-+]?\d[\d.,:]*")
_GAPS = re.compile(rf"{GAP}(?:[\s\-.,:/]*{GAP})+")


def _query_words(sql: str) -> set[str]:
    """The query's own words, outside its string literals, quoted names and comments."""
    return {w.lower() for w in _WORDS.findall(bare(sql))}


# The words of the databases' error messages (SQLite's, PostgreSQL's, the driver's): an
# error's kind keeps these and the query's own words, nothing else.
_MESSAGE_TEXT = """
    a an and argument arguments array as at be bigint boolean by bytea call cannot cast
    character column columns could data database date decode digit division does domain
    double encoding error exist expected expression failed field for format from function
    hexadecimal in input integer interrupted invalid is json large less limit malformed
    match memory misuse more must near no not null numeric of operand operator or out
    parse path precision query range real record regular requested result row same
    smallint string subquery such syntax table text than time timestamp to too type
    unknown unrecognized unterminated utf valid value values varying with zero zone
"""
_MESSAGE_WORDS = frozenset(_MESSAGE_TEXT.split())
_ALPHA = re.compile(r"[A-Za-z_][\w$]*")


def error_kind(error: str, sql: str = "") -> str:
    """The kind of an error, with nothing of any value: the words before its first quoted
    part or colon, each a word of the databases' messages or of ``sql``, numbers and
    every other word left out, cut to a few words."""
    text = error.strip().splitlines()[0].strip() if error.strip() else ""
    quote = _QUOTES.search(text)
    if quote is not None:
        cut = text[: quote.start()].rstrip()
        text = cut + (": " if text[quote.start()] == ":" else " ") + GAP
    known = _MESSAGE_WORDS | _query_words(sql)
    text = _ALPHA.sub(lambda w: w.group(0) if w.group(0).lower() in known else GAP, text)
    text = _NUMBERS.sub(GAP, text)
    text = _GAPS.sub(GAP, text)
    if len(text) > MAX_KIND:
        text = text[: MAX_KIND - 1].rstrip() + GAP
    return text.strip() or "the database could not run it"


def error_for_model(error: str, sql: str, position: int | None = None) -> str:
    """What of the database's error on ``sql`` may go back to the model: see the module
    docstring."""
    first = error.strip().splitlines()[0].strip() if error.strip() else ""
    words = _query_words(sql)
    shown: str | None = None
    for pattern in _FROM_QUERY:
        hit = pattern.match(first)
        if hit is not None:
            name = hit.group("name")
            if all(part.lower() in words for part in name.split(".") if part):
                shown = first  # the fixed words of the message and a word of the query
            else:
                shown = hit.group("kind") + GAP + (hit.groupdict().get("tail") or "")
            break
    relation = _RELATION.match(first)
    if relation is not None:
        name = relation.group("name").lower().split(".")[-1]
        read = {m.group(1).lower().split(".")[-1] for m in _TABLE_REFS.finditer(bare(sql))}
        shown = first if name in read else f"relation {GAP} does not exist"
    if shown is None:
        shown = error_kind(first, sql)
    if position is not None and position > 0:
        shown += f" (at character {position} of the query)"
    return shown
