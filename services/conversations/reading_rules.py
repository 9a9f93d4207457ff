"""The words the offline reading of a conversation looks for: sentences, promises and their
dates, the risks a customer raises, and the topics.

Plain regular expressions over one sentence at a time, in plain English. A risk counts
only when it is not negated just before it ("we're not cancelling", "no plans to switch"):
a negation word in the four words before the match, in the same clause, or inside the
match, drops it, except for the rules that are negative in themselves ("won't renew",
"no budget"). ``reading.py`` applies them; the lists here are what to tune.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# --- sentences -----------------------------------------------------------------------------

# A sentence ends at . ! ? (and any closing quote or bracket) followed by a space.
_BREAK = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")
# Words ending in a full stop that do not end a sentence ("Dec. 12", "Dr. Lee", "e.g. this").
_ABBREVIATION = re.compile(
    r"(?:\b(?:mr|mrs|ms|dr|st|vs|inc|ltd|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
    r"|approx|e\.g|i\.e)\.|\b[A-Z]\.)$",
    re.IGNORECASE,
)


def sentences(text: str) -> list[str]:
    """The sentences of a text, each as written (trimmed), in order. A line break ends a
    sentence too; lines quoting an earlier email ("> ...") are left out."""
    found: list[str] = []
    for line in text.splitlines():
        if line.lstrip().startswith(">"):
            continue
        start = 0
        for end in _BREAK.finditer(line):
            if _ABBREVIATION.search(line[start : end.start() + 1]):
                continue
            piece = line[start : end.end()].strip()
            if piece:
                found.append(piece)
            start = end.end()
        piece = line[start:].strip()
        if piece:
            found.append(piece)
    return found


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
    ("today", re.compile(r"\b(?:today|tonight|end of (?:the )?day|eod)\b", re.IGNORECASE)),
    ("end_next_month", re.compile(r"\bend of next month\b", re.IGNORECASE)),
    ("end_month", re.compile(r"\b(?:end of (?:the |this )?month|month[- ]end)\b", re.I)),
    ("end_week", re.compile(r"\b(?:end of (?:the |this )?week|this week)\b", re.I)),
    ("next_week", re.compile(r"\b(?:end of )?next week\b", re.IGNORECASE)),
)


def _calendar_date(sentence: str, reference: dt.date | None) -> dt.date | None:
    """ "12 Dec", "Dec 12th", "December 12, 2026": the year said, else the next such day on
    or after the reference; None without either."""
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        match = pattern.search(sentence)
        if match is None:
            continue
        month, day = _MONTHS[match["month"].lower()], int(match["day"])
        year = int(match["year"]) if match["year"] else None
        if year is None and reference is None:
            return None
        try:
            when = dt.date(year or reference.year, month, day)  # type: ignore[union-attr]
            if year is None and reference is not None and when < reference:
                when = dt.date(reference.year + 1, month, day)
        except ValueError:  # "31 Feb", or a year past the calendar's end
            return None
        return when
    return None


def _friday_of(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=4 - day.weekday())


def _relative_date(sentence: str, reference: dt.date) -> dt.date | None:
    """Days said relative to the day it was said ("tomorrow", "by Friday", "next week")."""
    for name, pattern in _SIMPLE:
        if not pattern.search(sentence):
            continue
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
    span = _IN_SPAN.search(sentence)
    if span:
        words = " ".join(span["n"].lower().split())
        count = 2 if words == "a couple of" else _NUMBERS.get(words) or int(words)
        return reference + dt.timedelta(days=count * (7 if span["unit"][0] in "wW" else 1))
    weekday = _WEEKDAY.search(sentence)
    if weekday:
        # The next such day after today: "by Friday" said on a Friday means a week on.
        ahead = (WEEKDAYS.index(weekday["weekday"].lower()) - reference.weekday()) % 7
        return reference + dt.timedelta(days=ahead or 7)
    return None


def due_date(sentence: str, reference: dt.date | None) -> dt.date | None:
    """The day a sentence says something is due, relative to ``reference`` (the day it was
    said): a calendar date ("by 12 Dec"), else "today", "tomorrow", "end of month", "end
    of the week", "next week" (its Friday), "in two weeks", a weekday (the next one).
    None when it says none, or when only a relative day is said and there is no reference."""
    when = _calendar_date(sentence, reference)
    if when is not None or reference is None:
        return when
    try:
        return _relative_date(sentence, reference)
    except OverflowError:  # a day past the calendar's end (a file dated 9999-12-31)
        return None


# --- promises ------------------------------------------------------------------------------

# What we (or they) say we will do: the verbs of an action, as said after "I'll".
PROMISE_VERBS = (
    "send", "send over", "get", "get back", "share", "forward", "email", "call", "ring",
    "follow up", "circle back", "come back", "reach out", "check", "look into", "find out",
    "confirm", "review", "update", "prepare", "put together", "pull together", "draft",
    "write up", "set up", "schedule", "book", "arrange", "organise", "organize", "loop in",
    "introduce", "connect", "sort out", "fix", "ship", "deliver", "provide", "escalate",
    "talk to", "speak to", "ask", "make sure", "have", "refund", "credit", "waive",
)  # fmt: skip
_DOUBLED = ("get", "put", "set", "ship", "sort")


def _ing(verb: str) -> str:
    """The -ing form of a verb's first word: "send" -> "sending", "share" -> "sharing"."""
    first, _, rest = verb.partition(" ")
    if first in _DOUBLED:
        first += first[-1]
    elif first.endswith("e") and not first.endswith("ee"):
        first = first[:-1]
    return f"{first}ing" + (f" {rest}" if rest else "")


def _verbs() -> str:
    forms = {form for verb in PROMISE_VERBS for form in (verb, _ing(verb))}
    # "have to" is an obligation, not a promise ("we'll have to see").
    return "(?:" + "|".join(sorted(forms, key=len, reverse=True)) + r")\b(?! to\b)"


_NOT_NEGATION = r"(?: (?!not\b|never\b)[\w'’]+){0,2}?"
_WILL = r"(?:['’]ll| will| shall|['’]m going to| am going to|['’]re going to| are going to)"
# "I'll send", "we will get you", "I'm going to put together", "let me check".
PROMISE = re.compile(
    rf"\b(?:i|we){_WILL}{_NOT_NEGATION} {_verbs()}|\blet me(?: [\w'’]+)? {_verbs()}",
    re.IGNORECASE,
)
# "I can get you the numbers by Thursday": a promise only when a day is said.
PROMISE_IF_DATED = re.compile(rf"\b(?:i|we) can(?: [\w'’]+)? {_verbs()}", re.IGNORECASE)


def is_promise(sentence: str, due: dt.date | None) -> bool:
    """Whether a sentence promises an action (a question never does)."""
    if sentence.rstrip().endswith("?"):
        return False
    return bool(PROMISE.search(sentence) or (due is not None and PROMISE_IF_DATED.search(sentence)))


# --- risks ---------------------------------------------------------------------------------

RISK_KINDS = ("cancellation", "competitor", "budget_cut", "price_complaint", "champion_leaving")
# Each kind as the screen says it, after the customer's name ("Anna raised cancellation").
RISK_LABELS = {
    "cancellation": "raised cancellation",
    "competitor": "mentioned a competitor",
    "budget_cut": "said budgets were cut",
    "price_complaint": "complained about the price",
    "champion_leaving": "said our contact is leaving",
}


@dataclass(frozen=True)
class RiskRule:
    """A pattern of one kind of risk; ``negative`` rules are negations in themselves."""

    kind: str
    pattern: re.Pattern[str]
    negative: bool = False


def _rule(kind: str, pattern: str, *, negative: bool = False, case: bool = False) -> RiskRule:
    flags = 0 if case else re.IGNORECASE
    return RiskRule(kind, re.compile(pattern, flags), negative)


_SKIP = r"(?:\s+(?!of\b)[\w'’]+){0,2}?"
_PRONOUN = r"(?:They|He|She|We|You|It|I|Someone|Somebody|Nobody|Who|That|This|Which)"
_NOT_A_CONTRACT = (  # "cancel tomorrow's meeting" is not about the contract
    r"(?!\s+(?:[\w'’]+['’]s\s+|the\s+|our\s+|my\s+|this\s+|that\s+|your\s+)?"
    r"(?:meeting|call|appointment|session|demo|invite|invitation|booking|lunch|trip|flight"
    r"|order)s?\b)"
)
RISK_RULES: tuple[RiskRule, ...] = (
    _rule("cancellation", rf"\bcancel(?:l?ing|l?ed|lation|s)?\b{_NOT_A_CONTRACT}"),
    _rule(
        "cancellation",
        rf"\b(?:terminat(?:e|ing)|end(?:ing)?|clos(?:e|ing)|stop(?:ping)?){_SKIP}\s+"
        r"(?:contract|subscription|account|agreement|plan)\b",
    ),
    _rule("cancellation", r"\b(?:stop(?:ping)? using|walk(?:ing)? away|pull(?:ing)? the plug)\b"),
    _rule("cancellation", r"\b(?:churn(?:ing)?|giv(?:e|ing) (?:you )?notice)\b"),
    _rule(
        "cancellation",
        r"\b(?:not|won['’]t|will not|don['’]t (?:plan|intend|want) to|no longer (?:plan|want)"
        r" to|unlikely to|not going to|aren['’]t going to)(?:\s+be)?\s+renew(?:ing|al)?\b"
        r"|\bdon['’]t think (?:we|I)(?:['’]ll| will) renew",
        negative=True,
    ),
    _rule(
        "competitor",
        r"(?i:\b(?:switch(?:ing|ed)?|migrat(?:e|ing))(?:\s+over)?\s+to)\s+"
        r"(?!(?:The|A|An|Our|My|Your|Annual|Monthly)\b)[A-Z][\w&.-]+",
        case=True,
    ),
    _rule(
        "competitor",
        rf"\b(?!{_PRONOUN}\b)[A-Z][\w&-]+(?i:(?:\s+(?:has|have|just|already|also))*\s+offered\s+us)",
        case=True,
    ),
    _rule(
        "competitor",
        r"\b(?:look(?:ing)? at|shop(?:ping)? around|evaluat(?:e|ing)|consider(?:ing)?|talk(?:ing)?"
        r" to|explor(?:e|ing)|compar(?:e|ing)|quotes? from|in talks with)"
        r"(?:\s+[\w'’]+){0,2}?\s+(?:other|another|alternative|different|competing|cheaper)\s+"
        r"(?:vendors?|providers?|suppliers?|options|solutions|tools?|platforms?|partners?)\b"
        r"|\bshopping around\b|\bcompetitors?\b|\bcompeting (?:offer|quote|bid)s?\b"
        r"|\breview(?:ing)? (?:all|our|every) (?:vendors|providers|suppliers)\b",
    ),
    _rule(
        "competitor",
        r"\b(?:mov(?:e|ing)|go(?:ing)?|switch(?:ing)?)(?:\s+over)?\s+to\s+(?:another|a different"
        r"|a new|a cheaper|a competing)\s+(?:vendor|provider|supplier|partner|tool|platform"
        r"|solution)\b",
    ),
    _rule(
        "budget_cut",
        r"\b(?:budgets?|programmes?|programs?|projects?|initiatives?)\b(?:\s+[\w'’]+){0,3}?\s+"
        r"(?:cut|cuts|slashed|reduced|frozen|shrunk|shrank|halved|trimmed|squeezed|tight|tighter"
        r"|axed|scrapped)\b",
    ),
    _rule(
        "budget_cut",
        r"\b(?:cut(?:ting)?|slash(?:ed|ing)?|reduc(?:e|ed|ing)|trim(?:med|ming)?|freez(?:e|ing)"
        r"|froze)(?:\s+[\w'’]+){0,2}?\s+(?:budgets?|spend(?:ing)?|costs)\b",
    ),
    _rule(
        "budget_cut",
        r"\bbudget (?:cuts?|freeze|reductions?|constraints?|pressures?)\b"
        r"|\b(?:spending|hiring) freeze\b|\bcost[- ]cutting\b|\btight on (?:budget|money|cash)\b"
        r"|\btighten(?:ing)? (?:our|the) belts?\b",
    ),
    _rule(
        "budget_cut",
        r"\b(?:no|don['’]t have (?:the|a|any)|out of|zero) budget\b"
        r"|\bcan(?:['’]?t|not| not) afford\b",
        negative=True,
    ),
    _rule(
        "price_complaint",
        r"\btoo (?:expensive|pricey|costly)\b|\bover-?priced\b|\brip[- ]?off\b"
        r"|\b(?:paying|pay|costs?|charg(?:e|es|ing))(?:\s+[\w'’]+){0,2}?\s+too much\b"
        r"|\b(?:price|cost|fee)s? (?:increase|hike|rise)s?\b"
        r"|\b(?:price|pricing|cost|fee|rate)s?\b(?:\s+[\w'’]+){0,2}?\s+(?:went|gone|going|goes)"
        r" up\b|\bhard to justify\b",
    ),
    _rule(
        "price_complaint",
        r"\b(?:price|pricing|cost|fee|rate|quote)s?\b(?:\s+[\w'’]+){0,3}?\s+(?:is|are|seems?|was"
        r"|were|feels?|looks?)\s+(?:\w+\s+)?(?:high|steep|excessive|ridiculous|outrageous)\b"
        # A figure put to us: "12% is still too high for us".
        r"|\b\d+(?:\.\d+)?\s?%\s+(?:is|are|seems?|feels?)\s+(?:still\s+|way\s+|far\s+)?too"
        r" (?:high|much|steep)\b",
    ),
    _rule(
        "price_complaint",
        r"\bnot worth (?:it|the (?:money|price|cost))\b"
        r"|\bcan(?:['’]?t|not| not) justify (?:the |this |that )?(?:cost|price|spend|expense)\b",
        negative=True,
    ),
    _rule(
        "champion_leaving",
        r"(?i:\b(?:I['’]m|I am|I will be|I['’]ll be) leaving)\s+(?:(?i:the company|the business"
        r"|the team|at the end of|in \w+|next \w+|this (?:month|week|year))|[A-Z]\w+)",
        case=True,
    ),
    _rule(
        "champion_leaving",
        r"\bmy (?:last|final) day\b|\bmov(?:e|ing)(?: on)? to a (?:new|different) (?:role|position"
        r"|job|team|company)\b|\bmoving on\b|\bstepping down\b|\bresign(?:ed|ing)?\b"
        r"|\bretir(?:e|ing)\b|\b(?:left|leaving|leaves) the company\b|\breplacing me\b"
        r"|\bmy (?:replacement|successor)\b|\btaking over (?:from me|my role|my accounts?)\b",
    ),
    _rule(
        "champion_leaving",
        r"\b(?!(?:It|That|This|Which|What|Who|There|Everything|Everyone)\b)[A-Z]\w+"
        r"(?:\s+[A-Z]\w+)?(?i:\s+(?:is|will be)\s+leaving|['’]s leaving)\b"
        r"|(?i:\b(?:new|incoming|interim) (?:head|director|vp|manager|chief \w+ officer) of)\b",
        case=True,
    ),
)

_NEGATION = re.compile(r"\b(?:not|never|no|without|nor)\b|n['’]t\b", re.IGNORECASE)
# Where a clause starts, for the negation's reach: "not thrilled, but we're cancelling".
_CLAUSE = re.compile(r"[,;:—–()]|\s-\s|\b(?:but|and|so|although|though)\b", re.IGNORECASE)
_NEGATION_REACH = 4  # words before the match


def negated(sentence: str, start: int, end: int) -> bool:
    """Whether a match is negated: a negation word inside it, or in the four words before
    it in its clause."""
    before = sentence[:start]
    clauses = list(_CLAUSE.finditer(before))
    if clauses:
        before = before[clauses[-1].end() :]
    window = " ".join(before.split()[-_NEGATION_REACH:])
    return bool(_NEGATION.search(window) or _NEGATION.search(sentence[start:end]))


def competitor_rule(names: Iterable[str]) -> RiskRule | None:
    """The rule for the workspace's named competitors: any of the names, as whole words,
    in any case; None for no names."""
    cleaned = sorted({" ".join(name.split()) for name in names if name.strip()}, key=len)
    if not cleaned:
        return None
    alternatives = "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in cleaned[::-1])
    return _rule("competitor", rf"(?<!\w)(?:{alternatives})(?!\w)")


def risk_kinds(sentence: str, rules: Sequence[RiskRule]) -> list[str]:
    """The kinds of risk a customer's sentence raises, each once, in ``RISK_KINDS`` order."""
    found = set()
    for rule in rules:
        if rule.kind in found:
            continue
        for match in rule.pattern.finditer(sentence):
            if rule.negative or not negated(sentence, match.start(), match.end()):
                found.add(rule.kind)
                break
    return [kind for kind in RISK_KINDS if kind in found]


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
