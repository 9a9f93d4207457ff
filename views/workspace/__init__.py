"""Starting and owning a workspace: the first-run welcome, the getting-started checklist
and the user's identity (File ▸ Who I am…)."""
