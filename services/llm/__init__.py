"""Drafting with a language model: provider settings, errors and the Chat Completions client.

Only the light parts are re-exported here; ``services.llm.client`` imports the openai SDK
(about a second), so import it where a request is made.
"""

from services.llm.errors import LLMError, LLMErrorKind, classify
from services.llm.providers import (
    OPENAI_BASE_URL,
    PRESETS,
    Preset,
    ProviderConfig,
    ProviderKind,
    config_from_preset,
    find_preset,
    is_local,
    needs_key,
    validate_config,
)

__all__ = [
    "OPENAI_BASE_URL",
    "PRESETS",
    "LLMError",
    "LLMErrorKind",
    "Preset",
    "ProviderConfig",
    "ProviderKind",
    "classify",
    "config_from_preset",
    "find_preset",
    "is_local",
    "needs_key",
    "validate_config",
]
