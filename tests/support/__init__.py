"""Real stand-ins for the outside world used by tests: an OpenAI-compatible server, a keyring."""
