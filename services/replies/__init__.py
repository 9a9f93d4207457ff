"""Replies to the app's own emails: the reply rate and the time to reply (Results ▸
Replies, report replies)."""
