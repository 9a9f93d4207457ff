"""The customers table's search index (views/item_models/customer_table_data.py): every
word of the query, in any of the searched fields, whatever the case; typing further
narrows the last answer without changing it."""

from __future__ import annotations

import numpy as np

from views.item_models.customer_table_data import TextSearchIndex

NAMES = np.array(["Olivia Brown", "Zoë Ægir", None, "Oliver Stone", "Bakery Ltd"], dtype=object)
EMAILS = np.array(["ob@example.org", "zoe@ex.de", "x@olive.com", None, "b@bake.ry"], dtype=object)


def rows(mask: np.ndarray | None) -> list[int]:
    assert mask is not None
    return np.flatnonzero(mask).tolist()


def test_words_match_across_fields_case_and_accents_included() -> None:
    index = TextSearchIndex([NAMES, EMAILS])
    assert index.match("   ") is None
    assert rows(index.match("OLIV")) == [0, 2, 3]
    assert rows(index.match("zoë")) == [1]
    assert rows(index.match("ægir ex.de")) == [1]
    assert rows(index.match("oliv example")) == [0]
    # A word never spans two fields.
    assert rows(index.match("brownob")) == []


def test_typing_further_gives_what_a_fresh_search_gives() -> None:
    many_names = np.array([f"name {i} olivia" if i % 7 else f"oliver {i}" for i in range(200)])
    many = [many_names.astype(object), np.full(200, None, dtype=object)]
    typed = TextSearchIndex(many)
    for query in ("o", "ol", "oli", "olive", "oliver", "oliver 1", "oliver 14", "olive", "na"):
        assert rows(typed.match(query)) == rows(TextSearchIndex(many).match(query)), query
