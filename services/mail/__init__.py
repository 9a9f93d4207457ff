"""The email message and its delivery (SMTP, mailto, .eml), shared by outreach, the
digest and escalations."""
