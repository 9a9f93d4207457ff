"""Structured output and reasoning models, against a loopback server imitating their
servers: a JSON schema refused with HTTP 500 (llama.cpp's server) falls back to a JSON
object and is remembered; LM Studio (which refuses json_object) never gets one; a
<think> block never reaches a draft or a query."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from services.ask import generate
from services.ask.generate import json_modes, provider_complete
from services.llm.client import ThinkFilter, stream_chat
from services.llm.errors import LLMError
from services.llm.providers import ProviderConfig, config_from_preset
from tests.support.openai_server import FakeOpenAIServer

REPLY = json.dumps({"sql": "SELECT 1", "title": "one", "cannot_answer": None})


@pytest.fixture(autouse=True)
def _forget_modes() -> Iterator[None]:
    generate._WORKING_MODE.clear()
    yield
    generate._WORKING_MODE.clear()


def _config(preset: str, server: FakeOpenAIServer) -> ProviderConfig:
    return config_from_preset(preset, model="m", base_url=server.base_url)


def _formats(server: FakeOpenAIServer) -> list[str | None]:
    out = []
    for request in server.chat_requests:
        assert request.body is not None
        wanted = request.body.get("response_format")
        out.append(wanted["type"] if wanted else None)
    return out


def test_a_schema_refused_with_500_falls_back_to_a_json_object_once() -> None:
    with FakeOpenAIServer(models=["m"], reply=REPLY) as server:
        server.refuse_formats = {"json_schema": 500}
        complete = provider_complete(_config("llamacpp", server))
        assert json.loads(complete([{"role": "user", "content": "q"}]))["sql"] == "SELECT 1"
        assert _formats(server) == ["json_schema", "json_object"]
        complete([{"role": "user", "content": "q2"}])
        assert _formats(server) == ["json_schema", "json_object", "json_object"]
    schema = server.chat_requests[0].body["response_format"]["json_schema"]  # type: ignore[index]
    assert schema["schema"]["required"] == ["sql", "title", "cannot_answer"]


def test_lm_studio_is_never_sent_a_json_object() -> None:
    with FakeOpenAIServer(models=["m"], reply=REPLY) as server:
        server.refuse_formats = {"json_schema": 400, "json_object": 400}
        config = _config("lmstudio", server)
        assert json_modes(config)[1] is None
        complete = provider_complete(config)
        assert json.loads(complete([{"role": "user", "content": "q"}]))["sql"] == "SELECT 1"
        assert _formats(server) == ["json_schema", None]


def test_a_server_that_takes_the_schema_gets_it_first_time() -> None:
    with FakeOpenAIServer(models=["m"], reply=REPLY) as server:
        complete = provider_complete(_config("vllm", server))
        complete([{"role": "user", "content": "q"}])
        assert _formats(server) == ["json_schema"]


def test_an_error_that_is_no_refusal_is_not_retried_in_other_modes() -> None:
    with FakeOpenAIServer(models=["m"], reply=REPLY, fail_with=401) as server:
        complete = provider_complete(_config("llamacpp", server))
        with pytest.raises(LLMError) as caught:
            complete([{"role": "user", "content": "q"}])
        assert caught.value.kind == "auth"
        assert _formats(server) == ["json_schema"]


@pytest.mark.parametrize(
    ("deltas", "shown"),
    [
        (["<think>", "plan the ", "query", "</think>", "\n\nHello", " there"], "Hello there"),
        (["  <thi", "nk>x</th", "ink>Hi"], "Hi"),
        (["Hello ", "<think>not a block</think>"], "Hello <think>not a block</think>"),
        (["<th"], "<th"),
        (["<think>never closed"], ""),
    ],
)
def test_the_think_filter_drops_only_a_leading_block(deltas: list[str], shown: str) -> None:
    f = ThinkFilter()
    out = "".join(f.feed(d) for d in deltas) + f.end()
    assert out == shown


def test_a_reasoning_models_block_never_reaches_the_streamed_text() -> None:
    reply = "<think>The user wants a friendly email. I will</think>Subject: Hello\n\nHi Ada,"
    with FakeOpenAIServer(models=["m"], reply=reply) as server:
        config = _config("ollama", server)
        text = "".join(stream_chat(config, None, [{"role": "user", "content": "draft"}]))
    assert text == "Subject: Hello\n\nHi Ada,"


def test_ollama_gets_the_context_a_long_question_needs_through_its_native_api() -> None:
    long_prompt = [{"role": "system", "content": "x" * 15_000}, {"role": "user", "content": "q"}]
    with FakeOpenAIServer(models=["m"], reply="<think>hm</think>" + REPLY) as server:
        config = _config("ollama", server)
        text = provider_complete(config)(long_prompt)
    assert json.loads(text)["sql"] == "SELECT 1"
    assert server.chat_requests == []  # nothing went to /v1, which ignores num_ctx
    (native,) = [r for r in server.requests if r.path == "/api/chat"]
    assert native.body is not None
    assert native.body["options"]["num_ctx"] >= 15_000 // 3 + 900
    assert native.body["options"]["num_ctx"] % 1024 == 0
    assert native.body["format"]["required"] == ["sql", "title", "cannot_answer"]
    assert native.body["messages"] == long_prompt


def test_ollama_not_running_is_said_plainly() -> None:
    config = config_from_preset("ollama", model="m", base_url="http://127.0.0.1:9/v1")
    with pytest.raises(LLMError, match="start Ollama"):
        provider_complete(config)([{"role": "user", "content": "q"}])
