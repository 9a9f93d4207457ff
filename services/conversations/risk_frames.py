"""The frames of the risks a customer may raise: the words of each kind together with what
they act on (services/conversations/risk_cues.py reads them in a sentence and decides
whether each stands).

Each frame is a regular expression over one sentence in any case; a competitor's name is
taken from a named group ``name1``..``name15`` and is told by its capitals. A frame marked
``negative`` is a negation in itself ("won't renew", "can't afford").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["FRAMES", "NAME_GROUPS", "Frame"]

NAME_GROUPS = tuple(f"name{n}" for n in range(1, 16))


@dataclass(frozen=True)
class Frame:
    """A pattern of one kind. ``negative`` frames are negations in themselves ("won't
    renew"); ``name`` is the group holding a competitor's name."""

    kind: str
    pattern: re.Pattern[str]
    negative: bool = False


def _frame(kind: str, pattern: str, *, negative: bool = False) -> Frame:
    return Frame(kind, re.compile(pattern, re.IGNORECASE), negative)


# A few words of any kind between two parts of a frame ("cancel [the whole] contract").
def _gap(most: int) -> str:
    return rf"(?:\s+[\w'&/-]+){{0,{most}}}?\s+"


_DET = r"(?:(?:the|our|my|this|that|these|those|your|a|an|its|their|all|every|any)\s+)"
# What a contract is called: what "cancel", "end" or "drop" must act on to end the deal.
_CONTRACT = (
    r"(?:contracts?|subscriptions?|accounts?|plans?|agreements?|memberships?|licen[cs]es?"
    r"|seats?|renewals?|service\b(?!\s+(?:call|visit|desk|ticket|request))|services"
    r"|platform|software|tool|product|deal|partnership|relationship|modules?|add-?ons?"
    r"|package|tier|retainer|sla|you\b|you\s+guys|the\s+whole\s+thing|everything\s+with\s+you"
    r"|with\s+you|it\s+all)"
)
# What cancelling or ending does not end the deal: a meeting, an order, a charge.
_NOT_CONTRACT = (
    r"(?:meeting|call|check-?in|catch-?up|sync|stand-?up|appointment|session|demo|webinar"
    r"|workshop|training|visit|invite|invitation|booking|reservation|lunch|dinner|trip"
    r"|flight|event|order|purchase\s+order|po\b|invoice|charge|payment|transfer|delivery"
    r"|shipment|ticket|request|duplicate|trial\s+(?:user|seat)s?|review|interview|class"
    r"|course|onboarding\s+call|kick-?off|standing|recurring|slot|room|conference|pilot)"
)
_INTENT = (
    r"(?:we|i|they|the\s+(?:board|company|business|team|ceo|cfo|coo|owners?|partners?)"
    r"|leadership|management|procurement|finance|legal|head\s+office|our\s+\w+)"
)
_CANCEL_VERB = (
    r"(?:cancel(?:l?ing|l?ed|s)?|cancell?ation|terminat(?:e|ed|es|ing|ion)"
    r"|discontinu(?:e|ed|ing)|end(?:ing)?|clos(?:e|ed|ing)|drop(?:ping|ped)?|stop(?:ping|ped)?"
    r"|quit(?:ting)?|exit(?:ing)?|sunset(?:ting)?|scrap(?:ping|ped)?|ditch(?:ing|ed)?"
    r"|ax(?:e|ing|ed)|kill(?:ing|ed)?|wind(?:ing)?\s+down|phas(?:e|ing)\s+out"
    r"|(?:get|getting|pull|pulling|back|backing)\s+out\s+of|walk(?:ing)?\s+away\s+from"
    r"|mov(?:e|ing)\s+(?:away\s+)?off|offboard(?:ing)?|unsubscrib(?:e|ing)"
    r"|not\s+(?:be\s+)?continu(?:e|ing)(?:\s+with)?|leav(?:e|ing)|part(?:ing)?\s+ways\s+with)"
)

FRAMES: tuple[Frame, ...] = (
    # --- cancellation -------------------------------------------------------------------
    # "cancel the subscription", "end our contract", "leave you", "drop the platform".
    _frame(
        "cancellation",
        rf"\b{_CANCEL_VERB}\b(?:\s+(?:the\s+)?(?:rest\s+of|whole|entire|full|remaining|"
        rf"annual|yearly|monthly|current|existing|premium|pro|enterprise|[\w-]+'s|[\w-]+)){{0,3}}"
        rf"\s+{_DET}?(?:\w+\s+){{0,2}}?{_CONTRACT}",
    ),
    # "we'll cancel at renewal", "we've decided to cancel", "thinking of cancelling": the
    # verb itself with what the clause says of when, but no object of another kind.
    _frame(
        "cancellation",
        r"\b(?:cancel(?:l?ing|l?ed)?|terminat(?:e|ing)|churn(?:ing|ed)?|unsubscrib(?:e|ing))\b"
        rf"(?!\s+(?:{_DET}|\w+'s\s+|tomorrow's|today's|next\s+week's)?(?:\w+\s+){{0,2}}?"
        rf"{_NOT_CONTRACT})"
        r"(?=\s*(?:$|[.,;!?)—–-]|\s+(?:at|when|before|after|by|in|on|once|unless|if|and|or"
        r"|altogether|outright|entirely|completely|soon|early|next|this|at\s+the|then|now"
        r"|too|as\s+well|for\s+good|asap|immediately|effective|from|come|so)\b))",
    ),
    _frame("cancellation", r"\bcancell?ation\s+(?:notice|request|letter|form|date|terms)\b"),
    # "won't renew", "not renewing", "decided against renewing", "the renewal is off".
    _frame(
        "cancellation",
        r"\b(?:not|won't|will\s+not|wouldn't|won't\s+be|aren't|are\s+not|am\s+not|isn't"
        r"|no\s+longer|never|unlikely\s+to|doubt\s+(?:we|i)(?:'ll|\s+will)|against"
        r"|don't\s+(?:plan|intend|want|expect|see\s+(?:us|ourselves))\s+to"
        r"|don't\s+think\s+(?:we|i)(?:'ll|\s+will|\s+would|'d|\s+can|\s+should)"
        r"|not\s+(?:going|planning|looking)\s+to|hold\s+off\s+on|pass\s+on)"
        r"(?:\s+(?:be|going\s+to|plan(?:ning)?\s+to|able\s+to|in\s+a\s+position\s+to|likely"
        r"\s+to|really|actually|probably|now|then|even)){0,3}"
        r"\s+(?:renew(?:ing|al)?|re-?sign(?:ing)?|extend(?:ing)?|sign(?:ing)?\s+(?:again|on\s+again"
        r"|another|the\s+renewal|for\s+another))\b",
        negative=True,
    ),
    _frame(
        "cancellation",
        r"\bnon-?renewal\b|\brenewal\s+(?:is|looks)\s+(?:off|unlikely|in\s+doubt|doubtful"
        r"|not\s+happening|off\s+the\s+table|very\s+much\s+in\s+question|at\s+risk)\b"
        r"|\bno\s+(?:renewal|plans?\s+to\s+renew)\b",
        negative=True,
    ),
    # "let the contract lapse", "let it run out".
    _frame(
        "cancellation",
        rf"\blet(?:ting)?\s+(?:{_DET}?(?:\w+\s+){{0,2}}?{_CONTRACT}|it|things)\s+"
        r"(?:lapse|expire|run\s+out|run\s+down|go)\b",
    ),
    # Downgrades: "cut our seats from 40 to 15", "drop down to the basic plan".
    _frame(
        "cancellation",
        r"\b(?:downgrad(?:e|ed|es|ing)|scal(?:e|ed|ing)\s+(?:back|down)|reduc(?:e|ed|ing)"
        r"|cut(?:ting)?|trim(?:ming|med)?|drop(?:ping|ped)?|halv(?:e|ed|ing)|shrink(?:ing)?"
        r"|los(?:e|ing))\b(?:\s+[\w'-]+){0,4}?\s+(?:seats?|licen[cs]es?|users?|logins?"
        r"|the\s+number\s+of\s+(?:seats|licen[cs]es|users)|(?:to\s+)?(?:a\s+|the\s+)?(?:basic"
        r"|lower|smaller|cheaper|starter|lite|free|entry)(?:-level)?\s+(?:plan|tier|package"
        r"|version|edition))\b",
    ),
    _frame(
        "cancellation",
        r"\b(?:go(?:ing)?|mov(?:e|ing)|switch(?:ing)?)\s+(?:down\s+)?to\s+(?:a\s+|the\s+)?"
        r"(?:basic|lower|smaller|cheaper|starter|lite|free|entry)(?:-level)?\s+(?:plan|tier"
        r"|package|version|edition)\b|\bmonth-to-month\b",
    ),
    _frame(
        "cancellation",
        r"\b(?:giv(?:e|ing)|serv(?:e|ing)|hand(?:ing)?\s+in|send(?:ing)?|put\s+in)\s+"
        r"(?:you\s+|our\s+|formal\s+|written\s+)*notice\b"
        r"|\bpull(?:ing)?\s+the\s+plug\b|\bwalk(?:ing)?\s+away\b|\bpart(?:ing)?\s+ways\b"
        r"|\bgo(?:ing)?\s+(?:our|separate)\s+(?:own\s+)?ways?\b"
        r"|\bstop(?:ping|ped)?\s+(?:using|paying(?:\s+for)?)\s+(?:you|it|the|your|this)\b"
        r"|\b(?:this|next)\s+(?:year|term|contract)\s+(?:is|will\s+be)\s+(?:our|the)\s+last\b"
        r"|\blast\s+(?:year|term|renewal)\s+with\s+you\b|\b(?:close|shut)\s+down\s+(?:our|the)"
        r"\s+account\b|\bbring(?:ing)?\s+(?:it|this|that|everything)\s+in-?house\b"
        r"|\bno\s+longer\s+(?:need|use|want|require)\s+(?:you|it|the\s+(?:service|platform|"
        r"tool|product)|your)\b|\bdon't\s+(?:really\s+)?need\s+(?:you|it|the\s+(?:service|"
        r"platform|tool))\s+any\s?more\b|\bmov(?:e|ing)\s+on\s+from\s+you\b"
        r"|\b(?:leav(?:e|ing)|exit(?:ing)?)\s+(?:you|the\s+platform|your\s+platform)\b"
        r"|\bchurn(?:ing|ed)?\b",
    ),
    # Ending it by other words: going back to doing it by hand, doing without it, the
    # seats or the module going, notice being prepared.
    _frame(
        "cancellation",
        r"\bgo(?:ing)?\s+back\s+to\s+(?:manual|paper|spreadsheets?|excel|pen\s+and\s+paper|doing\s+it"
        r"\s+by\s+hand|the\s+old\s+way)\b|\bdo\s+without\s+(?:it|you|the|your)\b"
        r"|\b(?:won't|will\s+not|wouldn't)\s+be\s+(?:needed|required|renewed|continuing|coming\s+with"
        r"\s+us|carried\s+(?:over|forward))\b|\bprepar(?:e|ing)\s+(?:our\s+|the\s+|formal\s+)*notice\b"
        r"|\b(?:come|coming|go|going|drop|dropping)\s+down\s+to\s+(?:about\s+|around\s+|something\s+like"
        r"\s+)?(?:\d+|[a-z]+(?:-[a-z]+)?)\s+(?:seats|licen[cs]es|users)\b|\b(?:seats?|licen[cs]es?"
        r"|logins?|users?)\s+(?:will\s+|would\s+)?(?:go|goes|come\s+off|drop|lapse)\b"
        r"|\bseat\s+count\s+(?:goes|drops|falls|comes)\s+(?:down|from)\b"
        r"|\b(?:take|taking|pull|pulling)\s+(?:the\s+|our\s+|all\s+)?(?:[\w-]+\s+){0,3}(?:out\s+of\s+"
        r"(?:the\s+)?(?:rollout|contract|plan)|off\s+(?:the\s+)?contract)\b"
        r"|\blet(?:ting)?\s+(?:the\s+|our\s+)?(?:[\w-]+\s+){0,3}(?:lapse|expire)\b"
        r"|\b(?:keep|keeping|retain|carry\s+on\s+with|continue\s+with)\s+(?:it|the\s+[\w-]+(?:\s+[\w-]+)?"
        r"|your\s+[\w-]+)\s+(?:past|beyond|after)\s+(?:the\s+)?(?:renewal|\w+)\b",
    ),
    # --- competitor ---------------------------------------------------------------------
    # Another vendor, unnamed: "evaluating other vendors", "getting quotes from others".
    _frame(
        "competitor",
        r"\b(?:other|another|alternative|alternate|different|competing|cheaper|rival"
        r"|several|multiple|a\s+few|a\s+couple\s+of|other\s+possible)\s+(?:[\w-]+\s+)?"
        r"(?:vendors?|providers?|suppliers?|options|solutions?|tools?|platforms?"
        r"|companies|partners?|systems|players|offerings|agencies|firms|carriers)\b"
        r"|\balternatives\b|\bthe\s+competition\b|\b(?:a|your|one\s+of\s+your)\s+competitors?\b"
        r"|\bcompetitors?\s+(?:of\s+yours|offered|quoted|reached|approached|pitched|came)\b"
        r"|\bcompetitive\s+(?:quotes?|bids?|offers?|proposals?|tender)\b"
        r"|\b(?:bake-?off|rfp|request\s+for\s+proposals?|tender(?:ing)?\s+process|shop(?:ping)?"
        r"\s+around|market\s+(?:test|scan)|go(?:ing)?\s+(?:out\s+)?to\s+(?:market|tender))\b"
        r"|\bsomeone\s+(?:else|cheaper)\b|\belsewhere\b"
        r"|\b(?:review(?:ing)?|re-?tender(?:ing)?|benchmark(?:ing)?)\s+(?:all|every|each|our)\s+"
        r"(?:\w+\s+)?(?:vendors?|providers?|suppliers?)\b",
    ),
    # Moving to someone: "switching to Clarion", "going with a cheaper provider".
    _frame(
        "competitor",
        r"\b(?:switch(?:ing|ed)?|mov(?:e|ing|ed)|migrat(?:e|ing|ed)|transition(?:ing)?|chang(?:e|ing)"
        r"|port(?:ing)?|consolidat(?:e|ing)|standardi[sz](?:e|ing))(?:\s+(?:everything|it|us"
        r"|over|all|across|our\s+\w+)){0,2}\s+(?:to|onto|on\s+to|over\s+to)\s+(?P<name1>(?-i:[A-Z]"
        r"[\w&.-]*(?:\s+[A-Z][\w&.-]*)?))"
        r"|\b(?:go(?:ing)?|went|sign(?:ing|ed)?|partner(?:ing)?)\s+with\s+(?P<name2>(?-i:[A-Z][\w&.-]*"
        r"(?:\s+[A-Z][\w&.-]*)?))"
        r"|\breplac(?:e|ing)\s+(?:you|your\s+\w+|the\s+platform|it)\s+with\b",
    ),
    # Named, in an evaluation: "a trial with Clarion", "demo from Brightwave", "Northpeak
    # offered us", "comparing you with Arclight".
    _frame(
        "competitor",
        r"\b(?:trial(?:l?ing)?|pilot(?:ing)?|demo(?:s|ed|ing)?|proposals?|quotes?|pricing|offers?"
        r"|pitch|presentation|poc|proof\s+of\s+concept)\s+(?:with|from|of|by)\s+"
        r"(?P<name3>(?-i:[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)?))"
        r"|\b(?:evaluat(?:e|ing|ed)|look(?:ing|ed)?\s+(?:at|into)|consider(?:ing|ed)?|explor(?:e|ing)"
        r"|assess(?:ing)?|compar(?:e|ing|ed)\s+(?:you\s+)?(?:with|to|against)|benchmark(?:ing)?"
        r"\s+(?:you\s+)?against|talk(?:ing|ed)?\s+to|speak(?:ing)?\s+(?:to|with)|meet(?:ing)?\s+with"
        r"|trial(?:l?ing)?|test(?:ing)?|pilot(?:ing)?|in\s+talks\s+with|negotiat(?:e|ing)\s+with"
        r"|shortlist(?:ed|ing)?|demo(?:ed|ing)?)\s+(?P<name4>(?-i:[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)?))"
        r"|(?P<name5>\b(?-i:[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)?))(?:'s)?\s+(?:(?:has|have|just|already"
        r"|also|even|recently)\s+)*(?:offered|quoted|pitched|approached|undercut|undercuts|came\s+in"
        r"|reached\s+out|sent\s+(?:us\s+)?(?:a|an|their)\s+(?:offer|quote|proposal)"
        r"|is\s+(?:offering|cheaper|\d+\s?%\s+cheaper)|are\s+(?:offering|cheaper))\b",
    ),
    # Another vendor by the deal made with them: signed, quoted, demoed, trialled, used.
    _frame(
        "competitor",
        r"\bsign(?:ed|ing)?\s+(?:up\s+)?with\s+(?P<name6>(?-i:[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)?))"
        r"|\b(?:quote|quotation|proposal|offer|bid)\s+(?:from|by)\s+(?P<name7>(?-i:[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)?))"
        r"|\bquoted\s+(?:\w+\s+){0,3}?by\s+(?P<name8>(?-i:[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)?))"
        r"|\bdemo\s+(?:of|from)\s+(?P<name9>(?-i:[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)?))"
        r"|\btrial\s+account\s+with\s+(?P<name10>(?-i:[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)?))"
        r"|\bstarted\s+(?:using|trialling|testing|piloting)\s+(?P<name11>(?-i:[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)?))"
        r"|\b(?:better|nicer|cheaper|faster|easier|simpler)\s+than\s+(?:yours|you|your\s+\w+)\b"
        r"|\bwould\s+do\s+(?:the\s+lot|it|the\s+same|all\s+of\s+it)\s+for\b"
        r"|\bfor\s+(?:about\s+|around\s+|roughly\s+)?(?:\d+\s?%|half)\s+(?:of\s+)?(?:the\s+price|the\s+cost"
        r"|what\s+we\s+pay|your\s+\w+|that)\b"
        r"|\b(?:re-?tender(?:ed|ing)?|out\s+to\s+tender|put\s+(?:it\s+)?out\s+to\s+tender)\b"
        r"|\b(?:a|another|second|alternative|backup|new)\s+(?:\w+\s+)?(?:supplier|vendor|provider)\b"
        r"|\bwhoever\s+wins\b|\bside\s+by\s+side\b|\b(?:running|run|use|using)\s+\w+(?:\s+\w+)?"
        r"\s+alongside\s+(?:you|yours)\b|\bbuilt\s+into\s+(?:our|the)\b",
    ),
    # Moving the work over, an offer made to them, a quote asked for, buying elsewhere.
    _frame(
        "competitor",
        r"\\b(?:consolidat(?:e|ed|ing)|mov(?:e|ed|ing)|migrat(?:e|ed|ing)|roll(?:ed|ing)?|switch(?:ed"
        r"|ing)?|transfer(?:red|ring)?|shift(?:ed|ing)?|port(?:ed|ing)?)\\b(?:\\s+[\\w'-]+){0,5}?\\s+"
        r"(?:to|onto|into|over\\s+to|across\\s+to)\\s+(?:(?P<name12>(?-i:[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)?))|them\\b|their\\s+(?:own\\s+)?\\w+"
        r"|(?:a|an|another)\\s+(?:new\\s+|different\\s+|cheaper\\s+|other\\s+)?(?:\\w+\\s+)?(?:provider"
        r"|supplier|vendor|system|platform|tool|app|company|firm|service))"
        r"|\\b(?P<name13>(?-i:[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)?))\\s+(?:has\\s+|have\\s+|just\\s+|already\\s+|also\\s+)*(?:sent|put|made"
        r"|submitted|gave|emailed|tabled|dropped\\s+off)\\s+(?:us\\s+|me\\s+|over\\s+)?(?:an?|their|a\\s+new)"
        r"\\s+(?:\\w+\\s+)?(?:offer|proposal|quote|bid|pitch|price\\s+list)"
        r"|\\b(?:asked|asking|ask|get|got|getting)\\s+(?P<name14>(?-i:[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)?))\\s+(?:to\\s+(?:quote|bid|pitch)|for"
        r"\\s+(?:a\\s+)?(?:quote|prices|pricing|a\\s+proposal))"
        r"|\\b(?:undercut(?:s|ting)?|under-?cutting)\\b|\\b(?:group|national|framework)(?:-wide)?\\s+deal\\b"
        r"|\\b(?:took|take|taking|had|sat\\s+through)\\s+their\\s+(?:demo|pitch|presentation|trial)\\b"
        r"|\\b(?:run|running|ran)\\s+a\\s+(?:trial|pilot|test)\\b|\\btrial\\s+(?:a|another)\\s+(?:second|new"
        r"|different|cheaper)\\b|\\b(?:talking|speaking|been\\s+talking)\\s+to\\s+(?:a|another)\\s+\\w+"
        r"\\s+(?:in|from|who|that|at)\\b|\\bout\\s+to\\s+(?:rfp|tender|bid)\\b"
        r"|\\b(?:buying|ordering|getting|sourcing)\\s+(?:\\w+\\s+){0,3}?from\\s+(?P<name15>(?-i:[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)?))",
    ),
    # --- budget cut ---------------------------------------------------------------------
    _frame(
        "budget_cut",
        r"\b(?:budgets?|spend(?:ing)?|funding|funds|money|cash|headcount|costs|expenses"
        r"|purse\s+strings|grants?|programmes?|programs?|projects?|initiatives?)\b(?:\s+[\w'-]+){0,4}?\s+(?:(?:was|were|is|are|has\s+been"
        r"|have\s+been|got|being|been|getting|will\s+be|just|now|already|all|completely)\s+)*"
        r"(?:cut|cuts|slashed|reduced|frozen|froze|trimmed|squeezed|tight|tighter|tightened"
        r"|capped|halved|pulled|withdrawn|shrunk|shrinking|shrank|scrutini[sz]ed|scaled\s+back"
        r"|under\s+(?:review|pressure|scrutiny)|on\s+hold|paused|gone|dried\s+up|evaporated"
        r"|(?:way\s+)?down|lower|locked\s+down|being\s+reviewed|axed|exhausted|spent|blown)\b",
    ),
    _frame(
        "budget_cut",
        r"\b(?:cut(?:ting)?|slash(?:ed|ing)?|reduc(?:e|ed|ing)|trim(?:med|ming)?|freez(?:e|ing)"
        r"|froze|frozen|tighten(?:ed|ing)?|rein(?:ing)?\s+in|scal(?:e|ing)\s+back|curb(?:ed|ing)?"
        r"|squeez(?:e|ed|ing)|lower(?:ed|ing)?|review(?:ed|ing)?|scrutini[sz](?:e|ed|ing)"
        r"|audit(?:ed|ing)?|paus(?:e|ed|ing)|halt(?:ed|ing)?|stop(?:ped|ping)?|claw(?:ing)?\s+back)"
        r"(?:\s+(?:our|the|all|every|each|any|its|their|back\s+on|down\s+on|on))*"
        r"(?:\s+[\w-]+){0,2}?\s+(?:budgets?|spend(?:ing)?|costs|expenses|expenditure|outgoings"
        r"|overheads?|line\s+items?|discretionary|purchasing|procurement|software\s+spend)\b",
    ),
    _frame(
        "budget_cut",
        r"\bbudget(?:ary)?\s+(?:cuts?|freeze|reductions?|constraints?|pressures?|squeeze"
        r"|crunch|review|restrictions?|is\s+(?:tight|frozen|gone))\b"
        r"|\b(?:spending|hiring|headcount|budget|procurement)\s+freeze\b"
        r"|\bcost[-\s](?:cutting|saving|reduction)s?\b|\bbelt[-\s]tightening\b"
        r"|\btighten(?:ing)?\s+(?:our|the)\s+belts?\b|\baustert?ity\b"
        r"|\btight\s+on\s+(?:budget|money|cash|funds)\b|\b(?:money|cash|funding|budget)\s+is"
        r"\s+(?:really\s+|very\s+|pretty\s+|a\s+bit\s+)?tight\b|\bcash\s*flow\s+(?:problems?"
        r"|issues?|crunch|is\s+tight)\b|\blost\s+(?:our|the|a)\s+(?:funding|grant|investor)\b"
        r"|\bfunding\s+(?:fell\s+through|was\s+pulled|ran\s+out|has\s+dried)\b"
        r"|\b(?:lay-?offs?|redundanc(?:y|ies)|downsiz(?:e|ing)|restructur(?:e|ing))\b"
        r"|\b(?:every|each|any|all)\s+(?:new\s+)?(?:purchase|spend|expense|renewal|contract"
        r"|invoice|line\s+item|subscription|tool|vendor|supplier)s?\s+(?:now\s+)?(?:needs?|requires?"
        r"|has\s+to\s+(?:get|be)|must|goes|is\s+going|are\s+going|is\s+being|are\s+being)"
        r"(?:\s+[\w-]+){0,3}?\s+(?:sign-?off|approv(?:al|ed)|re-?approv(?:al|ed)|justif(?:y|ied"
        r"|ication)|reviewed|scrutini[sz]ed|to\s+(?:the\s+)?(?:cfo|board|finance))\b"
        r"|\basked\s+(?:us\s+)?to\s+(?:cut|reduce|save|trim|find\s+savings)\b"
        r"|\bfind\s+(?:\w+\s+)?savings\b|\bsavings\s+target\b",
    ),
    _frame(
        "budget_cut",
        r"\b(?:no|zero)\s+(?:more\s+)?budget\b|\bout\s+of\s+budget\b"
        r"|\b(?:don't|do\s+not|doesn't|won't|didn't)\s+have\s+(?:the|a|any|enough)\s+(?:budget"
        r"|money|funds|funding)\b|\bcan(?:'t|not|\s+not|no\s+longer)\s+afford\b"
        r"|\bnot\s+in\s+(?:the|our|this\s+year's|next\s+year's)\s+budget\b"
        r"|\bbudget\s+(?:isn't|is\s+not|wasn't|won't\s+be)\s+(?:there|approved|available)\b",
        negative=True,
    ),
    # The money gone or held back by other words: a grant ending, approvals, a cap, a list
    # of things to trim, every contract going back for sign-off.
    _frame(
        "budget_cut",
        r"\b(?:grant|funding|funds?|allocation|subsidy|donation)\b[^.?!]{0,60}?\b(?:ends?|ending|finish"
        r"(?:es)?|wasn't\s+renewed|was\s+not\s+renewed|won't\s+be\s+renewed|runs?\s+out|ran\s+out"
        r"|expires?|dried\s+up|shrinking|shrunk|cut|reduced|withdrawn|pulled)\b"
        r"|\b(?:hasn't|haven't|didn't|couldn't)\s+(?:found|find|got|get)\s+the\s+money\b"
        r"|\b(?:smaller|tighter|reduced|shrinking)\s+(?:pot|budget|allocation|envelope)\b"
        r"|\bon\s+this\s+budget\b|\bthings\s+to\s+(?:trim|cut)\b"
        r"|\b(?:looking\s+hard\s+at|going\s+through|scrutini[sz]ing|questioning|challenging)\s+"
        r"(?:every|each|all\s+(?:our|the))\s+(?:\w+\s+)?(?:overhead|cost|line|expense|subscription"
        r"|contract|tool|invoice|spend)s?\b"
        r"|\b(?:has|have)\s+to\s+(?:make|justify)\s+(?:its|their)\s+case\b|\bcarried\s+over"
        r"\s+automatically\b|\bnothing\s+is\s+automatic\b"
        r"|\b(?:needs?|requires?|has\s+to\s+(?:go|get)|goes|going|go)\s+(?:back\s+)?(?:to\s+)?"
        r"(?:(?:a|the|our)\s+)?(?:panel|owners?|board|group|finance|procurement|cfo|directors?"
        r"|cabinet|committee|head\s+office)?\s*(?:for\s+)?(?:\w+\s+)?(?:sign-?off|signatures?"
        r"|approval|re-?approv(?:al|ed))\b"
        r"|\bapprove\s+every\s+(?:line|contract|renewal|spend|purchase|invoice)\b"
        r"|\bput\s+a\s+stop\s+on\b|\bwon't\s+sign\s+anything\b|\bcome\s+in\s+under\b"
        r"|\bthe\s+cap\s+on\s+our\s+side\b|\bsaving\s+across\b|\b\d+\s?%\s+saving\b",
    ),
    # --- price complaint ----------------------------------------------------------------
    _frame(
        "price_complaint",
        r"\btoo\s+(?:expensive|pricey|pricy|costly|steep|high|much)\b|\bover-?priced\b"
        r"|\brip-?off\b|\bextortionate\b|\bexorbitant\b|\bdaylight\s+robbery\b"
        r"|\bsticker\s+shock\b|\bhard\s+to\s+swallow\b|\bcosts?\s+(?:us\s+)?(?:a\s+fortune"
        r"|an\s+arm\s+and\s+a\s+leg)\b|\b(?:way|far|very|really|quite|so|getting|pretty"
        r"|rather|increasingly|bit)\s+(?:too\s+)?(?:expensive|pricey|costly)\b"
        r"|\bexpensive\s+(?:for|compared)\b",
    ),
    _frame(
        "price_complaint",
        r"\b(?:price|prices|pricing|cost|costs|fee|fees|rate|rates|quote|bill|invoices?"
        r"|renewal|subscription|licen[cs]e\s+fees?|charges?|premium)\b(?:\s+[\w'%-]+){0,4}?\s+"
        r"(?:(?:has|have|had|just|again|already|keeps?|kept|is|are|was|were|seems?|feels?"
        r"|looks?)\s+)*(?:increase[ds]?|hiked?|ris(?:e|en|ing)|rose|went\s+up|gone\s+up"
        r"|going\s+up|goes\s+up|jump(?:ed|s)?|doubled|tripled|spiked|climb(?:ed|ing)"
        r"|crept\s+up|creeping\s+up|skyrocketed|ballooned|shot\s+up)\b",
    ),
    _frame(
        "price_complaint",
        r"\b(?:price|prices|pricing|cost|costs|fee|fees|rate|rates|quote|bill|renewal\s+quote"
        r"|increase|uplift|hike)\b(?:\s+[\w'%-]+){0,3}?\s+(?:is|are|was|were|seems?|feels?"
        r"|looks?)\s+(?:\w+\s+)?(?:high|steep|excessive|ridiculous|outrageous|insane|crazy"
        r"|unreasonable|unjustified|punishing|painful|a\s+lot|a\s+stretch|hard\s+to\s+justify"
        r"|out\s+of\s+(?:line|hand|reach)|eye-?watering)\b"
        r"|\b(?:price|cost|fee|rate)\s+(?:increase|hike|rise|jump|uplift)s?\b"
        r"|\b\d+(?:\.\d+)?\s?%\s+(?:increase|hike|rise|jump|uplift|more)\b",
    ),
    _frame(
        "price_complaint",
        r"\bnot\s+worth\s+(?:it|the\s+(?:money|price|cost|spend|fee))\b"
        r"|\bcan(?:'t|not|\s+not)\s+(?:really\s+)?justify\s+(?:the\s+|this\s+|that\s+|our\s+)?"
        r"(?:cost|price|spend|expense|fee|renewal|increase|it|paying)\b"
        r"|\b(?:hard|difficult|tough|harder|struggling)\s+to\s+justify\b"
        r"|\bpay(?:ing)?\s+(?:way\s+|far\s+|a\s+lot\s+)?(?:more|too\s+much)\s+(?:than|for)\b"
        r"|\b(?:cheaper|better\s+value|lower\s+prices?|better\s+(?:deal|price))\s+elsewhere\b"
        r"|\b(?:poor|bad|terrible|not\s+(?:great|good))\s+value\b|\bvalue\s+for\s+money\s+"
        r"(?:isn't|is\s+not|just\s+isn't)\b|\bfor\s+what\s+we(?:'re|\s+are)?\s+pay(?:ing)?\b",
        negative=True,
    ),
    # The price said against something: others, the market, last year, what it is worth.
    _frame(
        "price_complaint",
        r"\b(?:above|higher\s+than|more\s+than|dearer\s+than|pricier\s+than|steeper\s+than)\s+"
        r"(?:the\s+)?(?:other|market|average|bids|them|everyone|anyone|rest|competition|two|three)\b"
        r"|\b(?:highest|dearest|most\s+expensive)\s+(?:of|among|in)\b|\bdearer\b"
        r"|\b(?:lower|cheaper|less)\s+than\s+(?:yours|you|your)\b|\b(?:half|a\s+third\s+of|a\s+fraction"
        r"\s+of)\s+(?:your|the)\s+(?:price|cost|licen[cs]e|fee|rate)s?\b"
        r"|\b(?:\d+|[a-z]+(?:-[a-z]+)?)\s?(?:%|percent|per\s+cent)\s+(?:up|increase|uplift|rise"
        r"|hike|more|dearer)\b|\bgone\s+(?:up\s+)?from\s+[\d,.£$€k]+\s+to\s+[\d,.£$€k]+"
        r"|\b[\d,.£$€k]+\s+a\s+(?:year|month|quarter|seat|head|user)\s+more\b|\bfeels?\s+like\s+a\s+lot"
        r"\b|\bmoney's\s+worth\b|\beating\s+(?:\w+\s+)?(?:the|our|into)\s+(?:\w+\s+)?margins?\b"
        r"|\bat\s+that\s+(?:money|price|rate|number)\b|\bmore\s+than\s+we(?:'re|\s+are)\s+"
        r"(?:prepared|willing|able)\s+to\s+(?:accept|pay|swallow)\b|\bnot\s+going\s+to\s+fly\b"
        r"|\btop\s+of\s+the\s+range\b|\b(?:fees?|commission|charges?|surcharges?)\b[^.?!]{0,50}"
        r"\b(?:complain\w*|moan\w*|annoying|grumbl\w*|push\s?back|eating|hurting|kill\w*)\b",
    ),
    # --- champion leaving ---------------------------------------------------------------
    _frame(
        "champion_leaving",
        r"\bi(?:'m|\s+am|'ll\s+be|\s+will\s+be)\s+(?:actually\s+|also\s+|sadly\s+|officially\s+)?"
        r"(?:leaving|moving\s+on|stepping\s+(?:down|away|back)|retiring|resigning|off\s+to\s+"
        r"(?:a|an|another|join)|joining\s+(?:a|an|another)|handing\s+over|transitioning\s+out"
        r"|out\s+of\s+here|finishing\s+up\s+here|moving\s+(?:on\s+)?to\s+(?:a|an|another)\s+"
        r"(?:new\s+|different\s+)?(?:role|position|job|company|team|firm|organi[sz]ation))\b(?!\s+(?:for|on)\s+(?:the\s+|a\s+|my\s+)?"
        r"(?:airport|holiday|vacation|lunch|the\s+day|the\s+weekend|leave|trip|break|home"
        r"|office|station|meeting|a\s+bit)\b)(?!\s+(?:early|now|soon|at\s+\d))"
        r"|\bmy\s+(?:last|final)\s+(?:day|week|month|call|meeting)\b"
        r"|\bi(?:'ve|\s+have)\s+(?:resigned|handed\s+in\s+my\s+notice|accepted\s+(?:a|an)\s+"
        r"(?:offer|role|position|job)|taken\s+(?:a|another)\s+(?:role|job|position))\b"
        r"|\bi(?:'m|\s+am)\s+being\s+(?:replaced|made\s+redundant|laid\s+off|let\s+go)\b"
        r"|\bi\s+won't\s+be\s+(?:your|the)\s+(?:main\s+)?(?:contact|point\s+of\s+contact)\b"
        r"|\b(?:my|a)\s+(?:replacement|successor)\b|\btak(?:e|ing)\s+over\s+(?:from\s+me|my"
        r"\s+(?:role|accounts?|job|responsibilities|portfolio))\b"
        r"|\b(?:my|our)\s+notice\s+period\b",
    ),
    _frame(
        "champion_leaving",
        r"\b(?P<who>[a-z][\w'-]*(?:\s+[a-z][\w'-]*)?)\s+(?:has|have|had|just|recently|actually"
        r"|officially|already|sadly)?\s*(?:has\s+|had\s+|just\s+)*"
        r"(?:left(?:\s+(?:the\s+company|the\s+business|the\s+firm|the\s+team|the\s+organi[sz]ation"
        r"|us|our\s+company))?(?=\s*(?:$|[.,;!—–-]|\s+(?:in|on|at|last|two|three|a\s+(?:few|couple)"
        r"|recently|already|this|yesterday|earlier|so|and|without|suddenly|for\s+(?:a|another"
        r"|good))\b|\s+\w+\s+(?:ago|back)\b))|resigned|retired|quit|moved\s+on|departed"
        r"|handed\s+in\s+(?:his|her|their)\s+notice|was\s+(?:let\s+go|laid\s+off|made\s+redundant"
        r"|fired|replaced)|got\s+(?:let\s+go|laid\s+off|fired)|is\s+(?:leaving|retiring"
        r"|resigning|moving\s+on|stepping\s+down|on\s+(?:his|her|their)\s+way\s+out)"
        r"|will\s+be\s+(?:leaving|retiring|moving\s+on|stepping\s+down)|'s\s+(?:leaving|retiring"
        r"|moving\s+on|gone)|is\s+no\s+longer\s+(?:with|at|here|on|part)|(?:doesn't|does\s+not)"
        r"\s+work\s+(?:here|there|with\s+us)\s+any\s?more|no\s+longer\s+works?\s+(?:here|with"
        r"|for|at)|took\s+(?:a|another)\s+(?:job|role|position)|(?:has\s+)?gone\s+to\s+"
        r"(?:a|another|work\s+for)|moved\s+to\s+(?:a|another)\s+(?:company|firm|role|job|team"
        r"|organi[sz]ation))\b",
    ),
    _frame(
        "champion_leaving",
        r"\b(?:(?:his|her|their|[a-z]+'s)\s+(?:last|final)\s+day)\b"
        r"|\b(?:replacement|successor|cover)\s+for\s+(?:him|her|them|[a-z]+)\b"
        r"|\b(?:hiring|recruiting|looking\s+for)\s+(?:a\s+)?(?:replacement|successor)\b"
        r"|\b(?:his|her|their)\s+(?:replacement|successor|notice)\b"
        r"|\bwho(?:'s|\s+is|\s+will\s+be)\s+(?:taking\s+over|replacing)\b"
        r"|\bno\s+(?:one|longer\s+anyone)\s+(?:here\s+)?(?:who\s+)?(?:owns|champions|knows)\b",
    ),
    # Handing over: someone else will own what our contact owned.
    _frame(
        "champion_leaving",
        r"\b(?:will|'ll|is\s+going\s+to|is\s+to)\s+(?:take\s+over|pick\s+up|inherit|own|look\s+after"
        r"|be\s+responsible\s+for|take\s+on)\b[^.?!]{0,60}\b(?:after\s+(?:me|i\s+(?:go|leave))|once"
        r"\s+i(?:'ve|\s+have)?\s+(?:gone|left)|when\s+i\s+(?:go|leave)|from\s+next\s+\w+|going"
        r"\s+forward|from\s+now\s+on|relationship|account|admin)\b"
        r"|\binherit(?:s|ing)?\s+(?:you|this|the\s+\w+|it)\b|\bwhoever\s+(?:inherits|replaces|takes"
        r"\s+over)\b|\breplaces?\s+me\b|\bnamed\s+to\s+replace\b"
        r"|\bhand(?:ing)?\s+(?:it|this|the\s+[\w-]+(?:\s+[\w-]+)?|my\s+[\w-]+|everything)\s+(?:over\s+)?to"
        r"\s+(?-i:[A-Z])\w+|\bhand(?:ing)?\s+over\s+to\s+(?-i:[A-Z])\w+"
        r"|\bi(?:'ll|\s+will|'m\s+going\s+to)\s+(?:retire|resign|leave)\b|\b(?:early\s+)?retirement\b"
        r"|\b(?:been|being|was|were)\s+made\s+redundant\b|\baccepted\s+(?:an?\s+)?(?:offer|role|job"
        r"|position)\s+(?:at|with|from|in)\b|\bi(?:'m|\s+am)\s+joining\s+(?:an?|another|the)\s+\w+"
        r"|\bgot\s+offered\s+(?:a|another)\s+(?:job|role|position)\b|\bsecondment\b"
        r"|\bi\s+finish\s+(?:here\s+)?(?:on|at|this|next)\b|\bmy\s+contract\s+(?:with\s+[\w\s]+)?ends\b"
        r"|\bstepping\s+back\b|\b(?:has|have|'s|she's|he's)\s+gone\s+to\s+(?:an?|another|work)\b"
        r"|\bleft\s+(?:us\s+)?(?:about|around|nearly|almost|over|just\s+over)\s+\w+\s+(?:weeks?|months?"
        r"|days?)\s+ago\b|\bonce\s+i(?:'ve|\s+have)\s+gone\b|\bafter\s+i\s+(?:go|leave)\b",
    ),
)
