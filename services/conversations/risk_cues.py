"""The risks a customer's sentence raises, read from what the sentence says, not from a word.

A risk is a *cue* (the words that carry it, with their place in the sentence) of one of
``RISK_KINDS``. Finding one takes two steps:

1. **A frame**: the words of the kind together with what they act on. "Cancel" is a
   cancellation only when what is cancelled is the contract, the subscription, the
   account, the seats or us ("cancel Thursday's check-in", "cancel the duplicate order"
   are not); "left" names a departure only when no object follows it ("Henry left us two
   weeks ago", not "Henry left a voicemail"); a competitor is another vendor being
   evaluated, trialled, quoted, offered or moved to, named or not ("we are evaluating
   other vendors", "a trial with Clarion"), not a vendor merely mentioned ("we met
   Clarion at a trade show", "we switched from them to you").
2. **The sentence around it**: the cue must be said as standing, by the clause it is in:
   - not negated in its own clause ("we're not cancelling", "nobody is looking at other
     vendors", "no plans to switch"), except for frames that are negative in themselves
     ("won't renew", "can't afford");
   - not the condition of a hypothetical ("even if budgets were cut, ...", "what happens
     to our data if we cancel?"); a threat's consequence is a risk ("if the price goes up
     again we'll look elsewhere");
   - not a question asked out of interest ("Is there a penalty if we cancel early?"),
     though a request to act is ("Can you cancel our subscription at the end of the
     month?");
   - not a past that was resolved ("we looked at other vendors last year but you won").

Pure Python over one sentence at a time: the speaker (only the customer's side raises
risks) is the caller's business.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.conversations.risk_frames import FRAMES, NAME_GROUPS, Frame
from services.listen.proven_risks import RISK_KINDS

__all__ = ["FRAMES", "RISK_KINDS", "Cue", "Frame", "risk_cues", "standing"]


@dataclass(frozen=True)
class Cue:
    """One risk found in a sentence: its kind, the words that carry it (their span in the
    sentence) and, for a competitor, the vendor's name when one is said."""

    kind: str
    start: int
    end: int
    name: str = ""


# --- the sentence around a cue -------------------------------------------------------------

_NEGATION = re.compile(
    r"\b(?:not|never|no|nobody|no\s+one|none|nothing|neither|nor|without|hardly|barely"
    r"|rule\s+out|ruled\s+out|rather\s+than|instead\s+of|far\s+from|no\s+plans?\s+to"
    r"|no\s+intention|no\s+interest\s+in|happy\s+(?:to\s+stay|with)|stopped|nowhere\s+near)\b"
    r"|n't\b|n’t\b",
    re.IGNORECASE,
)
# Where a clause starts, for the reach of a negation or a condition.
_CLAUSE = re.compile(
    r"[;:—–()]|,(?!\s*(?:and|or)\s+\w+\s*,)|\s-\s|\b(?:but|although|though|however|whereas"
    r"|while|so|because|since|which|and\s+(?:then|now|so)|otherwise|unless|then)\b",
    re.IGNORECASE,
)
_IF = re.compile(
    r"\b(?:if|even\s+if|in\s+case|whether|suppose|supposing|what\s+if|hypothetically"
    r"|in\s+the\s+event|assuming|say)\b",
    re.IGNORECASE,
)
# Where a threat's consequence starts after its condition: "... we'll", "then".
_CONSEQUENCE = re.compile(
    r"\b(?:we|i|they|the\s+board|finance|leadership)(?:'ll|'d|\s+will|\s+would|\s+shall"
    r"|'re\s+going\s+to|\s+are\s+going\s+to|\s+have\s+to|'ll\s+have\s+to|\s+might"
    r"|\s+may|\s+could)\b|\bthen\b",
    re.IGNORECASE,
)
# A question asked out of interest: it opens with these.
_ASKING = re.compile(
    r"^\W*(?:(?:so|and|but|also|ok|okay|oh|hey|hi|quick\s+question|just\s+(?:curious"
    r"|wondering|checking))\W+)*(?:do|does|did|is|are|was|were|will|would|should|shall"
    r"|have|has|had|what|what's|how|when|why|where|who|which|any|is\s+there|are\s+there"
    r"|could|can|may|might)\b",
    re.IGNORECASE,
)
_REQUEST = re.compile(r"^\W*(?:(?:so|and|ok|okay)\W+)*(?:can|could|would|will)\s+you\b"
                      r"(?:\s+please)?", re.IGNORECASE)  # fmt: skip
# Said of a past that is over: "last year ... but", "back in 2024", "used to".
_LONG_AGO = re.compile(
    r"\b(?:last\s+(?:year|spring|summer|autumn|fall|winter|quarter)|years?\s+ago|a\s+while"
    r"\s+(?:ago|back)|back\s+(?:in|then|when)|in\s+20[12]\d|at\s+the\s+time|previously"
    r"|used\s+to|at\s+one\s+point|once\s+upon|originally|before\s+we\s+(?:joined|signed"
    r"|moved|came)|early\s+on)\b",
    re.IGNORECASE,
)
_RESOLVED = re.compile(
    r"\b(?:but|and)\s+(?:then\s+)?(?:we|you|it|that|things|they)\b.*\b(?:stay|stayed|won"
    r"|chose\s+you|picked\s+you|decided\s+against|sorted|resolved|fixed|fine|happy|over"
    r"|behind\s+us|passed|better|great|went\s+with\s+you|came\s+back|renewed)\b"
    r"|\b(?:sorted|resolved|fixed|settled|lifted|over|behind\s+us|water\s+under\s+the"
    r"\s+bridge|ancient\s+history|since\s+then|these\s+days|any\s?more|now\s+(?:we|it|that"
    r"|things))\b",
    re.IGNORECASE,
)
# A departure that is not one: a holiday, leave, an office, a promotion that stays.
_NOT_GONE = re.compile(
    r"\b(?:holiday|vacation|annual\s+leave|on\s+leave|parental|maternity|paternity|sick"
    r"|out\s+of\s+(?:the\s+)?office|ooo|back\s+(?:on|next|in|from)|returns?\s+(?:on|next)"
    r"|for\s+the\s+day|early\s+today|the\s+(?:call|meeting)|a\s+(?:message|voicemail|note"
    r"|comment|review))\b",
    re.IGNORECASE,
)
# Words that never name a vendor when they open a capitalised name.
_NOT_A_NAME = frozenset(
    [
        "i",
        "we",
        "you",
        "they",
        "he",
        "she",
        "it",
        "our",
        "your",
        "their",
        "my",
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "q1",
        "q2",
        "q3",
        "q4",
        "ok",
        "okay",
        "yes",
        "no",
        "thanks",
        "thank",
        "hi",
        "hello",
        "dear",
        "annual",
        "monthly",
        "quarterly",
        "next",
        "last",
        "new",
        "old",
        "excel",
        "email",
        "slack",
        "teams",
        "zoom",
        "google",
        "microsoft",
        "outlook",
        "gmail",
        "linkedin",
        "pdf",
        "csv",
        "api",
        "us",
        "uk",
        "eu",
        "eod",
        "asap",
        "fy",
    ]
)


def _normal(text: str) -> str:
    """The sentence with curly apostrophes and quotes made straight (same length)."""
    return (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
    )


def _clause_start(text: str, position: int) -> int:
    """Where the clause holding ``position`` starts."""
    start = 0
    for match in _CLAUSE.finditer(text, 0, position):
        if match.end() <= position:
            start = match.end()
    return start


def _clause_end(text: str, position: int) -> int:
    match = _CLAUSE.search(text, position)
    return match.start() if match else len(text)


def _negated(text: str, start: int, end: int) -> bool:
    """A negation before the cue in its clause, or inside the cue."""
    begin = _clause_start(text, start)
    before = text[begin:start]
    return bool(_NEGATION.search(before) or _NEGATION.search(text[start:end]))


def _conditional(text: str, start: int) -> bool:
    """Whether the cue is in the condition of a hypothetical ("if we cancel, ..."), not in
    the consequence of a threat ("if the price goes up again we'll look elsewhere")."""
    begin = _clause_start(text, start)
    clause = text[begin:start]
    conditions = list(_IF.finditer(clause))
    if conditions:
        return not _CONSEQUENCE.search(clause, conditions[-1].end())
    # After the condition's comma ("if the delivery's late, we'll move to Wynnstay") the
    # cue is the threat's consequence: it stands.
    return False


def _asked(text: str) -> bool:
    """A question asked out of interest, not a request to act."""
    return text.rstrip().endswith("?") and bool(_ASKING.match(text)) and not _REQUEST.match(text)


# A vendor looked at, an idea weighed, then turned down: "we compared you with ResRequest in
# the spring, and you came out ahead".
_TURNED_DOWN = re.compile(
    r"\b(?:but|and|so)\b[^.?!]*\b(?:stayed|staying\s+put|stay\s+with\s+you|said\s+no|declined"
    r"|turned\s+(?:them|it|that)\s+down|chose\s+you|went\s+with\s+you|came\s+out\s+ahead"
    r"|prefer(?:red)?\s+(?:you|yours|your)|won\s+us\s+over|nobody(?:\s+here)?\s+wants"
    r"|decided\s+against|not\s+(?:interested|for\s+us)|no\s+thank\s+you|far\s+(?:ahead|behind)"
    r"|(?:very\s+)?happy\s+(?:to\s+stay|with\s+you|where\s+we\s+are)|all\s+forgotten"
    r"|didn't\s+(?:go\s+ahead|proceed|pursue)|dropped\s+(?:it|the\s+idea)|ruled\s+(?:it|them)\s+out"
    r"|good\s+luck\s+to\s+them|nothing\s+but\s+trouble)\b",
    re.IGNORECASE,
)
_PAST_LOOK = re.compile(
    r"\b(?:looked|had\s+a\s+(?:brief\s+|quick\s+)?look|compared|had\s+(?:a|an)\s+(?:quote|demo|offer"
    r"|bid|call|presentation|pitch)|trialled|tested|approached|offered|considered|thought\s+about"
    r"|nearly|almost|flirted|did\s+look|did\s+our\s+duty|once\s+(?:looked|considered))\b",
    re.IGNORECASE,
)


def _resolved_past(text: str) -> bool:
    if _LONG_AGO.search(text) and _RESOLVED.search(text):
        return True
    return bool(_PAST_LOOK.search(text) and _TURNED_DOWN.search(text))


def _name(match: re.Match[str]) -> str:
    for group in NAME_GROUPS:
        value = match.groupdict().get(group)
        if value:
            words = value.rstrip(".").split()
            while words and words[-1].lower() in _NOT_A_NAME:
                words.pop()
            if not words or words[0].lower() in _NOT_A_NAME:
                return "\0"  # a pronoun, a day or a month: no vendor
            return " ".join(words).rstrip(".")
    return ""


def standing(frame: Frame, text: str, match: re.Match[str]) -> str:
    """Why a frame's match does not stand as a risk ("negated", "conditional", "asked",
    "resolved", "away", "not_a_name", "in_passing"), "" when it stands."""
    start, end = match.start(), match.end()
    if _asked(text):
        return "asked"
    if _resolved_past(text):
        return "resolved"
    if not frame.negative and _negated(text, start, end):
        return "negated"
    if _conditional(text, start):
        return "conditional"
    if frame.kind == "champion_leaving":
        after = text[end : _clause_end(text, end)]
        if _NOT_GONE.search(text[start:end] + after):
            return "away"
        who = match.groupdict().get("who")
        if who and who.split()[0].lower() in ("it", "that", "this", "which", "what", "there"):
            return "not_a_name"
    if frame.kind == "competitor":
        if _name(match) == "\0":
            return "not_a_name"
        if _NEUTRAL_VENDOR.search(text[_clause_start(text, start) : start]):
            return "in_passing"
    return ""


def _named(names: Sequence[str]) -> re.Pattern[str] | None:
    cleaned = sorted({" ".join(n.split()) for n in names if n and n.strip()}, key=len)
    if not cleaned:
        return None
    alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in cleaned[::-1])
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


_NEUTRAL_VENDOR = re.compile(
    r"\b(?:from|away\s+from|instead\s+of|over|than|unlike|before|trade\s+show"
    r"|conference|news|heard|read|acquired|bankrupt|bust|went\s+under|used\s+to|ex-)\b",
    re.IGNORECASE,
)


def _named_cues(text: str, pattern: re.Pattern[str], taken: list[Cue]) -> list[Cue]:
    """A competitor of the workspace's list said in the sentence, unless only in passing
    (switched away from them, met them at a show, their news)."""
    found: list[Cue] = []
    for match in pattern.finditer(text):
        if any(c.kind == "competitor" and c.start <= match.start() < c.end for c in taken):
            continue
        before = text[_clause_start(text, match.start()) : match.start()]
        if _NEUTRAL_VENDOR.search(before) or _negated(text, match.start(), match.end()):
            continue
        if _conditional(text, match.start()):
            continue
        found.append(Cue("competitor", match.start(), match.end(), match.group(0)))
    return found


def risk_cues(sentence: str, competitors: Iterable[str] = ()) -> list[Cue]:
    """Every risk the sentence raises, once per kind (the first cue of each), in
    ``RISK_KINDS`` order; ``competitors`` are the workspace's named competitors."""
    text = _normal(sentence)
    if not text.strip():
        return []
    cues: list[Cue] = []
    for frame in FRAMES:
        for match in frame.pattern.finditer(text):
            if match.start() == match.end() or standing(frame, text, match):
                continue
            name = _name(match) if frame.kind == "competitor" else ""
            cues.append(Cue(frame.kind, match.start(), match.end(), name))
    named = _named(list(competitors))
    if named is not None and not _asked(text) and not _resolved_past(text):
        cues.extend(_named_cues(text, named, cues))
    first: dict[str, Cue] = {}
    for cue in sorted(cues, key=lambda c: (c.start, -c.end)):
        kept = first.get(cue.kind)
        if kept is None or (not kept.name and cue.name):
            first[cue.kind] = cue if kept is None else Cue(cue.kind, kept.start, kept.end, cue.name)
    return [first[kind] for kind in RISK_KINDS if kind in first]
