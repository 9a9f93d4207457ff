"""The people's vocabulary as the window names it (models.vocab holds it once)."""

from __future__ import annotations

from models.vocab import CONTACT_ROLE_LABELS, CONTACT_ROLES

__all__ = ["CONTACT_ROLES", "CONTACT_ROLE_LABELS"]
