"""What went wrong with a draft request, in plain words that say what to do.

``classify`` turns the openai SDK's exceptions (and the network errors under them) into one
``LLMError`` with a ``kind`` the app can act on (e.g. fall back to the template).
"""

from __future__ import annotations

import errno
import socket
import ssl
from typing import Any, Literal

from models.errors import UserFacingError
from services.llm.providers import ProviderConfig, host_of, is_local, preset_for

LLMErrorKind = Literal[
    "no_network",
    "refused",
    "auth",
    "not_found",
    "rate_limit",
    "server",
    "timeout",
    "bad_request",
    "cancelled",
    "no_key",
    "bad_response",
]

SETTINGS_PLACE = "Settings ▸ Email drafting"

_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN}


class LLMError(UserFacingError):
    """A draft request failed; ``kind`` says how, the message what to do."""

    def __init__(self, kind: LLMErrorKind, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.kind: LLMErrorKind = kind
        self.message = message
        self.status = status  # the HTTP status when the server answered

    def __repr__(self) -> str:
        return f"LLMError(kind={self.kind!r}, message={self.message!r}, status={self.status!r})"


def cancelled_error() -> LLMError:
    """The error a stopped request ends with."""
    return LLMError("cancelled", "The draft was stopped.")


def no_key_error(config: ProviderConfig) -> LLMError:
    """The error for a provider that needs an API key when none is stored."""
    preset = preset_for(config)
    who = preset.title if preset else config.kind
    env = " or set the OPENAI_API_KEY environment variable" if config.kind == "openai" else ""
    return LLMError("no_key", f"No API key is set for {who}. Enter one in {SETTINGS_PLACE}{env}.")


def bad_response_error(config: ProviderConfig) -> LLMError:
    """The error for an answer that carries no draft text."""
    return LLMError(
        "bad_response",
        f"{config.base_url} answered, but without any text from model '{config.model_label}'. "
        "Try again, or pick another model in Settings.",
    )


def model_not_found_error(config: ProviderConfig) -> LLMError:
    """The error for a model (Azure: deployment) the server does not know."""
    model = config.model_label
    pull = f" (for Ollama: `ollama pull {model}`)" if config.provider_id == "local:ollama" else ""
    return LLMError(
        "not_found",
        f"The model '{model}' is not known at {config.base_url} (404). Pick a model from the "
        f"list in Settings{pull}.",
        status=404,
    )


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not s for s in seen):
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _server_message(body: object) -> str:
    """The server's own error text from an OpenAI-style error body, shortened."""
    message: Any = None
    if isinstance(body, dict):
        message = body.get("message")
        inner = body.get("error")
        if message is None and isinstance(inner, dict):
            message = inner.get("message")
        elif message is None and isinstance(inner, str):
            message = inner
    elif isinstance(body, str):
        message = body
    text = " ".join(str(message or "").split())
    return text if len(text) <= 200 else text[:197] + "..."


def _error_code(body: object) -> str:
    if isinstance(body, dict):
        code = body.get("code")
        inner = body.get("error")
        if code is None and isinstance(inner, dict):
            code = inner.get("code")
        return str(code or "")
    return ""


def _connection_error(exc: BaseException, config: ProviderConfig) -> LLMError:
    url, host = config.base_url, host_of(config.base_url) or config.base_url
    chain = _chain(exc)
    names = {type(e).__name__ for e in chain}
    for err in chain:
        if isinstance(err, ConnectionRefusedError) or (
            isinstance(err, OSError) and err.errno == errno.ECONNREFUSED
        ):
            preset = preset_for(config)
            hint = f" ({preset.start_hint})" if preset and preset.start_hint else ""
            return LLMError(
                "refused",
                f"Nothing is answering at {url}. Start the server{hint} or check the base URL "
                f"in {SETTINGS_PLACE}.",
            )
        if isinstance(err, socket.gaierror) or (
            isinstance(err, OSError) and err.errno in _UNREACHABLE
        ):
            return LLMError(
                "no_network",
                f"This computer cannot reach {host}. Check the network connection, or use a "
                "local server or the template.",
            )
        if isinstance(err, ssl.SSLError):
            return LLMError(
                "no_network",
                f"A secure connection to {host} could not be set up ({err.__class__.__name__}). "
                "Check the address, or ask IT whether a proxy or firewall is in the way.",
            )
    if "ConnectError" in names:  # connecting failed for another reason (reset, proxy...)
        return LLMError(
            "no_network",
            f"This computer cannot connect to {host}. Check the network connection and the base "
            f"URL in {SETTINGS_PLACE}, or use a local server or the template.",
        )
    # Connected, then the connection broke (server crashed or hung up mid-answer).
    return LLMError(
        "server",
        f"The connection to {url} broke off before the answer was complete. Try again; if it "
        "keeps happening, check the server.",
    )


def _status_error(status: int, body: object, config: ProviderConfig) -> LLMError:
    url, model = config.base_url, config.model_label
    said = _server_message(body)
    code = _error_code(body)
    if status == 401:
        return LLMError(
            "auth",
            f"The server refused the API key (401). Enter a valid key in {SETTINGS_PLACE}.",
            status=status,
        )
    if status == 403:
        return LLMError(
            "auth",
            f"The API key may not use model '{model}' at {url} (403). Check the key's "
            f"permissions, or enter another key in {SETTINGS_PLACE}.",
            status=status,
        )
    if status == 404:
        if code == "model_not_found" or "model" in said.lower() or "deployment" in said.lower():
            return model_not_found_error(config)
        return LLMError(
            "not_found",
            f"Nothing at {url} answers the chat API (404). Check the base URL in "
            f"{SETTINGS_PLACE}; it usually ends in /v1.",
            status=status,
        )
    if status == 429:
        if code == "insufficient_quota":
            return LLMError(
                "rate_limit",
                "The account behind the API key has no credit left (429). Check the billing "
                "with the provider, or use a local server or the template.",
                status=status,
            )
        return LLMError(
            "rate_limit",
            "The server is limiting requests (429). Wait a minute and try again, or check the "
            "plan's rate limits with the provider.",
            status=status,
        )
    if status >= 500:
        return LLMError(
            "server",
            f"The server had an internal problem (HTTP {status}). Try again later.",
            status=status,
        )
    detail = f": {said}" if said else ""
    return LLMError(
        "bad_request",
        f"The server rejected the request (HTTP {status}){detail}. Check the model and the "
        f"temperature in {SETTINGS_PLACE}.",
        status=status,
    )


def classify(exc: BaseException, config: ProviderConfig) -> LLMError:
    """Map an exception from a request to ``config`` to an LLMError with a plain message."""
    if isinstance(exc, LLMError):
        return exc
    # Imported here: the SDK takes about a second to import, and only a failed request needs it.
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return _timeout_error(config)
    if isinstance(exc, openai.APIConnectionError):
        return _connection_error(exc, config)
    if isinstance(exc, openai.APIResponseValidationError):
        return bad_response_error(config)
    if isinstance(exc, openai.APIStatusError):
        return _status_error(exc.status_code, exc.body, config)
    if isinstance(exc, openai.APIError):
        # An error event inside a stream: the server failed after it started answering.
        said = _server_message(exc.body) or exc.message
        return LLMError(
            "server",
            f"The server reported a problem while answering: {said}. Try again later.",
        )
    names = [type(e).__name__ for e in _chain(exc)]
    if any(isinstance(e, TimeoutError) for e in _chain(exc)) or any(
        n.endswith("Timeout") for n in names
    ):
        return _timeout_error(config)  # a socket or HTTP time-out the SDK did not wrap
    if isinstance(exc, OSError) or any(
        n.endswith(("ConnectError", "ReadError", "ProtocolError")) for n in names
    ):
        return _connection_error(exc, config)
    return LLMError(
        "bad_response",
        f"{config.base_url} sent an answer that is not in the OpenAI format. Check the base URL "
        f"in {SETTINGS_PLACE}.",
    )


def _timeout_error(config: ProviderConfig) -> LLMError:
    loading = " A local model may still be loading." if is_local(config) else ""
    return LLMError(
        "timeout",
        f"{config.base_url} did not answer within {config.timeout_s:g} seconds.{loading} Try "
        f"again, or raise the time-out in {SETTINGS_PLACE}.",
    )
