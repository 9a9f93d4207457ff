"""How an account is named, defined once: every screen, list, post, pack, file and report
that names a customer names it so.

A customer is an account. Its name is its company when it has one, else its person's
name, else its email address, else "Customer 123" (``account_name``). Its person is the
one who stands for it: the customer's own person (the name on the customer's row) while
they are still there, else the first of its people still there, in the order emails go
to them (``MAIN_PERSON_ORDER``: champion, decision maker, user, someone without a role,
other, billing). A person who left (their contact's ``left_on``) or whose address bounced
(the CRM's bounce date in their contact's attributes: models/vocab.py ``BOUNCE_KEYS``) is
never the account's name nor its person, and their address is not the account's either.

The same rule three ways, for three kinds of reader:

- ``account_name``: on values in hand; ``AccountName`` (and ``account_of`` /
  ``account_names``, which read it) carries the name, the person under it and their role.
- ``account_name_sql`` and ``main_person_sql``: SQLAlchemy expressions over the
  customers table (or an alias of it), for a query that names accounts as it reads; and
  ``account_sql_text``: the same expressions as SQL text, for the readers that write
  their statement as text (the alert list, Ask's views).
- ``account_columns``: the names of a whole table of customers as numpy columns (the
  Customers table, a team filter's search), the expression read only for the accounts
  that have people.

The privacy setting (outreach.sent_fields) decides what of a name may leave this
computer (a post, a CRM file): ``shared_account_name`` names the account by the fields
it allows, and ``mask_values`` gives the values a mask withholds in free text, for the
account's every person, those who left included.

SQLAlchemy is imported inside the functions that build SQL: the window's views import
the plain parts (``person_words``) without it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from models.vocab import BOUNCE_KEYS

if TYPE_CHECKING:
    import numpy as np
    from sqlalchemy import ColumnElement, FromClause
    from sqlalchemy.orm import Session

__all__ = [
    "MAIN_PERSON_ORDER",
    "AccountName",
    "account_columns",
    "account_name",
    "account_name_sql",
    "account_named",
    "account_names",
    "account_of",
    "account_sql_text",
    "main_person_sql",
    "mask_values",
    "name_map",
    "name_of",
    "person_words",
    "shared_account_name",
]

# Whom an account's emails go to when no one is picked, and who stands for the account
# when its own person has left: the champion, the decision maker, a user, someone with
# no role, other roles; the billing contact (invoices) last.
MAIN_PERSON_ORDER = ("champion", "decision_maker", "user", None, "other", "billing")
_ROLE_WORDS = {
    "champion": "champion",
    "decision_maker": "decision maker",
    "billing": "billing",
    "user": "user",
    "other": "other",
}


def _given(value: object) -> str:
    # Spaces only, as SQL's trim() (the expressions below) takes them off: a name is
    # otherwise shown as it was written.
    return value.strip(" ") if isinstance(value, str) else ""


def account_name(
    company: str | None, person: str | None, email: str | None, customer_id: int
) -> str:
    """The account's name: its company, else its person's name, else its email address,
    else "Customer 123". ``person`` and ``email`` must be ones still at the account (the
    readers of this module give them so)."""
    for value in (company, person, email):
        text = _given(value)
        if text:
            return text
    return f"Customer {int(customer_id)}"


def person_words(name: str, role: str | None = None) -> str:
    """A person and their role at the account: "Dana Cole (decision maker)"; the name
    alone when their role is not known."""
    said = _ROLE_WORDS.get(role or "", "")
    return f"{name} ({said})" if name and said else name


@dataclass(frozen=True)
class AccountName:
    """One account's name, with the person under it."""

    customer_id: int
    name: str  # account_name: the company, else the person, else the email, else "Customer N"
    person: str  # the person who stands for it ("" when none is still there)
    role: str | None  # their role at the account (models.vocab.CONTACT_ROLES), None: not known
    company: str | None
    email: str | None  # the account's own address; None when it left with its person
    first_name: str = ""  # the person's name in its parts, as the privacy setting splits it
    surname: str = ""

    @property
    def person_line(self) -> str:
        """The person under the account's name, with their role ("Dana Cole (decision
        maker)"); "" when the account is its person (or has none)."""
        if not self.person or self.person == self.name:
            return ""
        return person_words(self.person, self.role)

    @property
    def with_person(self) -> str:
        """The account with its person: "Willow Creek Clinic (Dana Cole, decision maker)",
        or the name alone when the account is its person."""
        if not self.person_line:
            return self.name
        said = _ROLE_WORDS.get(self.role or "", "")
        return f"{self.name} ({self.person}, {said})" if said else f"{self.name} ({self.person})"


# --- SQL -----------------------------------------------------------------------------------


def _bounced(attributes: Any) -> ColumnElement[bool]:
    """SQL: the contact's attributes hold a bounce date (``BOUNCE_KEYS``)."""
    from sqlalchemy import func, or_

    # coalesce: no attributes (NULL) is "not bounced", never unknown (NOT NULL is NULL).
    return or_(
        *(func.coalesce(func.length(attributes[key].as_string()), 0) >= 10 for key in BOUNCE_KEYS)
    )


class _Outer:
    """The customer columns an expression reads: a table's (or an alias's) own columns,
    or, for SQL written as text, plain names ("c.id") that need no FROM of their own."""

    def __init__(self, table: FromClause | None = None, alias: str | None = None) -> None:
        from sqlalchemy import literal_column

        from models.schema import Customer

        names = ("id", "name", "company", "email", "email_normalized")
        self.cols: dict[str, Any]
        if alias is not None:
            self.cols = {n: literal_column(f"{alias}.{n}") for n in names}
        else:
            source = table if table is not None else Customer.__table__
            self.cols = {n: source.c[n] for n in names}

    def __getattr__(self, name: str) -> Any:
        return self.cols[name]


def _own_gone(c: _Outer) -> ColumnElement[bool]:
    """SQL: the customer's own person left the account, or their address bounced (their
    contact row: the same address, else the same name when the customer has none)."""
    from sqlalchemy import and_, exists, func, or_

    from models.schema import Contact

    k = Contact.__table__.alias("gone_k")
    same = or_(
        k.c.email_normalized == c.email_normalized,
        and_(c.email_normalized.is_(None), func.lower(k.c.name) == func.lower(c.name)),
    )
    return exists().where(
        k.c.customer_id == c.id, same, or_(k.c.left_on.is_not(None), _bounced(k.c.attributes))
    )


def _role_rank(role: Any) -> ColumnElement[int]:
    from sqlalchemy import case

    whens = [(role == r, i) for i, r in enumerate(MAIN_PERSON_ORDER) if r is not None]
    return case(*whens, else_=MAIN_PERSON_ORDER.index(None))


def _first_current(c: _Outer, what: str) -> ColumnElement[Any]:
    """SQL: the name ("name") or role ("role") of the account's first person still there,
    in ``MAIN_PERSON_ORDER``."""
    from sqlalchemy import func, not_, select

    from models.schema import Contact

    k = Contact.__table__.alias("main_k")
    role = func.coalesce(k.c.user_role, k.c.role)
    value = func.coalesce(func.nullif(func.trim(k.c.name), ""), k.c.email) if what == "name" \
        else role  # fmt: skip
    return (
        select(value)
        .where(k.c.customer_id == c.id, k.c.left_on.is_(None), not_(_bounced(k.c.attributes)))
        .order_by(_role_rank(role), k.c.id)
        .limit(1)
        .scalar_subquery()
    )


def _own_person(c: _Outer) -> ColumnElement[str | None]:
    """SQL: the customer's own person's name while they are there and it is not the
    company's (an account named after itself has no person of its own); else NULL."""
    from sqlalchemy import and_, case, func, not_, or_

    name = func.nullif(func.trim(c.name), "")
    own = and_(
        not_(_own_gone(c)),
        or_(c.company.is_(None), func.lower(name) != func.lower(func.trim(c.company))),
    )
    return case((own, name), else_=None)


def _main_person(c: _Outer) -> ColumnElement[str | None]:
    from sqlalchemy import func

    return func.coalesce(_own_person(c), _first_current(c, "name"))


def _own_email(c: _Outer) -> ColumnElement[str | None]:
    from sqlalchemy import case, func, not_

    return case((not_(_own_gone(c)), func.nullif(func.trim(c.email), "")), else_=None)


def _account(c: _Outer) -> ColumnElement[str]:
    from sqlalchemy import String, cast, func, literal

    return func.coalesce(
        func.nullif(func.trim(c.company), ""),
        _main_person(c),
        _own_email(c),
        literal("Customer ") + cast(c.id, String),
    )


def account_name_sql(customers: FromClause | None = None) -> ColumnElement[str]:
    """SQL: the account's name (``account_name``) of each row of ``customers`` (the
    customers table, or an alias of it, in the query's FROM)."""
    return _account(_Outer(customers))


def main_person_sql(customers: FromClause | None = None) -> ColumnElement[str | None]:
    """SQL: the account's person (NULL when none is still there), as ``AccountName``."""
    return _main_person(_Outer(customers))


def account_sql_text(dialect: Any, alias: str = "c", *, what: str = "name") -> str:
    """``account_name_sql`` (``what="name"``) or ``main_person_sql`` (``"person"``) as SQL
    text over the customers table named ``alias`` in a statement written as text, for
    ``dialect`` (a SQLAlchemy dialect, or its name: "sqlite", "postgresql")."""
    if isinstance(dialect, str):
        from sqlalchemy.dialects import registry

        dialect = registry.load(dialect)()
    outer = _Outer(alias=alias)
    expr = _account(outer) if what == "name" else _main_person(outer)
    compiled = expr.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    return f"({compiled})"


# --- reading names -------------------------------------------------------------------------


def _parts(person: str, attributes: object, own_name: str | None) -> tuple[str, str]:
    """The person's first name and surname: the customer's own attributes' when the person
    is theirs and the source gave them, else the name split at its first space."""
    if isinstance(attributes, dict) and person and person == _given(own_name):
        first = _given(attributes.get("first_name"))
        if first:
            return first, _given(attributes.get("last_name"))
    words = person.split()
    return (words[0], " ".join(words[1:])) if words else ("", "")


def account_names(session: Session, customer_ids: Iterable[int]) -> dict[int, AccountName]:
    """The accounts' names (those that exist), read in chunks of a thousand ids."""
    from sqlalchemy import select

    from models.schema import Customer

    table = Customer.__table__
    c = _Outer(table)
    ids = sorted({int(i) for i in customer_ids})
    out: dict[int, AccountName] = {}
    for start in range(0, len(ids), 1000):
        part = ids[start : start + 1000]
        query = select(
            table.c.id, table.c.company, table.c.name, table.c.attributes,
            _main_person(c), _own_email(c), _main_role(c),
        ).where(table.c.id.in_(part))  # fmt: skip
        for cid, company, own, attributes, person, email, role in session.execute(query):
            who = _given(person)
            first, surname = _parts(who, attributes, own)
            out[int(cid)] = AccountName(
                customer_id=int(cid),
                name=account_name(company, who, email, int(cid)),
                person=who,
                role=role,
                company=_given(company) or None,
                email=_given(email) or None,
                first_name=first,
                surname=surname,
            )
    return out


def _main_role(c: _Outer) -> ColumnElement[str | None]:
    """SQL: the role of the account's person: their own contact row's while they are the
    customer's own person, else the first person's still there."""
    from sqlalchemy import and_, case, func, or_, select

    from models.schema import Contact

    k = Contact.__table__.alias("role_k")
    theirs = (
        select(func.coalesce(k.c.user_role, k.c.role))
        .where(
            k.c.customer_id == c.id,
            or_(
                k.c.email_normalized == c.email_normalized,
                and_(c.email_normalized.is_(None), func.lower(k.c.name) == func.lower(c.name)),
            ),
        )
        .order_by(k.c.id)
        .limit(1)
        .scalar_subquery()
    )
    return case((_own_person(c).is_not(None), theirs), else_=_first_current(c, "role"))


def account_of(session: Session, customer_id: int) -> AccountName | None:
    """One account's name (None when there is no such customer)."""
    return account_names(session, [customer_id]).get(int(customer_id))


def account_named(session: Session, customer_id: int) -> AccountName:
    """One account's name, "Customer 123" (no person) when there is no such customer."""
    found = account_of(session, customer_id)
    if found is not None:
        return found
    return AccountName(int(customer_id), f"Customer {int(customer_id)}", "", None, None, None)


def name_of(session: Session, customer_id: int) -> str:
    """One account's name ("Customer 123" when there is no such customer any more)."""
    return account_named(session, customer_id).name


def account_columns(
    session: Session,
    ids: np.ndarray,
    company: np.ndarray,
    name: np.ndarray,
    email: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's account name and the person shown beside it (None when the account is
    its person, or has none), for a table of customers in ascending ``ids`` with their
    own ``company``, ``name`` and ``email`` columns (object arrays): the accounts with
    people are read through ``main_person_sql``, the others are their own person."""
    import numpy as np
    from sqlalchemy import select

    from models.schema import Contact, Customer

    table = Customer.__table__
    c = _Outer(table)
    person = np.array(name, dtype=object, copy=True)
    own_email = np.array(email, dtype=object, copy=True)
    if len(ids):
        query = select(table.c.id, _main_person(c), _own_email(c)).where(
            table.c.id.in_(select(Contact.__table__.c.customer_id))
        )
        if len(ids) <= 1000:
            query = query.where(table.c.id.in_([int(i) for i in ids]))
        rows = session.execute(query).all()
        keys = np.array([int(r[0]) for r in rows], dtype=np.int64)
        pos = np.minimum(np.searchsorted(ids, keys), len(ids) - 1)
        for i, row, key in zip(pos.tolist(), rows, keys.tolist(), strict=True):
            if int(ids[i]) == key:  # an account of this table (not one left out of it)
                person[i], own_email[i] = row[1], row[2]
    # account_name and the person beside it, row by row in one pass over lists (a call
    # per row and value was half a second of the customers table's load at 100,000).
    givens = [[_given(v) for v in column.tolist()] for column in (company, person, own_email)]
    named_list = [
        c or p or e or f"Customer {int(i)}"
        for c, p, e, i in zip(*givens, ids.tolist(), strict=True)
    ]
    named = np.empty(len(named_list), dtype=object)
    named[:] = named_list
    shown = np.empty(len(named_list), dtype=object)
    shown[:] = [p if p and p != n else None for p, n in zip(givens[1], named_list, strict=True)]
    return named, shown


def name_map(session: Session, customer_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Every account's name by id (or those of ``customer_ids``), for a reader that names
    many: one read of the customers, the expression only for the accounts with people."""
    import numpy as np
    from sqlalchemy import select

    from models.schema import Customer

    table = Customer.__table__
    query = select(table.c.id, table.c.company, table.c.name, table.c.email).order_by(table.c.id)
    wanted = None if customer_ids is None else sorted({int(i) for i in customer_ids})
    if wanted is not None and len(wanted) <= 1000:
        query = query.where(table.c.id.in_(wanted))
    rows = session.execute(query).all()
    if wanted is not None and len(wanted) > 1000:
        keep = set(wanted)
        rows = [r for r in rows if int(r[0]) in keep]
    ids = np.array([int(r[0]) for r in rows], dtype=np.int64)
    company, name, email = (np.array([r[k] for r in rows], dtype=object) for k in (1, 2, 3))
    named, _ = account_columns(session, ids, company, name, email)
    return dict(zip(ids.tolist(), (str(n) for n in named.tolist()), strict=True))


# --- what may leave this computer ----------------------------------------------------------


def shared_account_name(
    account: AccountName,
    allowed: Collection[str],
    *,
    whole_names: bool = False,
    fallback: str | None = None,
) -> str:
    """The account's name by the fields the privacy setting lets leave this computer: its
    company, else its person's name (the parts allowed; with ``whole_names``, only a name
    whose every part is allowed), else its email address, else ``fallback`` ("Customer
    123" when None)."""
    if account.company and "company" in allowed:
        return account.company
    parts = [
        (account.first_name, "first_name" in allowed),
        (account.surname, "surname" in allowed),
    ]
    given = [(text, ok) for text, ok in parts if text]
    if given and (all(ok for _, ok in given) or not whole_names):
        shown = " ".join(text for text, ok in given if ok)
        if shown:
            return shown
    if account.email and "email" in allowed:
        return account.email
    return f"Customer {account.customer_id}" if fallback is None else fallback


def mask_values(
    session: Session, accounts: Mapping[int, AccountName], owners: Mapping[int, str | None]
) -> list[dict[str, str | None]]:
    """The values a privacy mask (services/outreach/prompt.py ``withheld_mask``) withholds
    for these accounts: each account's company, person and address, and the name and
    address of every one of its people (those who left too: an alert's reason names
    them), with the account's owner."""
    from sqlalchemy import select

    from models.schema import Contact

    k = Contact.__table__.c
    out: list[dict[str, str | None]] = []
    for cid, account in accounts.items():
        out.append(
            {
                "first_name": account.first_name,
                "surname": account.surname,
                "email": account.email,
                "company": account.company,
                "owner": owners.get(cid),
            }
        )
    ids = sorted(accounts)
    for start in range(0, len(ids), 1000):
        part = ids[start : start + 1000]
        for who, address in session.execute(select(k.name, k.email).where(k.customer_id.in_(part))):
            first, surname = _parts(_given(who), None, None)
            out.append({"first_name": first, "surname": surname, "email": address})
    return out
