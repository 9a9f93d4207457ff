"""The webhook's address: which are taken, and that it is kept only in the keyring."""

from __future__ import annotations

import pytest

from services.core.credentials import CredentialsError, get_session_secret
from services.notify.webhook import (
    SECRET_NAME,
    forget_webhook,
    service_of_host,
    store_webhook,
    stored_webhook,
    url_hash,
    webhook_problem,
    where_words,
)

SLACK = "https://hooks.slack.com/services/T000/B000/XXXX"
TEAMS = "https://acme.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456"
FLOW = "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x"


@pytest.mark.parametrize(
    "url",
    [SLACK, TEAMS, FLOW, "https://chat.corp.example/hooks/1", "http://127.0.0.1:8080/hook",
     "http://localhost/hook", "http://[::1]:9/x"],
)  # fmt: skip
def test_these_addresses_are_taken(url: str) -> None:
    assert webhook_problem(url) is None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "Paste"),
        ("http://hooks.slack.com/services/T/B/X", "unencrypted"),
        ("http://10.0.0.5/hook", "unencrypted"),
        ("ftp://hooks.slack.com/x", "https://"),
        ("https://user:pw@hooks.slack.com/x", "user name"),
        ("https://hooks.slack.com:99999/x", "not a web address"),
        ("https://hooks.slack.com/a b", "not a web address"),
        ("hooks.slack.com/services/x", "https://"),
    ],
)
def test_these_are_refused_in_plain_words(url: str, words: str) -> None:
    problem = webhook_problem(url)
    assert problem is not None
    assert words in problem


def test_the_service_is_told_from_the_host_and_any_other_host_is_named() -> None:
    assert service_of_host(SLACK) == "slack"
    assert service_of_host(TEAMS) == "teams"
    assert service_of_host(FLOW) == "teams"
    assert service_of_host("https://hooks.slack.com.evil.test/x") is None
    assert "chat.corp.example" in where_words("https://chat.corp.example/h", "slack")
    assert "Slack address" in where_words(SLACK, "teams")
    assert where_words(SLACK, "slack") == "Posts go to Slack (hooks.slack.com)."


def test_the_address_is_kept_in_the_keyring_only(memory_keyring, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store_webhook(SLACK)
    assert memory_keyring.passwords[("Account Radar", SECRET_NAME)] == SLACK
    assert stored_webhook() == SLACK
    forget_webhook()
    assert stored_webhook() is None


def test_with_no_keyring_it_is_refused_and_never_written(no_keyring) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CredentialsError, match="never in a file"):
        store_webhook(SLACK)
    assert stored_webhook() is None
    store_webhook(SLACK, session_only=True)
    assert get_session_secret(SECRET_NAME) == SLACK
    assert stored_webhook() == SLACK


def test_a_bad_address_is_not_stored(memory_keyring) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="unencrypted"):
        store_webhook("http://hooks.slack.com/services/T/B/X")
    assert memory_keyring.passwords == {}


def test_the_hash_stands_for_the_address_without_holding_it() -> None:
    assert url_hash(SLACK) == url_hash(SLACK + " ")
    assert url_hash(SLACK) != url_hash(TEAMS)
    assert "XXXX" not in url_hash(SLACK)
    assert len(url_hash(SLACK)) == 16
