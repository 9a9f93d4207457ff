"""A real HTTP server on loopback that speaks the OpenAI Chat Completions wire format.

Stdlib only. Tests point the real openai client at ``server.base_url`` and then assert on
what the server received (``server.requests``) and on how the client behaved when the
server misbehaved (``fail_with``, stalls, delays).

    with FakeOpenAIServer(models=["m1"], reply="Hello there") as server:
        ...  # ProviderConfig(kind="local", base_url=server.base_url, model="m1")

Behaviour attributes may be changed between requests (e.g. ``server.fail_with = None``).
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Reply = str | Callable[[dict[str, Any]], str]
FailWith = int | str | None

# OpenAI's path, and Azure's (/openai/deployments/<deployment>/chat/completions).
_CHAT_PATH = re.compile(r"/v1/chat/completions|/openai/deployments/[^/]+/chat/completions")

# Long enough to outlast any client time-out a test sets, short enough that a forgotten
# stall cannot hang the suite; stop() wakes every wait at once anyway.
_LONG_WAIT_S = 30.0


@dataclass
class RecordedRequest:
    """One request as the server received it (header names lower-cased)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: dict[str, Any] | None = None
    client_port: int = 0  # the same port on two requests means one kept-alive connection
    time: float = field(default_factory=time.monotonic)


def split_reply(text: str) -> list[str]:
    """Split a reply into stream chunks the way a model does: a word and its trailing space."""
    return re.findall(r"\s*\S+\s*|\s+", text) or [text]


class _Server(ThreadingHTTPServer):
    # Handler threads are joined by server_close(), so a test cannot leak them.
    daemon_threads = False
    block_on_close = True
    fake: FakeOpenAIServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):  # a client hanging up is normal here
            self.fake.errors.append(repr(error))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so the client's connection pool is exercised
    server: _Server

    # -- plumbing ---------------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        self.server.fake._connection_opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._connection_closed(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # the test output stays quiet; requests are in FakeOpenAIServer.requests

    def _record(self, body: dict[str, Any] | None) -> RecordedRequest:
        parts = urlsplit(self.path)
        request = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            client_port=int(self.client_address[1]),
        )
        with self.server.fake._arrived:
            self.server.fake.requests.append(request)
            self.server.fake._arrived.notify_all()
        return request

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", f"req_fake_{len(self.server.fake.requests)}")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _ollama_chat(self, body: dict[str, Any]) -> None:
        """Ollama's native chat endpoint: NDJSON lines, the last one with done true."""
        fake = self.server.fake
        text = fake.reply(body) if callable(fake.reply) else fake.reply
        lines = [
            {"model": body.get("model"), "message": {"role": "assistant", "content": chunk},
             "done": False}
            for chunk in split_reply(text)
        ] + [{"model": body.get("model"), "message": {"role": "assistant", "content": ""},
              "done": True, "done_reason": "stop"}]  # fmt: skip
        data = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _send_error_json(self, status: int, message: str, type_: str, code: str | None) -> None:
        headers = {}
        if status == 429 or status >= 500:
            # The client honours this, so retried failures stay fast in tests.
            headers["retry-after-ms"] = str(self.server.fake.retry_after_ms)
        error = {"message": message, "type": type_, "param": None, "code": code}
        self._send_json(status, {"error": error}, headers)

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _authorised(self, request: RecordedRequest) -> bool:
        expected = self.server.fake.api_key
        if expected is None:
            return True
        bearer = request.headers.get("authorization") == f"Bearer {expected}"
        azure = request.headers.get("api-key") == expected
        return bearer or azure

    # -- routes -----------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        try:
            request = self._record(None)
            fake = self.server.fake
            if request.path not in ("/v1/models", "/openai/models"):
                self._send_error_json(404, "Unknown path", "invalid_request_error", None)
                return
            if not self._authorised(request):
                self._send_error_json(401, "Incorrect API key provided.", "invalid_request_error",
                                      "invalid_api_key")  # fmt: skip
                return
            if fake.models is None:
                self._send_error_json(404, "Not found", "invalid_request_error", None)
                return
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"}
                    for m in fake.models]  # fmt: skip
            self._send_json(200, {"object": "list", "data": data})
        except OSError:
            self.close_connection = True

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        try:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else {}
            request = self._record(body)
            if request.path == "/api/chat":
                self._ollama_chat(body)
                return
            self._chat(request, body)
        except OSError:
            self.close_connection = True

    def _chat(self, request: RecordedRequest, body: dict[str, Any]) -> None:
        fake = self.server.fake
        if not _CHAT_PATH.fullmatch(request.path):
            self._send_error_json(404, f"Unknown path {request.path}", "invalid_request_error",
                                  None)  # fmt: skip
            return
        if not self._authorised(request):
            self._send_error_json(401, "Incorrect API key provided.", "invalid_request_error",
                                  "invalid_api_key")  # fmt: skip
            return
        wanted = body.get("response_format")
        kind = wanted.get("type") if isinstance(wanted, dict) else None
        if kind in fake.refuse_formats:
            # As llama.cpp's server (500 for a schema it cannot turn into a grammar) and
            # LM Studio (400 for json_object) answer.
            self._send_error_json(fake.refuse_formats[kind],
                                  f"'response_format.type' {kind!r} is not supported",
                                  "invalid_request_error", None)  # fmt: skip
            return
        fail = fake.fail_with
        model = str(body.get("model", ""))
        deployment = re.search(r"/deployments/([^/]+)/", request.path)
        if deployment:
            model = deployment.group(1)
        if fail == "timeout":
            fake._wait(fake.timeout_delay_s)
            if fake._stopping.is_set():
                self.close_connection = True
                return
        elif isinstance(fail, int):
            self._fail(fail, model)
            return
        if fake.models is not None and not fake.knows(model):
            self._fail(404, model)
            return

        text = fake.reply(body) if callable(fake.reply) else fake.reply
        chunks = split_reply(text) if text else []
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        finish = "stop"
        if isinstance(limit, int) and len(chunks) > limit:
            chunks, finish = chunks[:limit], "length"
        if body.get("stream"):
            self._stream(model, chunks, finish, bool(body.get("stream_options")))
        else:
            self._complete(model, chunks, finish, body)

    def _fail(self, status: int, model: str) -> None:
        if status == 401:
            self._send_error_json(401, "Incorrect API key provided.", "invalid_request_error",
                                  "invalid_api_key")  # fmt: skip
        elif status == 404:
            message = f"The model `{model}` does not exist or you do not have access to it."
            self._send_error_json(404, message, "invalid_request_error", "model_not_found")
        elif status == 429:
            self._send_error_json(429, "Rate limit reached for requests.", "requests",
                                  "rate_limit_exceeded")  # fmt: skip
        elif status == 400:
            self._send_error_json(400, "Unsupported value: 'temperature'.",
                                  "invalid_request_error", "unsupported_value")  # fmt: skip
        else:
            self._send_error_json(status, "The server had an error while processing your request.",
                                  "server_error", None)  # fmt: skip

    def _complete(self, model: str, chunks: list[str], finish: str, body: dict[str, Any]) -> None:
        fake = self.server.fake
        if fake.fail_with == "drop":
            self.close_connection = True  # hang up without a response
            return
        if fake.first_token_delay_s:
            fake._wait(fake.first_token_delay_s)
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in body["messages"])
        payload = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "".join(chunks), "refusal": None},
                    "logprobs": None,
                    "finish_reason": finish,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": len(chunks),
                "total_tokens": prompt_tokens + len(chunks),
            },
        }
        self._send_json(200, payload)

    def _stream(self, model: str, chunks: list[str], finish: str, usage: bool) -> None:
        fake = self.server.fake
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-request-id", f"req_fake_{len(fake.requests)}")
        self.end_headers()
        self.wfile.flush()

        created = int(time.time())

        def event(delta: dict[str, Any], finish_reason: str | None = None) -> None:
            chunk = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "system_fingerprint": None,
                "choices": [
                    {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
                ],
            }
            self._write_chunk(b"data: " + json.dumps(chunk).encode() + b"\n\n")

        event({"role": "assistant", "content": ""})
        if fake.first_token_delay_s:
            fake._wait(fake.first_token_delay_s)
        for index, text in enumerate(chunks):
            if fake.stall_after_chunks is not None and index == fake.stall_after_chunks:
                fake._stalled.set()
                fake._release.wait(_LONG_WAIT_S)
                if fake._stopping.is_set():
                    self.close_connection = True
                    return
            if fake.fail_with == "drop" and index == fake.drop_after_chunks:
                self.close_connection = True  # hang up mid-body, no terminating chunk
                return
            if fake.fail_with == "end_early" and index == fake.drop_after_chunks:
                # A clean end of the body, but no finish_reason and no [DONE]: a proxy or
                # server that closed the stream before the model was done.
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                self.close_connection = True
                return
            if index and fake.chunk_delay_s:
                fake._wait(fake.chunk_delay_s)
            event({"content": text})
        event({}, finish)
        if usage:
            n = len(chunks)
            usage_counts = {"prompt_tokens": 1, "completion_tokens": n, "total_tokens": n + 1}
            tail = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": created,
                    "model": model, "choices": [], "usage": usage_counts}  # fmt: skip
            self._write_chunk(b"data: " + json.dumps(tail).encode() + b"\n\n")
        self._write_chunk(b"data: [DONE]\n\n")
        if fake.hold_after_done:
            fake._release.wait(_LONG_WAIT_S)  # body left open after [DONE], until release()
            if fake._stopping.is_set():
                self.close_connection = True
                return
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class FakeOpenAIServer:
    """An OpenAI-compatible HTTP server on 127.0.0.1, on a free port, in its own thread.

    models: ids served at /v1/models; None makes /v1/models answer 404 (like some servers).
        A chat request for a model not in the list gets 404 model_not_found.
    reply: the assistant's text, or a callable taking the request body and returning it.
    api_key: when set, requests must carry ``Authorization: Bearer <key>`` (or Azure's
        ``api-key``), else 401.
    fail_with: 400, 401, 404, 429, 500, 503 (an OpenAI error body), "timeout" (no answer for
        ``timeout_delay_s``), "drop" (hang up after ``drop_after_chunks`` content chunks)
        or "end_early" (end the body cleanly after them: no finish_reason, no ``[DONE]``).
    stall_after_chunks: stop sending after that many content chunks, connection open, until
        ``release()`` (``wait_until_stalled()`` tells when it got there).
    hold_after_done: after ``data: [DONE]`` keep the body open until ``release()``.
    """

    def __init__(
        self,
        *,
        models: Sequence[str] | None = ("test-model",),
        reply: Reply = "Hello there, this is a draft.",
        api_key: str | None = None,
        fail_with: FailWith = None,
        chunk_delay_s: float = 0.0,
        first_token_delay_s: float = 0.0,
        stall_after_chunks: int | None = None,
        drop_after_chunks: int = 1,
        timeout_delay_s: float = 10.0,
        retry_after_ms: int = 20,
        hold_after_done: bool = False,
    ) -> None:
        self.models = list(models) if models is not None else None
        self.reply = reply
        self.api_key = api_key
        self.fail_with = fail_with
        # response_format types refused, with the status: {"json_schema": 500}.
        self.refuse_formats: dict[str, int] = {}
        self.chunk_delay_s = chunk_delay_s
        self.first_token_delay_s = first_token_delay_s
        self.stall_after_chunks = stall_after_chunks
        self.drop_after_chunks = drop_after_chunks
        self.timeout_delay_s = timeout_delay_s
        self.retry_after_ms = retry_after_ms
        self.hold_after_done = hold_after_done
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []  # exceptions raised inside handlers (should stay empty)
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._release = threading.Event()
        self._stalled = threading.Event()
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> FakeOpenAIServer:
        """Bind to a free loopback port and serve in a background thread."""
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-openai"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake every waiting handler, hang up kept-alive connections, join."""
        if self._server is None:
            return
        self._stopping.set()
        self._release.set()
        self._server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            # Handlers block reading the next keep-alive request; this ends that read.
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._server.server_close()  # joins the handler threads
        if self._thread is not None:
            self._thread.join()
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses and observations ---------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the server listens on."""
        assert self._server is not None, "start() the server first"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL, http://127.0.0.1:PORT/v1."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def endpoint(self) -> str:
        """The Azure-style resource endpoint (the client adds /openai/deployments/...)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """Only the chat completion requests, in arrival order."""
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def knows(self, model: str) -> bool:
        """True when the model is served; "name" also matches "name:latest", as in Ollama."""
        return self.models is not None and (
            model in self.models or f"{model}:latest" in self.models
        )

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> bool:
        """Block until the server has received ``count`` requests; False on time-out."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.requests) >= count, timeout)

    def release(self) -> None:
        """Let a stalled stream continue."""
        self._release.set()

    def wait_until_stalled(self, timeout: float = 5.0) -> bool:
        """Block until a stream reached ``stall_after_chunks``; False on time-out."""
        return self._stalled.wait(timeout)

    # -- used by the handler ----------------------------------------------------------------

    def _wait(self, seconds: float) -> None:
        self._stopping.wait(min(seconds, _LONG_WAIT_S))

    def _connection_opened(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)

    def _connection_closed(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)
