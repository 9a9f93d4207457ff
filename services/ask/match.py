"""Which saved question a typed question means, and the numbers in it.

No model: the typed words are compared with each question's wording and keywords (light
stemming, common words left out, a few synonyms), and the numbers, tiers and customer
ids the question can take are read out of the text with each parameter's patterns
("3+ tickets in the last 60 days" -> min_tickets=3, days=60).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from services.ask.questions import SavedQuestion

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "in",
        "on",
        "for",
        "to",
        "by",
        "me",
        "my",
        "our",
        "all",
        "any",
        "with",
        "who",
        "which",
        "what",
        "whose",
        "show",
        "list",
        "give",
        "are",
        "is",
        "was",
        "were",
        "be",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "how",
        "many",
        "much",
        "i",
        "we",
        "you",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "from",
        "at",
        "as",
        "or",
        "get",
        "find",
        "tell",
        "identify",
        "there",
        "their",
        "them",
        "they",
        "than",
        "please",
        "can",
        "could",
        "would",
        "should",
    ]
)
_SYNONYMS = {
    "deal": "opportunity", "pipeline": "opportunity", "sale": "opportunity",
    "unhappy": "negative", "angry": "negative", "complaint": "negative",
    "csat": "satisfaction", "bought": "purchase", "buy": "purchase", "order": "purchase",
    "ordered": "purchase", "purchased": "purchase", "client": "customer",
    "account": "customer", "overdue": "past", "late": "past", "silent": "quiet",
    "lapsed": "quiet", "inactive": "quiet", "largest": "biggest", "valuable": "value",
    "returned": "return", "refund": "return", "refunded": "return", "issue": "problem",
    "reason": "problem", "opened": "engaged", "clicked": "engaged", "engage": "engaged",
}  # fmt: skip
MIN_SCORE = 0.2
# A saved question whose words agree this well answers a typed question even when a
# provider is set up (the same answer, no request); below it the provider writes the
# query. The window and the command line decide alike.
STRONG_MATCH = 0.7
_GENERIC_PARAMS = frozenset({"days", "top"})  # many questions take them


# Words that ask rather than say what about: a typed word among them needs no question
# to know it.
_FILLER = frozenset(
    ["per", "each", "every", "what's", "who's", "where's", "there's", "please", "also", "just"]
    + ["only", "ones", "one"]
)


@dataclass(frozen=True)
class Match:
    """A saved question a typed question may mean, its parameters read from the text,
    and how well the words agree (0..1). ``unexplained``: the typed words the question
    knows nothing of ("north", "region"): a question that leaves any does not answer the
    typed one, it is only the closest."""

    question: SavedQuestion
    params: dict[str, Any]
    score: float
    unexplained: tuple[str, ...] = ()

    @property
    def answers(self) -> bool:
        """True when the question accounts for every word typed."""
        return not self.unexplained


def _stem(word: str) -> str:
    word = _SYNONYMS.get(word, word)
    for suffix in ("ies", "es", "s"):
        if len(word) > 4 and word.endswith(suffix) and not word.endswith("ss"):
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return _SYNONYMS.get(word, word)


def terms(text: str) -> set[str]:
    """The words of a text that carry its meaning, stemmed."""
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP}


def read_params(question: SavedQuestion, text: str) -> dict[str, Any]:
    """The parameter values a typed question states ("60 days" -> days=60)."""
    return _read(question, text)[0]


def _read(question: SavedQuestion, text: str) -> tuple[dict[str, Any], str]:
    """The parameter values, and the text left once the words that stated them are out."""
    lowered = text.lower()
    rest = lowered
    found: dict[str, Any] = {}
    for param in question.params:
        for pattern in param.patterns:
            hit = re.search(pattern, lowered)
            if hit:
                value = hit.group(1)
                if param.kind == "customer":
                    value = re.search(pattern, text, re.IGNORECASE).group(1)  # type: ignore[union-attr]
                found[param.name] = value
                rest = rest.replace(hit.group(0), " ")
                break
    return found, rest


def _unexplained(rest: str, keys: set[str]) -> tuple[str, ...]:
    left = terms(rest) - keys - _FILLER
    return tuple(sorted(w for w in left if not any(ch.isdigit() for ch in w)))


def match(text: str, questions: list[SavedQuestion] | tuple[SavedQuestion, ...]) -> list[Match]:
    """The saved questions a typed question may mean, best first (none below MIN_SCORE)."""
    asked = terms(text)
    if not asked:
        return []
    out: list[Match] = []
    for q in questions:
        wording = terms(q.question) | terms(q.title)
        keys = wording | {_stem(k) for k in q.keywords}
        shared = asked & keys
        if not shared:
            continue
        # Cosine-like: the share of the typed words the question knows, weighed with how
        # much of the question's own wording was typed.
        score = len(shared) / math.sqrt(len(asked) * max(len(wording), 1))
        params, rest = _read(q, text)
        # A number the question is made for ("4 or more tickets") says more than a word.
        score += 0.25 * sum(1 for name in params if name not in _GENERIC_PARAMS)
        score = min(1.0, score)
        if score >= MIN_SCORE:
            out.append(Match(q, params, round(score, 3), _unexplained(rest, keys)))
    out.sort(key=lambda m: (-m.score, m.question.title))
    return out
