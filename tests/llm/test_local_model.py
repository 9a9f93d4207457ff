"""The app's drafting and Ask code against a real llama.cpp server with a real (tiny)
model: the presets meet a real local server. The model's wording is not judged, only how
the app behaves with what the server really does."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace, to_url
from services.ask import generate
from services.ask.errors import AskError
from services.llm.client import ChatStream, list_models, test_connection
from services.llm.errors import LLMError
from services.llm.providers import ProviderConfig
from services.outreach.drafting import prepare_draft, run_draft
from services.settings import set_setting
from tests.llm.conftest import MODEL_NAME

ASK_FOR_A_STORY = [{"role": "user", "content": "Write a long story about a lighthouse."}]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from services.alerts.generate import generate_alerts
    from services.demo import build_demo
    from services.scoring.run import score_workspace

    path = tmp_path_factory.mktemp("llm-demo") / "demo.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    try:
        build_demo(ws.engine, customers=200, seed=3)
        generate_alerts(ws.engine, score_workspace(ws.engine).run_id)
        with ws.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        ws.close()
    return path


@pytest.fixture
def ws(demo_file: Path, tmp_path: Path, config: ProviderConfig) -> Iterator[Workspace]:
    target = tmp_path / "demo.radar.sqlite"
    shutil.copy(demo_file, target)
    workspace = open_workspace(to_url(str(target)), backup=False)
    with Session(workspace.engine) as session, session.begin():
        set_setting(session, "llm.preset", "llamacpp")
        set_setting(session, "llm.base_url", config.base_url)
        set_setting(session, "llm.model", MODEL_NAME)
        set_setting(session, "llm.timeout_s", 120)
    yield workspace
    workspace.close()


def test_the_server_lists_its_model_and_answers_the_connection_test(config: ProviderConfig) -> None:
    assert MODEL_NAME in list_models(config, None)
    assert test_connection(config, None).startswith(f"Connected to {config.base_url}")


def test_a_draft_streams_from_the_real_server(ws: Workspace) -> None:
    with Session(ws.engine) as session:
        customer = session.execute(
            __import__("sqlalchemy").text("SELECT min(customer_id) FROM alerts")
        ).scalar_one()
        request = prepare_draft(session, int(customer))
    assert request.config is not None
    deltas: list[str] = []
    draft = run_draft(request, reviewed=True, api_key="", on_text=deltas.append)
    assert draft.source == "llm", draft.reason
    assert len(deltas) > 3  # it streamed, in pieces
    assert "".join(deltas).strip()
    assert draft.model == MODEL_NAME


def test_stop_ends_a_reply_mid_stream(config: ProviderConfig) -> None:
    stream = ChatStream(config, None, ASK_FOR_A_STORY, max_tokens=400)
    received: list[str] = []

    def read() -> None:
        for delta in stream:
            received.append(delta)
            if len(received) == 3:
                stream.close()

    with pytest.raises(LLMError) as caught:
        read()
    assert caught.value.kind == "cancelled"
    assert len(received) == 3


def test_a_reply_cut_at_the_token_limit_is_known_as_cut_off(config: ProviderConfig) -> None:
    stream = ChatStream(config, None, ASK_FOR_A_STORY, max_tokens=5)
    text = "".join(stream)
    assert text
    assert stream.finish_reason == "length"
    assert stream.truncated
    assert stream.cut_off


def test_json_mode_gets_an_object_in_whichever_mode_the_server_takes(
    config: ProviderConfig,
) -> None:
    generate._WORKING_MODE.clear()
    complete = generate.provider_complete(config)
    text = complete([  # the tier's log shows the mode taken: json_object (schema refused)
        {"role": "system", "content": "Reply with a JSON object with keys sql, title and "
         "cannot_answer."},
        {"role": "user", "content": "Count the customers."},
    ])  # fmt: skip
    mode = generate._WORKING_MODE[(config.base_url.rstrip("/"), MODEL_NAME)]
    chosen = generate.json_modes(config)[mode]
    if chosen is not None and chosen["type"] == "json_schema":
        # Constrained by the schema's grammar: exactly its keys, whatever the tiny model says.
        assert set(json.loads(text)) == {"sql", "title", "cannot_answer"}
    elif chosen is not None:
        assert isinstance(json.loads(text), dict)


def test_a_question_through_the_real_model_never_writes(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A tiny model rambles: a short reply keeps the tier quick on a CPU.
    monkeypatch.setattr(generate, "MAX_REPLY_TOKENS", 160)
    path = Path(str(ws.engine.url.database))
    request = generate.prepare_request(ws.engine, "How many customers are in each tier?")
    ws.engine.dispose()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    outcome: str
    try:
        answer = generate.ask_model(ws.engine, request)
        outcome = answer.sql if answer.source == "model" else ""
    except (AskError, LLMError) as exc:  # refused, failed twice, no query, can't answer,
        outcome = str(exc)  # or a tiny model's empty reply: all plain messages
    assert outcome  # an answer with its query, or a plain message
    ws.engine.dispose()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
