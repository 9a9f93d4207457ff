"""accountradar:// links: the two forms are read; anything else is refused in plain words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notify.links import BadLink, Link, is_link, parse_link


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("accountradar://alert/12", Link("alert", 12)),
        ("accountradar://customer/7/", Link("customer", 7)),
        ("AccountRadar://Alert/3", Link("alert", 3)),
        ("  accountradar://alert/9223372036854775807 ", Link("alert", 2**63 - 1)),
    ],
)
def test_the_two_forms_are_read(text: str, link: Link) -> None:
    assert parse_link(text) == link
    assert parse_link(link.text) == link


@pytest.mark.parametrize(
    "text",
    [
        "accountradar://alert/",
        "accountradar://alert/0",
        "accountradar://alert/-1",
        "accountradar://alert/1x",
        "accountradar://alert/1?delete=1",
        "accountradar://alert/1#x",
        "accountradar://task/1",
        "accountradar:alert/1",
        "accountradar://alert/99999999999999999999",
        "accountradar://alert/9223372036854775808",
        "https://alert/1",
        "accountradar://alert/１２",  # full-width digits are not an id
    ],
)
def test_anything_else_is_refused_and_says_what_is_opened(text: str) -> None:
    with pytest.raises(BadLink) as caught:
        parse_link(text)
    assert "Nothing was opened" in str(caught.value)


@given(st.text(max_size=200))
def test_junk_is_refused_or_read_back_the_same(text: str) -> None:
    try:
        link = parse_link(text)
    except BadLink as exc:
        words = str(exc)
    else:
        words = ""
    if words:
        assert words.endswith("Nothing was opened.")
        assert len(words) < 400  # a long junk link is cut in the message
        return
    assert link.kind in ("alert", "customer")
    assert link.id > 0
    assert parse_link(link.text) == link


@given(st.sampled_from(["alert", "customer"]), st.integers(1, 2**63 - 1))
def test_every_id_goes_through(kind: str, number: int) -> None:
    assert parse_link(f"accountradar://{kind}/{number}") == Link(kind, number)
    assert is_link(f"accountradar://{kind}/{number}")


def test_is_link_tells_a_link_from_a_command() -> None:
    assert is_link("accountradar:junk")
    assert not is_link("digest")
    assert not is_link("--db")
