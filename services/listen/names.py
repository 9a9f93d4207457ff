"""Names in customers' words: brands, shops, companies, people, places and days.

A name says who or where, never why: "Charged twice for Acme Club" is about being
charged twice, whatever the shop is called. So the reasons (services/listen/reasons.py)
leave names out of the words they learn from, and the names are learned from the
workspace's own data rather than from a list of the demo's brands:

- a word written with a capital in the middle of a sentence nearly every time it is
  written there is a proper noun ("Acme", "FedEx", "Saturday");
- a word of the workspace's own names (the customers' companies, the workspace's name)
  is one when it is written with a capital mid-sentence at least half the time: "Maple
  Street Bakery" makes "Maple" a name, but not "street" in "wrong street number".

The first word of a sentence, words in capitals ("XL", "UPS") and Title Case lines
("Wrong Size Received", a help desk's subject) say nothing about a word, so they are not
counted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

# Words that name a kind of company, not what a customer complains about.
COMPANY_WORDS = frozenset(
    ("inc", "llc", "ltd", "co", "corp", "gmbh", "plc", "pty", "sarl", "bv", "ag", "srl")
)
# A proper noun: capitalised at least this share of the times it is written mid-sentence,
# and written there at least MIN_SEEN times.
PROPER_SHARE = 0.9
MIN_SEEN = 2
# A word of the workspace's own names: capitalised at least this share of the time.
KNOWN_SHARE = 0.5

_SENTENCES = re.compile(r"[.!?;:\n\r\"()\[\]]+")
_WORD = re.compile(r"(?u)\b[^\W\d_][\w']*\b")


def _is_title_line(words: list[str]) -> bool:
    """Every longer word capitalised: a title, whose capitals are its style."""
    long = [w for w in words if len(w) >= 4]
    return len(long) >= 2 and all(w[0].isupper() for w in long)


def name_words(texts: Iterable[str], known: Iterable[str] = ()) -> frozenset[str]:
    """The lower-cased words of ``texts`` that are names (see the module docstring);
    ``known`` holds the workspace's own names (companies, the workspace's name)."""
    capital: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for words in texts:
        for sentence in _SENTENCES.split(words):
            tokens = _WORD.findall(sentence)
            if len(tokens) < 2 or _is_title_line(tokens):
                continue
            for token in tokens[1:]:
                if len(token) < 2 or token.isupper():
                    continue
                word = token.lower()
                seen[word] += 1
                if token[0].isupper():
                    capital[word] += 1
    own = {w.lower() for name in known for w in _WORD.findall(name or "")}
    names = {
        word
        for word, n in seen.items()
        if (n >= MIN_SEEN and capital[word] >= PROPER_SHARE * n)
        or (word in own and capital[word] >= KNOWN_SHARE * n)
    }
    return frozenset(names | COMPANY_WORDS)
