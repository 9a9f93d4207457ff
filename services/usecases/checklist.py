"""The getting-started checklist of a workspace of one's own: import customers, import
orders, score, say who I am, set up email drafting. Each step is done when the workspace
(or the profile) shows it: there are customers, there are orders, a scoring run exists, a
name is set, a provider is set up. No Qt: the window asks on its database worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from models.schema import Customer, Order
from models.vocab import GUEST_EXTERNAL_ID
from services.scoring.queries import latest_run_id
from services.settings.views import WorkspaceSettings

# The steps, in the order the checklist lists them: (key, title, what doing it means).
STEPS: tuple[tuple[str, str, str], ...] = (
    ("customers", "Import your customers", "a CRM or shop export of your customers"),
    ("orders", "Import their orders", "the orders file, so that scores have purchases"),
    ("score", "Score the customers", "churn risk, value and the first alerts"),
    ("identity", "Say who you are", "your name and email: who acted, the sender, Mine"),
    ("drafting", "Set up email drafting", "the LLM that writes drafts (optional)"),
)


@dataclass(frozen=True)
class WorkspaceFacts:
    """What a workspace holds that the checklist asks about."""

    is_demo: bool
    customers: int
    orders: int
    scored: bool
    drafting_ready: bool


@dataclass(frozen=True)
class ChecklistStep:
    """One step: its key, title, a line on what it is, and whether it is done."""

    key: str
    title: str
    hint: str
    done: bool


def workspace_facts(engine: Engine) -> WorkspaceFacts:
    """Counts and flags the checklist reads, in one short read of the workspace."""
    from services.outreach.prompt import provider_problem

    with translate_db_errors(), Session(engine) as session:
        # The "guest" customer holds orders of no one in particular: not a customer.
        real = Customer.external_id.is_(None) | (Customer.external_id != GUEST_EXTERNAL_ID)
        customers = int(session.scalar(select(func.count()).select_from(Customer).where(real)) or 0)
        orders = int(session.scalar(select(func.count()).select_from(Order)) or 0)
        scored = latest_run_id(session) is not None
        return WorkspaceFacts(
            is_demo=WorkspaceSettings.read(session).demo is not None,
            customers=customers,
            orders=orders,
            scored=scored,
            drafting_ready=provider_problem(session) is None,
        )


def checklist_steps(facts: WorkspaceFacts, *, identity_set: bool) -> list[ChecklistStep]:
    """The steps with their done flags (a demo workspace has no checklist: empty list)."""
    if facts.is_demo:
        return []
    done = {
        "customers": facts.customers > 0,
        "orders": facts.orders > 0,
        "score": facts.scored,
        "identity": identity_set,
        "drafting": facts.drafting_ready,
    }
    return [ChecklistStep(key, title, hint, done[key]) for key, title, hint in STEPS]


def database_account(engine: Engine) -> str | None:
    """The database login of a team workspace (PostgreSQL); None for a file of one's own."""
    if engine.dialect.name == "sqlite":
        return None
    if engine.url.username:
        return str(engine.url.username)
    with translate_db_errors(), engine.connect() as conn:
        user = conn.exec_driver_sql("SELECT current_user").scalar()
    return str(user) if user else None


def owner_names(engine: Engine) -> list[str]:
    """The account managers the customers of a workspace name as owner, sorted."""
    with translate_db_errors(), Session(engine) as session:
        rows = session.scalars(select(Customer.owner).where(Customer.owner.is_not(None)).distinct())
        return sorted({str(name).strip() for name in rows if name and str(name).strip()})
