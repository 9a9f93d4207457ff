"""What can go wrong when asking, in words a user can act on."""

from __future__ import annotations

from models.errors import UserFacingError

MAX_ERROR = 300  # characters of a database's error shown to the user


class AskError(UserFacingError):
    """A question that got no answer; the message says why and what to do (an expected
    outcome, never a bug: the command line prints it as one line and exits 1)."""


class CannotAnswer(AskError):
    """The workspace holds nothing that answers the question."""

    def __init__(self, reason: str) -> None:
        self.reason = reason.strip().rstrip(".") or "the question is outside what it holds"
        super().__init__(f"I can't answer that from this workspace: {self.reason}.")


class QueryRefused(AskError):
    """A query that would write, or read outside the ask_ views: it never ran."""


class QueryFailed(AskError):
    """The database could not run the query; the message is its error (its first line, cut
    short: an error can quote a whole column of values). ``position`` is where in the
    query the database found it, when it says (a character offset from 1)."""

    def __init__(self, error: str, sql: str, position: int | None = None) -> None:
        first = error.strip().splitlines()[0] if error.strip() else "unknown error"
        self.error = first if len(first) <= MAX_ERROR else first[: MAX_ERROR - 1] + "…"
        self.sql = sql
        self.position = position
        super().__init__(f"The query did not run: {self.error}")


class QueryTooBig(AskError):
    """The query's values grew past what a question may hold in memory, and it was
    stopped."""


class QueryTimeout(AskError):
    """The query ran past its time limit and was stopped."""


class QueryCancelled(AskError):
    """The user stopped the query."""
