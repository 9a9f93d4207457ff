"""People: the contacts of each account, their roles, and whom to write to."""
