"""Chat Completions over the openai SDK: streaming drafts that Stop ends at once.

Importing this module imports openai (about a second), so import it from worker code or
a preload, not at start-up. Every failure reaches the caller as an ``LLMError``.

Two things the SDK does not do on its own, and why they are here:

- **Stop during a blocked read.** Closing an httpx response from another thread does not
  wake a thread blocked in ``recv()`` (it waits for the read time-out). ``ChatStream.close``
  shuts the socket down instead, which ends the read at once. The socket is found through a
  thin wrapper around the connection pool's network backend, which also covers the wait for
  the response headers (a local server loading a model); after the headers the response's
  ``network_stream`` extension is a second way to the same socket.
- **Keep-alive after a stream.** The sync SDK closes a streamed response as soon as it reads
  ``data: [DONE]``, before the body's last bytes, so the connection is thrown away and the
  next draft pays a new connect (and TLS handshake). A response hook reads those few bytes
  on close (waiting at most 0.1 s for them), so the connection goes back to the pool.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, cast

import httpx2
import openai
from openai import Omit, omit
from openai.types.chat import ChatCompletionMessageParam

from services.llm.errors import (
    SETTINGS_PLACE,
    LLMError,
    bad_response_error,
    cancelled_error,
    classify,
    model_not_found_error,
    no_key_error,
)
from services.llm.limits import (
    CancelWatch,
    Watchdog,
    chunk_size,
    deadline_error,
    limits,
    read_capped,
    too_long_error,
)
from services.llm.providers import ProviderConfig, needs_key, validate_config
from services.llm.think import ThinkFilter as ThinkFilter  # re-exported: older imports

log = logging.getLogger(__name__)

# Local servers ignore the key, but the SDK refuses to build a client without one.
LOCAL_DUMMY_KEY = "not-needed"
MAX_RETRIES = 1
_MAX_RETRY_WAIT_S = 2.0
_CACHE_SIZE = 8
_DRAIN_LIMIT = 64 * 1024
_DRAIN_TIMEOUT_S = 0.1  # as the SDK's async client allows for the same clean-up
# What a request may raise besides LLMError: SDK errors, network errors, bad JSON (ValueError,
# which pydantic's ValidationError also is). Anything else is a bug and propagates as is.
_REQUEST_ERRORS: tuple[type[BaseException], ...] = (
    openai.OpenAIError,
    httpx2.HTTPError,
    OSError,
    ValueError,
)


def _never() -> bool:
    return False


# -- Stop: shutting down another thread's socket ------------------------------------------------


def _shutdown(stream: Any) -> None:
    sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        # socket.socket's own shutdown, also for SSL sockets: SSLSocket.shutdown would unwrap
        # the TLS object under the feet of the thread that is reading. OSError: already closed.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Aborter:
    """Lets one thread end another thread's blocked socket I/O.

    A thread is armed while it runs a ChatStream; the network streams it uses are noted,
    and abort() shuts the current one down (and any later one that thread touches).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: dict[int, Any] = {}  # thread id -> the network stream it last used
        self._aborted: set[int] = set()

    def arm(self, thread_id: int) -> None:
        with self._lock:
            self._armed[thread_id] = None
            self._aborted.discard(thread_id)

    def disarm(self, thread_id: int) -> None:
        with self._lock:
            self._armed.pop(thread_id, None)
            self._aborted.discard(thread_id)

    def using(self, stream: Any) -> None:
        thread_id = threading.get_ident()
        with self._lock:
            if thread_id not in self._armed:
                return
            self._armed[thread_id] = stream
            aborted = thread_id in self._aborted
        if aborted:
            _shutdown(stream)

    def aborted_here(self) -> bool:
        """True when the calling thread's request was stopped."""
        return threading.get_ident() in self._aborted

    def abort(self, thread_id: int) -> None:
        with self._lock:
            if thread_id not in self._armed:
                return
            self._aborted.add(thread_id)
            stream = self._armed[thread_id]
        _shutdown(stream)


_ABORTER = _Aborter()


class _TrackedStream:
    """An httpcore network stream that tells the aborter which thread is using it."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        _ABORTER.using(self._inner)
        if getattr(_draining, "active", False):
            timeout = _DRAIN_TIMEOUT_S if timeout is None else min(timeout, _DRAIN_TIMEOUT_S)
        return cast(bytes, self._inner.read(max_bytes, timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _ABORTER.using(self._inner)
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, *args: Any, **kwargs: Any) -> _TrackedStream:
        _ABORTER.using(self._inner)
        return _TrackedStream(self._inner.start_tls(*args, **kwargs))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def _refuse_if_stopped() -> None:
    # The SDK retries a broken request; after Stop, the retry must not open a connection.
    if _ABORTER.aborted_here():
        raise ConnectionAbortedError("the request was stopped")


class _TrackedBackend:
    """Wraps httpcore's network backend so every stream it opens is a _TrackedStream."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def connect_tcp(self, *args: Any, **kwargs: Any) -> _TrackedStream:
        _refuse_if_stopped()
        stream = _TrackedStream(self._inner.connect_tcp(*args, **kwargs))
        _ABORTER.using(stream._inner)  # Stop pressed while connecting: end it now
        return stream

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> _TrackedStream:
        _refuse_if_stopped()
        stream = _TrackedStream(self._inner.connect_unix_socket(*args, **kwargs))
        _ABORTER.using(stream._inner)
        return stream

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _track_sockets(http_client: httpx2.Client) -> bool:
    """Put _TrackedBackend under every transport of the client; False if httpx2 changed shape.

    Without it Stop still works once the headers have arrived (through the response's
    network_stream); only a Stop while waiting for them would wait for the read time-out.
    """
    transports = [getattr(http_client, "_transport", None)]
    transports += list(getattr(http_client, "_mounts", {}).values())
    installed = False
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if backend is None:
            continue
        if not isinstance(backend, _TrackedBackend):
            pool._network_backend = _TrackedBackend(backend)  # type: ignore[union-attr]
        installed = True
    return installed


# -- keep-alive after a stream ------------------------------------------------------------------


class _DrainAfterDone(httpx2.SyncByteStream):
    """A response body that, closed right after ``data: [DONE]``, reads the last bytes first."""

    def __init__(self, inner: httpx2.SyncByteStream) -> None:
        self._inner = inner
        self._iterator = iter(inner)
        self._tail = b""

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._iterator:
            self._tail = (self._tail + chunk)[-32:]
            yield chunk

    def close(self) -> None:
        _draining.active = True  # reads get a short time-out: a server may hold the body open
        try:
            if self._tail.rstrip().endswith(b"[DONE]"):
                drained = 0
                for chunk in self._iterator:  # normally just the body's final empty chunk
                    drained += len(chunk)
                    if drained > _DRAIN_LIMIT:
                        break
        except (httpx2.HTTPError, OSError):
            pass  # the connection is simply not reused
        finally:
            _draining.active = False
            self._inner.close()


_draining = threading.local()


def _on_response(response: httpx2.Response) -> None:
    if "text/event-stream" in response.headers.get("content-type", "") and isinstance(
        response.stream, httpx2.SyncByteStream
    ):
        response.stream = _DrainAfterDone(response.stream)


# -- bounds on a whole completion ---------------------------------------------------------------


def _bounded_create(config: ProviderConfig, deadline_s: float, create: Callable[[], str]) -> str:
    """Run one non-streamed request on this thread, ended when ``deadline_s`` is up."""
    thread = threading.get_ident()
    _ABORTER.arm(thread)
    watchdog = Watchdog(deadline_s, lambda: _ABORTER.abort(thread))
    try:
        return create()
    except _REQUEST_ERRORS as exc:
        if watchdog.expired:
            raise deadline_error(config, deadline_s) from exc
        raise classify(exc, config) from exc
    finally:
        watchdog.stop()
        _ABORTER.disarm(thread)


# -- clients ------------------------------------------------------------------------------------


def _retry_wait(sdk_wait: float) -> float:
    # The SDK sleeps before its retry without looking at Stop: no wait after Stop, and a
    # server's Retry-After (honoured up to 2 minutes) is capped.
    return 0.0 if _ABORTER.aborted_here() else min(sdk_wait, _MAX_RETRY_WAIT_S)


class _OpenAI(openai.OpenAI):
    def _calculate_retry_timeout(self, *args: Any, **kwargs: Any) -> float:
        return _retry_wait(super()._calculate_retry_timeout(*args, **kwargs))


class _AzureOpenAI(openai.AzureOpenAI):
    def _calculate_retry_timeout(self, *args: Any, **kwargs: Any) -> float:
        return _retry_wait(super()._calculate_retry_timeout(*args, **kwargs))


_clients: OrderedDict[tuple[object, ...], openai.OpenAI] = OrderedDict()
_clients_lock = threading.Lock()


def _cache_key(config: ProviderConfig, api_key: str) -> tuple[object, ...]:
    # Only what shapes the client: a new temperature or model keeps the warm connections.
    # The key is hashed so the cache holds no second plain copy of it.
    azure = config.kind == "azure"
    return (
        config.kind,
        config.base_url.strip(),
        config.timeout_s,
        config.connect_timeout_s,
        config.api_version if azure else "",
        config.azure_deployment if azure else "",
        hashlib.sha256(api_key.encode()).hexdigest(),
    )


def _build_client(config: ProviderConfig, api_key: str) -> openai.OpenAI:
    timeout = httpx2.Timeout(config.timeout_s, connect=config.connect_timeout_s)
    http_client = openai.DefaultHttpx2Client(timeout=timeout)
    if _track_sockets(http_client):
        # Draining needs the tracked sockets for its short time-out.
        http_client.event_hooks["response"].append(_on_response)
    else:
        log.warning("Cannot watch the HTTP client's sockets; Stop may wait for the time-out")
    if config.kind == "azure":
        return _AzureOpenAI(
            azure_endpoint=config.base_url.strip(),
            azure_deployment=config.azure_deployment,
            api_version=config.api_version,
            api_key=api_key,
            max_retries=MAX_RETRIES,
            timeout=timeout,
            http_client=http_client,
        )
    return _OpenAI(
        base_url=config.base_url.strip(),
        api_key=api_key,
        max_retries=MAX_RETRIES,
        timeout=timeout,
        http_client=http_client,
    )


def make_client(config: ProviderConfig, api_key: str | None) -> openai.OpenAI:
    """The SDK client for a provider, cached so repeated drafts reuse its connections."""
    problem = validate_config(config)
    if problem is not None:
        raise LLMError("bad_request", f"{problem} Check {SETTINGS_PLACE}.")
    if not api_key:
        if needs_key(config):
            raise no_key_error(config)
        api_key = LOCAL_DUMMY_KEY
    key = _cache_key(config, api_key)
    with _clients_lock:
        client = _clients.get(key)
        if client is not None:
            _clients.move_to_end(key)
            return client
        client = _build_client(config, api_key)
        _clients[key] = client
        while len(_clients) > _CACHE_SIZE:
            # Not closed: another thread may still be streaming through it; the garbage
            # collector closes its sockets once nobody uses it.
            _clients.popitem(last=False)
        return client


def forget_clients_for(config: ProviderConfig) -> int:
    """Drop the cached clients for this kind of provider at this address (after its key was
    forgotten), so none made with the old key is reused. Returns how many were dropped.

    Not closed, as in the cache's own eviction: a draft may still be streaming through one.
    """
    url = config.base_url.strip()
    with _clients_lock:
        stale = [k for k in _clients if k[0] == config.kind and k[1] == url]
        for k in stale:
            del _clients[k]
    return len(stale)


def close_clients() -> None:
    """Close every cached client and its connections (at exit, or after a settings change)."""
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        client.close()


# -- requests -----------------------------------------------------------------------------------


def _token_limits(config: ProviderConfig, max_tokens: int | None) -> tuple[int | Omit, int | Omit]:
    """(max_tokens, max_completion_tokens) for create(): at most one of them set."""
    if max_tokens is None:
        return omit, omit
    # OpenAI's newer models refuse max_tokens; local servers and Azure's GA API know only it.
    return (omit, max_tokens) if config.kind == "openai" else (max_tokens, omit)


def _messages(messages: list[dict[str, str]]) -> list[ChatCompletionMessageParam]:
    return cast("list[ChatCompletionMessageParam]", messages)


class ChatStream:
    """One streamed chat completion: iterate (once) for the text deltas as they arrive.

    Iterate on a worker thread; ``close()`` may be called from any thread and ends the
    request at once, even while a read is blocked on a stalled server. The iteration then
    raises ``LLMError(kind="cancelled")``; so does ``cancelled()`` turning true between chunks.
    The whole reply is bounded: after ``deadline_s`` (DEADLINE_S) it is ended with
    ``LLMError(kind="timeout")``, past ``max_chars`` (MAX_REPLY_CHARS) received characters
    with ``LLMError(kind="bad_response")``.
    """

    def __init__(
        self,
        config: ProviderConfig,
        api_key: str | None,
        messages: list[dict[str, str]],
        *,
        cancelled: Callable[[], bool] = _never,
        max_tokens: int | None = None,
        response_format: dict[str, Any] | None = None,
        deadline_s: float | None = None,
        max_chars: int | None = None,
    ) -> None:
        self.config = config
        self._deadline_s, self._max_chars = limits(deadline_s, max_chars)
        self._expired = False
        self._api_key = api_key
        self._messages = messages
        self._cancelled = cancelled
        self._max_tokens = max_tokens
        self._response_format = response_format
        self._lock = threading.Lock()
        self._closed = False
        self._thread: int | None = None  # the reading thread, while it reads
        self._started = False
        self._sdk_stream: openai.Stream[Any] | None = None
        self._parts: list[str] = []
        self.finish_reason: str | None = None

    def __repr__(self) -> str:
        return f"ChatStream(model={self.config.model_label!r}, base_url={self.config.base_url!r})"

    @property
    def text(self) -> str:
        """The text received so far."""
        return "".join(self._parts)

    @property
    def closed(self) -> bool:
        """True once close() was called."""
        return self._closed

    @property
    def truncated(self) -> bool:
        """True when the server stopped at the token limit rather than at a natural end."""
        return self.finish_reason == "length"

    @property
    def cut_off(self) -> bool:
        """True when the reply did not end as the server's finished answer: no finish
        reason came (the stream closed early), or the token limit or a filter stopped it."""
        return self.finish_reason not in FINISHED_REASONS

    def close(self) -> None:
        """Stop the request now, from any thread; a blocked read ends at once."""
        with self._lock:
            self._closed = True
        self._abort()

    def _expire(self) -> None:
        self._expired = True
        self._abort()

    def _abort(self) -> None:
        with self._lock:
            thread, sdk_stream = self._thread, self._sdk_stream
            if thread is not None:
                _ABORTER.abort(thread)
                if sdk_stream is not None:
                    # The same socket through httpcore's public extension, in case the
                    # backend wrapper could not be installed.
                    _shutdown(sdk_stream.response.extensions.get("network_stream"))

    def _stop_requested(self) -> bool:
        return self._closed or self._expired or self._cancelled()

    def _stopped_error(self) -> LLMError:
        if self._expired and not self._closed:
            return deadline_error(self.config, self._deadline_s)
        return cancelled_error()

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            if self._started:
                raise RuntimeError("a ChatStream can be read only once")
            self._started = True
            if self._closed:
                raise cancelled_error()
            self._thread = threading.get_ident()
            _ABORTER.arm(self._thread)
        watchdog = Watchdog(self._deadline_s, self._expire)
        watch = None if self._cancelled is _never else CancelWatch(self._cancelled, self.close)
        try:
            yield from self._read()
        finally:
            watchdog.stop()
            if watch is not None:
                watch.stop()
            with self._lock:
                _ABORTER.disarm(self._thread)
                self._thread = None

    def _read(self) -> Iterator[str]:
        config = self.config
        client = make_client(config, self._api_key)
        extra: dict[str, Any] = {}
        if self._response_format is not None:
            # A server that refuses the format answers at once: no retries of it.
            client = client.with_options(max_retries=0)
            extra["response_format"] = self._response_format
        thinking = ThinkFilter()
        stream: openai.Stream[Any] | None = None
        received = 0
        try:
            if self._stop_requested():
                raise self._stopped_error()
            log.debug("Streaming a chat completion from %s (model %s)", config.base_url,
                      config.model_label)  # fmt: skip
            limit, completion_limit = _token_limits(config, self._max_tokens)
            stream = client.chat.completions.create(
                model=config.model_label,
                messages=_messages(self._messages),
                temperature=config.temperature,
                stream=True,
                max_tokens=limit,
                max_completion_tokens=completion_limit,
                **extra,
            )
            with self._lock:
                self._sdk_stream = stream
            for chunk in stream:
                if self._stop_requested():
                    raise self._stopped_error()
                received += chunk_size(chunk)
                if received > self._max_chars:
                    raise too_long_error(config, self._max_chars)
                if not chunk.choices:
                    continue  # a usage or content-filter chunk
                choice = chunk.choices[0]
                if choice.finish_reason:
                    self.finish_reason = choice.finish_reason
                delta = choice.delta.content if choice.delta is not None else None
                shown = thinking.feed(delta) if delta else ""
                if shown:
                    self._parts.append(shown)
                    yield shown
            rest = thinking.end()
            if rest:
                self._parts.append(rest)
                yield rest
            if not self._parts:
                raise bad_response_error(config)
        except LLMError:
            raise
        except _REQUEST_ERRORS as exc:
            if self._stop_requested():
                raise self._stopped_error() from exc
            raise classify(exc, config) from exc
        finally:
            if stream is not None:
                stream.close()


# Finish reasons of a reply the model ended itself ("eos": some local servers).
FINISHED_REASONS = frozenset({"stop", "eos", "end_turn", "tool_calls", "function_call"})


def stream_chat(
    config: ProviderConfig,
    api_key: str | None,
    messages: list[dict[str, str]],
    *,
    cancelled: Callable[[], bool] = _never,
    max_tokens: int | None = None,
    response_format: dict[str, Any] | None = None,
    deadline_s: float | None = None,
    max_chars: int | None = None,
) -> Iterator[str]:
    """Yield the text deltas of one chat completion as they arrive; see ChatStream."""
    yield from ChatStream(
        config, api_key, messages, cancelled=cancelled, max_tokens=max_tokens,
        response_format=response_format, deadline_s=deadline_s, max_chars=max_chars,
    )  # fmt: skip


def complete_chat(
    config: ProviderConfig,
    api_key: str | None,
    messages: list[dict[str, str]],
    *,
    max_tokens: int | None = None,
    deadline_s: float | None = None,
    max_chars: int | None = None,
) -> str:
    """One chat completion, not streamed: the whole text. Bounded as ChatStream is: the body
    is read in pieces and refused past ``max_chars``, the request ended after ``deadline_s``."""
    client = make_client(config, api_key)
    limit, completion_limit = _token_limits(config, max_tokens)
    seconds, most = limits(deadline_s, max_chars)

    def create() -> str:
        with client.chat.completions.with_streaming_response.create(
            model=config.model_label,
            messages=_messages(messages),
            temperature=config.temperature,
            max_tokens=limit,
            max_completion_tokens=completion_limit,
        ) as response:
            body = read_capped(response, config, most)
        data = json.loads(body)
        choices = data.get("choices") if isinstance(data, dict) else None
        first = choices[0] if isinstance(choices, list) and choices else {}
        message = first.get("message") if isinstance(first, dict) else None
        text = message.get("content") if isinstance(message, dict) else None
        if not isinstance(text, str) or not text:
            raise bad_response_error(config)
        if len(text) > most:
            raise too_long_error(config, most)
        return text

    return _bounded_create(config, seconds, create)


def list_models(config: ProviderConfig, api_key: str | None) -> list[str]:
    """The model ids the server offers, sorted; [] when it has no /models endpoint."""
    client = make_client(config, api_key)
    try:
        page = client.models.list()
    except openai.NotFoundError:
        return []
    except _REQUEST_ERRORS as exc:
        raise classify(exc, config) from exc
    return sorted({model.id for model in page.data})


def _model_listed(model: str, models: list[str]) -> bool:
    # Ollama lists "llama3.2:latest" but answers to "llama3.2" too.
    return model in models or f"{model}:latest" in models


def test_connection(config: ProviderConfig, api_key: str | None) -> str:
    """Check the server, key and model with a tiny request; a plain success text or LLMError."""
    client = make_client(config, api_key)
    models = list_models(config, api_key)
    # Azure lists base models, not deployments, so its list cannot confirm the name.
    if models and config.kind != "azure" and not _model_listed(config.model, models):
        raise model_not_found_error(config)
    limit, completion_limit = _token_limits(config, 1)
    started = time.perf_counter()
    try:
        client.chat.completions.create(
            model=config.model_label,
            messages=[{"role": "user", "content": "Reply with OK."}],
            max_tokens=limit,
            max_completion_tokens=completion_limit,
        )
    except _REQUEST_ERRORS as exc:
        raise classify(exc, config) from exc
    elapsed = time.perf_counter() - started
    model = config.model_label
    return f"Connected to {config.base_url}; model '{model}' answered in {elapsed:.2f} s."


# pytest would collect the function as a test wherever a test module imports it by name.
test_connection.__test__ = False  # type: ignore[attr-defined]
