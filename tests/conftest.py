"""Shared test set-up: every Qt test runs headless."""

from __future__ import annotations

import os

# Before anything imports Qt: no display on CI machines.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The openai SDK's variables choose a provider when the settings name none: a machine that
# has them set must not change what the tests see (the tests that want them set them).
for _name in ("OPENAI_BASE_URL", "OPENAI_MODEL", "OPENAI_API_KEY"):
    os.environ.pop(_name, None)
