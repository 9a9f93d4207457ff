"""The words the offline reading of a conversation looks for: sentences, promises and their
dates, and the topics. The risks a customer raises are read in ``risk_cues.py``.

Plain regular expressions over one sentence at a time, in plain English; ``reading.py``
applies them.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import re

from services.conversations.risk_cues import risk_cues
from services.listen.proven_risks import RISK_KINDS, RISK_LABELS

__all__ = [
    "RISK_KINDS", "RISK_LABELS", "TOPICS", "due_date", "is_promise", "sentence_spans",
    "sentences", "topics_of",
]  # fmt: skip

# --- sentences -----------------------------------------------------------------------------

# A sentence ends at . ! ? (and any closing quote or bracket) followed by a space.
_BREAK = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")
# Words ending in a full stop that do not end a sentence ("Dec. 12", "Dr. Lee", "e.g. this").
_ABBREVIATION = re.compile(
    r"(?:\b(?:mr|mrs|ms|dr|st|vs|inc|ltd|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
    r"|approx|e\.g|i\.e)\.|\b[A-Z]\.)$",
    re.IGNORECASE,
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where each sentence of a text is: (start, end) in ``text``, trimmed, in order. A
    line break ends a sentence too; lines quoting an earlier email ("> ...") are left
    out."""
    found: list[tuple[int, int]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        at, offset = offset, offset + len(line)
        body = line.rstrip("\r\n")
        if body.lstrip().startswith(">"):
            continue
        start = 0
        for end in _BREAK.finditer(body):
            if _ABBREVIATION.search(body[start : end.start() + 1]):
                continue
            _add(found, body, at, start, end.end())
            start = end.end()
        _add(found, body, at, start, len(body))
    return found


def _add(found: list[tuple[int, int]], line: str, at: int, start: int, end: int) -> None:
    piece = line[start:end]
    stripped = piece.strip()
    if stripped:
        first = start + (len(piece) - len(piece.lstrip()))
        found.append((at + first, at + first + len(stripped)))


def sentences(text: str) -> list[str]:
    """The sentences of a text, each as written (trimmed), in order (``sentence_spans``)."""
    return [text[start:end] for start, end in sentence_spans(text)]


# --- dates said in words -------------------------------------------------------------------

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
}
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>20\d\d))?"
_DAY_MONTH = re.compile(rf"\b{_DAY}(?:\s+of)?\s+{_MONTH}\b{_YEAR}", re.IGNORECASE)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_DAY}\b{_YEAR}", re.IGNORECASE)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_IN_SPAN = re.compile(
    r"\bin\s+(?P<n>\d{1,2}|a|an|one|two|three|four|five|six|a\s+couple\s+of)\s+"
    r"(?P<unit>days?|weeks?)\b",
    re.IGNORECASE,
)
_WEEKDAY = re.compile(r"\b(?P<weekday>" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE)
_SIMPLE = (
    ("tomorrow", re.compile(r"\btomorrow\b", re.IGNORECASE)),
    ("tomorrow", re.compile(r"\bend\s+of\s+(?:the\s+)?day\s+tomorrow\b", re.IGNORECASE)),
    (
        "today",
        re.compile(
            r"\b(?:today|tonight|end of (?:the )?day|eod|cob|close of (?:business|play)|end of play"
            r"|this (?:morning|afternoon|evening)|later on|within the hour)\b",
            re.IGNORECASE,
        ),
    ),
    ("end_next_month", re.compile(r"\bend of next month\b", re.IGNORECASE)),
    ("end_month", re.compile(r"\b(?:end of (?:the |this )?month|month[- ]end)\b", re.I)),
    (
        "end_named_month",
        re.compile(
            r"\bend of (?P<month>"
            + "|".join(calendar.month_name[m].lower() for m in range(1, 13))
            + r")\b",
            re.I,
        ),
    ),
    ("end_week", re.compile(r"\b(?:end of (?:the |this )?week|this week)\b", re.I)),
    ("next_week", re.compile(r"\b(?:end of )?next week\b", re.IGNORECASE)),
)


_DAY_OF_MONTH = re.compile(r"\bthe\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b(?!\s+of\b)", re.I)
# Words that make the day after them the day something is due: "by Friday", "before the 15th".
_DEADLINE = re.compile(
    r"(?:\bby|\bbefore|\buntil|\bno\s+later\s+than|\bon|\bfor|\bdue|\bthen)\s+(?:the\s+)?$",
    re.IGNORECASE,
)

Said = tuple[int, dt.date]  # where in the sentence, the day


def _calendar_dates(sentence: str, reference: dt.date | None) -> list[Said]:
    """ "12 Dec", "Dec 12th", "December 12, 2026": the year said, else the next such day on
    or after the reference; none without either."""
    found: list[Said] = []
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for match in pattern.finditer(sentence):
            month, day = _MONTHS[match["month"].lower()], int(match["day"])
            year = int(match["year"]) if match["year"] else None
            if year is None and reference is None:
                continue
            try:
                when = dt.date(year or reference.year, month, day)  # type: ignore[union-attr]
                if year is None and reference is not None and when < reference:
                    when = dt.date(reference.year + 1, month, day)
            except ValueError:  # "31 Feb", or a year past the calendar's end
                continue
            found.append((match.start(), when))
    return found


def _friday_of(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=4 - day.weekday())


def _simple(name: str, reference: dt.date) -> dt.date:
    if name == "tomorrow":
        return reference + dt.timedelta(days=1)
    if name == "today":
        return reference
    if name in ("end_month", "end_next_month"):
        year, month = reference.year, reference.month
        if name == "end_next_month":
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    if name == "end_week":
        return max(reference, _friday_of(reference))
    return _friday_of(reference) + dt.timedelta(days=7)  # next week: by its Friday


def _relative_dates(sentence: str, reference: dt.date) -> list[Said]:
    """Days said relative to the day it was said ("tomorrow", "by Friday", "next week",
    "the 14th"), each where it is said."""
    found: list[Said] = []
    taken: list[tuple[int, int]] = []
    for name, pattern in _SIMPLE:
        for match in pattern.finditer(sentence):
            if any(a <= match.start() < b for a, b in taken):
                continue  # "end of next week" is not also "next week"
            taken.append(match.span())
            if name == "end_named_month":
                month = _MONTHS[match["month"].lower()]
                year = reference.year + (month < reference.month)
                when = dt.date(year, month, calendar.monthrange(year, month)[1])
            else:
                when = _simple(name, reference)
            found.append((match.start(), when))
    for span in _IN_SPAN.finditer(sentence):
        words = " ".join(span["n"].lower().split())
        count = 2 if words == "a couple of" else _NUMBERS.get(words) or int(words)
        unit = 7 if span["unit"][0] in "wW" else 1
        found.append((span.start(), reference + dt.timedelta(days=count * unit)))
    for weekday in _WEEKDAY.finditer(sentence):
        # The next such day after today: "by Friday" said on a Friday means a week on.
        ahead = (WEEKDAYS.index(weekday["weekday"].lower()) - reference.weekday()) % 7
        found.append((weekday.start(), reference + dt.timedelta(days=ahead or 7)))
    for match in _DAY_OF_MONTH.finditer(sentence):
        day = int(match["day"])
        year, month = reference.year, reference.month
        for _ in range(3):  # the next such day of a month, on or after the reference
            try:
                candidate: dt.date | None = dt.date(year, month, day)
            except ValueError:
                candidate = None
            if candidate is not None and candidate >= reference:
                found.append((match.start(), candidate))
                break
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def due_date(sentence: str, reference: dt.date | None) -> dt.date | None:
    """The day a sentence says something is due, relative to ``reference`` (the day it was
    said): a calendar date ("by 12 Dec"), "the 14th", "today", "tomorrow", "end of month",
    "end of the week", "next week" (its Friday), "in two weeks", a weekday (the next one).
    Of several, the last one said after "by", "before", "on" or "until" ("I'll replace it
    today and send the results by Wednesday": Wednesday), else the last one said. None
    when it says none, or when only a relative day is said and there is no reference."""
    said = _calendar_dates(sentence, reference)
    if reference is not None:
        # A day past the calendar's end (a file dated 9999-12-31) is no day.
        with contextlib.suppress(OverflowError):
            said += _relative_dates(sentence, reference)
    if not said:
        return None
    said.sort()
    deadlines = [
        (at, when) for at, when in said if _DEADLINE.search(sentence[max(0, at - 20) : at])
    ]
    return (deadlines or said)[-1][1]


# --- promises ------------------------------------------------------------------------------

# Who commits: "I", "we", "my team", "someone from our side".
_WHO = (
    r"(?:i|we|my\s+team|our\s+(?:[\w-]+\s+)?(?:team|people|engineers?|folks|side)|the\s+team"
    r"|someone\s+(?:from|on)\s+(?:my|our)\s+(?:side|team|end))"
)
_WILL = (
    r"(?:'ll|\s+will|\s+shall|'m\s+going\s+to|\s+am\s+going\s+to|'re\s+going\s+to|\s+are\s+going"
    r"\s+to|'m\s+gonna|'re\s+gonna|\s+is\s+going\s+to|'s\s+going\s+to)"
)
# Words between "I'll" and the verb that keep it a promise.
_ADVERB_WORDS = (
    r"(?:also|just|then|definitely|certainly|personally|happily|quickly|now|first|both|all"
    r"|right\s+away|straight\s+away|gladly|absolutely|immediately|each|actually|really)"
)
_ADVERBS = (
    rf"(?:\s+(?:{_ADVERB_WORDS}|make\s+sure\s+(?:to|we|i|that)|make\s+sure|be\s+sure\s+to"
    r"|aim\s+to|try\s+and))*"
)
# What "I'll" may be followed by that commits to nothing: a state, a hedge, a manner of
# speaking ("I'll be honest", "we'll have to see", "I'll let you go").
_NOT_ACTIONS = (
    r"(?:be(?!\s+(?:sending|getting|sharing|shipping|reaching|following|calling|emailing"
    r"|chasing|updating|circling|looping|putting|pulling|preparing|scheduling|setting|booking"
    r"|drafting|writing|checking|confirming|delivering|issuing|processing|in\s+touch|back\s+(?:to"
    r"|in\s+touch\s+with)\s+you))|have\s+to|stay|remain|continue|carry\s+on|still|keep\s+(?:it|this"
    r"|that)\s+(?:tight|short|brief|quick|simple)|keep\s+\w+ing|add\s+that|tell\s+you\s+(?:that"
    r"|what|now|honestly)|mention|point\s+out|note\s+that|admit|{_ADVERB_WORDS}\s|need|needs|see\b(?!\s+(?:to|that|if|what|whether|about))"
    r"|admit|say|bet|guess|hope|try\b(?!\s+and)|think|assume|believe|wait|want|like|love"
    r"|miss|remember|never|not|probably|maybe|possibly|perhaps|likely|might|stop\s+(?:you"
    r"|there)|let\s+you\s+go|leave\s+(?:it|you|that)\s+(?:there|at\s+that|to)|keep\s+(?:it|this)"
    r"\s+(?:short|brief|quick)|take\s+(?:that|it|your\s+word)\s+as|take\s+your\s+word"
    r"|get\s+(?:there|going|started|on\s+with\s+it)|go\s+(?:now|ahead\s+and\s+let)"
    r"|hand\s+over\s+to\s+\w+\s+(?:now|for)|start\s+with|begin\s+with|kick\s+off\s+with"
    r"|pass\s+you|put\s+you\s+on|cut\s+to|go\s+through\s+(?:the|a)\s+(?:agenda|slides?)"
    r"|share\s+my\s+screen|be\s+quick|just\s+say|come\s+back\s+to\s+that\s+(?:in\s+a"
    r"|later\s+in)|do\s+(?:that|it)\s+(?:in\s+a\s+(?:sec|second|minute)|now))\b"
)
_PROMISE = re.compile(
    rf"\b{_WHO}{_WILL}{_ADVERBS}\s+(?!{_NOT_ACTIONS})[a-z][\w'-]*"
    rf"|\blet\s+me\s+(?:just\s+|quickly\s+|go\s+(?:and\s+)?|also\s+)?(?:check|confirm|find"
    r"\s+out|look\s+into|get\s+back|follow\s+up|chase|dig|speak|talk|ask|verify|double-check"
    r"|come\s+back|circle\s+back|see\s+what|take\s+(?:that|this|it)\s+(?:away|back)|send|sort"
    r"|fix|raise|escalate|work\s+on|get\s+(?:you|that|this|it|the)|put\s+together|pull"
    r"\s+together|draft|loop|find|arrange|set\s+up|book|schedule|run|write)\b"
    r"|\bleave\s+it\s+with\s+me\b",
    re.IGNORECASE,
)
# "I can get you the numbers by Thursday", "you'll have it by Friday": a promise only when a
# day is said.
_PROMISE_IF_DATED = re.compile(
    rf"\b{_WHO}\s+can(?:\s+\w+)?\s+(?!{_NOT_ACTIONS})[a-z]\w*"
    r"|\byou(?:'ll|\s+will|'re\s+going\s+to|\s+should)\s+(?:have|get|receive|see|hear)\b"
    r"|\b(?:it|that|they|this|the\s+\w+)(?:'ll|\s+will)\s+be\s+(?:with\s+you|in\s+your"
    r"|ready|live|out|fixed|done|deployed|shipped|sent|delivered)\b"
    r"|\b(?:expect|look\s+out\s+for)\s+(?:it|that|them|the|a|an|our|my)\b",
    re.IGNORECASE,
)
_NO_PROMISE = re.compile(
    rf"\b{_WHO}(?:'ll|\s+will|'m\s+going\s+to|'re\s+going\s+to)?\s+(?:not|never)\b"
    r"|\b(?:not\s+sure|unsure|doubt|don't\s+know\s+(?:if|whether)|wonder(?:ing)?\s+(?:if|whether)"
    r"|whether)\b"
    r"|\b(?:won't|will\s+not|shan't|can't|cannot)\b"
    r"|^\W*(?:if|unless|when\s+you|once\s+you|should\s+you)\b[^,]*$"
    # The call's own agenda: "Today we'll walk through the setup together."
    r"|^\W*(?:today|now|first|so|in\s+this\s+(?:call|session|meeting))\b[^.]{0,20}\b(?:we|i)"
    r"(?:'ll|\s+will|'re\s+going\s+to)\s+(?:walk|go|look|cover|start|talk|run|begin)\b",
    re.IGNORECASE,
)


def _normal(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'")


def is_promise(sentence: str, due: dt.date | None) -> bool:
    """Whether a sentence commits its speaker to an action: "I'll send the quote", "we
    will get the fix out", "let me check with finance", or, when a day is said, "I can
    have it to you by Friday", "you'll have it tomorrow". A question, a negation ("we
    won't send anything") or a condition left open ("if you send the logs") never is."""
    text = _normal(sentence).strip()
    if text.endswith("?"):
        return False
    found = _PROMISE.search(text) or (due is not None and _PROMISE_IF_DATED.search(text))
    if not found:
        return False
    before = text[: found.end()]
    if _NO_PROMISE.search(before):
        return False
    # A threat is no promise: "if June goes the same way, we'll end the agreement".
    return not risk_cues(text)


# --- topics --------------------------------------------------------------------------------

# The fixed vocabulary of topics, with the words that put a sentence in one.
TOPICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "price": ("Price and billing", (
        "price", "prices", "pricing", "priced", "cost", "costs", "costly", "invoice", "invoices",
        "invoiced", "billing", "billed", "bill", "charge", "charged", "charges", "payment",
        "payments", "expensive", "cheap", "cheaper", "discount", "discounts", "quote", "fee",
        "fees", "refund", "budget", "budgets", "afford",
    )),
    "delivery": ("Delivery and shipping", (
        "delivery", "deliveries", "delivered", "shipping", "shipped", "shipment", "shipments",
        "courier", "tracking", "dispatch", "dispatched", "parcel", "parcels", "arrived",
        "arrive", "warehouse", "lead time", "stock",
    )),
    "quality": ("Product quality", (
        "quality", "broken", "broke", "bug", "bugs", "buggy", "crash", "crashes", "crashed",
        "defect", "defects", "defective", "reliable", "reliability", "outage", "outages",
        "downtime", "faulty", "glitch", "glitches", "stable", "unstable", "performance",
        "error", "errors", "not working", "doesn't work", "stopped working", "fails",
        "failing", "failed", "failure", "timed out", "times out", "timing out", "freezes",
        "freezing", "hangs", "lagging", "laggy", "flaky", "unusable", "fell over",
        "falls over", "keeps crashing", "logging out", "logs out", "corrupted", "mangled",
        "went down", "was down", "is down", "keeps dropping", "dropping out", "splitting",
        "leaking", "leaks", "cracked", "damaged", "streaking", "jammed", "jams",
    )),
    "support": ("Support and service", (
        "support", "service", "helpdesk", "help desk", "ticket", "tickets", "response time",
        "responsive", "agent", "agents", "customer service", "account manager", "escalation",
    )),
    "onboarding": ("Onboarding and training", (
        "onboarding", "onboard", "training", "trained", "train", "setup", "set-up",
        "getting started", "tutorial", "tutorials", "walkthrough", "implementation",
        "kickoff", "kick-off", "rollout", "roll out", "go-live", "go live", "adoption",
    )),
    "features": ("Features and gaps", (
        "feature", "features", "integration", "integrations", "integrate", "missing",
        "roadmap", "api", "export", "exports", "reporting", "dashboard", "dashboards",
        "functionality", "capability", "capabilities", "workflow", "workaround",
    )),
    "contract": ("Contract and renewal", (
        "contract", "contracts", "renewal", "renew", "renewing", "notice period", "auto-renew",
        "subscription", "seats", "licence", "license", "licenses", "licences", "cancel",
        "cancelling", "canceling", "cancellation", "agreement", "sign", "signed", "tier",
    )),
}  # fmt: skip
_TOPIC_PATTERNS = {
    topic: re.compile(
        r"(?<!\w)(?:"
        + "|".join(re.escape(word).replace(r"\ ", r"[\s-]+") for word in words)
        + r")(?!\w)",
        re.IGNORECASE,
    )
    for topic, (_, words) in TOPICS.items()
}


def topics_of(sentence: str) -> list[str]:
    """The topics a sentence is about, in the vocabulary's order."""
    return [topic for topic, pattern in _TOPIC_PATTERNS.items() if pattern.search(sentence)]
