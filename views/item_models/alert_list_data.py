"""The alert list's data, without Qt: the alerts as numpy columns, the filter, the sorts
and the cards.

A card is one customer's alerts of one queue (risk, growth, pipeline): several rules on
one customer are one card with several reasons. Filtering works on the alerts (status,
queue, owner, segment, age, search), then the kept alerts are grouped into cards, and the
severity chips filter and count cards by the card's most urgent severity. Everything is
numpy over the loaded columns: a filter or a search over 100,000 alerts takes
milliseconds on the UI thread. ``AlertListData.prepare_search`` does the costly part once
per load, on a worker.

views/item_models/alert_list_model.py puts the cards behind Qt's model API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from services.alerts.records import ALERT_COLUMNS, ALERT_QUEUES, SEVERITIES
from views.item_models.alert_query import AlertQuery

# Status filter choices: key -> (label, statuses shown).
STATUS_FILTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "active": ("Active", ("open", "in_progress")),
    "open": ("Open", ("open",)),
    "in_progress": ("In progress", ("in_progress",)),
    "snoozed": ("Snoozed", ("snoozed",)),
    "resolved": ("Resolved", ("resolved",)),
    "dismissed": ("Dismissed", ("dismissed",)),
    "all": ("All statuses", ("open", "in_progress", "snoozed", "resolved", "dismissed")),
    # Not raised: left out of today's queue by the daily cap per owner (see the pane's note).
    "held_back": ("Held back", ("held_back",)),
}
# The orders a user may choose (remembered by the pane): key -> label.
SORTS: dict[str, str] = {
    "urgency": "Most urgent first",
    "stake": "Biggest amount first",
    "newest": "Newest first",
    "oldest": "Oldest first",
}
SEARCH_ROW_CHARS = 240  # bytes of UTF-8
_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_QUEUE_CODE = {q: i for i, q in enumerate(ALERT_QUEUES)}
_SORT_KEYS = (*SORTS, "persuadable")


@dataclass(frozen=True)
class AlertFilter:
    """What the list shows: every field narrows it; empty means no narrowing."""

    severities: frozenset[str] = frozenset()
    status: str = "active"
    owner: str | None = None
    segment: str | None = None
    mine_owner: str | None = None  # set to the user's owner name for "mine"
    search: str = ""
    queue: str | None = "risk"  # None: every queue
    # The alert's age in whole days since it was raised (UTC days), inclusive.
    min_age_days: int | None = None
    max_age_days: int | None = None
    sort: str = "urgency"
    # Alerts listed whatever the other fields say: a card the user is looking at that
    # changed under them (someone else resolved it) stays, showing its new state.
    pinned: frozenset[int] = frozenset()


def query_filter(query: AlertQuery, *, sort: str = "urgency") -> AlertFilter:
    """The filter that lists what a dashboard figure counts: every queue, the query's
    status and age, and the cards whose most urgent alert (of those kept) has one of its
    severities, as the severity chips count them. The dashboard counts its figures with
    this filter and the Alerts tab shows them with it: one definition, the same number."""
    return AlertFilter(
        severities=frozenset(query.severities),
        status=query.status,
        queue=None,
        min_age_days=query.min_age_days,
        max_age_days=query.max_age_days,
        sort=sort,
    )


@dataclass(frozen=True)
class Cards:
    """The visible cards: for each, the row of its most urgent alert (in display order),
    its severity, its number of alerts and its biggest priority; and every kept alert's
    card (``card_of``, -1 for rows not kept) in the chosen order (``members``)."""

    rows: np.ndarray  # int64, one per card: the representative alert's row
    severity: np.ndarray  # int64 severity rank of each card (its most urgent alert)
    count: np.ndarray  # int64 alerts on each card
    stake: np.ndarray  # int64 biggest priority on each card (of the alerts that hold)
    members: np.ndarray  # int64 rows of the kept alerts, grouped by card, urgent first
    starts: np.ndarray  # int64 offset of each card's first member in ``members``
    live: np.ndarray  # bool: some alert of the card still meets its rule

    @staticmethod
    def empty() -> Cards:
        z = np.zeros(0, np.int64)
        return Cards(z, z, z, z, z, z, np.zeros(0, bool))

    def __len__(self) -> int:
        return len(self.rows)

    def member_rows(self, card: int) -> np.ndarray:
        """The rows of one card's alerts, most urgent first."""
        end = self.starts[card + 1] if card + 1 < len(self.starts) else len(self.members)
        rows: np.ndarray = self.members[self.starts[card] : end]
        return rows


class AlertListData:
    """The alerts as columns, with the search text, the sort orders and the card keys."""

    def __init__(self, columns: Mapping[str, Any], *, now: dt.datetime | None = None) -> None:
        missing = [c for c in ALERT_COLUMNS if c not in columns]
        if missing:
            raise ValueError(f"alert columns missing: {', '.join(missing)}")
        n = len(columns["id"])
        self.n = n
        # Priorities are in this currency (the workspace's home currency).
        self.currency = str(columns.get("currency") or "USD")
        self.columns: dict[str, np.ndarray] = {}
        for name in ALERT_COLUMNS:
            values = np.asarray(columns[name])
            if len(values) != n:
                raise ValueError(f"alert column {name} has {len(values)} rows, not {n}")
            self.columns[name] = values
        c = self.columns
        c["created_at"] = c["created_at"].astype("datetime64[s]")
        c["snoozed_until"] = c["snoozed_until"].astype("datetime64[s]")
        c["priority_cents"] = c["priority_cents"].astype(np.int64)
        c["customer_id"] = c["customer_id"].astype(np.int64)
        for name in ("customer", "person", "severity", "status", "rule", "reason", "owner"):
            c[name] = c[name].astype(object)
        c["segment"] = c["segment"].astype(object)
        c["queue"] = c["queue"].astype(object)
        c["risk_now_cents"] = c["risk_now_cents"].astype(np.int64)
        c["churn_now"] = c["churn_now"].astype(np.float64)
        # Optional (the window's source adds it): a draft for the row's customer waits in
        # the review queue (services/outreach/waiting.py), the card's "Draft waiting".
        waiting = columns.get("draft_waiting")
        self.draft_waiting = (
            np.zeros(n, dtype=bool) if waiting is None else np.asarray(waiting, dtype=bool)
        ).reshape(n)
        # Optional too: each alert's SLA mark ("Overdue 2 d", "Due today") and whether
        # it is overdue (services/alerts/sla.py), the card's due tag.
        due = columns.get("due_text")
        self.due_text = np.asarray([""] * n if due is None else due, dtype=object).reshape(n)
        late = columns.get("overdue")
        self.overdue = (
            np.zeros(n, dtype=bool) if late is None else np.asarray(late, dtype=bool)
        ).reshape(n)
        # The filtered columns as integer codes: a filter compares small ints, not strings.
        self._codes: dict[str, tuple[dict[str, int], np.ndarray]] = {
            name: _text_codes(c[name])
            for name in ("severity", "status", "owner", "segment", "queue")
        }
        self.severity_rank = _per_text(self._codes["severity"], lambda s: _SEVERITY_RANK.get(s, 9))
        # Optional too: the customer's estimated uplift (services/learn/uplift.py; NaN:
        # none, or the estimates are not ranked) and its words; the "persuadable" order
        # (views/alerts/persuadable.py); and why the estimates are not ranked ("": they
        # are, or nothing is known yet).
        lift = columns.get("uplift")
        self.uplift = np.full(n, np.nan) if lift is None else np.asarray(lift, np.float64)
        words = columns.get("uplift_text")
        self.uplift_text = np.asarray([""] * n if words is None else words, dtype=object)
        self.uplift_note = str(columns.get("uplift_note") or "")
        created = c["created_at"].astype(np.int64)
        priority = c["priority_cents"]
        ids = c["id"].astype(np.int64)
        self._urgency_keys = (ids, -created, -priority, self.severity_rank)
        # Each sort as a rank per row (0 first), so that sorting the kept rows is an
        # argsort of small ints; ranked when first asked for (``rank``): the list is shown
        # in one order, the others follow a click.
        self._ranks: dict[str, np.ndarray] = {}
        queue = _per_text(self._codes["queue"], lambda q: _QUEUE_CODE.get(q, 0))
        # One card per customer and queue.
        self.card_key = c["customer_id"] * len(ALERT_QUEUES) + queue
        # Whole days (of 24 hours) since each alert was raised, as the dashboard counts
        # them (services.alerts.records.ALERT_AGE_BUCKETS); one raised "after now" is 0.
        moment = now or dt.datetime.now(dt.UTC)
        stamp = np.datetime64(moment.astimezone(dt.UTC).replace(tzinfo=None), "s")
        seconds = (stamp - c["created_at"]).astype(np.int64)
        self.age_days = np.maximum(seconds // 86_400, 0).astype(np.int64)
        self._search: np.ndarray | None = None
        self._hits: tuple[str, np.ndarray] | None = None
        self._kept: dict[tuple[AlertFilter, bool], Cards] = {}

    def rank(self, sort: str) -> np.ndarray:
        """Each row's place in the order ``sort`` (SORTS, or "persuadable"; anything else
        reads as "urgency"), 0 first. Urgency: severity, then the amount, then the newest."""
        if sort not in _SORT_KEYS:
            sort = "urgency"
        rank = self._ranks.get(sort)
        if rank is None:
            ids, neg_created, neg_priority, severity = self._urgency_keys
            keys = {
                "urgency": (ids, neg_created, neg_priority, severity),
                "stake": (ids, neg_created, severity, neg_priority),
                "newest": (ids, severity, neg_priority, neg_created),
                "oldest": (ids, severity, neg_priority, -neg_created),
                # The biggest uplift first (none: last), then as urgency.
                "persuadable": (*self._urgency_keys, -np.nan_to_num(self.uplift, nan=-9)),
            }[sort]
            rank = np.empty(self.n, np.int64)
            rank[np.lexsort(keys)] = np.arange(self.n, dtype=np.int64)
            self._ranks[sort] = rank
        return rank

    @staticmethod
    def of(loaded: Mapping[str, Any] | AlertListData) -> AlertListData:
        """The list of a source's columns (AlertSource.load_alert_columns), or the list the
        source made of them already (read at start-up, app/gui/opening.py)."""
        return loaded if isinstance(loaded, AlertListData) else AlertListData(loaded)

    def prepare_search(self) -> None:
        """The lower-case text a search looks in (the account's name, its person, owner,
        rule, reason)."""
        if self._search is not None:
            return
        c = self.columns
        fields = ("customer", "person", "owner", "rule", "reason")
        # UTF-8 bytes, not str: a scan reads a quarter of the memory of UCS-4 text (the
        # first keystroke scans every row), and a UTF-8 substring match is a text match.
        rows = [
            "\x1f".join("" if v is None or v != v else str(v) for v in values).lower().encode()
            for values in zip(*(c[k] for k in fields), strict=True)
        ]
        width = min(max((len(r) for r in rows), default=1), SEARCH_ROW_CHARS)
        self._search = np.array(rows, dtype=f"S{max(width, 1)}")

    def _is(self, name: str, values: tuple[str, ...] | frozenset[str] | list[str]) -> np.ndarray:
        lookup, codes = self._codes[name]
        wanted = [lookup[v] for v in values if v in lookup]
        if len(wanted) == 1:
            return np.asarray(codes == wanted[0])
        return np.isin(codes, wanted)

    def search_hits(self, needle: str) -> np.ndarray:
        """Rows whose text holds every word of the (lower-case) needle.

        Typing narrows a search: when the new needle extends the previous one, every row
        it matches matched the previous one, so only those rows are scanned again.
        """
        self.prepare_search()
        assert self._search is not None
        previous = self._hits
        if previous is not None and previous[0] == needle:
            return previous[1]
        words = needle.split()
        rows: np.ndarray | None = None
        text = self._search
        if previous is not None and previous[0] and needle.startswith(previous[0]):
            # Every row the new needle matches matched the previous one: only the words it
            # changed or added need checking, and only over the previous hits.
            before = previous[0].split()
            changed = len(before) - 1 if words[len(before) - 1] != before[-1] else len(before)
            words = words[changed:]
            hits = previous[1].copy()
            if np.count_nonzero(hits) * 4 < self.n:
                # Few previous hits: copying them out costs less than scanning every row.
                rows = np.flatnonzero(hits)
                text = self._search[rows]
        else:
            hits = np.ones(self.n, dtype=bool)
        if rows is None:
            for word in words:
                hits &= np.strings.find(text, word.encode()) >= 0
        else:
            keep = np.ones(len(rows), dtype=bool)
            for word in words:
                keep &= np.strings.find(text, word.encode()) >= 0
            hits[rows[~keep]] = False
        self._hits = (needle, hits)
        return hits

    def mask(self, flt: AlertFilter) -> np.ndarray:
        """Which alerts the filter keeps before the severity (over all rows, in storage
        order): status, queue, owner, mine, segment, age and search."""
        keep = self._is("status", STATUS_FILTERS.get(flt.status, STATUS_FILTERS["all"])[1])
        if flt.queue is not None:
            keep &= self._is("queue", [flt.queue])
        if flt.owner is not None:
            keep &= self._is("owner", [flt.owner])
        if flt.mine_owner is not None:
            keep &= self._is("owner", [flt.mine_owner])
        if flt.segment is not None:
            keep &= self._is("segment", [flt.segment])
        if flt.min_age_days is not None:
            keep &= self.age_days >= flt.min_age_days
        if flt.max_age_days is not None:
            keep &= self.age_days <= flt.max_age_days
        needle = flt.search.strip().lower()
        if needle:
            keep &= self.search_hits(needle)
        if flt.pinned:
            # A pinned card stays listed whatever the other filters say, in its own queue.
            pinned = np.isin(self.columns["id"], np.fromiter(flt.pinned, np.int64))
            if flt.queue is not None:
                pinned &= self._is("queue", [flt.queue])
            keep |= pinned
        return keep

    def cards(self, flt: AlertFilter, *, with_severity: bool = True) -> Cards:
        """The cards of the alerts the filter keeps, in the filter's sort order; with
        ``with_severity``, only the cards whose most urgent alert has a chosen severity.

        Kept for the filters asked lately: a change of order or search asks the counts of
        the chips, the queues and the totals again, most of them unchanged (treat the
        cards as read-only)."""
        key = (flt, with_severity and bool(flt.severities))
        kept = self._kept.get(key)
        if kept is None:
            if len(self._kept) >= 32:
                self._kept.clear()
            kept = self._kept[key] = self._cards(flt, with_severity=with_severity)
        return kept

    def _cards(self, flt: AlertFilter, *, with_severity: bool) -> Cards:
        keep = self.mask(flt)
        rows = np.flatnonzero(keep)
        if rows.size == 0:
            return Cards.empty()
        rank = self.rank(flt.sort)
        urgency = self.rank("urgency")
        # The kept rows in display order; a card takes the place of its first row there.
        shown = rows[np.argsort(rank[rows], kind="stable")]
        keys = self.card_key[shown]
        _uniques, first, group = np.unique(keys, return_index=True, return_inverse=True)
        group = group.reshape(-1)
        place = np.argsort(first, kind="stable")  # groups in display order
        position = np.empty_like(place)
        position[place] = np.arange(len(place))
        card_of_shown = position[group]
        n_cards = len(place)
        severity = np.full(n_cards, 99, np.int64)
        np.minimum.at(severity, card_of_shown, self.severity_rank[shown])
        # The card's amount: its alerts' that still hold (a cleared alert keeps the figure
        # of the scoring that raised it), else the biggest of all; a risk card says the
        # customer's revenue at risk by the latest scoring (the figure of their tile).
        priority = self.columns["priority_cents"][shown]
        holds = ~self.columns["condition_cleared"][shown].astype(bool)
        stake = np.zeros(n_cards, np.int64)
        np.maximum.at(stake, card_of_shown, priority)
        current = np.zeros(n_cards, np.int64)
        np.maximum.at(current, card_of_shown[holds], priority[holds])
        live = np.bincount(card_of_shown[holds], minlength=n_cards) > 0
        stake = np.where(live, current, stake)
        risk_now = np.full(n_cards, -1, np.int64)
        in_risk = self.columns["queue"][shown] == "risk"
        np.maximum.at(
            risk_now, card_of_shown[in_risk], self.columns["risk_now_cents"][shown][in_risk]
        )
        # Most urgent first ranks a card by its alerts' priority (for a lapse warning, what
        # it is worth acting on: services/alerts/worth.py), its live ones' when any hold;
        # biggest stake first by the amount the card shows.
        worth = np.where(live, current, np.zeros(n_cards, np.int64))
        np.maximum.at(worth, card_of_shown[~holds], np.where(live[card_of_shown[~holds]], 0,
                                                             priority[~holds]))  # fmt: skip
        stake = np.where(risk_now >= 0, risk_now, stake)
        if flt.sort in ("urgency", "stake"):
            # By urgency, a card whose every condition has cleared comes after the live ones.
            sort_keys: tuple[np.ndarray, ...] = (np.arange(n_cards), -worth, severity, ~live)
            if flt.sort == "stake":
                sort_keys = (np.arange(n_cards), severity, -stake)
            perm = np.lexsort(sort_keys)
            inverse = np.empty_like(perm)
            inverse[perm] = np.arange(n_cards)
            card_of_shown = inverse[card_of_shown]
            severity, stake, live = severity[perm], stake[perm], live[perm]
        # Members grouped by card, each card's alerts most urgent first.
        members = shown[np.lexsort((urgency[shown], card_of_shown))]
        counts = np.bincount(card_of_shown, minlength=n_cards).astype(np.int64)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        reps = members[starts]  # the most urgent alert of each card
        cards = Cards(reps, severity, counts, stake, members, starts, live)
        if with_severity and flt.severities:
            wanted = np.array(
                sorted(_SEVERITY_RANK[s] for s in flt.severities if s in _SEVERITY_RANK)
            )
            chosen = np.flatnonzero(np.isin(severity, wanted))
            return _subset(cards, chosen)
        return cards

    def set_uplift(self, uplift: np.ndarray, words: np.ndarray, note: str = "") -> None:
        """The customers' estimated uplift and its words, per row, and why they are not
        ranked ("" when they are), when they come after the list
        (views/alerts/persuadable.py): the "persuadable" order is ranked anew."""
        self.uplift = np.asarray(uplift, np.float64).reshape(self.n)
        self.uplift_text = np.asarray(words, dtype=object).reshape(self.n)
        self.uplift_note = note
        self._ranks.pop("persuadable", None)  # ranked anew when asked for
        self._kept.clear()  # that order's cards change

    def contains(self, alert_id: int) -> bool:
        """True when the alert is among the loaded ones."""
        return bool(np.any(self.columns["id"] == alert_id))

    @property
    def held_back(self) -> int:
        """How many alerts the daily cap held back (not raised: not in ``total``)."""
        lookup, codes = self._codes["status"]
        code = lookup.get("held_back")
        return 0 if code is None else int(np.count_nonzero(codes == code))

    def values(self, name: str) -> list[str]:
        """The distinct non-empty values of a text column, sorted (for the filter menus)."""
        if name in self._codes:
            return sorted(v for v in self._codes[name][0] if v)
        col = self.columns[name]
        return sorted({str(v) for v in col if v is not None and v == v and str(v)})


def _text_codes(values: np.ndarray) -> tuple[dict[str, int], np.ndarray]:
    """A text column as codes: {text: code} over its distinct texts in sorted order (None
    and NaN read as ""), and each row's code. The distinct values are found with a dict
    and only they are sorted: no sort of 100,000 Python strings."""
    seen: dict[Any, int] = {}
    raw = np.fromiter(
        (seen.setdefault(v, len(seen)) for v in values.tolist()), np.int64, len(values)
    )
    texts = ["" if v is None or v != v else str(v) for v in seen]
    ordered = sorted(set(texts))
    lookup = {t: i for i, t in enumerate(ordered)}
    remap = np.fromiter((lookup[t] for t in texts), np.int64, len(texts))
    return lookup, remap[raw]


def _per_text(coded: tuple[dict[str, int], np.ndarray], fn: Callable[[str], int]) -> np.ndarray:
    """``fn`` of each row's text, called once per distinct text (int64)."""
    lookup, codes = coded
    by_code = np.zeros(len(lookup), np.int64)
    for text, code in lookup.items():
        by_code[code] = fn(text)
    result: np.ndarray = by_code[codes]
    return result


def _subset(cards: Cards, chosen: np.ndarray) -> Cards:
    """Some of the cards (positions in increasing order), in their order."""
    counts = cards.count[chosen]
    card_of_member = np.repeat(np.arange(len(cards), dtype=np.int64), cards.count)
    keep = np.zeros(len(cards), bool)
    keep[chosen] = True
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    return Cards(
        cards.rows[chosen],
        cards.severity[chosen],
        counts.astype(np.int64),
        cards.stake[chosen],
        cards.members[keep[card_of_member]],
        starts[: len(chosen)],
        cards.live[chosen],
    )
