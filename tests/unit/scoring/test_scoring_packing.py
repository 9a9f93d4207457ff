"""The SQLite read's packed interactions put in order by one sort give exactly what the
column-by-column sort gives (services/scoring/_packing.py), and a customer's place is the
same whether it is looked up in a table by id or by binary search."""

from __future__ import annotations

import numpy as np

from services.scoring._packing import (
    DAY_BITS,
    DAY_OFFSET,
    KIND_BITS,
    RATING_BITS,
    SAT_BITS,
    People,
    ordered_interactions,
    ordered_packed,
    unpack_interactions,
)


def _people(ids: np.ndarray, seed: int) -> People:
    stable = np.random.default_rng(seed).permutation(ids.size).astype(np.int64)
    rank = np.empty_like(stable)
    rank[stable] = np.arange(stable.size)
    return People(ids, np.full(ids.size, np.nan), stable, rank)


def _packed(rng: np.random.Generator, n: int, max_id: int) -> tuple[np.ndarray, np.ndarray]:
    """n interactions of customers 0..max_id+2 (some not customers) with few distinct
    values, so that many share a day and a kind and only the content breaks the tie."""
    cust = rng.integers(0, max_id + 3, n)
    day = rng.integers(0, 6, n) + DAY_OFFSET + 20_000
    kind = rng.integers(0, 16, n)
    sat = rng.integers(0, 5, n)
    rating = rng.integers(0, 4, n)  # 0 = none
    sentiment = np.where(rng.random(n) < 0.3, 0, rng.integers(1, 202, n))  # 0 = none
    extra = (sentiment << RATING_BITS | rating) << SAT_BITS | sat
    return cust.astype(np.int64), ((extra << KIND_BITS | kind) << DAY_BITS | day).astype(np.int64)


def _assert_same(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x.shape == y.shape
        np.testing.assert_array_equal(x.astype(np.float64), y.astype(np.float64))


def test_one_sort_of_packed_interactions_orders_them_as_the_columns_sort_does() -> None:
    rng = np.random.default_rng(5)
    ids = np.array([1, 2, 3, 5, 8, 9, 10, 11, 40], np.int64)  # a guest's id (4) is absent
    people = _people(ids, 1)
    cust, low = _packed(rng, 5_000, int(ids[-1]))
    packed = ordered_packed(cust, low, people)
    by_columns = ordered_interactions(unpack_interactions(cust, low), people)
    _assert_same(packed, by_columns)
    # Only customers' interactions, each customer as its place in the stable order.
    assert packed[0].size == np.isin(cust, ids).sum()
    assert set(packed[0].tolist()) == set(people.rank.tolist())
    assert np.isnan(packed[4]).any()
    assert np.isnan(packed[5]).any()


def test_a_place_is_the_same_by_table_and_by_binary_search() -> None:
    rng = np.random.default_rng(6)
    dense = np.unique(rng.integers(1, 3_000, 1_000)).astype(np.int64)
    sparse = np.unique(rng.integers(1, 1 << 40, 1_000)).astype(np.int64)  # no table
    for ids in (dense, sparse):
        people = _people(ids, 2)
        keys = np.concatenate([ids, rng.integers(-5, int(ids[-1]) + 10, 5_000), [1 << 45]])
        places, ok = people.places(keys)
        np.testing.assert_array_equal(ok, np.isin(keys, ids))
        expected = people.rank[np.searchsorted(ids, keys[ok])]
        np.testing.assert_array_equal(places[ok], expected)
