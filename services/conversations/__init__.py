"""Conversations: calls, meetings, chats, emails and social mentions, read on the laptop."""
