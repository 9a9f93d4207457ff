"""The shell: the main window, its menu bar, the shortcut sheet and the tabs it puts
together from the screens (docs/architecture.md). Nothing in views/ imports it; app/
builds the window."""
