"""A short stable key of a person who used the product: the usage import keeps these for
the people active each day (``usage_days.users``), never who they are, and an account's
People tab finds a person's own days by the key of their address."""

from __future__ import annotations

import hashlib

__all__ = ["user_key"]


def user_key(user: str) -> str:
    """The first 10 hex digits of the SHA-1 of the trimmed, lower-cased id: counts people
    once without keeping who they are."""
    return hashlib.sha1(user.strip().lower().encode("utf-8")).hexdigest()[:10]  # noqa: S324
