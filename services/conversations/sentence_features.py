"""What a sentence says, as features a linear model can weigh: its words, and what its words
*mean* to an account manager.

Words alone generalise poorly: "we'll let the licence lapse" and "the board wants us to
drop the platform" share no word with "we plan to cancel". So each word is also put in
the concepts it belongs to (``CONCEPTS``: ending something, the contract, a meeting, an
order, another vendor, money, a cut, a rise, leaving a job, ...), and the features say
which concepts the sentence holds, which follow which within a few words in one clause
("END > CONTRACT" is a cancellation, "END > MEETING" is not), and which stand under a
negation ("not ... END"), inside a condition ("if ... END") or in a question. The words
come as themselves, their stems, the pairs and triples that follow each other, and the pairs
one or two words apart ("cut * budget"), which held-out writers read better than the words
alone (cross-validation by writer on the training corpus: recall 0.64 to 0.67). Beside them,
the offline rules' findings (services/conversations/risk_cues.py: a frame found and
standing, or found but negated, conditional, asked or resolved), and the sentence's
VADER scores.

``features(text)`` gives the sentence's features as names (with a value of 1) and
``VADER_FEATURES`` as numbers; services/conversations/sentence_model.py weighs them.
Pure Python.
"""

from __future__ import annotations

import re
from functools import lru_cache

from services.conversations.risk_cues import FRAMES, risk_cues, standing

WINDOW = 6  # words within which one concept is said to follow another
SKIP = 2  # pairs of words with up to this many words between them ("cut * budget")
VADER_FEATURES = ("vader_compound", "vader_pos", "vader_neg")

# Each concept and the words (or two-word phrases) that put a word in it.
CONCEPTS: dict[str, tuple[str, ...]] = {
    "END": (
        "cancel", "cancels", "cancelled", "canceled", "cancelling", "canceling", "cancellation",
        "terminate", "terminating", "terminated", "termination", "discontinue", "discontinuing",
        "end", "ending", "exit", "exiting", "quit", "drop", "dropping", "dropped", "ditch",
        "ditching", "scrap", "scrapping", "lapse", "lapsing", "expire", "expiring", "expiry",
        "churn", "churning", "offboard", "offboarding", "unsubscribe", "wind", "winding",
        "sunset", "sunsetting", "walk", "plug", "downgrade", "downgrading", "downsize",
        "decommission", "decommissioning", "stop", "stopping", "close", "closing", "off",
        "replace", "replacing", "rip", "remove", "removing", "switch", "switching", "move",
        "moving", "migrate", "migrating", "consolidate", "consolidating", "leave", "out",
        "notice", "non-renewal", "without", "elsewhere", "pause", "pausing", "retire",
    ),
    "RENEW": (
        "renew", "renewal", "renewing", "renewed", "renewals", "extend", "extension",
        "extending", "re-sign", "sign", "signing", "continue", "continuing", "stay", "staying",
        "commit", "committing", "option", "auto-renew", "term", "terms",
    ),
    "CONTRACT": (
        "contract", "contracts", "subscription", "subscriptions", "account", "plan", "plans",
        "agreement", "membership", "licence", "license", "licences", "licenses", "seats",
        "seat", "tier", "package", "platform", "service", "software", "tool", "product",
        "module", "add-on", "addon", "retainer", "deal", "partnership", "framework", "users",
        "logins", "you", "yours", "system", "solution", "relationship", "pro", "enterprise",
        "premium", "edition", "suite",
    ),
    "MEETING": (
        "meeting", "meetings", "call", "calls", "check-in", "catch-up", "catchup", "sync",
        "standup", "stand-up", "appointment", "session", "demo", "webinar", "workshop",
        "training", "visit", "invite", "lunch", "dinner", "trip", "flight", "event", "slot",
        "agenda", "calendar", "diary", "qbr", "kickoff", "kick-off", "onsite", "offsite",
        "thursday's", "friday's", "monday's", "tuesday's", "wednesday's", "tomorrow's",
        "today's", "week's", "conference", "interview", "class", "course",
    ),
    "ORDER": (
        "order", "orders", "po", "purchase", "invoice", "invoices", "charge", "charges",
        "payment", "payments", "delivery", "deliveries", "shipment", "shipments", "booking",
        "bookings", "reservation", "duplicate", "refund", "credit", "batch", "pallet",
        "parcel", "request", "ticket", "transfer", "direct", "debit", "card",
    ),
    "VENDOR": (
        "vendor", "vendors", "provider", "providers", "supplier", "suppliers", "competitor",
        "competitors", "alternative", "alternatives", "options", "solutions", "partners",
        "agency", "agencies", "firm", "firms", "rival", "rivals", "competition", "market",
        "tender", "rfp", "bake-off", "bakeoff", "quotes", "proposal", "proposals", "bids",
        "bid", "offer", "offered", "offering", "pitch", "pitched", "approached", "elsewhere",
        "incumbent", "shortlist", "shortlisted", "them", "they", "their",
    ),
    "EVAL": (
        "evaluate", "evaluating", "evaluation", "trial", "trialling", "trialing", "pilot",
        "piloting", "compare", "comparing", "comparison", "benchmark", "benchmarking",
        "benchmarked", "look", "looking", "looked", "consider", "considering", "explore",
        "exploring", "assess", "assessing", "talks", "talking", "speaking", "demoing",
        "demoed", "test", "testing", "tested", "alongside", "reviewing", "review", "quote",
        "quoted", "quoting", "cheaper", "switch", "switching", "migrate", "migrating",
        "bundle", "bundled", "run", "running",
    ),
    "OTHER": (
        "other", "another", "different", "alternative", "competing", "cheaper", "new",
        "several", "few", "couple", "rival", "else", "two", "three",
    ),
    "MONEY": (
        "budget", "budgets", "spend", "spending", "funding", "funds", "money", "cash",
        "costs", "expenses", "expenditure", "headcount", "grant", "grants", "finance",
        "cfo", "savings", "purse", "financial", "capex", "opex", "discretionary", "overheads",
        "procurement", "accounts", "board", "treasury", "investors", "afford",
    ),
    "CUT": (
        "cut", "cuts", "cutting", "slashed", "slash", "reduce", "reduced", "reducing",
        "reduction", "freeze", "frozen", "froze", "trimmed", "trim", "squeezed", "squeeze",
        "tight", "tighter", "tightening", "tightened", "capped", "cap", "halved", "halve",
        "pulled", "withdrawn", "shrunk", "shrinking", "scrutiny", "scrutinise", "scrutinize",
        "scrutinised", "re-approval", "approval", "sign-off", "justify", "justified",
        "re-justified", "paused", "hold", "austerity", "redundancies", "layoffs",
        "restructuring", "savings", "lower", "smaller", "less", "fewer", "gone", "lost",
        "shortfall", "deficit", "overspent", "exhausted", "constrained", "constraints",
        "pressure", "belt", "non-essential", "essential",
    ),
    "PRICE": (
        "price", "prices", "pricing", "priced", "cost", "costs", "fee", "fees", "rate",
        "rates", "quote", "invoice", "bill", "uplift", "premium", "charge", "charges",
        "expensive", "pricey", "costly", "overpriced", "money", "paying", "pay", "paid",
        "per", "renewal", "figure", "number", "list", "value", "margin", "amount",
    ),
    "UP": (
        "up", "increase", "increased", "increases", "increasing", "rise", "rose", "risen",
        "rising", "hike", "hiked", "jump", "jumped", "doubled", "tripled", "spiked",
        "climbed", "climbing", "crept", "creeping", "higher", "more", "steep", "high",
        "expensive", "much", "too", "extra", "again", "ballooned", "uplift", "top",
    ),
    "DEPART": (
        "leave", "leaving", "left", "leaves", "resign", "resigned", "resigning",
        "resignation", "retire", "retiring", "retired", "retirement", "quit", "quitting",
        "depart", "departed", "departure", "departing", "successor", "replacement",
        "replacing", "replaced", "handover", "hand", "handing", "last", "final", "farewell",
        "goodbye", "redundant", "laid", "fired", "gone", "moving", "moved", "joining",
        "joined", "elsewhere", "notice", "role", "job", "position", "new", "takes", "taking",
        "over", "stepping", "down", "poached", "headhunted", "sabbatical", "exit",
    ),
    "PERSONROLE": (
        "champion", "contact", "sponsor", "manager", "director", "head", "lead", "owner",
        "admin", "administrator", "coordinator", "colleague", "he", "she", "him", "her",
        "his", "boss", "ceo", "cto", "coo", "cfo", "vp", "chief", "officer", "partner",
        "person", "who", "team",
    ),
    "NEG": (
        "not", "no", "never", "n't", "nobody", "none", "nothing", "neither", "nor",
        "without", "hardly", "barely", "won't", "don't", "doesn't", "didn't", "isn't",
        "aren't", "wasn't", "weren't", "can't", "cannot", "couldn't", "wouldn't", "shouldn't",
        "haven't", "hasn't",
    ),
    "IF": ("if", "unless", "whether", "suppose", "hypothetically", "case", "ever", "were"),
    "PAST": (
        "was", "were", "had", "did", "ago", "previously", "used", "back", "before", "once",
        "originally", "earlier", "year", "last",
    ),
    "RESOLVED": (
        "sorted", "resolved", "fixed", "behind", "over", "lifted", "fine", "happy", "great",
        "won", "stayed", "better", "solved", "improved", "anymore", "settled", "gone",
    ),
    "INTENT": (
        "will", "'ll", "going", "plan", "planning", "intend", "intending", "considering",
        "thinking", "might", "may", "probably", "likely", "decided", "want", "wants",
        "need", "needs", "have", "has", "looking", "expect", "would", "'d", "could", "should",
        "seriously", "asked", "told", "recommend", "recommending", "prepare", "preparing",
    ),
    "WE": ("i", "we", "us", "our", "my", "me", "ourselves"),
    "YOU": ("you", "your", "yours", "you're", "you've", "you'll"),
    "AWAY": (
        "holiday", "vacation", "leave", "maternity", "paternity", "parental", "sick",
        "ooo", "back", "returns", "returning", "promoted", "promotion", "covering", "cover",
        "away", "off", "annual", "sabbatical", "conference", "trip", "week", "still",
    ),
    "LATE": (
        "late", "delayed", "delay", "delays", "missing", "damaged", "lost", "wrong", "short",
        "arrived", "arrive", "arriving", "melted", "never", "days", "weeks", "courier",
        "delivery", "deliveries", "shipment", "shipments", "shipping", "dispatch",
        "dispatched", "tracking", "parcel", "pallet", "stock", "backorder", "backordered",
        "warehouse", "lead", "time", "again", "row", "running",
    ),
    "BROKEN": (
        "bug", "bugs", "buggy", "crash", "crashes", "crashed", "crashing", "outage",
        "outages", "down", "downtime", "broken", "broke", "breaks", "fails", "failing",
        "failed", "failure", "error", "errors", "glitch", "glitches", "slow", "slower",
        "unreliable", "defect", "defects", "defective", "faulty", "timed", "timing",
        "timeout", "mangled", "mangling", "corrupted", "freezing", "freezes", "lag",
        "lagging", "unusable", "flaky", "unstable", "falls", "fell", "dropped", "wrong",
        "issue", "issues", "problem", "problems", "quality", "poor",
    ),
}  # fmt: skip

_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*|'ll|'d|n't|[?%$£€]")
_CLAUSE_BREAK = frozenset({",", ";", ":", "but", "although", "though", "however", "whereas",
                           "because", "so", "unless", "otherwise", "—", "–"})  # fmt: skip
_CONCEPT_OF: dict[str, tuple[str, ...]] = {}
for _name, _words in CONCEPTS.items():
    for _word in _words:
        _CONCEPT_OF[_word] = (*_CONCEPT_OF.get(_word, ()), _name)
NEGATORS = frozenset(CONCEPTS["NEG"])
CONDITIONS = frozenset({"if", "unless", "whether", "suppose", "hypothetically"})


def _normal(text: str) -> str:
    return (
        text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
        .replace("\u201d", '"').replace("—", " — ").replace("–", " – ")
    )  # fmt: skip


def tokens(text: str) -> list[str]:
    """The sentence's words in lower case, with the punctuation that breaks clauses (a
    number is "<num>"); "won't" stays one word and also gives "n't"."""
    lowered = _normal(text).lower()
    out: list[str] = []
    for match in re.finditer(r"[a-z0-9]+(?:['-][a-z0-9]+)*|[,;:?%$£€—–]", lowered):
        word = match.group(0)
        if word[0].isdigit():
            out.append("<num>")
            continue
        if word.endswith("'ll"):
            out += [word[:-3], "'ll"]
        elif word.endswith("'d") and len(word) > 2:
            out += [word[:-2], "'d"]
        elif word.endswith("n't"):
            out += [word, "n't"]
        elif word.endswith("'s") and len(word) > 2:
            out += [word[:-2], "'s"]
        else:
            out.append(word)
    return out


_SUFFIXES = ("ations", "ation", "ments", "ment", "ingly", "ings", "ing", "edly", "ied", "ies",
             "ed", "es", "ly", "er", "s")  # fmt: skip


def _stem(word: str) -> str:
    """A word without its common ending ("renewing", "renewed", "renewals" -> "renew")."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            if len(stem) > 3 and stem[-1] == stem[-2]:  # "cancelled" -> "cancel"
                stem = stem[:-1]
            return stem + ("y" if suffix in ("ied", "ies") else "")
    return word


def _names(text: str) -> int:
    """How many capitalised words stand inside the sentence (a vendor's or a person's name)."""
    words = re.findall(r"(?<=[\s(])[A-Z][a-z]+", _normal(text))
    return sum(w.lower() not in _CONCEPT_OF for w in words)


def _rule_features(text: str) -> list[str]:
    """What the offline rules make of the sentence: each kind found and standing, and each
    kind whose frame matched but was negated, conditional, asked or resolved."""
    out = [f"rule:{cue.kind}" for cue in risk_cues(text)]
    for frame in FRAMES:
        for match in frame.pattern.finditer(_normal(text)):
            if match.start() == match.end():
                continue
            out.append(f"frame:{frame.kind}")
            why = standing(frame, _normal(text), match)
            if why:
                out.append(f"frame:{frame.kind}:{why}")
    return out


@lru_cache(maxsize=4096)
def features(text: str) -> tuple[str, ...]:
    """The sentence's features (the module's docstring), each once."""
    words = tokens(text)
    found: list[str] = [f"w:{w}" for w in words]
    found += [f"s:{stem}" for w in words if (stem := _stem(w)) != w]
    found += [f"b:{a}_{b}" for a, b in zip(words, words[1:], strict=False)]
    found += [f"t:{a}_{b}_{c}" for a, b, c in zip(words, words[1:], words[2:], strict=False)]
    found += [f"k:{words[i]}_{words[j]}" for i in range(len(words))
              for j in range(i + 2, min(len(words), i + 2 + SKIP))]  # fmt: skip
    concepts: list[tuple[int, str, bool, bool]] = []  # (position, concept, negated, if)
    negated_at = -99
    condition = False
    for k, word in enumerate(words):
        if word in _CLAUSE_BREAK:
            negated_at, condition = -99, False
            continue
        if word in NEGATORS:
            negated_at = k
        if word in CONDITIONS:
            condition = True
        under = k - negated_at <= 5 and word not in NEGATORS
        for concept in _CONCEPT_OF.get(word, ()):
            concepts.append((k, concept, under, condition))
    for _, concept, under, condition in concepts:
        found.append(f"c:{concept}")
        if under:
            found.append(f"not:{concept}")
        if condition:
            found.append(f"if:{concept}")
    for i, (k1, c1, n1, _) in enumerate(concepts):
        for k2, c2, n2, _ in concepts[i + 1 :]:
            if k2 - k1 > WINDOW:
                break
            if k2 > k1 and c1 != c2:
                found.append(f"cc:{c1}>{c2}" + (":not" if n1 or n2 else ""))
    stripped = text.strip()
    if stripped.endswith("?"):
        found.append("question")
    if _names(text):
        found.append("name")
    found += _rule_features(text)
    return tuple(dict.fromkeys(found))
