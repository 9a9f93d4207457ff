"""The <think> block of a reasoning model, dropped from its answer as the deltas stream in
(services/llm/client.py and services/llm/ollama.py)."""

from __future__ import annotations

_THINK_OPEN, _THINK_CLOSE = "<think>", "</think>"


class ThinkFilter:
    """Drops the <think>...</think> block a reasoning model writes before its answer, as
    the deltas stream in: feed() each delta and show what it returns, then end()."""

    def __init__(self) -> None:
        self._state = "start"  # start (undecided), think, after (the block), done
        self._buffer = ""

    def feed(self, delta: str) -> str:
        """The part of this delta to show (empty while undecided or inside the block)."""
        if self._state == "done":
            return delta
        if self._state == "after":  # the answer starts at its first visible character
            delta = delta.lstrip()
            if delta:
                self._state = "done"
            return delta
        self._buffer += delta
        if self._state == "start":
            head = self._buffer.lstrip()
            if head.startswith(_THINK_OPEN):
                self._state, self._buffer = "think", head[len(_THINK_OPEN) :]
            elif _THINK_OPEN.startswith(head):
                return ""  # "<thi": wait for more
            else:
                self._state, out, self._buffer = "done", self._buffer, ""
                return out
        end = self._buffer.find(_THINK_CLOSE)
        if end < 0:
            return ""
        out, self._buffer = self._buffer[end + len(_THINK_CLOSE) :].lstrip(), ""
        self._state = "done" if out else "after"
        return out

    def end(self) -> str:
        """What was held back when the stream ended undecided ("<th" and nothing more)."""
        out = self._buffer if self._state == "start" else ""
        self._buffer = ""
        return out
