"""The kit every screen builds with: the job runner (work off the UI thread, with
progress and cancel); more of the shared parts move here as the floors are laid
(docs/architecture.md)."""
