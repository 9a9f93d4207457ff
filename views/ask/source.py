"""What the Ask tab needs from a workspace, as a protocol (app/gui/ask_source.py
implements it), and the plain records it hands over.

Methods marked *worker* may be slow (the database, the keyring, the network): the pane
calls them only inside an operation of the job runner (``pool`` says which). The others
are quick and pure and run on the UI thread. Answers are services.ask.answer.Answer
objects: frozen, read-only, passed through untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from services.ask.answer import Answer

Cancelled = Callable[[], bool]


@dataclass(frozen=True)
class ParamField:
    """One parameter of a saved question as its form shows it.

    ``kind``: "int", "number", "percent" (a 0-1 fraction shown as %), "money", "date"
    ('YYYY-MM-DD'), "text", "choice", "customer". ``value``: the default, worked out
    for today (a date, a setting's value), ready to edit.
    """

    name: str
    label: str
    kind: str
    value: Any
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionEntry:
    """A saved question in the list: built in, or saved by the user."""

    id: str
    title: str
    question: str
    explanation: str
    builtin: bool
    params: tuple[ParamField, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """A saved question the typed words may mean, with the values they state."""

    entry: QuestionEntry
    values: dict[str, Any]
    score: float
    answers: bool = True  # False: only the closest; some typed words are not in it


@dataclass(frozen=True)
class ProviderStatus:
    """Who answers typed questions: a provider (``configured``), or the library only.

    ``label``: the model and where it runs ("llama3 on localhost"); ``problem``: why
    no provider can be used, in plain words (None when one is set up); ``local``:
    requests stay on this computer, so nothing needs reviewing first.
    """

    configured: bool
    label: str = ""
    host: str = ""
    local: bool = False
    problem: str | None = None


@dataclass(frozen=True)
class ModelRequest:
    """A question made ready for the model: exactly what would be sent (``preview``),
    where to (``host``), and whether the user must see it before it goes
    (``needs_review``: a provider off this computer not yet reviewed). ``payload`` is
    the source's own (the request, the provider); the view never reads it."""

    question: str
    preview: str
    host: str
    needs_review: bool
    payload: Any = None


class AskSource(Protocol):
    """Questions over one open workspace."""

    @property
    def home_currency(self) -> str:
        """The workspace's home currency (ISO code): what ``*_home`` money is in."""
        ...

    def questions(self) -> list[QuestionEntry]:
        """Worker (db): the saved questions, built in first, with today's defaults."""
        ...

    def suggestions(self, text: str, limit: int = 4) -> list[Suggestion]:
        """The saved questions the typed words may mean, best first (quick, no I/O)."""
        ...

    def provider(self) -> ProviderStatus:
        """Worker (db): the provider typed questions go to, if any."""
        ...

    def answer_saved(
        self,
        question_id: str,
        values: dict[str, Any],
        asked: str | None,
        cancelled: Cancelled,
    ) -> Answer:
        """Worker (db): run a saved question with these parameter values."""
        ...

    def refine(self, previous: Answer, text: str, cancelled: Cancelled) -> Answer | None:
        """Worker (db): a follow-up ("only the Gold ones") answered from the previous
        answer without a model; None when the words are not such a follow-up."""
        ...

    def draft_row(self, text: str) -> int | None:
        """The row a "draft an email to the first" means (0-based; -1 the last), else None
        (quick)."""
        ...

    def prepare_model(self, question: str, history: Sequence[Answer]) -> ModelRequest:
        """Worker (db): the request for the model, the conversation so far included."""
        ...

    def ask_model(self, request: ModelRequest, cancelled: Cancelled) -> Answer:
        """Worker (work pool): send the request, run the SQL it returns, answer."""
        ...

    def mark_reviewed(self, request: ModelRequest) -> None:
        """Worker (db): the user saw what goes to the request's provider; not asked again."""
        ...

    def save_question(self, title: str, answer: Answer) -> QuestionEntry:
        """Worker (db): add an answered question to the library."""
        ...

    def delete_question(self, question_id: str) -> None:
        """Worker (db): remove a question the user saved."""
        ...

    def error_text(self, error: BaseException) -> str | None:
        """What went wrong in plain words (a question that got no answer, a provider
        that failed, a workspace that could not be read); None for a bug."""
        ...
