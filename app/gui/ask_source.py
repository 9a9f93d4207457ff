"""The Ask tab's view of a workspace (implements views.ask.source.AskSource) on top of
services/ask: the saved-question library (library, match), follow-ups without a model
(followup) and questions the provider writes a query for (generate).

The provider, its key and the review of what is sent are the drafting ones
(services/outreach/prompt.py, drafting.py): one set of settings and privacy rules.
Methods the protocol marks *worker* run on the job runner; the rest are quick.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from app.workspace import Workspace
from models.errors import UserFacingError
from services.ask.errors import AskError
from views.ask.source import ModelRequest, ParamField, ProviderStatus, QuestionEntry, Suggestion

if TYPE_CHECKING:
    from services.ask.answer import Answer
    from services.ask.questions import Param, SavedQuestion


class WorkspaceAskSource:
    """Questions over one open workspace."""

    def __init__(self, workspace: Workspace, *, user: Callable[[], str] = lambda: "user") -> None:
        self.workspace = workspace
        self._user = user
        self._lock = threading.Lock()
        self._questions: list[SavedQuestion] = []
        self._entries: dict[str, QuestionEntry] = {}
        self._home = "USD"

    @property
    def home_currency(self) -> str:
        return self._home

    # -- the library ------------------------------------------------------------------------

    def questions(self) -> list[QuestionEntry]:
        from services.ask.library import default_value, local_today, saved_questions
        from services.core.money import load_money_context

        engine = self.workspace.engine
        with engine.connect() as conn:
            self._home = load_money_context(conn).home
        today = local_today(engine)
        questions = saved_questions(engine)
        entries = [
            QuestionEntry(
                id=q.id,
                title=q.title,
                question=q.question,
                explanation=q.explanation,
                builtin=q.builtin,
                params=tuple(self._field(p, default_value(engine, p, today)) for p in q.params),
            )
            for q in questions
        ]
        with self._lock:
            self._questions = questions
            self._entries = {e.id: e for e in entries}
        return entries

    def _field(self, param: Param, value: Any) -> ParamField:
        choices = param.choices
        if param.choices_sql and not choices:
            from services.ask.readonly import run_query

            found = run_query(self.workspace.engine, param.choices_sql, row_limit=500)
            choices = tuple(str(r[0]) for r in found.rows)
        return ParamField(param.name, param.label, param.kind, value, choices)

    def suggestions(self, text: str, limit: int = 4) -> list[Suggestion]:
        from services.ask.match import match

        with self._lock:
            questions, entries = list(self._questions), dict(self._entries)
        out = []
        for found in match(text, questions)[:limit]:
            entry = entries.get(found.question.id)
            if entry is not None:
                out.append(Suggestion(entry, dict(found.params), found.score, found.answers))
        return out

    def answer_saved(
        self,
        question_id: str,
        values: dict[str, Any],
        asked: str | None,
        cancelled: Callable[[], bool],
    ) -> Answer:
        from services.ask.library import answer_saved, find_question

        engine = self.workspace.engine
        question = find_question(engine, question_id)
        return answer_saved(engine, question, values, asked=asked, cancelled=cancelled)

    def save_question(self, title: str, answer: Answer) -> QuestionEntry:
        from services.ask.library import save_question

        # Every value bound to the query (a saved question's dates worked out from its
        # days too), so the saved copy runs as it was answered.
        saved = save_question(
            self.workspace.engine,
            title,
            answer.sql,
            answer.binds or answer.params,
            answer.question,
            actor=self._user(),
        )
        return QuestionEntry(saved.id, saved.title, saved.question, saved.explanation, False)

    def delete_question(self, question_id: str) -> None:
        from services.ask.library import delete_saved

        delete_saved(self.workspace.engine, question_id, actor=self._user())

    # -- follow-ups ---------------------------------------------------------------------------

    def refine(self, previous: Answer, text: str, cancelled: Callable[[], bool]) -> Answer | None:
        from services.ask.followup import refine

        return refine(self.workspace.engine, previous, text)

    def draft_row(self, text: str) -> int | None:
        from services.ask.generate import wants_draft

        return wants_draft(text)

    # -- the provider -------------------------------------------------------------------------

    def provider(self) -> ProviderStatus:
        from services.llm.providers import host_of, is_local
        from services.outreach.prompt import provider_from_settings, provider_problem

        with self.workspace.sessions() as session:
            problem = provider_problem(session)
            config = None if problem else provider_from_settings(session)
        if config is None:
            return ProviderStatus(configured=False, problem=problem)
        host = host_of(config.base_url)
        return ProviderStatus(
            configured=True,
            label=f"{config.model_label} at {host}" if host else config.model_label,
            host=host,
            local=is_local(config),
        )

    def prepare_model(self, question: str, history: Sequence[Answer]) -> ModelRequest:
        from services.ask.generate import Conversation, prepare_request
        from services.llm.providers import host_of

        conversation = Conversation()
        for answer in history:
            conversation.add(answer)
        request = prepare_request(
            self.workspace.engine, question, conversation=conversation if history else None
        )
        return ModelRequest(
            question=request.question,
            preview=request.preview_text(),
            host=host_of(request.config.base_url),
            needs_review=request.needs_review,
            payload=request,
        )

    def ask_model(self, request: ModelRequest, cancelled: Callable[[], bool]) -> Answer:
        from services.ask.generate import AskRequest, ask_model

        prepared = request.payload
        if not isinstance(prepared, AskRequest):
            raise AskError("The request was not prepared; ask again.")
        return ask_model(self.workspace.engine, prepared, cancelled=cancelled)

    def mark_reviewed(self, request: ModelRequest) -> None:
        from services.ask.generate import AskRequest, mark_request_reviewed

        if isinstance(request.payload, AskRequest):
            mark_request_reviewed(self.workspace.engine, request.payload, actor=self._user())

    # -- errors -------------------------------------------------------------------------------

    def error_text(self, error: BaseException) -> str | None:
        if isinstance(error, AskError | UserFacingError):
            return str(error) or "The question could not be answered."
        return None
