"""The Ask tab: questions in plain words over the workspace."""
