"""HubSpot companies are accounts that contacts belong to, never customers of their own.

A companies export holds organisations (a club, a school PTA); the people who buy are its
contacts. Counting a company as a customer would count its buyers twice (the company and
the person) and give it no orders. So, between reading a file and writing it (the one step
of an import that sees both the file and the workspace, as the currency step does):

- a companies export ("accounts" frame from formats/hubspot.py) becomes updates of the
  HubSpot contacts already in the workspace that belong to each company: their
  ``company`` is the company's name and its columns are kept in their attributes as
  "company_*" (company_id, company_domain, company_industry, company_owner ...), which the
  customer pane shows. The companies themselves are kept in the import's report, so that
  contacts imported later get theirs; undoing the import restores the contacts as they
  were (and later contacts no longer see those companies);
- a contacts export imported after the companies gets each contact's company the same way;
- a deal associated with a company but no contact goes to the company's primary contact,
  else its first contact in the workspace; only when the workspace has none of its contacts
  is a customer made for the company (named after it when the companies were imported),
  and the report says how many and what to do.

A contact belongs to a company by the company ids of its export (the "Primary Associated
Company ID" first, then "Associated Company IDs"), else by the company's name when exactly
one company has it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from services.importing.canonical import Batch

COMPANY_FORMAT = "hubspot_companies"
COMPANY_REF = "company:"  # a deal's reference to a company (formats/hubspot.py)
SOURCE = "hubspot"

# The company details a customer pane shows, in reading order: attribute -> label.
COMPANY_LABELS = (
    ("company_industry", "Industry"),
    ("company_domain", "Domain"),
    ("company_website", "Website"),
    ("company_owner", "Company owner"),
    ("company_city", "City"),
    ("company_region", "State/Region"),
    ("company_country", "Country"),
    ("company_phone", "Phone"),
    ("company_employees", "Employees"),
    ("company_annual_revenue", "Annual revenue"),
    ("company_id", "HubSpot company ID"),
)

Companies = dict[str, dict[str, Any]]  # record id -> {"name": ..., "attributes": {...}}


def _attrs(value: Any) -> dict[str, Any]:
    if isinstance(value, str) and value:
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return dict(value) if isinstance(value, dict) else {}


def company_ids(attributes: Any) -> list[str]:
    """The company ids a contact's export gives, the primary company first."""
    primary, others = _company_ids(_attrs(attributes))
    return [*primary, *(c for c in others if c not in primary)]


def primary_company_id(attributes: Any) -> str | None:
    """The company the contact's export marks as its primary one, else None."""
    primary, _others = _company_ids(_attrs(attributes))
    return primary[0] if primary else None


def _company_ids(attrs: dict[str, Any]) -> tuple[list[str], list[str]]:
    primary: list[str] = []
    others: list[str] = []
    for key, value in attrs.items():
        name = str(key).lower()
        if value in (None, "") or "company id" not in name or name.startswith("company_"):
            continue
        ids = [p.strip() for p in re.split(r"[;,]", str(value)) if p.strip()]
        (primary if "primary" in name else others).extend(ids)
    if attrs.get("company_id"):
        others.append(str(attrs["company_id"]))
    return list(dict.fromkeys(primary)), list(dict.fromkeys(others))


def _stored_companies(conn: Connection) -> Companies:
    """The companies of every companies import that landed and was not undone (a later
    import's record wins)."""
    found: Companies = {}
    rows = conn.execute(
        text(
            "SELECT report FROM import_runs WHERE detected_format = :format "
            "AND status = 'landed' ORDER BY id"
        ),
        {"format": COMPANY_FORMAT},
    ).all()
    for (report,) in rows:
        accounts = _attrs(report).get("accounts")
        if isinstance(accounts, dict):
            found.update({str(k): v for k, v in accounts.items() if isinstance(v, dict)})
    return found


def _by_name(companies: Companies) -> dict[str, str]:
    """Company name (case-folded) -> id, for the names exactly one company has."""
    seen: dict[str, list[str]] = {}
    for cid, company in companies.items():
        name = str(company.get("name") or "").strip().casefold()
        if name:
            seen.setdefault(name, []).append(cid)
    return {name: ids[0] for name, ids in seen.items() if len(ids) == 1}


def _company_of(
    attributes: Any, company: Any, companies: Companies, names: dict[str, str]
) -> str | None:
    for cid in company_ids(attributes):
        if cid in companies:
            return cid
    if isinstance(company, str) and company.strip():
        return names.get(company.strip().casefold())
    return None


def _contacts(conn: Connection) -> list[tuple[int, str, str | None, dict[str, Any]]]:
    """(customer id, HubSpot contact id, company, attributes) of every HubSpot contact in
    the workspace, in the order they were created."""
    rows = conn.execute(
        text(
            "SELECT c.id, ci.external_id, c.company, c.attributes FROM customer_identities ci "
            "JOIN customers c ON c.id = ci.customer_id WHERE ci.source = :source "
            "AND ci.external_id NOT LIKE :companies ORDER BY c.id, ci.id"
        ),
        {"source": SOURCE, "companies": COMPANY_REF + "%"},
    ).all()
    return [(int(r[0]), str(r[1]), r[2], _attrs(r[3])) for r in rows]


def _company_values(company: dict[str, Any]) -> dict[str, Any]:
    """The "company_*" attributes a contact of ``company`` carries."""
    return dict(company.get("attributes") or {})


def settle_companies(session: Session, batch: Batch) -> tuple[list[str], Companies | None]:
    """Apply the rules of the module docstring to ``batch`` before it is written, in the
    caller's transaction.

    Returns the notes for the report and, for a companies export, the companies to keep
    in the import's report (None for any other file).
    """
    conn = session.connection()
    notes: list[str] = []
    kept: Companies | None = None
    accounts = batch.frames.pop("accounts", None)
    if accounts is not None:
        kept = _companies_to_contacts(conn, batch, accounts, notes)
    customers = batch.frames.get("customers")
    if accounts is None and customers is not None and len(customers):
        _contacts_get_companies(conn, batch, customers, notes)
    deals = batch.frames.get("opportunities")
    if deals is not None and len(deals) and "customer_external_id" in deals.columns:
        _deals_to_contacts(conn, batch, deals, notes)
    return notes, kept


def _companies_to_contacts(
    conn: Connection, batch: Batch, accounts: pd.DataFrame, notes: list[str]
) -> Companies:
    companies: Companies = {}
    rows: dict[str, int] = {}
    for record in accounts.itertuples(index=False):
        cid = str(record.external_id)
        attrs = record.attributes if isinstance(record.attributes, dict) else {}
        companies[cid] = {"name": record.name, "attributes": dict(attrs)}
        rows[cid] = int(record.row)
    names = _by_name(companies)
    updates: list[dict[str, Any]] = []
    used: set[str] = set()
    for _customer, contact_id, company, attrs in _contacts(conn):
        found = _company_of(attrs, company, companies, names)
        if found is None:
            continue
        used.add(found)
        updates.append(
            {
                "row": rows[found],
                "source": SOURCE,
                "external_id": contact_id,
                "company": companies[found]["name"],
                "attributes": _company_values(companies[found]),
            }
        )
    if updates:
        batch.frames["customers"] = pd.DataFrame(updates)
    n = len(companies)
    head = f"{n:,} compan{'y' if n == 1 else 'ies'} read as accounts, not customers: "
    if not updates:
        note = head + (
            "none of their contacts is in the workspace yet (contacts imported later get "
            "their company)"
        )
    else:
        note = head + (
            f"{len(updates):,} contact(s) belong to {len(used):,} of them and show them as "
            "their company"
        )
        if len(used) < n:
            note += (
                f"; the other {n - len(used):,} have none of their contacts here yet "
                "(contacts imported later get their company)"
            )
    notes.append(note)
    return companies


def _contacts_get_companies(
    conn: Connection, batch: Batch, customers: pd.DataFrame, notes: list[str]
) -> None:
    if "source" not in customers.columns or not (customers["source"] == SOURCE).any():
        return
    companies = _stored_companies(conn)
    if not companies:
        return
    names = _by_name(companies)
    frame = customers.copy()
    if "company" not in frame.columns:
        frame["company"] = None
    if "attributes" not in frame.columns:
        frame["attributes"] = None
    company_col = frame["company"].astype(object).tolist()
    attrs_col = frame["attributes"].astype(object).tolist()
    given = 0
    for i, source in enumerate(frame["source"].tolist()):
        if source != SOURCE:
            continue
        attrs = attrs_col[i] if isinstance(attrs_col[i], dict) else None
        cid = _company_of(attrs, company_col[i], companies, names)
        if cid is None:
            continue
        company = companies[cid]
        company_col[i] = company.get("name") or company_col[i]
        attrs_col[i] = {**(attrs or {}), **_company_values(company)}
        given += 1
    if given:
        frame["company"] = pd.Series(company_col, index=frame.index, dtype=object)
        frame["attributes"] = pd.Series(attrs_col, index=frame.index, dtype=object)
        batch.frames["customers"] = frame
        notes.append(f"{given:,} contact(s) given their company from the companies imported before")


def _deals_to_contacts(
    conn: Connection, batch: Batch, deals: pd.DataFrame, notes: list[str]
) -> None:
    refs = deals["customer_external_id"].astype(object).tolist()
    wanted = {
        str(r)[len(COMPANY_REF) :] for r in refs if isinstance(r, str) and r.startswith(COMPANY_REF)
    }
    if not wanted:
        return
    companies = _stored_companies(conn)
    names = _by_name(companies)
    primary: dict[str, str] = {}
    first: dict[str, str] = {}
    for _customer, contact_id, company, attrs in _contacts(conn):
        main = primary_company_id(attrs)
        if main is not None and main in wanted:
            primary.setdefault(main, contact_id)
        for cid in company_ids(attrs):
            if cid in wanted:
                first.setdefault(cid, contact_id)
        by_name = _company_of({}, company, companies, names)
        if by_name in wanted:
            first.setdefault(by_name, contact_id)
    frame = deals.copy()
    for column in ("customer_name", "customer_company"):
        if column not in frame.columns:
            frame[column] = None
    name_col = frame["customer_name"].astype(object).tolist()
    company_col = frame["customer_company"].astype(object).tolist()
    attached: set[str] = set()
    alone: set[str] = set()
    moved = made = 0
    for i, ref in enumerate(refs):
        if not (isinstance(ref, str) and ref.startswith(COMPANY_REF)):
            continue
        cid = ref[len(COMPANY_REF) :]
        contact = primary.get(cid) or first.get(cid)
        if contact is not None:
            refs[i] = contact
            attached.add(cid)
            moved += 1
            continue
        name = (companies.get(cid) or {}).get("name")
        if name:
            name_col[i] = name_col[i] or name
            company_col[i] = company_col[i] or name
        alone.add(cid)
        made += 1
    frame["customer_external_id"] = pd.Series(refs, index=frame.index, dtype=object)
    frame["customer_name"] = pd.Series(name_col, index=frame.index, dtype=object)
    frame["customer_company"] = pd.Series(company_col, index=frame.index, dtype=object)
    batch.frames["opportunities"] = frame
    if moved:
        notes.append(
            f"{moved:,} deal(s) associated only with a company went to that company's "
            f"primary (else first) contact ({len(attached):,} compan"
            f"{'y' if len(attached) == 1 else 'ies'})"
        )
    if made:
        shown = ", ".join(_names(alone, companies)[:3])
        notes.append(
            f"{made:,} deal(s) are associated only with a company that has none of its "
            f"contacts in the workspace ({shown}): each such company was kept as a customer "
            "of its own for now. Import the HubSpot contacts, then the deals again, to put "
            "the deals on a person"
        )


def _names(ids: Iterable[str], companies: Companies) -> list[str]:
    return sorted(str((companies.get(c) or {}).get("name") or f"company {c}") for c in ids)
