"""How well conversations are read, measured on conversations labelled sentence by sentence
(the format: tests/data/listening/README.md).

Each labelled conversation is read as the app reads an imported one (``read_offline``, or
a model's reading), with every sentence in a piece of its own (``Turn.marks``), so each
risk and promise found is placed at the sentence it came from. The figures, each defined
once here and used by ``bench/listening_eval.py``, the precision each risk kind must reach
before it raises anything (``services/conversations/proven.py``) and the tests:

- **per kind of risk**, on the customer's sentences: a *hit* is a sentence labelled with
  the kind where the reading found it; *precision* = hits / sentences where the reading
  found the kind; *recall* = hits / sentences labelled with it; F1 their harmonic mean;
  *micro* figures add the counts of every kind;
- **the confusion**: per labelled kind (or none), the kinds found (or none);
- **promises**: a hit is a sentence labelled a promise, by the same side, where the
  reading found one; precision and recall as above; *due right*: of the hits labelled
  with a day, the share found with that day;
- **sentiment sign**: of the customer's sentences, the share whose reading has the
  label's sign (negative at or below -0.05, positive at or above 0.05, else neutral);
- **placed right**: of the risks and promises found, the share whose place is the place
  of the sentence their words come from;
- **complaints**: of the sentences labelled a delivery or quality complaint, the share
  read negative and about that topic.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.conversations.model import Conversation, Person, Turn
from services.conversations.reading import Reading
from services.conversations.risk_cues import RISK_KINDS
from services.core.safe_read import read_json

CORPUS_LIMIT = 8_000_000  # bytes of one corpus file
NEGATIVE, POSITIVE = -0.05, 0.05
COMPLAINT_TOPICS = {"delivery": "delivery", "quality": "quality"}
NONE = "none"

Reader = Callable[[Conversation, Callable[[Person], bool]], Reading]
SentimentFn = Callable[[str], float]
TopicsFn = Callable[[str], list[str]]


class CorpusError(ValueError):
    """A corpus file that is not in the format, said in words."""


@dataclass(frozen=True)
class Labelled:
    """One sentence of the corpus and its labels."""

    conversation: str
    anchor: str  # the sentence's own place: "eval-call-001 #7"
    text: str
    customer: bool
    kinds: frozenset[str] = frozenset()
    complaint: str = ""
    sentiment: int | None = None
    promise_side: str = ""  # "us", "customer" or "" for none
    promise_by: dt.date | None = None
    trap: str = ""


@dataclass(frozen=True)
class Case:
    """One labelled conversation, as the reading sees it, and its sentences' labels."""

    conversation: Conversation
    customer: frozenset[Person]
    sentences: tuple[Labelled, ...]


def _date(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CorpusError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _case(item: dict[str, Any], file: str) -> Case:
    cid = str(item.get("id") or "")
    where = f"{file}, conversation {cid or '?'}"
    when = _date(item.get("date"), where)
    turns: list[Turn] = []
    labelled: list[Labelled] = []
    customers: set[Person] = set()
    number = 0
    for t in item.get("turns") or []:
        side = t.get("side")
        if side not in ("us", "customer"):
            raise CorpusError(f"{where}: a turn's side is {side!r}, not us or customer")
        speaker = Person(name=str(t.get("speaker") or side))
        if side == "customer":
            customers.add(speaker)
        text, marks = "", []
        for s in t.get("sentences") or []:
            number += 1
            words = " ".join(str(s.get("text") or "").split())
            if not words:
                continue
            anchor = f"{cid} #{number}"
            if text:
                text += " "
            marks.append((len(text), anchor))
            text += words
            kinds = frozenset(s.get("kinds") or ())
            unknown = kinds - set(RISK_KINDS)
            if unknown:
                raise CorpusError(f"{where}: unknown kinds {sorted(unknown)}")
            promise = s.get("promise") or {}
            labelled.append(
                Labelled(
                    conversation=cid,
                    anchor=anchor,
                    text=words,
                    customer=side == "customer",
                    kinds=kinds if side == "customer" else frozenset(),
                    complaint=str(s.get("complaint") or ""),
                    sentiment=s.get("sentiment"),
                    promise_side=str(promise.get("who") or "") if promise else "",
                    promise_by=_date(promise.get("by"), where) if promise else None,
                    trap=str(s.get("trap") or ""),
                )
            )
        if text:
            turns.append(Turn(speaker, text, anchor=marks[0][1], marks=tuple(marks)))
    started = dt.datetime(when.year, when.month, when.day, 10, tzinfo=dt.UTC) if when else None
    conversation = Conversation(
        kind=str(item.get("kind") or "call"),
        source="corpus",
        key=cid,
        title=str(item.get("title") or ""),
        started_at=started,
        participants=tuple(dict.fromkeys(turn.speaker for turn in turns)),
        turns=tuple(turns),
        file=file,
    )
    return Case(conversation, frozenset(customers), tuple(labelled))


def load_corpus(folder: Path) -> list[Case]:
    """Every labelled conversation of the JSON files in ``folder`` (sorted by name)."""
    files = sorted(folder.glob("*.json"))
    if not files:
        raise CorpusError(f"{folder} holds no corpus files (*.json)")
    cases: list[Case] = []
    for path in files:
        data = read_json(path, CORPUS_LIMIT)
        items = data.get("conversations") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise CorpusError(f"{path.name}: no list of conversations")
        for item in items:
            try:
                cases.append(_case(item, path.name))
            except (AttributeError, TypeError, ValueError) as error:
                if isinstance(error, CorpusError):
                    raise
                raise CorpusError(
                    f"{path.name}: a conversation not in the format ({error})"
                ) from None
    return cases


@dataclass
class Counts:
    """Hits, findings and labels of one thing measured."""

    hits: int = 0
    found: int = 0
    labelled: int = 0

    @property
    def precision(self) -> float | None:
        return self.hits / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.hits / self.labelled if self.labelled else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None
        return 2 * p * r / (p + r)


@dataclass
class Measurement:
    """Every figure of one reading on one corpus (the module's docstring)."""

    kinds: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in RISK_KINDS})
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    promises: Counts = field(default_factory=Counts)
    due_right: int = 0
    due_labelled: int = 0
    sentiment_right: int = 0
    sentiment_labelled: int = 0
    placed_right: int = 0
    placed: int = 0
    complaints: dict[str, Counts] = field(
        default_factory=lambda: {k: Counts() for k in COMPLAINT_TOPICS}
    )
    conversations: int = 0
    sentences: int = 0
    customer_sentences: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (what, text, anchor)

    @property
    def micro(self) -> Counts:
        total = Counts()
        for counts in self.kinds.values():
            total.hits += counts.hits
            total.found += counts.found
            total.labelled += counts.labelled
        return total

    @property
    def sentiment_agreement(self) -> float | None:
        return self.sentiment_right / self.sentiment_labelled if self.sentiment_labelled else None

    @property
    def placed_share(self) -> float | None:
        return self.placed_right / self.placed if self.placed else None

    @property
    def due_share(self) -> float | None:
        return self.due_right / self.due_labelled if self.due_labelled else None


def sign(value: float | None) -> int:
    """-1, 0 or 1: the sign of a sentiment score, with VADER's neutral band."""
    if value is None:
        return 0
    return -1 if value <= NEGATIVE else 1 if value >= POSITIVE else 0


def _found_at(reading: Reading, case: Case) -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    """The kinds found at each place, and the sides that promised at each place."""
    kinds: dict[str, set[str]] = {}
    for risk in reading.risks:
        kinds.setdefault(risk.anchor, set()).add(risk.kind)
    sides: dict[str, list[str]] = {}
    for action in reading.actions:
        side = "customer" if action.who in case.customer else "us"
        sides.setdefault(action.anchor, []).append(side)
    return kinds, sides


def _placed(reading: Reading, case: Case, measured: Measurement) -> None:
    text_at = {s.anchor: s.text for s in case.sentences}
    for quote, anchor in [(r.quote, r.anchor) for r in reading.risks] + [
        (a.what, a.anchor) for a in reading.actions
    ]:
        measured.placed += 1
        measured.placed_right += int(bool(quote) and quote in text_at.get(anchor, ""))


def _due(reading: Reading, anchor: str) -> dt.date | None:
    return next((a.by for a in reading.actions if a.anchor == anchor), None)


def measure_case(
    case: Case,
    reading: Reading,
    measured: Measurement,
    sentiment: SentimentFn,
    topics: TopicsFn,
) -> None:
    """Add one conversation's figures to ``measured``."""
    kinds_at, sides_at = _found_at(reading, case)
    measured.conversations += 1
    _placed(reading, case, measured)
    for s in case.sentences:
        measured.sentences += 1
        found = kinds_at.get(s.anchor, set()) if s.customer else set()
        for kind in RISK_KINDS:
            counts = measured.kinds[kind]
            counts.found += kind in found
            counts.labelled += kind in s.kinds
            counts.hits += kind in found and kind in s.kinds
        for kind in s.kinds - found:
            measured.misses.append((f"missed {kind}", s.text, s.anchor))
        for kind in found - s.kinds:
            measured.misses.append((f"wrongly {kind}" + (f" ({s.trap})" if s.trap else ""),
                                    s.text, s.anchor))  # fmt: skip
        _confusion(s.kinds, found, measured.confusion)
        said = sides_at.get(s.anchor, [])
        measured.promises.found += bool(said)
        measured.promises.labelled += bool(s.promise_side)
        if s.promise_side and s.promise_side in said:
            measured.promises.hits += 1
            if s.promise_by is not None:
                measured.due_labelled += 1
                measured.due_right += _due(reading, s.anchor) == s.promise_by
        elif s.promise_side:
            measured.misses.append(("missed promise", s.text, s.anchor))
        elif said:
            measured.misses.append(("wrongly promise", s.text, s.anchor))
        if not s.customer:
            continue
        measured.customer_sentences += 1
        score = sentiment(s.text)
        if s.sentiment is not None:
            measured.sentiment_labelled += 1
            right = sign(score) == s.sentiment
            measured.sentiment_right += right
            if not right:
                measured.misses.append((f"sentiment {s.sentiment:+d} read {score:+.2f}",
                                        s.text, s.anchor))  # fmt: skip
        if s.complaint in COMPLAINT_TOPICS:
            counts = measured.complaints[s.complaint]
            counts.labelled += 1
            counts.found += 1
            counts.hits += sign(score) < 0 and COMPLAINT_TOPICS[s.complaint] in topics(s.text)


def _confusion(labelled: frozenset[str], found: set[str], table: Counter[tuple[str, str]]) -> None:
    for kind in labelled:
        if kind in found:
            table[(kind, kind)] += 1
        else:
            others = found - labelled
            for other in others or {NONE}:
                table[(kind, other)] += 1
    if not labelled:
        for kind in found:
            table[(NONE, kind)] += 1


def measure(
    cases: Iterable[Case],
    read: Reader,
    sentiment: SentimentFn,
    topics: TopicsFn,
    progress: Callable[[int], None] | None = None,
) -> Measurement:
    """Read every case with ``read`` and measure it (the module's docstring)."""
    measured = Measurement()
    for n, case in enumerate(cases, 1):
        reading = read(case.conversation, case.customer.__contains__)
        measure_case(case, reading, measured, sentiment, topics)
        if progress is not None:
            progress(n)
    return measured


def summary(measured: Measurement) -> dict[str, Any]:
    """The figures as plain data (what ``proven.py`` keeps of them)."""
    return {
        "conversations": measured.conversations,
        "sentences": measured.sentences,
        "kinds": {
            kind: {"hits": c.hits, "found": c.found, "labelled": c.labelled}
            for kind, c in measured.kinds.items()
        },
        "promises": {
            "hits": measured.promises.hits,
            "found": measured.promises.found,
            "labelled": measured.promises.labelled,
        },
        "sentiment": {"right": measured.sentiment_right, "labelled": measured.sentiment_labelled},
    }


def counted(cases: Sequence[Case]) -> Counter[str]:
    """What the corpus holds: sentences per kind, complaint, trap and promise."""
    tally: Counter[str] = Counter()
    for case in cases:
        for s in case.sentences:
            tally["sentences"] += 1
            tally["customer sentences"] += s.customer
            for kind in s.kinds:
                tally[kind] += 1
            if s.complaint:
                tally[f"complaint: {s.complaint}"] += 1
            if s.trap:
                tally[f"trap: {s.trap}"] += 1
            if s.promise_side:
                tally["promises"] += 1
    return tally
