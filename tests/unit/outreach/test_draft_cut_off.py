"""The stream says whether the server finished the reply; a draft it did not finish is
marked cut off. Real HTTP on loopback, the OpenAI wire format."""

from __future__ import annotations

from services.llm.client import ChatStream
from services.outreach.drafting import cut_off_problem
from tests.unit.llm.test_llm_client import MESSAGES, REPLY, Serve, local, serve  # noqa: F401


def _read(stream: ChatStream) -> str:
    return "".join(stream)


def test_a_finished_reply_is_not_cut_off(serve: Serve) -> None:  # noqa: F811
    stream = ChatStream(local(serve(reply=REPLY)), None, MESSAGES)
    assert _read(stream) == REPLY
    assert stream.finish_reason == "stop"
    assert not stream.cut_off
    assert cut_off_problem(stream.finish_reason) is None


def test_a_stream_that_ends_without_finishing_is_cut_off(serve: Serve) -> None:  # noqa: F811
    server = serve(reply=REPLY, fail_with="end_early", drop_after_chunks=2)
    stream = ChatStream(local(server), None, MESSAGES)
    text = _read(stream)
    assert text
    assert text != REPLY
    assert stream.finish_reason is None
    assert stream.cut_off
    problem = cut_off_problem(stream.finish_reason)
    assert problem is not None
    assert problem.kind == "cut_off"
    assert "connection closed before the server said the answer was complete" in problem.message


def test_a_reply_stopped_at_the_token_limit_is_cut_off(serve: Serve) -> None:  # noqa: F811
    stream = ChatStream(local(serve(reply=REPLY)), None, MESSAGES, max_tokens=2)
    _read(stream)
    assert stream.finish_reason == "length"
    assert stream.cut_off
    problem = cut_off_problem(stream.finish_reason)
    assert problem is not None
    assert "length limit" in problem.message
