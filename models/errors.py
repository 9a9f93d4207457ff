"""Errors that come from the environment, not from bugs: shown to the user in plain words."""

from __future__ import annotations


class UserFacingError(Exception):
    """An environment fault or bad input; the message says what happened and what to do."""


class WorkspaceError(UserFacingError):
    """The workspace cannot be opened, read or written (not a workspace, corrupt, locked...)."""
