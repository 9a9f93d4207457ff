"""Scoring's read as packed integers, and the order it hands them on in.

The SQLite read (services/scoring/data.py) packs each interaction into one integer and
each order's and usage day's customer and day into another; here they are unpacked, and
the interactions put in ScoringData's order (customers in their stable order, then day,
then content) by one sort.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# customer id, day, kind, satisfaction, rating, sentiment
Inter = tuple[IntArray, IntArray, IntArray, IntArray, FloatArray, FloatArray]
# Bit layout of a packed interaction (SQLite fast path), low bits first.
DAY_BITS = 17  # days since 1900-01-01: good until the year 2258
KIND_BITS = 4
SAT_BITS = 3
RATING_BITS = 5  # 0 = none, else rating + 1 (ratings 0..10 cover NPS)
SENT_BITS = 8  # 0 = none, else floor((sentiment + 1) * 100 + 0.5) + 1 (1..201)
LOW_BITS = DAY_BITS + KIND_BITS + SAT_BITS + RATING_BITS + SENT_BITS  # 37
CUSTOMER_BITS = 63 - LOW_BITS  # customer ids below 2**26 share the integer
# Sorting packed interactions: a customer's place in the stable order above 38 bits.
PLACE_BITS = 63 - (DAY_BITS + 4 + 3 + 6 + 8)
DAY_OFFSET = 25_567  # 1900-01-01 .. 1970-01-01
# Customers' places are looked up in a table by id up to this many slots per customer
# (plus a million).
DENSE = 4


def positions(ids: IntArray, keys: IntArray) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Positions of ``keys`` in the sorted ``ids``, and which keys were found."""
    if ids.size == 0:
        return np.zeros(keys.size, np.int64), np.zeros(keys.size, bool)
    pos = np.minimum(np.searchsorted(ids, keys), ids.size - 1)
    return pos.astype(np.int64), ids[pos] == keys


@dataclass(frozen=True)
class People:
    """The non-guest customers: their ids ascending, and the stable order of them."""

    ids: IntArray
    signup_day: FloatArray
    # Positions among ``ids`` in the stable order (stable_order: a hash of each one's
    # source and external id), and each id's place in it (the inverse).
    stable: IntArray
    rank: IntArray

    def places(self, keys: IntArray) -> tuple[IntArray, npt.NDArray[np.bool_]]:
        """Each key's customer's place in the stable order, and which keys are customers'
        ids (the others' places are meaningless)."""
        ids = self.ids
        if ids.size and ids[0] >= 0 and ids[-1] <= DENSE * ids.size + 1_000_000:
            # Ids from 1 up with few gaps: a table by id, instead of a binary search each.
            table = np.full(int(ids[-1]) + 2, -1, np.int64)
            table[ids] = self.rank
            places = table[np.clip(keys, -1, int(ids[-1]) + 1)]
            return places, places >= 0
        pos, ok = positions(ids, keys)
        return self.rank[pos], ok


def ordered_interactions(inter: Inter, people: People) -> Inter:
    """Interactions of customers only, by their place in the stable order, then day, then
    what they hold (kind, satisfaction, rating, sentiment); the customer as that place."""
    ic, iday, kind, sat, rating, sentiment = sort_interactions(inter)
    place, ok = people.places(ic)
    # Sorted by customer id, then day (then content): a stable sort on the places keeps
    # that order within each customer.
    found = np.flatnonzero(ok)
    order = found[np.argsort(place[found], kind="stable")]
    return place[order], iday[order], kind[order], sat[order], rating[order], sentiment[order]


def ordered_packed(cust: IntArray, low: IntArray, people: People) -> Inter:
    """ordered_interactions of the SQLite read's packed values, by one sort of one
    integer per interaction (the customer's place, then the fields in the order they sort
    by, a missing rating and sentiment last as NaN sorts) instead of seven."""
    if people.ids.size >= 1 << PLACE_BITS:
        return ordered_interactions(unpack_interactions(cust, low), people)
    place, ok = people.places(cust)
    low = low[ok]
    day = low & ((1 << DAY_BITS) - 1)
    bits = low >> DAY_BITS
    kind = bits & ((1 << KIND_BITS) - 1)
    bits >>= KIND_BITS
    sat = bits & ((1 << SAT_BITS) - 1)
    bits >>= SAT_BITS
    rating = bits & ((1 << RATING_BITS) - 1)  # 0: none, else rating + 1
    sentiment = (bits >> RATING_BITS) & ((1 << SENT_BITS) - 1)  # 0: none, else code + 1
    key = place[ok] << (DAY_BITS + 4 + 3 + 6 + 8)
    key |= day << (4 + 3 + 6 + 8)
    key |= kind << (3 + 6 + 8)
    key |= sat << (6 + 8)
    key |= np.where(rating == 0, 63, rating - 1) << 8
    key |= np.where(sentiment == 0, 255, sentiment - 1)
    del low, day, bits, kind, sat, rating, sentiment
    key.sort()
    ratings = ((key >> 8) & 63).astype(np.float64)
    ratings[ratings == 63] = np.nan
    sentiments = (key & 255).astype(np.float64)
    sentiments = np.where(sentiments == 255, np.nan, sentiment_value(sentiments))
    return (
        key >> (DAY_BITS + 4 + 3 + 6 + 8),
        ((key >> (4 + 3 + 6 + 8)) & ((1 << DAY_BITS) - 1)) - DAY_OFFSET,
        (key >> (3 + 6 + 8)) & 15,
        (key >> (6 + 8)) & 7,
        ratings,
        sentiments,
    )


def sort_interactions(inter: Inter) -> Inter:
    """The interaction columns ordered by customer id, then day, then what they hold (kind,
    satisfaction, rating, sentiment), so rows of one day keep an order of their own."""
    cust, day, kind, sat, rating, sentiment = inter
    order = np.lexsort((sentiment, rating, sat, kind, day, cust))
    sorted_columns = tuple(column[order] for column in inter)
    return sorted_columns  # type: ignore[return-value]


def unpack_day(packed: IntArray) -> tuple[IntArray, IntArray]:
    """(customer id, day number since 1970) of values packed as customer id x 2**17 + day
    since 1900."""
    return packed >> DAY_BITS, (packed & ((1 << DAY_BITS) - 1)) - DAY_OFFSET


def unpack_interactions(cust: IntArray, bits: IntArray) -> Inter:
    """The interaction columns of the SQLite read's packed values (``bits``: the low ones)."""
    day = (bits & ((1 << DAY_BITS) - 1)) - DAY_OFFSET
    bits = bits >> DAY_BITS
    kinds = bits & ((1 << KIND_BITS) - 1)
    bits = bits >> KIND_BITS
    sats = bits & ((1 << SAT_BITS) - 1)
    bits = bits >> SAT_BITS
    ratings = (bits & ((1 << RATING_BITS) - 1)).astype(np.float64) - 1.0
    ratings[ratings < 0] = np.nan
    bits = bits >> RATING_BITS
    sentiments = (bits & ((1 << SENT_BITS) - 1)).astype(np.float64)
    sentiments = np.where(sentiments > 0, sentiment_value(sentiments - 1.0), np.nan)
    return cust, day, kinds, sats, ratings, sentiments


def sentiment_value(code: FloatArray) -> FloatArray:
    """Sentiment from its code 0..200 (hundredths above -1): the same on every database."""
    out: FloatArray = code / 100.0 - 1.0
    return out
