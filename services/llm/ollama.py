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

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx2

from services.llm.client import ThinkFilter
from services.llm.errors import LLMError, cancelled_error
from services.llm.providers import ProviderConfig, preset_for

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
    try:
        with (
            httpx2.Client(timeout=timeout) as client,
            client.stream("POST", f"{root}/api/chat", json=body) as response,
        ):
            if response.status_code >= 400:
                response.read()
                raise LLMError(
                    "bad_request" if response.status_code < 500 else "server",
                    f"Ollama at {root} answered HTTP {response.status_code}: {response.text[:200]}",
                    status=response.status_code,
                )
            for line in response.iter_lines():
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
    except httpx2.ConnectError as exc:
        raise LLMError(
            "refused", f"Nothing is answering at {root}: start Ollama (`ollama serve`)."
        ) from exc
    except httpx2.TimeoutException as exc:
        raise LLMError("timeout", f"Ollama at {root} did not answer in time.") from exc
    except (httpx2.HTTPError, ValueError) as exc:
        raise LLMError("bad_response", f"Ollama at {root} sent a reply that could not be "
                       f"read ({type(exc).__name__}).") from exc  # fmt: skip
    if not got_any:
        raise LLMError("bad_response", f"Ollama at {root} sent an empty reply.")
