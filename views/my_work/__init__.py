"""My work: the user's open tasks, snoozed alerts coming back and follow-ups."""
