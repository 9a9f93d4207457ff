"""Whether a newer version is out (the update check IT may turn on)."""
