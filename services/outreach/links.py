"""Links and requests for secrets in a draft: what ``check_draft`` flags before anyone sends.

A model can put a link in an email (an injected ticket asks for one, or it invents one),
and a link is what a phishing email is made of. Every web address, bare domain
("evil.test/offer"), markdown or HTML link and e-mail address (mailto or not) in a draft
is read down to the host a mail program would really open, and flagged unless that host
is one of the team's own domains (setting ``outreach.team_domains``; a subdomain of a
listed domain counts as listed). The host is found the way a browser finds it:

- the link target, never the link text: ``[example.com](http://evil.test)`` goes to
  evil.test, and the text that pretends otherwise is named in the message;
- the part after the last "@" of the address: ``https://example.com@evil.test`` is evil.test
  (example.com is only a user name), and a backslash ends the host as a slash does;
- percent-escapes decoded, full-width letters and dots folded (NFKC), and the name put in
  its IDNA (punycode) form, so "exаmple.com" with a Cyrillic "а" is xn--xmple-43d.com,
  not example.com, and the message says it uses letters of another alphabet.

A draft that asks for a password, a login, card or account numbers, or to verify or
confirm an account is flagged whatever its links: the team never asks that by email.
Nothing is changed in the draft: the user reads the check and decides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from services.core.domains import DOTS, ascii_host, team_domain
from services.outreach.records import DraftProblem

# Top-level domains a bare name ("evil.test", no http:// nor www.) must end with to be read
# as a link: every country code, the common generic ones, the ones phishing favours
# (.zip, .mov, .click ...) and the reserved ones (.test, .example, .invalid, .localhost).
# A name with another ending ("invoice.pdf", "Node.js") is left alone; any name after
# http://, www. or an "@" is a host whatever its ending.
_COUNTRY_TLDS = (
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo "
    "br bs bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm "
    "do dz ec ee eg er es et eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs "
    "gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km "
    "kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp "
    "mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk "
    "pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss "
    "st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va "
    "vc ve vg vi vn vu wf ws ye yt za zm zw"
)
_GENERIC_TLDS = (
    "com net org info biz edu gov mil int name pro mobi asia tel travel jobs coop aero "
    "app dev page io ai co me tv xyz top site online website store shop club tech live life "
    "blog news email link click zip mov cloud today world agency company solutions services "
    "support help security login account accountant bank money pay finance loan win vip "
    "icu fun space host digital network center media studio design global group ltd inc "
    "biz email market markets deals sale gift gifts bid work download review trade "
    "test example invalid localhost local onion internal corp home lan"
)
_TLDS = frozenset((_COUNTRY_TLDS + " " + _GENERIC_TLDS).split())

# Characters that end an address in running text (markdown and HTML punctuation included).
_STOP = r"\s<>\"'`()\[\]{}|^"
_SCHEME_URL = re.compile(rf"(?i)\b[a-z][a-z0-9+.\-]{{0,20}}:(?:\\\\|//)[^{_STOP}]+")
# Schemes without "//" that still open something: mail, code, a file or data.
_OTHER_SCHEME = re.compile(rf"(?i)\b(?:mailto|javascript|vbscript|data|file):[^{_STOP}]+")
_LABEL = r"[\w\-]+"
_EMAIL = re.compile(rf"[\w.+\-]+@((?:{_LABEL}\.)+{_LABEL})")
_BARE = re.compile(rf"(?<![\w@.\-])((?:{_LABEL}\.)+{_LABEL})(?![\w\-])(?:[/?#][^{_STOP}]*)?")
# [text](target) and <a href="target">text</a>: the text a reader sees, the target opened.
_MARKDOWN = re.compile(r"\[([^\[\]\n]{1,200})\]\(\s*<?([^()\s<>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_ANCHOR = re.compile(r"(?is)<a\b[^>]*?\bhref\s*=\s*[\"']?([^\"'\s>]+)[\"']?[^>]*>(.*?)</a\s*>")
# Characters nobody sees that would split a name for this check but not for a browser.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))

_SECRET_ASKS = (
    re.compile(r"(?i)\bpass(?:word|code|phrase)s?\b"),
    re.compile(r"(?i)\b(?:log|sign)[\s-]?(?:in|on)\b|\blogins?\b"),
    re.compile(r"(?i)\b(?:user\s?name|credentials?|security\s+questions?)\b"),
    re.compile(r"(?i)\bone[\s-]time\s+(?:code|pin|password|passcode)\b|\b(?:otp|2fa|cvv|cvc)\b"),
    re.compile(r"\bPINs?\b"),
    re.compile(
        r"(?i)\b(?:card|account|bank|routing|sort|social\s+security|tax)\s+(?:number|details"
        r"|no\b\.?)|\bsecurity\s+code\b|\bexpiry\s+date\b|\bssn\b"
    ),
    re.compile(
        r"(?i)\b(?:verify|confirm|validate|update|reactivate|unlock|restore|secure)\s+(?:your\s+)?"
        r"(?:account|identity|details|payment|billing|login|information|card)\b"
    ),
)


@dataclass(frozen=True)
class Link:
    """One address in a draft: the host it opens, as written and in ASCII (IDNA) form."""

    shown: str  # the host as written (Unicode), lower case
    host: str  # the host a mail program opens, in ASCII (punycode) form
    user: str | None = None  # what stood before an "@" in a web address
    text: str | None = None  # a host-like link text that differs from the target
    email: str | None = None  # the whole address, for an e-mail address


def is_team_host(host: str, domains: Iterable[str]) -> bool:
    """Whether ``host`` (ASCII form) is one of ``domains`` or a subdomain of one."""
    for entry in domains:
        domain = team_domain(entry)
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


def _web_link(target: str) -> Link | None:
    """The host a web address (with a scheme) opens, or None when it opens none."""
    text = target.replace("\\", "/")
    try:
        parts = urlsplit(text)
        netloc = parts.netloc
    except ValueError:
        return None
    if not netloc:
        return None
    user, _, hostport = netloc.rpartition("@")
    if hostport.startswith("["):
        name = hostport.split("]", 1)[0] + "]"
    else:
        name = hostport.rsplit(":", 1)[0] if hostport.count(":") == 1 else hostport
    shown = unicodedata.normalize("NFKC", unquote(name)).translate(DOTS).lower().strip(".")
    return Link(shown=shown, host=ascii_host(name), user=unquote(user) or None)


def _target_link(target: str) -> Link | None:
    """The host a link target opens: a web address, a mailto or a bare domain."""
    if _SCHEME_URL.fullmatch(target):
        return _web_link(target)
    if target.lower().startswith("mailto:"):
        found = _EMAIL.search(unquote(target))
        if found:
            return Link(shown=found.group(1).lower(), host=ascii_host(found.group(1)))
        return None
    if target.startswith("//"):
        return _web_link("http:" + target)
    bare = _BARE.match(target)
    if bare:
        return Link(shown=bare.group(1).lower(), host=ascii_host(bare.group(1)))
    return None


def _bare_host(name: str) -> str:
    return ascii_host(name).removeprefix("www.")


def _is_domain(name: str) -> bool:
    tld = ascii_host(name).rsplit(".", 1)[-1]
    return tld in _TLDS or tld.startswith("xn--") or not name.rsplit(".", 1)[-1].isascii()


def find_links(text: str) -> list[Link]:  # noqa: C901
    """Every address in ``text`` with the host it opens, in reading order."""
    text = unicodedata.normalize("NFKC", text).translate(DOTS).translate(_INVISIBLE)
    found: list[tuple[int, Link]] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    def add(start: int, end: int, link: Link | None) -> None:
        taken.append((start, end))
        if link is not None:
            found.append((start, link))

    # Links with a text first: the target is what opens, the text may pretend otherwise.
    for pattern, target_group, text_group in ((_MARKDOWN, 2, 1), (_ANCHOR, 1, 2)):
        for match in pattern.finditer(text):
            target = match.group(target_group)
            link = _target_link(target)
            if link is None and target.lower().startswith(("javascript:", "vbscript:", "data:")):
                link = Link(shown=target.split(":", 1)[0].lower() + ":", host="")
            shown_hosts = [
                m.group(1).lower()
                for m in _BARE.finditer(re.sub(r"(?i)^[a-z]+://", "", match.group(text_group)))
                if _is_domain(m.group(1))
            ]
            if link is not None:
                other = next(
                    (h for h in shown_hosts if _bare_host(h) != _bare_host(link.host)),
                    None,
                )
                if other is not None:
                    link = Link(link.shown, link.host, link.user, text=other)
            add(match.start(), match.end(), link)
    for match in _SCHEME_URL.finditer(text):
        if free(match.start(), match.end()):
            add(match.start(), match.end(), _web_link(match.group(0)))
    for match in _OTHER_SCHEME.finditer(text):
        if free(match.start(), match.end()):
            target = match.group(0)
            link = _target_link(target)
            if link is None and not target.lower().startswith("mailto:"):
                link = Link(shown=target.split(":", 1)[0].lower() + ":", host="")
            add(match.start(), match.end(), link)
    for match in _EMAIL.finditer(text):
        if free(match.start(), match.end()):
            name = match.group(1)
            link = Link(name.lower(), ascii_host(name), email=match.group(0))
            add(match.start(), match.end(), link)
    for match in _BARE.finditer(text):
        name = match.group(1)
        if free(match.start(), match.end()) and (
            name.lower().startswith("www.") or _is_domain(name)
        ):
            add(match.start(), match.end(), Link(name.lower(), ascii_host(name)))
    return [link for _start, link in sorted(found, key=lambda item: item[0])]


def _message(link: Link, domains: list[str]) -> str:
    end = "check it or remove it."
    if not domains:
        end = (
            "check it or remove it (no team domains are set: add yours in Settings ▸ Email "
            "drafting ▸ Team domains)."
        )
    if not link.host:
        return f"The draft has a {link.shown} link, which runs code or opens a file: remove it."
    name = link.shown if link.shown == link.host else f"{link.shown} ({link.host})"
    if link.text is not None:
        return f"A link shown as {link.text} goes to {name}, which is not one of your team's " + (
            f"domains: {end}"
        )
    if any(label.startswith("xn--") for label in link.host.split(".")):
        return (
            f"Link to {name} is not one of your team's domains: its name uses letters of "
            f"another alphabet that can pass for ordinary ones; {end}"
        )
    if link.user:
        return (
            f"Link to {name} is not one of your team's domains (the '{link.user}@' in front "
            f"of it is only a user name, not where it goes): {end}"
        )
    if link.email:
        return f"The address {link.email} is not at one of your team's domains: {end}"
    lookalike = next(
        (d for d in domains if link.host.startswith((team_domain(d) or "") + ".")), None
    )
    if lookalike is not None:
        return (
            f"Link to {name} is not one of your team's domains (it only begins with "
            f"{team_domain(lookalike)}): {end}"
        )
    return f"Link to {name} is not one of your team's domains: {end}"


MAX_LINK_PROBLEMS = 5


def link_problems(
    text: str, team_domains: Iterable[str], *, customer_email: str | None = None
) -> list[DraftProblem]:
    """One problem per address whose host is not a team domain (at most MAX_LINK_PROBLEMS,
    then one saying how many more). The customer's own e-mail address is not flagged."""
    domains = [d for d in team_domains if team_domain(d)]
    own = (customer_email or "").strip().lower()
    problems: list[DraftProblem] = []
    seen: set[tuple[str, str | None, str | None]] = set()
    for link in find_links(text):
        if link.email is not None and own and link.email.lower() == own:
            continue
        if link.host and is_team_host(link.host, domains):
            continue
        key = (link.host or link.shown, link.text, link.user)
        if key in seen:
            continue
        seen.add(key)
        problems.append(DraftProblem("link", _message(link, domains)))
    if len(problems) > MAX_LINK_PROBLEMS:
        more = len(problems) - MAX_LINK_PROBLEMS
        problems = problems[:MAX_LINK_PROBLEMS] + [
            DraftProblem("link", f"{more} more links are not to your team's domains.")
        ]
    return problems


def secret_ask_problem(text: str) -> DraftProblem | None:
    """The check a draft fails when it asks for a password, a login, card or account
    numbers, or to verify an account (whatever its links), else None."""
    phrases: list[str] = []
    for pattern in _SECRET_ASKS:
        for match in pattern.finditer(text):
            phrase = " ".join(match.group(0).split())
            if phrase.lower() not in (p.lower() for p in phrases):
                phrases.append(phrase)
    if not phrases:
        return None
    shown = ", ".join(f"“{p}”" for p in phrases[:3])
    return DraftProblem(
        "secrets",
        f"The draft asks the customer to sign in or give account details ({shown}): an email "
        "from your team never asks for a password, a login, card details or to verify an "
        "account, and this is what phishing looks like. Remove it.",
    )
