"""Who writes the drafts: a provider's address, model and limits, and the named presets.

A ``ProviderConfig`` never holds the API key; keys live in the keyring under
``credentials.llm_key_name(config.provider_id)``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from services.settings.hosts import is_listed_host, is_own_host

ProviderKind = Literal["openai", "azure", "local"]

OPENAI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_AZURE_API_VERSION = "2024-10-21"


def default_provider_id(kind: ProviderKind) -> str:
    """The keyring id of a provider kind when no preset names it ("local:other" for local)."""
    return "local:other" if kind == "local" else kind


@dataclass(frozen=True)
class ProviderConfig:
    """Where and how to ask for a draft; hashable, so clients can be cached per config."""

    kind: ProviderKind = "openai"
    base_url: str = OPENAI_BASE_URL
    model: str = ""
    temperature: float = 0.7
    timeout_s: float = 60.0  # the read time-out: the longest wait for the next bytes
    connect_timeout_s: float = 3.0
    api_version: str = DEFAULT_AZURE_API_VERSION  # Azure only
    deployment: str = ""  # Azure only; empty means the deployment is named like the model
    provider_id: str = ""  # stable id for the keyring: "openai", "azure", "local:<preset>"

    def __post_init__(self) -> None:
        if not self.provider_id:
            object.__setattr__(self, "provider_id", default_provider_id(self.kind))

    @property
    def azure_deployment(self) -> str:
        """The Azure deployment to call: the deployment if set, else the model."""
        return self.deployment or self.model

    @property
    def model_label(self) -> str:
        """The model name as the user knows it (Azure: the deployment)."""
        return self.azure_deployment if self.kind == "azure" else self.model


@dataclass(frozen=True)
class Preset:
    """A named starting point for the provider settings."""

    id: str  # the value of the llm.preset setting
    title: str
    kind: ProviderKind
    base_url: str
    start_hint: str = ""  # how to start the server, for "nothing is answering" messages

    @property
    def provider_id(self) -> str:
        """The keyring id of this preset's API key."""
        return self.id if self.kind != "local" else f"local:{self.id}"


PRESETS: tuple[Preset, ...] = (
    Preset("openai", "OpenAI", "openai", OPENAI_BASE_URL),
    # Azure's base URL is the resource endpoint; the client adds /openai/deployments/<name>.
    Preset("azure", "Azure OpenAI", "azure", "https://NAME.openai.azure.com"),
    Preset("ollama", "Ollama", "local", "http://localhost:11434/v1", "for Ollama: `ollama serve`"),
    Preset("lmstudio", "LM Studio", "local", "http://localhost:1234/v1",
           "in LM Studio: start the server on the Developer tab"),
    Preset("llamacpp", "llama.cpp server", "local", "http://localhost:8080/v1",
           "for llama.cpp: `llama-server -m MODEL.gguf`"),
    Preset("vllm", "vLLM", "local", "http://localhost:8000/v1", "for vLLM: `vllm serve MODEL`"),
    Preset("other", "Other OpenAI-compatible server", "local", ""),
)  # fmt: skip


def find_preset(preset_id: str) -> Preset | None:
    """The preset with this id (the llm.preset setting's value), or None."""
    return next((p for p in PRESETS if p.id == preset_id), None)


def preset_for(config: ProviderConfig) -> Preset | None:
    """The preset a config was made from, found through its provider id."""
    return next((p for p in PRESETS if p.provider_id == config.provider_id), None)


def config_from_preset(
    preset_id: str,
    *,
    model: str,
    base_url: str = "",
    temperature: float = 0.7,
    timeout_s: float = 60.0,
    api_version: str = DEFAULT_AZURE_API_VERSION,
    deployment: str = "",
) -> ProviderConfig:
    """A config for a preset; an empty base_url takes the preset's. KeyError if unknown."""
    preset = find_preset(preset_id)
    if preset is None:
        raise KeyError(f"unknown provider preset {preset_id!r}")
    return ProviderConfig(
        kind=preset.kind,
        base_url=(base_url or preset.base_url).strip(),
        model=model.strip(),
        temperature=temperature,
        timeout_s=timeout_s,
        api_version=api_version,
        deployment=deployment.strip(),
        provider_id=preset.provider_id,
    )


def needs_key(config: ProviderConfig) -> bool:
    """True when the provider cannot work without an API key (OpenAI, Azure)."""
    return config.kind in ("openai", "azure")


def host_of(url: str) -> str:
    """The host name of a URL, lower-case, without brackets; "" if there is none."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (also IPv4-mapped): traffic stays on this host."""
    host = host.lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name other than localhost may resolve anywhere
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def is_local(config: ProviderConfig) -> bool:
    """True when requests stay on this computer (loopback host), whatever the preset says.

    This decides whether the "What will be sent" view may be skipped, so a "local" preset
    pointing at another machine is not local.
    """
    return is_loopback_host(host_of(config.base_url))


def provider_name(config: ProviderConfig) -> str:
    """Who writes, as the user knows it: "llama3.1 via Ollama", "gpt-4o via OpenAI", "the
    local model phi3" (a server of no preset on this computer), "phi3 at gpu.corp"
    (one elsewhere); never a keyring id such as "local:other"."""
    model = config.model_label.strip() or "the model"
    host = host_of(config.base_url)
    if config.provider_id == "environment":
        return f"{model} at {host or config.base_url} (from OPENAI_BASE_URL)"
    preset = preset_for(config)
    if preset is not None and preset.id != "other":
        return f"{model} via {preset.title}"
    if is_local(config):
        return f"the local model {model}"
    return f"{model} at {host}" if host else model


# With llm.allow_cloud off (an organisation's policy), requests go only to the
# organisation's own servers: an allow-list judged on the host name (services/settings/hosts.py).
CLOUD_REFUSED = (
    "your organisation allows only its own AI servers, and {host} is not one of them; "
    "drafts use the templates (choose a server on this computer or the company's network, "
    "or ask IT to add it to llm.allowed_hosts)"
)


def is_cloud(config: ProviderConfig, allowed_hosts: Iterable[str] = ()) -> bool:
    """True unless the provider is one of the organisation's own servers: OpenAI and Azure
    always are cloud (unless IT lists their host), any other address unless its host is
    loopback, private, a local-network name or listed in ``allowed_hosts``."""
    url = config.base_url.strip()
    if "\\" in url or any(c.isspace() for c in url):  # parsers disagree on such a host
        return True
    host = host_of(url)
    if config.kind in ("openai", "azure"):
        return not is_listed_host(host, allowed_hosts)
    return not is_own_host(host, allowed_hosts)


def validate_config(config: ProviderConfig) -> str | None:
    """The first problem with a config in plain words, or None when it can be used."""
    url = config.base_url.strip()
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return f"The base URL {url!r} is not a valid address."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"The base URL must start with http:// or https:// and name a server (got {url!r})."
    if not port_ok:
        return f"The base URL {url!r} has no valid port."
    if needs_key(config) and parts.scheme == "http" and not is_loopback_host(parts.hostname):
        # The API key rides in a header: never in clear across a network.
        return (
            f"The base URL {url!r} is not encrypted, and the API key would travel in clear; "
            "use an https:// address."
        )
    if config.kind == "azure":
        if not config.azure_deployment.strip():
            return "Enter the Azure deployment name as the model."
        if not config.api_version.strip():
            return "Enter the Azure API version (for example 2024-10-21)."
    elif not config.model.strip():
        return "Choose a model."
    if not 0.0 <= config.temperature <= 2.0:
        return f"The temperature must be between 0 and 2 (got {config.temperature:g})."
    if config.timeout_s <= 0 or config.connect_timeout_s <= 0:
        return "The time-outs must be more than 0 seconds."
    return None
