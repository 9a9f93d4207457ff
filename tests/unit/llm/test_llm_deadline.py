"""Overall bounds on one chat completion (services/llm/limits.py, services/llm/client.py),
against the real openai SDK talking to a real server on loopback: a provider that drips a
token at a time (each read succeeds, so the read time-out never fires) is stopped at the
deadline, and one that ignores the length limit is stopped past the character cap; both for
drafts (streamed), for Ask (streamed, JSON modes) and for a non-streamed completion."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from services.ask.generate import provider_complete
from services.llm import client as llm
from services.llm import limits
from services.llm.errors import LLMError
from services.llm.providers import ProviderConfig
from services.outreach.drafting import chat_stream
from tests.support.memory_keyring import MemoryKeyring, installed_keyring
from tests.support.openai_server import FakeOpenAIServer

MESSAGES = [
    {"role": "system", "content": "You write short, warm emails."},
    {"role": "user", "content": "Write to Ana."},
]
SLOW_WORDS = " ".join(f"word{i}" for i in range(200))  # 200 chunks
HUGE_CHUNK = "x" * 10_000  # one chunk: split_reply splits only at spaces


@pytest.fixture(autouse=True)
def _no_thread_left_behind() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    llm.close_clients()
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for thread in left:
        thread.join(timeout=2)
    assert not [t for t in left if t.is_alive()], "a test left a thread running"


@pytest.fixture(autouse=True)
def _keyring() -> Iterator[None]:
    with installed_keyring(MemoryKeyring()):
        yield


def config(server: FakeOpenAIServer) -> ProviderConfig:
    # A long read time-out, as for a slow local model: only the overall deadline can end it.
    return ProviderConfig(kind="local", base_url=server.base_url, model="test-model",
                          provider_id="local:llamacpp", timeout_s=30.0)  # fmt: skip


def drain(stream: Iterable[str], into: list[str]) -> None:
    """Read a stream to its end, keeping each delta as it arrives (before any error)."""
    into.extend(stream)


def huge(_body: dict[str, Any]) -> str:
    return " ".join([HUGE_CHUNK] * 40)  # 400,000 characters, whatever max_tokens says


def test_a_dripping_stream_is_stopped_at_the_deadline() -> None:
    with FakeOpenAIServer(reply=SLOW_WORDS, chunk_delay_s=0.3) as server:
        started = time.monotonic()
        deltas: list[str] = []
        stream = llm.ChatStream(config(server), None, MESSAGES, deadline_s=1.0)
        with pytest.raises(LLMError) as caught:
            drain(stream, deltas)
        elapsed = time.monotonic() - started
    assert elapsed < 3.0, f"still reading after {elapsed:.1f} s"
    assert caught.value.kind == "timeout"
    assert "had not finished its answer after 1 s" in caught.value.message
    assert "Traceback" not in caught.value.message
    assert 0 < len(deltas) < 20  # it was streaming; it was cut off well before the end


def test_the_draft_stream_has_a_deadline_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "DEADLINE_S", 1.0)
    with FakeOpenAIServer(reply=SLOW_WORDS, chunk_delay_s=0.3) as server:
        stream = chat_stream(config(server), None, MESSAGES)
        started = time.monotonic()
        with pytest.raises(LLMError, match="after 1 s") as caught:
            "".join(stream)
        assert time.monotonic() - started < 3.0
    assert caught.value.kind == "timeout"
    assert not stream.closed  # the deadline is not a Stop: the caller may tell them apart


def test_a_provider_that_ignores_the_length_limit_is_cut_off() -> None:
    with FakeOpenAIServer(reply=huge) as server:
        stream = llm.ChatStream(config(server), None, MESSAGES, max_chars=50_000)
        received: list[str] = []
        with pytest.raises(LLMError) as caught:
            drain(stream, received)
    assert caught.value.kind == "bad_response"
    assert "sent more than 50,000 characters" in caught.value.message
    assert "cut off and not used" in caught.value.message
    assert sum(map(len, received)) <= 50_000


def test_ask_is_bounded_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_REPLY_CHARS", 50_000)
    with FakeOpenAIServer(reply=huge) as server:
        complete = provider_complete(config(server))
        with pytest.raises(LLMError, match="more than 50,000 characters"):
            complete(MESSAGES)
    monkeypatch.setattr(limits, "DEADLINE_S", 1.0)
    with FakeOpenAIServer(reply=SLOW_WORDS, chunk_delay_s=0.3) as server:
        complete = provider_complete(config(server))
        started = time.monotonic()
        with pytest.raises(LLMError, match="after 1 s"):
            complete(MESSAGES)
        assert time.monotonic() - started < 3.0


def test_a_non_streamed_completion_is_bounded() -> None:
    with FakeOpenAIServer(reply=huge) as server:
        with pytest.raises(LLMError, match="more than 50,000 characters") as too_long:
            llm.complete_chat(config(server), None, MESSAGES, max_chars=50_000)
        assert too_long.value.kind == "bad_response"
        assert llm.complete_chat(config(server), None, MESSAGES, max_chars=500_000) == huge({})
    with FakeOpenAIServer(reply="Hello", first_token_delay_s=5.0) as server:
        started = time.monotonic()
        with pytest.raises(LLMError, match="after 1 s") as late:
            llm.complete_chat(config(server), None, MESSAGES, deadline_s=1.0)
        assert time.monotonic() - started < 3.0
        assert late.value.kind == "timeout"


def test_a_prompt_provider_is_not_affected() -> None:
    with FakeOpenAIServer(reply="Hello there, Ana.") as server:
        text = "".join(llm.ChatStream(config(server), None, MESSAGES, deadline_s=5.0))
        assert text == "Hello there, Ana."
        assert llm.complete_chat(config(server), None, MESSAGES) == "Hello there, Ana."


class _DripOllama(BaseHTTPRequestHandler):
    """Ollama's /api/chat, one NDJSON line every 0.3 s for ever (until the client hangs up)."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        line = json.dumps({"message": {"role": "assistant", "content": "word "}, "done": False})
        data = (line + "\n").encode()
        try:
            for _ in range(100):
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()
                time.sleep(0.3)
        except OSError:
            pass  # the client hung up: what the deadline is for

    def log_message(self, *args: object) -> None:
        pass


def test_ask_through_ollamas_native_api_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from services.llm.ollama import native_chat
    from services.llm.providers import config_from_preset

    monkeypatch.setattr(limits, "MAX_REPLY_CHARS", 50_000)
    with FakeOpenAIServer(models=["test-model"], reply=huge) as server:
        ollama = config_from_preset("ollama", model="test-model", base_url=server.base_url)
        with pytest.raises(LLMError, match="more than 50,000 characters"):
            "".join(native_chat(ollama, MESSAGES, num_ctx=4096, max_tokens=10))
    monkeypatch.setattr(limits, "DEADLINE_S", 1.0)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _DripOllama)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
        ollama = config_from_preset("ollama", model="test-model", base_url=url)
        started = time.monotonic()
        with pytest.raises(LLMError, match="after 1 s") as caught:
            "".join(native_chat(ollama, MESSAGES, num_ctx=4096, max_tokens=10))
        assert time.monotonic() - started < 3.0
        assert caught.value.kind == "timeout"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
