"""What the app reads out of one conversation: a short summary, the actions promised, the
risks the customer raised and the customer's sentiment per topic.

``read_offline`` reads it on this computer, with no model:

- the summary is extractive, by sentence scoring on TF-IDF centrality (LexRank's degree
  centrality, in short): each sentence is a TF-IDF vector (scikit-learn's
  ``TfidfVectorizer``, English stop words left out), its centrality the mean of its cosine
  similarities to every other sentence (0 to 1). A sentence that promises an action or
  raises a risk scores one more, so those come first, most central first: a short call
  repeats few words, and they are what it was about. Ties go to the sentence with more
  words of substance, then the earlier. The three best are shown in the order they were
  said; sentences of fewer than four words ("Thanks, bye.") are never picked;
- an action is a sentence that promises something ("I'll send ...", "we will ...", "let
  me check ...", "I can get you ... by ...", ``reading_rules.PROMISE``), by whoever said it,
  with the day it is due when one is said, relative to the day it was said;
- a risk is a customer's sentence that raises one of ``RISK_KINDS``, quoted as said;
  only the customer's side raises risks, and a negated one ("we're not cancelling") is
  none;
- the sentiment of a topic is the mean VADER compound (``services.listen.sentiment``,
  the app's tuned lexicon) of the customer's sentences about it.

The model's reading of the same conversation is in ``reading_model.py``; both give a
``Reading``. Pure Python: no database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from services.conversations.model import Conversation, Person, Turn
from services.conversations.reading_rules import (
    RISK_KINDS,
    RISK_LABELS,
    TOPICS,
    due_date,
    is_promise,
    sentence_spans,
    topics_of,
)
from services.conversations.risk_cues import risk_cues
from services.conversations.sentence_model import sentence_model
from services.listen.sentiment import score_text

__all__ = [
    "EXTRACTIVE_NOTE",
    "RISK_KINDS",
    "RISK_LABELS",
    "TOPICS",
    "Action",
    "Reading",
    "Risk",
    "TopicSentiment",
    "read_offline",
    "sentence_sentiment",
    "sentence_topics",
    "summarise",
]

SUMMARY_SENTENCES = 3
SUMMARY_MIN_WORDS = 4
KEY_BOOST = 1.0  # added to the centrality of a sentence that promises or raises a risk
EXTRACTIVE_NOTE = "Summarised on this computer by picking its key sentences; no model was used."


@dataclass(frozen=True)
class Action:
    """Something promised: who said it, the sentence, the day it is due (None if not said)
    and where in the conversation it was said."""

    who: Person
    what: str
    by: dt.date | None
    anchor: str


@dataclass(frozen=True)
class Risk:
    """A risk raised by the customer, in their own words (the sentence as said)."""

    kind: str  # one of RISK_KINDS
    quote: str
    who: Person
    anchor: str
    name: str = ""  # a competitor's name, when the customer said one

    @property
    def label(self) -> str:
        """The kind in plain words: "raised cancellation"."""
        return RISK_LABELS[self.kind]


@dataclass(frozen=True)
class TopicSentiment:
    """The customer's sentiment about one topic: the mean VADER compound (-1..1) of their
    sentences about it, and how many there were (None when a model gave the figure)."""

    topic: str  # a key of TOPICS
    sentiment: float
    sentences: int | None

    @property
    def label(self) -> str:
        """The topic in plain words: "Price and billing"."""
        return TOPICS[self.topic][0]


@dataclass(frozen=True)
class Reading:
    """What was read out of one conversation, and how."""

    summary: tuple[str, ...]
    method: str  # "extractive" or "model"
    method_note: str  # how it was read, in a sentence for the screen
    actions: tuple[Action, ...] = ()
    risks: tuple[Risk, ...] = ()
    topics: tuple[TopicSentiment, ...] = ()
    customer_sentiment: float | None = None  # mean over the customer's sentences


@dataclass(frozen=True)
class _Sentence:
    text: str
    turn: Turn
    customer: bool
    start: int  # where it starts in the turn's text

    @property
    def anchor(self) -> str:
        """The place of the cue or line the sentence starts in."""
        return self.turn.anchor_at(self.start)


def _sentences(
    conversation: Conversation, customer_side: Callable[[Person], bool]
) -> list[_Sentence]:
    found: list[_Sentence] = []
    for turn in conversation.turns:
        customer = bool(customer_side(turn.speaker))
        found.extend(
            _Sentence(turn.text[start:end], turn, customer, start)
            for start, end in sentence_spans(turn.text)
        )
    return found


def summarise(
    texts: Sequence[str], boosts: Sequence[float] = (), limit: int = SUMMARY_SENTENCES
) -> tuple[str, ...]:
    """The ``limit`` key sentences, in their order: by TF-IDF centrality plus each one's
    boost (``boosts[i]`` for ``texts[i]``), then by how many distinct words of substance
    it holds, then the earlier."""
    candidates = [
        index for index, text in enumerate(texts) if len(text.split()) >= SUMMARY_MIN_WORDS
    ]
    if len(candidates) <= limit:
        return tuple(texts[i] for i in candidates)
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(
            [texts[i] for i in candidates]
        )
    except ValueError:  # nothing but stop words: keep the opening sentences
        return tuple(texts[i] for i in candidates[:limit])
    # Rows are L2-normalised, so a row's dot product with the sum of all rows is the sum
    # of its cosine similarities to each (itself included): no n-by-n matrix for an
    # hour's call.
    total = np.asarray(matrix.sum(axis=0)).ravel()
    itself = np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()
    centrality = (matrix @ total - itself) / (len(candidates) - 1)
    words = matrix.getnnz(axis=1)

    def rank(row: int) -> tuple[float, int, int]:
        boost = boosts[candidates[row]] if candidates[row] < len(boosts) else 0.0
        return (-round(float(centrality[row]) + boost, 9), -int(words[row]), row)

    best = sorted(range(len(candidates)), key=rank)[:limit]
    return tuple(texts[candidates[row]] for row in sorted(best))


def _day_said(turn: Turn, conversation: Conversation) -> dt.date | None:
    when = turn.at or conversation.started_at
    if when is None:
        return None
    if turn.at is None and turn.offset_seconds is not None:
        with contextlib.suppress(OverflowError, ValueError):  # an offset no recording has
            when += dt.timedelta(seconds=turn.offset_seconds)
    return when.date()


def _action(sentence: _Sentence, conversation: Conversation) -> Action | None:
    due = due_date(sentence.text, _day_said(sentence.turn, conversation))
    if not is_promise(sentence.text, due):
        return None
    return Action(sentence.turn.speaker, sentence.text, due, sentence.anchor)


def risk_kinds(text: str, competitors: Sequence[str] = ()) -> list[tuple[str, str]]:
    """The kinds of risk a customer's sentence raises, each with the competitor's name
    said (or ""): the trained model's reading of its features, the rules among them
    (sentence_model.py), else the rules alone when no model is kept; a competitor of the
    workspace's list said as a risk counts too."""
    cues = risk_cues(text, competitors)
    names = {cue.kind: cue.name for cue in cues}
    model = sentence_model()
    if model is None:
        return [(cue.kind, cue.name) for cue in cues]
    kinds = set(model.kinds(text))
    # Clauses a semicolon joins are read as the sentences they are: "12% is still too high
    # for us; can you do 5%?" states a complaint and then asks, and the question does not
    # make the statement one.
    clauses = [c for c in text.split(";") if c.strip()]
    for clause in clauses if len(clauses) > 1 else ():
        kinds.update(model.kinds(clause.strip()))
    if competitors and any(c.kind == "competitor" and c.name for c in cues):
        kinds.add("competitor")  # a vendor the team named is a competitor by definition
    return [(kind, names.get(kind, "")) for kind in RISK_KINDS if kind in kinds]


def _risks(sentence: _Sentence, competitors: Sequence[str]) -> list[Risk]:
    if not sentence.customer:  # only the customer raises a risk
        return []
    return [
        Risk(kind, sentence.text, sentence.turn.speaker, sentence.anchor, name)
        for kind, name in risk_kinds(sentence.text, competitors)
    ]


def sentence_sentiment(text: str) -> float:
    """The feeling of one of the customer's sentences, -1..1 (the one definition the
    reading, the topics and the measurement use): the trained model's, else VADER's."""
    model = sentence_model()
    return model.read(text)[1] if model is not None else score_text(text)


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


_THING = re.compile(
    r"\b(?:system|app|apps|platform|tool|software|module|feature|dashboard|page|screen|report"
    r"|reports|portal|site|website|integration|sync|machine|machines|device|devices|printer"
    r"|scanner|unit|units|kit|kits|equipment|product|products|batch|sensor|sensors|terminal"
    r"|terminals|reader|readers|camera|cameras|engine|server|login|logins|search|export|import"
    r"|upload|uploads|form|forms|widget|kiosk|robot|robots|labeller|labels|cartridges?|parts?)\b",
    re.IGNORECASE,
)
NEGATIVE = -0.05


def sentence_topics(text: str) -> list[str]:
    """The topics a sentence is about: those its words name (``topics_of``), and delivery or
    quality when the trained model reads a complaint about them ("the last two pallets
    turned up a week after the date we were given")."""
    found = topics_of(text)
    model = sentence_model()
    if model is not None:
        found += [t for t in model.complaints(text) if t not in found]
        # A complaint about the thing itself ("the app logged everyone out again") is about
        # the product's quality when nothing else names what it is about.
        if not found and _THING.search(text) and sentence_sentiment(text) <= NEGATIVE:
            found.append("quality")
    return [topic for topic in TOPICS if topic in found]


def topic_sentiments(said: Iterable[tuple[str, float]]) -> tuple[TopicSentiment, ...]:
    """Per topic of the vocabulary, the mean score of the (sentence, score) pairs about it;
    topics no sentence is about are left out."""
    scores: dict[str, list[float]] = {topic: [] for topic in TOPICS}
    for text, score in said:
        for topic in sentence_topics(text):
            scores[topic].append(score)
    return tuple(
        TopicSentiment(topic, _mean(values) or 0.0, len(values))
        for topic, values in scores.items()
        if values
    )


def read_offline(
    conversation: Conversation,
    customer_side: Callable[[Person], bool],
    competitors: Iterable[str] = (),
) -> Reading:
    """Read a conversation on this computer (see the module's docstring); ``customer_side``
    says which speakers are the customer, ``competitors`` are the names to look out for."""
    said = _sentences(conversation, customer_side)
    names = tuple(competitors)
    actions: list[Action] = []
    risks: list[Risk] = []
    boosts = []
    for sentence in said:
        action, raised = _action(sentence, conversation), _risks(sentence, names)
        actions.extend([action] if action else [])
        risks.extend(raised)
        # A sentence that promises or raises something is what a summary should keep.
        boosts.append(KEY_BOOST if action or raised else 0.0)
    customer = [(s.text, sentence_sentiment(s.text)) for s in said if s.customer]
    return Reading(
        summary=summarise([s.text for s in said], boosts),
        method="extractive",
        method_note=EXTRACTIVE_NOTE,
        actions=tuple(actions),
        risks=tuple(risks),
        topics=topic_sentiments(customer),
        customer_sentiment=_mean([score for _, score in customer]),
    )
