"""A team's shared workspace in the window: offline copies (the banner of a copy, File ▸
Take offline… and File ▸ Sync back, the report of a sync)."""
