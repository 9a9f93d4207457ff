"""The kit every screen builds with, the lowest floor of views/ (docs/architecture.md):
the theme, the window's formatting, colours, tiles and lists, the note dialog, toned
labels, the undo history, the menus a feature adds entries to, and the job runner (work
off the UI thread, with progress and cancel). It imports nothing else of views/."""
