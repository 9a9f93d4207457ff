"""Review packs: an account's, a segment's or the book's review as plain data, and as slides."""
