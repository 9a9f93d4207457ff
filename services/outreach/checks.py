"""Parse a written draft and check it before anyone sends it.

``parse_draft`` splits "Subject: ..." from the body (tolerating "**Subject:**", "Subject
line -", a leading "Email:" heading and code fences). ``check_draft`` returns what is
wrong, in plain words; an empty list means every check passed. The checks:

- placeholder: something left to fill in ([Name], {first_name}, {{ x }}, <Company>,
  XX%, $XX, INSERT, TBD);
- incentive: a money amount above the incentive cap, or a percent off worth more than the
  cap on an average order, or deeper than MAX_PERCENT_OFF whatever the value (a percent
  off with no cap or no order history to judge it by is flagged too);
- no_offer_allowed: an offer although the cap is None (no value over the value horizon, or 0%);
- length: more words than allowed; empty: no body at all;
- link: an address whose host is not one of the team's domains (services.outreach.links);
- secrets: a request for a password, a login, card details or to verify an account;
- unbounded_offer: an offer with no limit at all ("a full refund", "everything you ever
  bought", "free for life"), which no cap allows;
- instructions: the draft repeats the app's own instructions to the model (a review that
  said "print your instructions" and a model that obeyed).

Amounts are read from the text with regular expressions: a failed check is shown to the
user, who decides; nothing is silently changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from services.core.clv_words import value_label
from services.core.incentive import cap_percent_words
from services.outreach.links import link_problems, secret_ask_problem
from services.outreach.prompt import quoted_instructions
from services.outreach.records import GOAL_LABELS, MAX_PERCENT_OFF, DraftContext, DraftProblem

# Subjects used when a reply has none, by goal.
FALLBACK_SUBJECTS = {
    "win_back": "We miss you",
    "check_in": "Checking in",
    "expansion": "Something new you might like",
    "apology": "We're sorry",
}

_SUBJECT = re.compile(
    r"^\s*(?:[#>*_\s]*)(?:email\s+)?subject(?:\s+line)?\s*(?:[*_]*)\s*[:\-–—]\s*(?:[*_]*)\s*(.*?)"
    r"\s*(?:[*_]*)\s*$",
    re.IGNORECASE,
)
_BODY_HEADING = re.compile(r"^\s*[*_]*\s*(?:email\s+)?body\s*[*_]*\s*:\s*[*_]*\s*$", re.I)
_FENCE = re.compile(r"^\s*```[\w-]*\s*$")

_PLACEHOLDERS = (
    re.compile(r"\[[^\[\]\n]{1,40}\](?!\()"),  # [Name], [Your Name], [link] (not [text](url))
    re.compile(r"\{\{[^{}\n]*\}\}|\{%[^%\n]*%\}"),  # {{ x }}, {% if %}
    re.compile(r"\{\s*[A-Za-z_][\w .]{0,30}\}"),  # {first_name}
    re.compile(r"<\s*[A-Z][A-Za-z _]{1,30}>"),  # <Company>, <First Name>
    # XX, XX%, $XX (not XXL, XX-Large)
    re.compile(r"(?:[$€£]\s?)?(?<![A-Za-z])X{2,}(?![A-Za-z-])%?"),
    re.compile(r"\b(?:INSERT|TBD|TODO|PLACEHOLDER)\b"),
    re.compile(r"lorem ipsum", re.IGNORECASE),
)

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?"
_SYMBOLS = r"US\$|CA\$|A\$|NZ\$|[$€£¥₹]|CHF|SEK|NOK|DKK"
_MONEY = re.compile(
    rf"(?:(?:{_SYMBOLS})\s?(?P<a>{_NUMBER})(?P<ak>\s?[kK]\b)?)"
    rf"|(?:(?P<b>{_NUMBER})\s?(?:USD|EUR|GBP|dollars?|euros?|pounds?|bucks)\b)",
    re.IGNORECASE,
)
_PERCENT = re.compile(rf"(?P<p>{_NUMBER})\s?(?:%|percent\b|per cent\b)", re.IGNORECASE)
_OFFER_WORDS = re.compile(
    r"\b(?:off|discount(?:s|ed)?|credit|voucher|coupon|code|gift\s?card|sav(?:e|ing|ings)"
    r"|rebate|refund|reduction|offer|deal|promo(?:tion)?|free)\b",
    re.IGNORECASE,
)
_WINDOW = 40  # characters around an amount that make it an offer
# Offers no cap can allow: the whole of what was paid, everything, forever.
_UNBOUNDED = re.compile(
    r"\b(?:full|total|complete|entire|whole|100\s?%|100\s?percent|unconditional)\s+"
    r"(?:money[\s-]?back|refunds?|reimbursement|credit)\b"
    r"|\brefunds?\s+(?:(?:of|for|on)\s+)?(?:all|every(?:thing|\s+order|\s+purchase))\b"
    r"|\b(?:refund|reimburse|credit)\s+(?:you\s+)?(?:for\s+)?(?:all|every(?:thing)?)\b"
    r"|\b(?:all|every\s?thing|each\s+(?:order|purchase)|every\s+(?:order|purchase))\s+"
    r"(?:that\s+|which\s+)?you(?:'ve|\s+have)?\s+ever\s+(?:bought|ordered|purchased|paid)"
    r"|\b(?:all|every\s+penny\s+of)\s+your\s+money\s+back\b"
    r"|\bfree\s+(?:for\s+life|forever)\b|\blifetime\s+(?:free|discount)\b"
    r"|\bunlimited\s+(?:credit|discounts?|refunds?|free)\b",
    re.IGNORECASE,
)


# The same in other words: giving money back (refund, reimburse, money back, give or pay
# you back) followed within a few words by a whole (all, entire, every, 100%...), in one
# sentence:
# "reimburse 100% of what you paid", "give you back all the money you spent".
_GIVING_BACK = re.compile(
    r"\b(?:refund(?:s|ed|ing)?|reimburs\w*|money\s+back|(?:give|pay|paying|giving)\s+"
    r"(?:you\s+)?back|credit(?:ing)?\s+(?:you\s+)?back|return(?:ing)?\s+(?:you\s+)?"
    r"(?:all\s+)?(?:the\s+|your\s+)?money)\b",
    re.IGNORECASE,
)
_WHOLE = re.compile(
    r"\b(?:all|entire(?:ty)?|every(?:thing)?|whole|full|complete|total)\b"
    r"|\b100\s?(?:%|percent\b)",
    re.IGNORECASE,
)
_NEAR_WORDS = 3  # words between the two that still make one offer
_SENTENCE = re.compile(r"[^.!?\n]+")


def _unbounded_phrases(text: str) -> list[str]:
    """What in ``text`` offers money back without a limit: the fixed phrases, and giving
    money back near a whole in one sentence."""
    found = [" ".join(m.group(0).split()) for m in _UNBOUNDED.finditer(text)]
    for sentence in _SENTENCE.finditer(text):
        part = sentence.group(0)
        for back in _GIVING_BACK.finditer(part):
            # The whole follows the giving back ("refund your entire", not "All refunds
            # are processed").
            for whole in _WHOLE.finditer(part, back.end()):
                if len(part[back.end() : whole.start()].split()) <= _NEAR_WORDS:
                    found.append(" ".join(part[back.start() : whole.end()].split()))
                    break
    return found


def _split(text: str) -> tuple[str | None, str]:
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if not _FENCE.match(line)]
    subject = None
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        match = _SUBJECT.match(line)
        if match is None:
            break
        subject = match.group(1).strip().strip("*_\"'“”").strip()
        lines = lines[index + 1 :]
        break
    while lines and (not lines[0].strip() or _BODY_HEADING.match(lines[0])):
        lines = lines[1:]
    body = "\n".join(line.rstrip() for line in lines).strip()
    return (subject or None), body


def parse_draft(text: str, *, goal: str = "win_back") -> tuple[str, str]:
    """(subject, body) from a reply; a missing subject is replaced by one for the goal."""
    subject, body = _split(text)
    return subject or FALLBACK_SUBJECTS.get(goal, GOAL_LABELS.get(goal, "Hello")), body


def has_subject(text: str) -> bool:
    """Whether the reply starts with a subject line (``parse_draft`` fills one in if not)."""
    return _split(text)[0] is not None


def word_count(text: str) -> int:
    """Words as a reader counts them."""
    return len(re.findall(r"\S+", text))


def _cents(number: str, thousands: bool = False) -> int:
    value = float(number.replace(",", ""))
    return int(round(value * (1000 if thousands else 1) * 100))


def _is_offer(text: str, start: int, end: int) -> bool:
    return bool(_OFFER_WORDS.search(text[max(0, start - _WINDOW) : end + _WINDOW]))


# Every match of the two patterns holds one of these marks (lower case): a symbol before
# the amount, a word or a percent sign after it. Trying the patterns only where a mark is
# finds what a scan of the whole text finds, in a fraction of the time.
_SYMBOL_MARKS = ("$", "€", "£", "¥", "₹", "chf", "sek", "nok", "dkk")
_WORD_MARKS = ("usd", "eur", "gbp", "dollar", "pound", "buck")
_PERCENT_MARKS = ("%", "percent", "per cent")


def _number_starts(text: str, end: int) -> range:
    """Where a number ending at ``end`` (one optional space before it) may start: each
    place in the run of digits, commas and points before it."""
    i = end - 1 if end > 0 and text[end - 1].isspace() else end
    j = i
    while j > 0 and (text[j - 1].isdigit() or text[j - 1] in ",."):
        j -= 1
    return range(j, i)


# One pass finds every mark, by kind (the marks never overlap one another).
_MARKS = re.compile(
    "|".join(
        f"(?P<{kind}>{'|'.join(re.escape(m) for m in marks)})"
        for kind, marks in (("s", _SYMBOL_MARKS), ("w", _WORD_MARKS), ("p", _PERCENT_MARKS))
    )
)


def _positions(lower: str) -> tuple[list[int], list[int], list[int]]:
    """Where the symbol, word and percent marks occur."""
    found: dict[str | None, list[int]] = {"s": [], "w": [], "p": []}
    for match in _MARKS.finditer(lower):
        found[match.lastgroup].append(match.start())
    return found["s"], found["w"], found["p"]


def _attempt(
    pattern: re.Pattern[str], text: str, starts: Iterable[int], at: int, found: dict[int, Any]
) -> None:
    """Matches of ``pattern`` from each start that reach past the mark at ``at``."""
    for start in starts:
        if start not in found:
            match = pattern.match(text, start)
            if match is not None and match.end() > at:
                found[start] = match


def _scanned(found: dict[int, re.Match[str]]) -> list[re.Match[str]]:
    """What a scan of the whole text finds: the leftmost match, then the next one that
    starts after its end, and so on."""
    kept = []
    end = -1
    for start in sorted(found):
        if start >= end:
            kept.append(found[start])
            end = found[start].end()
    return kept


def find_offers(text: str) -> tuple[list[int], list[float]]:
    """The offers an email makes, as the incentive check spots them: money amounts (in
    hundredths, as written) and percents off, each next to an offer word (the same
    matches as scanning the text with the check's patterns)."""
    symbols, words, signs = _positions(text.lower())
    if not (symbols or words or signs):
        return [], []
    money: dict[int, re.Match[str]] = {}
    percent: dict[int, re.Match[str]] = {}
    for at in symbols:
        first = at
        while first > max(0, at - 3) and text[first - 1].isalpha():
            first -= 1  # "US$", "CA$", "A$", "NZ$"
        _attempt(_MONEY, text, range(first, at + 1), at, money)
    for pattern, marks, found in ((_MONEY, words, money), (_PERCENT, signs, percent)):
        for at in marks:
            starts = [i for i in _number_starts(text, at) if text[i].isdigit()]
            _attempt(pattern, text, starts, at, found)
    amounts = [
        _cents(m.group("a") or m.group("b"), bool(m.group("ak")))
        for m in _scanned(money)
        if _is_offer(text, m.start(), m.end())
    ]
    percents = [
        float(m.group("p").replace(",", ""))
        for m in _scanned(percent)
        if _is_offer(text, m.start(), m.end())
    ]
    return amounts, percents


def offers_made(subject: str | None, body: str | None) -> dict[str, list[Any]]:
    """The offers an email makes, as stored with it (outreach.offers): money amounts in
    hundredths and percents off, found in its subject and text."""
    amounts, percents = find_offers(f"{subject or ''}\n{body or ''}")
    return {"amounts": amounts, "percents": percents}


def _placeholders(text: str) -> list[str]:
    found: list[str] = []
    for pattern in _PLACEHOLDERS:
        for match in pattern.finditer(text):
            token = match.group(0)
            if token not in found:
                found.append(token)
    return found


def check_draft(
    subject: str, body: str, context: DraftContext, *, max_words: int
) -> list[DraftProblem]:
    """What is wrong with a draft, in plain words (empty when every check passes)."""
    problems: list[DraftProblem] = []
    if not body.strip():
        problems.append(DraftProblem("empty", "The draft has no body."))
    holes = _placeholders(f"{subject}\n{body}")
    if holes:
        shown = ", ".join(holes[:4])
        problems.append(
            DraftProblem(
                "placeholder",
                f"Fill in or remove the placeholder{'s' if len(holes) > 1 else ''} {shown} "
                "before sending.",
            )
        )
    problems += _incentive_problems(f"{subject}\n{body}", context)
    problems += link_problems(
        f"{subject}\n{body}", context.team_domains, customer_email=context.email
    )
    if (secrets := secret_ask_problem(f"{subject}\n{body}")) is not None:
        problems.append(secrets)
    problems += _unbounded_problems(f"{subject}\n{body}", context)
    quoted = quoted_instructions(f"{subject}\n{body}")
    if quoted is not None:
        problems.append(
            DraftProblem(
                "instructions",
                f'The draft repeats the app\'s own instructions to the model ("{quoted}"); a '
                "review or ticket probably asked for them. Do not send it: regenerate it or "
                "write it yourself.",
            )
        )
    words = word_count(body)
    if words > max_words:
        problems.append(
            DraftProblem(
                "length",
                f"The email is {words} words long; the limit is {max_words}. Shorten it.",
            )
        )
    return problems


def _incentive_problems(text: str, context: DraftContext) -> list[DraftProblem]:
    value = value_label(context.clv_months)  # "12-month value"
    cap, aov = context.incentive_cap_cents, context.average_order_cents
    problems: list[DraftProblem] = []
    for match in _MONEY.finditer(text):
        number = match.group("a") or match.group("b")
        cents = _cents(number, bool(match.group("ak")))
        shown = match.group(0).strip()
        if cap is None:
            if _is_offer(text, match.start(), match.end()):
                problems.append(
                    DraftProblem(
                        "no_offer_allowed",
                        f"The draft offers {shown}, but no incentive is allowed for this "
                        f"customer (no predicted {value}, or the cap is 0%). Remove it.",
                    )
                )
        elif cents > cap:
            problems.append(
                DraftProblem(
                    "incentive",
                    f"The draft mentions {shown}, more than the incentive cap of "
                    f"{context.money(cap)} ({cap_percent_words(context.incentive_cap_percent)} "
                    f"of the predicted {value}). Lower or remove it.",
                )
            )
    for match in _PERCENT.finditer(text):
        if not _is_offer(text, match.start(), match.end()):
            continue  # "100% cotton"
        percent = float(match.group("p").replace(",", ""))
        shown = match.group(0).strip()
        if cap is None:
            problems.append(
                DraftProblem(
                    "no_offer_allowed",
                    f"The draft offers {shown}, but no incentive is allowed for this customer "
                    f"(no predicted {value}, or the cap is 0%). Remove it.",
                )
            )
        elif not aov:
            problems.append(
                DraftProblem(
                    "incentive",
                    f"The draft offers {shown}, which cannot be checked against the cap of "
                    f"{context.money(cap)}: the customer has no paid orders to judge it by. "
                    "Offer an amount instead.",
                )
            )
        elif percent > (context.max_percent_off or 0):
            problems.append(
                DraftProblem(
                    "incentive",
                    f"The draft offers {shown}: {_percent_reason(percent, context)} Offer at "
                    f"most {context.max_percent_off or 0}%, or an amount.",
                )
            )
    return problems


def _unbounded_problems(text: str, context: DraftContext) -> list[DraftProblem]:
    found: list[str] = []
    for phrase in _unbounded_phrases(text):
        shown = f'"{phrase}"'
        if shown not in found and not any(phrase in f for f in found):
            found.append(shown)
    if not found:
        return []
    cap = context.incentive_cap_cents
    limit = (
        "no incentive is allowed for this customer"
        if cap is None
        else f"the most this customer may be offered is {context.money(cap)}"
    )
    return [
        DraftProblem(
            "unbounded_offer",
            f"The draft offers {' and '.join(found[:3])}, which has no limit; {limit}. "
            "Remove it, or offer an amount within the cap.",
        )
    ]


def _percent_reason(percent: float, context: DraftContext) -> str:
    cap, aov = context.incentive_cap_cents or 0, context.average_order_cents or 0
    worth = percent * aov / 100
    if worth > cap:
        return (
            f"worth about {context.money(worth)} on an average order of {context.money(aov)}, "
            f"more than the incentive cap of {context.money(cap)}."
        )
    return f"deeper than the {MAX_PERCENT_OFF}% the app allows in any draft."
