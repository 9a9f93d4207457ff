"""Bounds on one whole chat completion, whatever the server does (services/llm/client.py).

The read time-out restarts with every byte, so a server dripping a token every few seconds
never trips it: a ``Watchdog`` ends the request when its overall time is up. A server may
also ignore ``max_tokens`` and stream without end: the characters received are counted and
the reply refused past a cap. Neither is shown half: the caller gets an ``LLMError``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from services.llm.errors import SETTINGS_PLACE, LLMError
from services.llm.providers import ProviderConfig

# Bounds on one whole completion, whatever the server does: the read time-out restarts with
# every byte (a server dripping a token every few seconds never trips it), and a server may
# ignore max_tokens and stream without end. A draft is a few thousand characters; an answer
# of Ask at most MAX_REPLY_TOKENS. Read at call time, so a test may lower them.
DEADLINE_S = 180.0
MAX_REPLY_CHARS = 200_000


def deadline_error(config: ProviderConfig, seconds: float) -> LLMError:
    """The error for a completion that was still arriving when its time was up."""
    return LLMError(
        "timeout",
        f"{config.base_url} had not finished its answer after {seconds:g} s, so it was stopped "
        "and not used. Try again; if the model is always this slow, pick a smaller or faster "
        f"one in {SETTINGS_PLACE}.",
    )


def too_long_error(config: ProviderConfig, limit: int) -> LLMError:
    """The error for a completion longer than any draft or answer should be."""
    return LLMError(
        "bad_response",
        f"{config.base_url} sent more than {limit:,} characters (model '{config.model_label}' "
        "did not keep to the length limit), so the answer was cut off and not used. Try "
        f"again, or pick another model in {SETTINGS_PLACE}.",
    )


class Watchdog:
    """Calls ``expire`` once, on a timer thread, when ``seconds`` have passed; stop() ends it.

    A timer rather than a shorter socket time-out: the time-out restarts with every byte."""

    def __init__(self, seconds: float, expire: Callable[[], None]) -> None:
        self.expired = False
        self._expire = expire
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.expired = True
        self._expire()

    def stop(self) -> None:
        self._timer.cancel()
        if self._timer is not threading.current_thread():
            self._timer.join()


class CancelWatch:
    """Calls ``stop`` once, on a thread, as soon as ``cancelled()`` turns true (looked at
    every ``every`` seconds); stop() ends it. A request blocked in a read never looks at the
    flag itself: this lets a job's Cancel end it at once, as the composer's Stop does."""

    def __init__(self, cancelled: Callable[[], bool], stop: Callable[[], None],
                 every: float = 0.1) -> None:  # fmt: skip
        self._cancelled = cancelled
        self._stop = stop
        self._every = every
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="llm-cancel-watch", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._done.wait(self._every):
            if self._cancelled():
                self._stop()
                return

    def stop(self) -> None:
        self._done.set()
        if self._thread is not threading.current_thread():
            self._thread.join()


def limits(deadline_s: float | None, max_chars: int | None) -> tuple[float, int]:
    """(seconds, characters) for one completion: the ones given, else the defaults."""
    return (
        DEADLINE_S if deadline_s is None else deadline_s,
        MAX_REPLY_CHARS if max_chars is None else max_chars,
    )


def read_capped(response: Any, config: ProviderConfig, max_chars: int) -> bytes:
    """A non-streamed response's body, read in pieces; LLMError once it is too long."""
    # A character is at most 4 bytes of UTF-8; JSON escapes aside, this bounds the text.
    limit = 4 * max_chars + 64 * 1024
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > limit:
            raise too_long_error(config, max_chars)
    return bytes(body)


def chunk_size(chunk: Any) -> int:
    """The characters one stream chunk brings: its text and any reasoning text beside it;
    at least 1, so that endless empty chunks are bounded too."""
    size = 0
    for choice in chunk.choices or ():
        delta = choice.delta
        if delta is None:
            continue
        size += len(delta.content or "")
        extra = delta.model_extra or {}
        for name in ("reasoning_content", "reasoning"):
            value = extra.get(name)
            if isinstance(value, str):
                size += len(value)
    return max(size, 1)
