"""Money: currencies, the one formatter, the home currency and the user's exchange rates.

Amounts are stored as integer hundredths of the currency unit for every currency (JPY
and KRW too: ¥1,000 is stored as 100000), with the ISO 4217 code beside them. Figures
that add amounts up (rollups, scores, alert priorities) work in the workspace's home
currency (setting ``workspace.home_currency``): an amount in another currency is
converted with the rate the user gave (``workspace.exchange_rates``: code -> home units
per unit) and left out of money figures when there is none. Amounts of different
currencies are never added at face value.

Every figure shown anywhere is formatted here (``format_money``), so that it says which
currency it is in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DEFAULT_CURRENCY",
    "DOLLAR_CODES",
    "ISO_CODES",
    "MoneyContext",
    "currency_of_mark",
    "currency_symbol",
    "format_money",
    "format_rates",
    "format_totals",
    "load_money_context",
    "no_rate_note",
    "parse_rates",
]

DEFAULT_CURRENCY = "USD"


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Active ISO 4217 codes (a code outside this list in an amount cell is not a currency).
ISO_CODES = _codes(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD
    BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR
    FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
    JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT
    MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG
    QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SYP SZL THB TJS TMT
    TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW
    ZWL"""
)
# Currencies whose everyday sign is "$": a bare "$" means the home currency when it is one.
DOLLAR_CODES = _codes(
    "USD CAD AUD NZD SGD HKD MXN TWD ARS CLP COP BSD BBD BMD BZD FJD JMD KYD LRD NAD SBD "
    "SRD TTD XCD GYD"
)
# Currencies whose amounts are shown without decimals (still stored in hundredths).
ZERO_DECIMAL = _codes("JPY KRW VND CLP ISK PYG UGX XAF XOF KMF GNF RWF VUV")

# How a figure is written: the prefix before the number; others are "CODE 1,234.50".
SYMBOLS: dict[str, str] = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CNY": "CN¥",
    "INR": "₹",
    "KRW": "₩",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "SGD": "S$",
    "HKD": "HK$",
    "MXN": "MX$",
    "BRL": "R$",
    "TWD": "NT$",
    "ILS": "₪",
    "TRY": "₺",
    "VND": "₫",
    "PHP": "₱",
    "THB": "฿",
    "UAH": "₴",
    "RUB": "₽",
}

# Signs read in an amount cell -> the currency (upper-cased; "$" alone is resolved later).
_READ_SIGNS: dict[str, str] = {
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "￥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₪": "ILS",
    "₫": "VND",
    "₱": "PHP",
    "฿": "THB",
    "₴": "UAH",
    "US$": "USD",
    "C$": "CAD",
    "CA$": "CAD",
    "CAN$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "NZ$": "NZD",
    "S$": "SGD",
    "SG$": "SGD",
    "HK$": "HKD",
    "R$": "BRL",
    "MX$": "MXN",
    "NT$": "TWD",
    "CN¥": "CNY",
    "RMB": "CNY",
    "ZŁ": "PLN",
    "KČ": "CZK",
    "FR.": "CHF",
    "SFR.": "CHF",
}
_MARK_TOKENS = re.compile(r"[A-Za-zČŁčł]+\$|[A-Za-zČŁčł]+\.?|[^A-Za-zČŁčł\s]")
DOLLAR_MARK = "$"
"""What ``currency_of_mark`` returns for a bare dollar sign (which dollar is for later)."""


def currency_of_mark(mark: str) -> str | None:
    """The currency named by the non-numeric part of an amount cell ("€", "EUR", "US$").

    "" -> "" (the cell names no currency); a bare "$" -> "$"; None when the text is not
    a currency, or names two different ones ("€12 USD").
    """
    mark = mark.strip()
    if not mark:
        return ""
    found: set[str] = set()
    dollar = False
    for token in _MARK_TOKENS.findall(mark):
        upper = token.upper()
        if upper == "$":
            dollar = True
        elif upper in _READ_SIGNS:
            found.add(_READ_SIGNS[upper])
        elif upper in ISO_CODES:
            found.add(upper)
        else:
            return None
    if len(found) > 1:
        return None
    if found:
        code = next(iter(found))
        if dollar and code not in DOLLAR_CODES:
            return None
        return code
    return DOLLAR_MARK if dollar else ""


def normalize_code(text: Any) -> str | None:
    """A currency column's cell as an ISO code: "eur", " EUR ", "€", "US$" -> code.

    "" -> "" (no currency given); None when the text names no known currency.
    """
    if text is None:
        return ""
    value = str(text).strip()
    if not value:
        return ""
    code = currency_of_mark(value)
    if code == DOLLAR_MARK:
        return "USD"
    return code


def currency_symbol(currency: str | None) -> str:
    """The prefix a figure in ``currency`` carries: "$", "€", "CHF " (code and a space)."""
    code = (currency or DEFAULT_CURRENCY).upper()
    return SYMBOLS.get(code, f"{code} ")


def format_money(
    cents: float | None,
    currency: str | None,
    *,
    compact: bool = False,
    decimals: int | None = None,
) -> str:
    """Hundredths of ``currency`` as read by a person.

    "$1,234", "€12.50", "CHF 1,234.50", "¥1,000" (JPY/KRW without decimals); ``compact``:
    "$850", "$1.2k", "$12k", "€1.3M". ``decimals=None`` shows cents only when the amount
    has some. None -> "" (no figure).
    """
    if cents is None or cents != cents:
        return ""
    code = (currency or DEFAULT_CURRENCY).upper()
    prefix = currency_symbol(code)
    units = float(cents) / 100.0
    sign = "-" if units < 0 else ""
    v = abs(units)
    if compact:
        if v >= 1_000_000:
            text = f"{v / 1_000_000:.1f}M"
        elif v >= 10_000:
            text = f"{v / 1000:.0f}k"
        elif v >= 1000:
            text = f"{v / 1000:.1f}k"
        else:
            text = f"{v:.0f}"
        return f"{sign}{prefix}{text.replace('.0k', 'k').replace('.0M', 'M')}"
    if decimals is None:
        whole = round(v * 100) % 100 == 0
        decimals = 0 if code in ZERO_DECIMAL or whole else 2
    elif code in ZERO_DECIMAL:
        decimals = 0
    return f"{sign}{prefix}{v:,.{decimals}f}"


def format_totals(
    totals: Mapping[str, float], *, compact: bool = False, decimals: int | None = 0
) -> str:
    """Sums per currency side by side, largest first: "$12,400 + €3,100"; "" when none."""
    items = sorted(((c, v) for c, v in totals.items() if v), key=lambda kv: -abs(kv[1]))
    if not items:
        return format_money(0, next(iter(totals), DEFAULT_CURRENCY), decimals=decimals)
    return " + ".join(format_money(v, c, compact=compact, decimals=decimals) for c, v in items)


def parse_rates(text: str) -> dict[str, float]:
    """Rates from text: "EUR=1.08, GBP=1.27" -> {"EUR": 1.08, "GBP": 1.27}.

    Raises ValueError saying in plain words what is wrong.
    """
    rates: dict[str, float] = {}
    # A comma before a code separates pairs; one inside a number is a decimal comma.
    for part in re.split(r"[;\n]+|,(?=\s*[A-Za-z])", text):
        part = part.strip()
        if not part:
            continue
        code, sep, number = part.partition("=")
        if not sep:
            code, sep, number = part.partition(":")
        code = code.strip().upper()
        if not sep or not code:
            raise ValueError(f"'{part}' is not CODE=RATE (e.g. EUR=1.08)")
        if code not in ISO_CODES:
            raise ValueError(f"'{code}' is not a currency code (three letters, e.g. EUR)")
        try:
            rate = float(number.strip().replace(",", "."))
        except ValueError:
            raise ValueError(f"the rate of {code} must be a number, e.g. {code}=1.08") from None
        if not rate > 0 or rate == float("inf"):
            raise ValueError(f"the rate of {code} must be above 0")
        rates[code] = rate
    return rates


def format_rates(rates: Mapping[str, float]) -> str:
    """{"EUR": 1.08} -> "EUR=1.08" (the text the Settings field shows)."""
    return ", ".join(f"{code}={rate:g}" for code, rate in sorted(rates.items()))


def rates_problem(value: Any) -> str | None:
    """What is wrong with a stored rate table, in plain words (the setting's check)."""
    for code, rate in dict(value).items():
        if not isinstance(code, str) or code.upper() not in ISO_CODES:
            return f"'{code}' is not a currency code (three letters, e.g. EUR)"
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not rate > 0:
            return f"the rate of {code} must be a number above 0"
    return None


def home_problem(value: Any) -> str | None:
    """The home currency setting's check: "" (not set yet) or an ISO code."""
    if value == "" or (isinstance(value, str) and value.upper() in ISO_CODES):
        return None
    return f"'{value}' is not a currency code (three letters, e.g. EUR)"


@dataclass(frozen=True)
class MoneyContext:
    """The home currency and the rates that turn other currencies into it."""

    home: str = DEFAULT_CURRENCY
    rates: Mapping[str, float] = field(default_factory=dict)

    def rate(self, currency: str | None) -> float | None:
        """Home units per unit of ``currency``; None when there is no rate."""
        code = (currency or self.home).upper()
        if code == self.home:
            return 1.0
        rate = self.rates.get(code)
        return float(rate) if rate else None

    def to_home(self, cents: float, currency: str | None) -> float | None:
        """``cents`` of ``currency`` in home hundredths; None when there is no rate."""
        rate = self.rate(currency)
        return None if rate is None else cents * rate

    def sql_rate_cases(self) -> list[tuple[str, float]]:
        """(currency, rate) pairs other than the home currency, for a SQL CASE."""
        return sorted((c, float(r)) for c, r in self.rates.items() if c != self.home and r)

    def format(self, cents: float | None, **kwargs: Any) -> str:
        """A home-currency figure."""
        return format_money(cents, self.home, **kwargs)

    def left_out_note(self, counts: Mapping[str, int], what: str = "orders") -> str | None:
        """The note for amounts with no rate: "3 orders in GBP left out of money figures
        (no exchange rate to USD): add an exchange rate in Settings"; None if none."""
        parts = [f"{n:,} {what} in {c}" for c, n in sorted(counts.items()) if n]
        if not parts:
            return None
        return (
            f"{', '.join(parts)} left out of money figures (no exchange rate to "
            f"{self.home}): add an exchange rate in Settings"
        )


# One and many of each kind of amount a note counts.
_AMOUNT_WORDS = {
    "orders": ("order", "orders"),
    "opportunities": ("opportunity", "opportunities"),
    "subscriptions": ("subscription", "subscriptions"),
    "contracts": ("contract term", "contract terms"),
}


def no_rate_note(ctx: MoneyContext, counts: Mapping[str, Mapping[str, int]]) -> str | None:
    """What an import says of amounts with no rate: "2 orders in USD have no exchange rate
    to EUR: set one in Settings ▸ Money ...". ``counts``: kind -> currency -> rows."""
    parts = []
    for kind, by_code in counts.items():
        one, many = _AMOUNT_WORDS.get(kind, (kind, kind))
        for code, n in sorted(by_code.items()):
            if n and ctx.rate(code) is None:
                parts.append(f"{n:,} {one if n == 1 else many} in {code}")
    if not parts:
        return None
    verb = "has" if len(parts) == 1 and parts[0].startswith("1 ") else "have"
    return (
        f"{', '.join(parts)} {verb} no exchange rate to {ctx.home}: set one in Settings ▸ "
        f"Money. They are kept in their own currency and left out of {ctx.home} totals "
        "until then."
    )


def money_context(home: str | None, rates: Mapping[str, Any] | None) -> MoneyContext:
    """A MoneyContext from raw setting values ("" home -> USD)."""
    code = (home or DEFAULT_CURRENCY).upper()
    clean = {
        str(k).upper(): float(v)
        for k, v in dict(rates or {}).items()
        if isinstance(v, int | float) and not isinstance(v, bool) and v > 0
    }
    return MoneyContext(code, clean)


HOME_SETTING = "workspace.home_currency"
RATES_SETTING = "workspace.exchange_rates"
# Their built-in defaults (services/settings/money.py declares them with these).
HOME_DEFAULT = ""
RATES_DEFAULT: dict[str, float] = {}
_BUILT_IN: dict[str, Any] = {HOME_SETTING: HOME_DEFAULT, RATES_SETTING: RATES_DEFAULT}


def load_money_context(conn: Any) -> MoneyContext:
    """The workspace's MoneyContext (a Connection or a Session).

    Both settings are read as every setting is (services.core.policy.resolve): locked by the
    organisation's policy > the user's own > organisation default > built-in, so rates IT
    sets in a policy file are the ones figures use. While the home currency is not set yet
    (a workspace from before currencies were read), the commonest currency of the orders
    stands in for it, else USD.
    """
    from sqlalchemy import func, select

    # services.settings declares these two settings (with the built-in defaults below) to
    # the policy reader; it imports this module, so this one names the defaults itself.
    from models.schema import Order, Setting
    from services.core.policy import resolve

    stored = dict(
        conn.execute(
            select(Setting.key, Setting.value).where(Setting.key.in_([HOME_SETTING, RATES_SETTING]))
        ).all()
    )

    def value(key: str) -> Any:
        return resolve(key, _BUILT_IN[key], stored.get(key), key in stored)

    home = value(HOME_SETTING) or ""
    if not home:
        top = conn.execute(
            select(Order.currency)
            .group_by(Order.currency)
            .order_by(func.count().desc(), Order.currency)
            .limit(1)
        ).scalar()
        home = top or DEFAULT_CURRENCY
    rates = value(RATES_SETTING)
    return money_context(str(home), rates if isinstance(rates, dict) else None)


def home_cents_sql(
    ctx: MoneyContext, amount: str = "amount_cents", currency: str = "currency"
) -> str:
    """SQL (SQLite and PostgreSQL) for an amount in home hundredths; NULL without a rate.

    Currency codes are checked ISO codes, so inlining them is safe; rates are floats.
    """
    whens = [f"WHEN '{_safe_code(ctx.home)}' THEN {amount}"]
    for code, rate in ctx.sql_rate_cases():
        whens.append(
            f"WHEN '{_safe_code(code)}' THEN CAST(ROUND({amount} * {float(rate)!r}) AS BIGINT)"
        )
    return f"CASE {currency} {' '.join(whens)} ELSE NULL END"


def home_cents_expr(ctx: MoneyContext, amount: Any, currency: Any) -> Any:
    """The SQLAlchemy expression of ``home_cents_sql`` over two columns."""
    from sqlalchemy import BigInteger, case, cast, func, null

    whens: list[tuple[Any, Any]] = [(currency == ctx.home, amount)]
    for code, rate in ctx.sql_rate_cases():
        whens.append((currency == code, cast(func.round(amount * float(rate)), BigInteger)))
    return case(*whens, else_=null())


def _safe_code(code: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"not a currency code: {code!r}")
    return code
