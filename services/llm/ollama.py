"""Ollama's native chat endpoint, for prompts longer than the context /v1 would give them.

Ollama's OpenAI-compatible endpoint (/v1) ignores ``num_ctx``: a request longer than the
model's loaded context (2,048 or 4,096 tokens by default, by version) is cut from the
front without a word, so the model never sees the rules at the top. A question's request
(the views' schema and examples) is about 5,000 tokens, so with the Ollama preset it goes
to the native /api/chat instead, with ``options.num_ctx`` set to what the prompt needs
(estimated at 3 characters a token, on the safe side) plus the reply. Drafts are short
enough for /v1 and stay there.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

import httpx2

from services.llm.errors import LLMError, cancelled_error
from services.llm.limits import Watchdog, deadline_error, limits, too_long_error
from services.llm.providers import ProviderConfig, preset_for
from services.llm.think import ThinkFilter

CHARS_PER_TOKEN = 3  # conservative: English text runs nearer 4
CONTEXT_STEP = 1024
DEFAULT_CONTEXT = 2048  # the smallest default an Ollama version loads a model with


def is_ollama(config: ProviderConfig) -> bool:
    """True for the Ollama preset."""
    preset = preset_for(config)
    return preset is not None and preset.id == "ollama"


def context_needed(messages: list[dict[str, str]], reply_tokens: int) -> int:
    """The context a request needs: its estimated tokens plus the reply, rounded up."""
    chars = sum(len(m["content"]) + 16 for m in messages)
    tokens = chars // CHARS_PER_TOKEN + reply_tokens
    return max(DEFAULT_CONTEXT, -(-tokens // CONTEXT_STEP) * CONTEXT_STEP)


def native_root(config: ProviderConfig) -> str:
    """Ollama's address without the /v1 of its OpenAI-compatible endpoint."""
    url = config.base_url.strip().rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


def native_chat(
    config: ProviderConfig,
    messages: list[dict[str, str]],
    *,
    num_ctx: int,
    max_tokens: int,
    json_format: Any = None,
    cancelled: Callable[[], bool] | None = None,
) -> Iterator[str]:
    """Stream a chat from Ollama's /api/chat with its context set; the text deltas
    (a <think> block dropped). LLMError in plain words when it fails."""
    body: dict[str, Any] = {
        "model": config.model,
        "messages": messages,
        "stream": True,
        "options": {"num_ctx": num_ctx, "num_predict": max_tokens,
                    "temperature": config.temperature},
    }  # fmt: skip
    if json_format is not None:
        body["format"] = json_format
    root = native_root(config)
    timeout = httpx2.Timeout(config.timeout_s, connect=config.connect_timeout_s)
    thinking = ThinkFilter()
    got_any = False
    seconds, most = limits(None, None)
    watchdog: Watchdog | None = None
    try:
        with (
            httpx2.Client(timeout=timeout) as client,
            client.stream("POST", f"{root}/api/chat", json=body) as response,
        ):
            # The same bounds as the OpenAI-style client's (services/llm/limits.py).
            watchdog = Watchdog(seconds, lambda: _shutdown(response))
            if response.status_code >= 400:
                response.read()
                raise LLMError(
                    "bad_request" if response.status_code < 500 else "server",
                    f"Ollama at {root} answered HTTP {response.status_code}: {response.text[:200]}",
                    status=response.status_code,
                )
            for line in _lines(response, config, most):
                if cancelled is not None and cancelled():
                    raise cancelled_error()
                if not line.strip():
                    continue
                part = json.loads(line)
                if part.get("error"):
                    raise LLMError("server", f"Ollama: {part['error']}")
                delta = (part.get("message") or {}).get("content") or ""
                shown = thinking.feed(delta) if delta else ""
                if shown:
                    got_any = True
                    yield shown
                if part.get("done"):
                    break
            rest = thinking.end()
            if rest:
                got_any = True
                yield rest
    except (httpx2.HTTPError, ValueError) as exc:
        if watchdog is not None and watchdog.expired:
            raise deadline_error(config, seconds) from exc
        _raise_for(exc, root)
    finally:
        if watchdog is not None:
            watchdog.stop()
    if not got_any:
        raise LLMError("bad_response", f"Ollama at {root} sent an empty reply.")


def _lines(response: httpx2.Response, config: ProviderConfig, most: int) -> Iterator[bytes]:
    """The reply's NDJSON lines, refused once more than ``most`` characters came (a line is
    split here, not by httpx, so one endless line is bounded too)."""
    received = 0
    pending = b""
    for chunk in response.iter_bytes():
        received += len(chunk)
        if received > 4 * most + 64 * 1024:  # at most 4 bytes a character, and the JSON
            raise too_long_error(config, most)
        *complete, pending = (pending + chunk).split(b"\n")
        yield from complete
    if pending:
        yield pending


def _shutdown(response: httpx2.Response) -> None:
    """End a read blocked in another thread (closing the response would not wake it)."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _raise_for(exc: Exception, root: str) -> NoReturn:
    if isinstance(exc, httpx2.ConnectError):
        raise LLMError(
            "refused", f"Nothing is answering at {root}: start Ollama (`ollama serve`)."
        ) from exc
    if isinstance(exc, httpx2.TimeoutException):
        raise LLMError("timeout", f"Ollama at {root} did not answer in time.") from exc
    raise LLMError("bad_response", f"Ollama at {root} sent a reply that could not be "
                   f"read ({type(exc).__name__}).") from exc  # fmt: skip
