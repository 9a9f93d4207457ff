"""Listen: what customers' own words say (sentiment, the reasons behind complaints) and
what changed since yesterday."""
