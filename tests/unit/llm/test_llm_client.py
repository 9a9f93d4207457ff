"""The LLM client against a real HTTP server on loopback that speaks the OpenAI wire format.

No mocks: the real openai SDK talks to tests/support/openai_server.py, and the tests check
what the server received and how every failure reaches the user.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from typing import Any

import pytest

from services.core.credentials import (
    clear_session_secrets,
    llm_key_name,
    resolve_api_key,
    set_secret,
)
from services.llm import client as llm
from services.llm.errors import LLMError
from services.llm.providers import (
    PRESETS,
    ProviderConfig,
    config_from_preset,
    find_preset,
    is_local,
    needs_key,
    validate_config,
)
from tests.support.memory_keyring import MemoryKeyring, installed_keyring
from tests.support.openai_server import FakeOpenAIServer, split_reply

KEY = "sk-test-9f8e7d6c5b4a"
REPLY = "Hi Ana, it has been a while. Here is 10% off your next order, just for you."
MESSAGES = [
    {"role": "system", "content": "You write short, warm emails."},
    {"role": "user", "content": "Write to Ana, a customer for 3 years."},
]

Serve = Callable[..., FakeOpenAIServer]


@pytest.fixture(autouse=True)
def _no_thread_left_behind() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for thread in left:
        thread.join(timeout=2)
    assert not [t for t in left if t.is_alive()], "a test left a thread running"


@pytest.fixture(autouse=True)
def _fresh_clients() -> Iterator[None]:
    yield
    llm.close_clients()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with installed_keyring(MemoryKeyring()) as backend:
        yield backend
    clear_session_secrets()


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start fake servers for a test; all are stopped (threads joined) at its end."""
    servers: list[FakeOpenAIServer] = []

    def start(**behaviour: Any) -> FakeOpenAIServer:
        server = FakeOpenAIServer(**behaviour).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
        assert server.errors == []


def local(server: FakeOpenAIServer, **overrides: Any) -> ProviderConfig:
    settings: dict[str, Any] = {
        "kind": "local",
        "base_url": server.base_url,
        "model": "test-model",
        "provider_id": "local:ollama",
    }
    settings.update(overrides)
    return ProviderConfig(**settings)


def free_port() -> int:
    """A port nothing listens on: bound once to get it, then closed."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()
    return port


def drain(stream: Iterable[str], into: list[str]) -> None:
    """Read a stream to its end, keeping each delta as it arrives (before any error)."""
    for delta in stream:
        into.append(delta)


def stream_error(config: ProviderConfig, api_key: str | None = None) -> tuple[list[str], LLMError]:
    deltas: list[str] = []
    with pytest.raises(LLMError) as caught:
        drain(llm.stream_chat(config, api_key, MESSAGES), deltas)
    return deltas, caught.value


# -- the happy paths ----------------------------------------------------------------------------


def test_stream_yields_the_reply_in_order_with_the_key_from_the_keyring(
    serve: Serve, memory_keyring: MemoryKeyring
) -> None:
    server = serve(api_key=KEY, reply=REPLY, models=["gpt-test"])
    config = ProviderConfig(kind="openai", base_url=server.base_url, model="gpt-test",
                            temperature=0.3)  # fmt: skip
    set_secret(llm_key_name(config.provider_id), KEY)
    api_key, source = resolve_api_key(llm_key_name(config.provider_id))
    assert source == "keyring"

    deltas = list(llm.stream_chat(config, api_key, MESSAGES))

    assert deltas == split_reply(REPLY)
    assert len(deltas) > 5
    assert "".join(deltas) == REPLY
    [request] = server.chat_requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.body is not None
    assert request.body["model"] == "gpt-test"
    assert request.body["temperature"] == 0.3
    assert request.body["stream"] is True
    assert request.body["messages"] == MESSAGES


def test_chat_stream_keeps_the_text_and_the_finish_reason(serve: Serve) -> None:
    server = serve(reply=REPLY)
    stream = llm.ChatStream(local(server), None, MESSAGES, max_tokens=4)
    deltas = list(stream)
    assert deltas == split_reply(REPLY)[:4]
    assert stream.text == "".join(deltas)
    assert stream.finish_reason == "length"
    assert stream.truncated
    assert server.chat_requests[0].body["max_tokens"] == 4  # type: ignore[index]
    with pytest.raises(RuntimeError):
        list(stream)  # one request, read once


def test_a_local_server_gets_a_placeholder_key_or_the_stored_one(serve: Serve) -> None:
    server = serve()
    list(llm.stream_chat(local(server), None, MESSAGES))
    list(llm.stream_chat(local(server), "my-local-key", MESSAGES))
    first, second = server.chat_requests
    assert first.headers["authorization"] == "Bearer not-needed"
    assert second.headers["authorization"] == "Bearer my-local-key"


def test_complete_chat_returns_the_whole_text_and_sends_the_prompt(serve: Serve) -> None:
    server = serve(reply=lambda body: "Echo: " + body["messages"][-1]["content"])
    text = llm.complete_chat(local(server, temperature=1.2), None, MESSAGES, max_tokens=50)
    assert text == "Echo: Write to Ana, a customer for 3 years."
    body = server.chat_requests[0].body
    assert body is not None
    assert body.get("stream") in (None, False)
    assert body["temperature"] == 1.2
    assert body["max_tokens"] == 50


def test_openai_gets_max_completion_tokens(serve: Serve) -> None:
    server = serve(api_key=KEY)
    config = ProviderConfig(kind="openai", base_url=server.base_url, model="test-model")
    llm.complete_chat(config, KEY, MESSAGES, max_tokens=7)
    body = server.chat_requests[0].body
    assert body is not None
    assert body["max_completion_tokens"] == 7
    assert "max_tokens" not in body


def test_azure_uses_the_deployment_path_api_version_and_api_key_header(serve: Serve) -> None:
    server = serve(api_key=KEY, models=["drafts-dep"], reply=REPLY)
    config = ProviderConfig(kind="azure", base_url=server.endpoint, model="gpt-4o",
                            deployment="drafts-dep")  # fmt: skip
    assert "".join(llm.stream_chat(config, KEY, MESSAGES)) == REPLY
    [request] = server.chat_requests
    assert request.path == "/openai/deployments/drafts-dep/chat/completions"
    assert request.query["api-version"] == ["2024-10-21"]
    assert request.headers["api-key"] == KEY


def test_list_models_is_sorted_and_empty_when_the_server_has_no_list(serve: Serve) -> None:
    with_list = serve(models=["zeta-7b", "alpha", "mistral:latest"])
    assert llm.list_models(local(with_list), None) == ["alpha", "mistral:latest", "zeta-7b"]
    without = serve(models=None)
    assert llm.list_models(local(without), None) == []
    assert [r.path for r in without.requests] == ["/v1/models"]


def test_test_connection_reports_the_time_the_model_took(serve: Serve) -> None:
    server = serve(models=["llama3.2:latest"])
    config = local(server, model="llama3.2")  # Ollama answers to the name without :latest
    text = llm.test_connection(config, None)
    assert re.fullmatch(
        rf"Connected to {re.escape(server.base_url)}; model 'llama3\.2' answered in \d+\.\d\d s\.",
        text,
    )
    assert [r.path for r in server.requests] == ["/v1/models", "/v1/chat/completions"]
    assert server.chat_requests[0].body["max_tokens"] == 1  # type: ignore[index]


def test_test_connection_names_a_model_missing_from_the_list(serve: Serve) -> None:
    server = serve(models=["mistral", "qwen2.5"])
    with pytest.raises(LLMError) as caught:
        llm.test_connection(local(server, model="llama3.2"), None)
    error = caught.value
    assert error.kind == "not_found"
    assert "'llama3.2'" in str(error)
    assert server.base_url in str(error)
    assert "`ollama pull llama3.2`" in str(error)
    assert server.chat_requests == []  # it did not try a model that is not there


# -- failures, each in plain words --------------------------------------------------------------


@pytest.mark.parametrize(
    ("fail_with", "kind", "phrases"),
    [
        (401, "auth", ["refused the API key (401)", "Settings ▸ Email drafting"]),
        (404, "not_found", ["'test-model' is not known at", "(404)", "Pick a model"]),
        (429, "rate_limit", ["(429)", "Wait a minute and try again"]),
        (500, "server", ["internal problem (HTTP 500)", "Try again later"]),
        (503, "server", ["internal problem (HTTP 503)", "Try again later"]),
        (400, "bad_request", ["(HTTP 400)", "Unsupported value: 'temperature'", "Settings"]),
    ],
)
def test_http_failures_map_to_a_kind_and_say_what_to_do(
    serve: Serve, fail_with: int, kind: str, phrases: list[str]
) -> None:
    server = serve(fail_with=fail_with)
    deltas, error = stream_error(local(server))
    assert deltas == []
    assert error.kind == kind
    assert error.status == fail_with
    for phrase in phrases:
        assert phrase in str(error)

    with pytest.raises(LLMError) as caught:
        llm.complete_chat(local(server), None, MESSAGES)
    assert caught.value.kind == kind


def test_a_wrong_key_is_an_auth_error(serve: Serve) -> None:
    server = serve(api_key=KEY)
    config = ProviderConfig(kind="openai", base_url=server.base_url, model="test-model")
    _, error = stream_error(config, "sk-wrong")
    assert error.kind == "auth"
    assert server.chat_requests[0].headers["authorization"] == "Bearer sk-wrong"


def test_a_base_url_without_v1_is_named_as_the_likely_mistake(serve: Serve) -> None:
    server = serve()
    _, error = stream_error(local(server, base_url=server.endpoint))
    assert error.kind == "not_found"
    assert "usually ends in /v1" in str(error)


@pytest.mark.parametrize("status", [500, 503, 429])
def test_retries_are_few(serve: Serve, status: int) -> None:
    server = serve(fail_with=status)
    stream_error(local(server))
    assert len(server.chat_requests) == 2  # the request and one retry (max_retries=1)


def test_nothing_listening_is_refused_with_how_to_start_the_server() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    config = ProviderConfig(
        kind="local", base_url=url, model="llama3.2", provider_id="local:ollama"
    )
    started = time.monotonic()
    _, error = stream_error(config)
    assert time.monotonic() - started < 5
    assert error.kind == "refused"
    assert str(error).startswith(f"Nothing is answering at {url}. Start the server")
    assert "`ollama serve`" in str(error)
    assert "base URL" in str(error)


def test_an_unresolvable_host_is_no_network_and_fails_fast() -> None:
    config = ProviderConfig(kind="local", base_url="http://nonexistent.invalid/v1", model="m")
    started = time.monotonic()
    _, error = stream_error(config)
    assert time.monotonic() - started < 10
    assert error.kind == "no_network"
    assert "cannot reach nonexistent.invalid" in str(error)
    assert "local server or the template" in str(error)


def test_a_silent_server_times_out_after_the_read_timeout(serve: Serve) -> None:
    server = serve(fail_with="timeout")
    config = local(server, timeout_s=0.3)
    started = time.monotonic()
    _, error = stream_error(config)
    elapsed = time.monotonic() - started
    assert error.kind == "timeout"
    assert f"{server.base_url} did not answer within 0.3 seconds" in str(error)
    assert 0.5 < elapsed < 5  # two attempts of 0.3 s each, not 60 s
    assert len(server.chat_requests) == 2


def test_a_connection_dropped_mid_stream_keeps_what_arrived(serve: Serve) -> None:
    server = serve(fail_with="drop", drop_after_chunks=3, reply=REPLY)
    deltas, error = stream_error(local(server))
    assert deltas == split_reply(REPLY)[:3]
    assert error.kind == "server"
    assert "broke off" in str(error)
    assert len(server.chat_requests) == 1  # a half-streamed answer is not retried


def test_an_empty_answer_is_a_bad_response(serve: Serve) -> None:
    server = serve(reply="")
    _, error = stream_error(local(server))
    assert error.kind == "bad_response"
    assert "'test-model'" in str(error)
    with pytest.raises(LLMError) as caught:
        llm.complete_chat(local(server), None, MESSAGES)
    assert caught.value.kind == "bad_response"


def test_openai_without_a_key_asks_for_one_before_any_request(serve: Serve) -> None:
    server = serve()
    config = ProviderConfig(kind="openai", base_url=server.base_url, model="test-model")
    _, error = stream_error(config, None)
    assert error.kind == "no_key"
    assert "OPENAI_API_KEY" in str(error)
    assert "Settings ▸ Email drafting" in str(error)
    assert server.requests == []


def test_a_bad_config_is_reported_before_any_request() -> None:
    config = ProviderConfig(kind="local", base_url="localhost:11434/v1", model="m")
    _, error = stream_error(config)
    assert error.kind == "bad_request"
    assert "http://" in str(error)


# -- Stop ---------------------------------------------------------------------------------------


def test_cancelled_between_chunks_stops_the_stream(serve: Serve) -> None:
    server = serve(reply=REPLY, chunk_delay_s=0.02)
    deltas: list[str] = []
    stream = llm.stream_chat(local(server), None, MESSAGES, cancelled=lambda: len(deltas) >= 3)
    with pytest.raises(LLMError) as caught:
        drain(stream, deltas)
    assert caught.value.kind == "cancelled"
    assert deltas == split_reply(REPLY)[:3]


def test_close_from_another_thread_ends_a_stalled_stream_at_once(serve: Serve) -> None:
    server = serve(reply=REPLY, stall_after_chunks=2)
    stream = llm.ChatStream(local(server, timeout_s=60), None, MESSAGES)
    closed_at: list[float] = []

    def stop_when_stalled() -> None:
        assert server.wait_until_stalled()
        time.sleep(0.05)  # let the reader block in recv(), the case that matters
        closed_at.append(time.monotonic())
        stream.close()

    stopper = threading.Thread(target=stop_when_stalled)
    stopper.start()
    deltas: list[str] = []
    with pytest.raises(LLMError) as caught:
        drain(stream, deltas)
    ended_at = time.monotonic()
    stopper.join()
    assert caught.value.kind == "cancelled"
    assert deltas == split_reply(REPLY)[:2]
    assert ended_at - closed_at[0] < 2  # not the 60 s read time-out


def test_a_cancel_flag_set_while_the_read_is_blocked_ends_the_stream_at_once(serve: Serve) -> None:
    # A job's Cancel only sets a flag; the stream notices it though no chunk comes.
    server = serve(reply=REPLY, stall_after_chunks=2)
    flag = threading.Event()
    stream = llm.ChatStream(local(server, timeout_s=60), None, MESSAGES, cancelled=flag.is_set)
    deltas: list[str] = []
    set_at: list[float] = []

    def read() -> None:
        for delta in stream:
            deltas.append(delta)
            if len(deltas) == 2:  # the server sends no more: the next read blocks
                assert server.wait_until_stalled()
                set_at.append(time.monotonic())
                flag.set()

    with pytest.raises(LLMError) as caught:
        read()
    ended_at = time.monotonic()
    server.release()
    assert caught.value.kind == "cancelled"
    assert deltas == split_reply(REPLY)[:2]
    assert ended_at - set_at[0] < 2  # not the 60 s read time-out


def test_close_while_waiting_for_the_headers_ends_at_once_without_a_retry(serve: Serve) -> None:
    server = serve(fail_with="timeout")  # like a local server loading the model
    stream = llm.ChatStream(local(server, timeout_s=60), None, MESSAGES)
    closed_at: list[float] = []

    def stop_when_sent() -> None:
        assert server.wait_for_requests(1)
        time.sleep(0.05)
        closed_at.append(time.monotonic())
        stream.close()

    stopper = threading.Thread(target=stop_when_sent)
    stopper.start()
    with pytest.raises(LLMError) as caught:
        list(stream)
    ended_at = time.monotonic()
    stopper.join()
    assert caught.value.kind == "cancelled"
    assert ended_at - closed_at[0] < 2
    assert len(server.chat_requests) == 1  # the SDK's retry did not go out after Stop


def test_close_before_reading_means_no_request(serve: Serve) -> None:
    server = serve()
    stream = llm.ChatStream(local(server), None, MESSAGES)
    stream.close()
    with pytest.raises(LLMError) as caught:
        list(stream)
    assert caught.value.kind == "cancelled"
    assert server.requests == []


# -- connections --------------------------------------------------------------------------------


def test_repeated_drafts_reuse_one_client_and_one_connection(serve: Serve) -> None:
    server = serve(reply=REPLY)
    config = local(server)
    assert llm.make_client(config, None) is llm.make_client(local(server, temperature=0.1), None)
    assert llm.make_client(config, None) is not llm.make_client(config, "another-key")

    for _ in range(3):
        assert "".join(llm.stream_chat(config, None, MESSAGES)) == REPLY
    llm.complete_chat(config, None, MESSAGES)
    ports = {r.client_port for r in server.requests}
    assert len(ports) == 1  # kept alive across streamed answers


def test_a_server_holding_the_body_open_after_done_does_not_delay_the_end(serve: Serve) -> None:
    server = serve(reply=REPLY, hold_after_done=True)
    started = time.monotonic()
    assert "".join(llm.stream_chat(local(server, timeout_s=60), None, MESSAGES)) == REPLY
    assert time.monotonic() - started < 2  # the clean-up read gave up after 0.1 s


def test_the_key_never_reaches_the_log(serve: Serve, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = serve(api_key=KEY, fail_with=None)
    config = ProviderConfig(kind="openai", base_url=server.base_url, model="test-model")
    list(llm.stream_chat(config, KEY, MESSAGES))
    llm.complete_chat(config, KEY, MESSAGES)
    llm.list_models(config, KEY)
    server.fail_with = 401
    stream_error(config, KEY)

    assert any("HTTP Request" in r.getMessage() for r in caplog.records)  # debug was on
    for record in caplog.records:
        assert KEY not in record.getMessage()
        assert KEY not in repr(record.args)
    assert KEY not in repr(config)
    assert not [f.name for f in fields(ProviderConfig) if "key" in f.name]


# -- providers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "local_"),
    [
        ("http://localhost:11434/v1", True),
        ("http://127.0.0.1:1234/v1", True),
        ("http://127.5.6.7:8000/v1", True),
        ("http://[::1]:8080/v1", True),
        ("http://LOCALHOST/v1", True),
        ("http://10.0.0.5:11434/v1", False),
        ("http://192.168.1.20:11434/v1", False),
        ("https://api.openai.com/v1", False),
        ("http://localhost.example.com/v1", False),
        ("http://0.0.0.0:11434/v1", False),
        ("", False),
    ],
)
def test_is_local_means_loopback_only(url: str, local_: bool) -> None:
    assert is_local(ProviderConfig(kind="local", base_url=url, model="m")) is local_


def test_presets_and_keys() -> None:
    ollama = find_preset("ollama")
    assert ollama is not None
    assert ollama.base_url == "http://localhost:11434/v1"
    assert {p.id for p in PRESETS} >= {"openai", "azure", "ollama", "lmstudio", "llamacpp",
                                       "vllm", "other"}  # fmt: skip
    config = config_from_preset("ollama", model="llama3.2")
    assert config.provider_id == "local:ollama"
    assert config.kind == "local"
    assert config_from_preset(
        "lmstudio", model="m", base_url="http://10.0.0.9:1234/v1"
    ).base_url == ("http://10.0.0.9:1234/v1")
    assert ProviderConfig().base_url == "https://api.openai.com/v1"
    assert ProviderConfig(kind="azure").provider_id == "azure"
    assert needs_key(ProviderConfig(kind="openai"))
    assert needs_key(ProviderConfig(kind="azure"))
    assert not needs_key(config)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({}, None),
        ({"model": ""}, "Choose a model"),
        ({"base_url": "ftp://example.com/v1"}, "http:// or https://"),
        ({"base_url": "localhost:11434"}, "http:// or https://"),
        ({"temperature": 2.5}, "between 0 and 2"),
        ({"temperature": -0.1}, "between 0 and 2"),
        ({"timeout_s": 0}, "more than 0 seconds"),
        ({"connect_timeout_s": -1}, "more than 0 seconds"),
        # A key never crosses a network in clear; a server on this computer may use http.
        ({"kind": "openai", "base_url": "http://10.0.0.5:8000/v1"}, "key would travel"),
        ({"kind": "openai", "base_url": "http://127.0.0.1:8000/v1"}, None),
        ({"kind": "local", "base_url": "http://10.0.0.5:8000/v1"}, None),
    ],
)
def test_validate_config(changes: dict[str, Any], problem: str | None) -> None:
    settings: dict[str, Any] = {"kind": "local", "base_url": "http://localhost:11434/v1",
                                "model": "llama3.2"}  # fmt: skip
    result = validate_config(ProviderConfig(**{**settings, **changes}))
    if problem is None:
        assert result is None
    else:
        assert result is not None
        assert problem in result


def test_forgetting_a_key_drops_the_clients_made_with_it(serve: Serve) -> None:
    server = serve(reply=REPLY)
    config = local(server)
    other = local(serve(reply=REPLY))
    first = llm.make_client(config, "old-key")
    kept = llm.make_client(other, "old-key")
    assert llm.forget_clients_for(config) == 1
    assert llm.make_client(config, "old-key") is not first  # made afresh, not reused
    assert llm.make_client(other, "old-key") is kept  # another server's client stays
