"""What the demo carries for questions (Ask): ticket types, campaign types and the fit
tool's usage.

Drawn from a random stream of its own, after everything else, so that adding them changed
no other row of the demo.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import null

from models.vocab import EMAIL_EVENT_KINDS
from services.demo.tables import _TableData
from services.demo.vocabulary import _EPOCH, TICKET_TYPES, campaign_type


def label_campaigns(emails: _TableData) -> None:
    """Every campaign email event gets {"campaign": name, "campaign_type": type}."""
    subjects = emails.columns["subject"]
    kinds = emails.columns["kind"]
    types = {s: campaign_type(s) for s in set(subjects.tolist())}
    attributes = np.full(len(subjects), null(), dtype=object)  # SQL NULL, not JSON null
    is_email = np.isin(kinds, EMAIL_EVENT_KINDS)
    attributes[is_email] = [
        {"campaign": s, "campaign_type": types[s]} for s in subjects[is_email].tolist()
    ]
    emails.columns["attributes"] = attributes
    # The type as a column too (models/campaigns.py): what Ask's email questions read.
    typed = np.full(len(subjects), None, dtype=object)
    typed[is_email] = [types[s] for s in subjects[is_email].tolist()]
    emails.columns["campaign_type"] = typed


# The demo's support team (the help desk's "Assignee") and its priorities, most urgent
# first, with how long a ticket of each took to solve (median hours, lognormal spread).
SUPPORT_AGENTS = ("Rosa Lindqvist", "Dev Malhotra", "Chiara Bellini", "Tomás Ortega")
PRIORITIES = ("Urgent", "High", "Normal", "Low")
SOLVE_HOURS = {"Urgent": 3.0, "High": 9.0, "Normal": 26.0, "Low": 60.0}


def label_tickets(support: _TableData, rng: np.random.Generator, today_day: int) -> None:
    """Every ticket gets what a help desk's export carries: its "Ticket type", its
    "Priority" (an unhappy one is likelier to be urgent or high), its "Assignee" (one of
    the support team) and, once solved, when ("Solved at", UTC: urgent tickets are
    solved sooner; never after today). Reviews get nothing."""
    kinds = support.columns["kind"]
    subjects = support.columns["subject"]
    attributes = np.full(len(kinds), null(), dtype=object)  # SQL NULL, not JSON null
    tickets = np.flatnonzero(kinds == "ticket")
    feeling = np.array(
        [0.0 if v is None else float(v) for v in support.columns["sentiment"][tickets].tolist()]
    )
    unhappy = feeling < -0.2
    draw = rng.random(len(tickets))
    # Urgent, high, normal, low: cumulative chances for unhappy and other tickets.
    cuts = np.where(unhappy[:, None], [0.15, 0.5, 0.9], [0.03, 0.15, 0.75])
    priority = (draw[:, None] >= cuts).sum(axis=1)
    agent = rng.integers(0, len(SUPPORT_AGENTS), len(tickets))
    hours = np.array([SOLVE_HOURS[PRIORITIES[p]] for p in priority.tolist()])
    hours = hours * np.exp(rng.normal(0.0, 0.8, len(tickets)))
    created = support.columns["occurred_at"][tickets].astype("datetime64[s]").astype(np.int64)
    solved_at = np.minimum(created + (hours * 3600).astype(np.int64), today_day * 86_400 - 60)
    status = support.columns["status"][tickets]
    for j, row in enumerate(tickets.tolist()):
        found: dict[str, Any] = {
            "Ticket type": TICKET_TYPES[subjects[row]],
            "Priority": PRIORITIES[int(priority[j])],
            "Assignee": SUPPORT_AGENTS[int(agent[j])],
        }
        if status[j] == "solved":
            when = dt.datetime.fromtimestamp(int(max(solved_at[j], created[j] + 60)), dt.UTC)
            found["Solved at"] = when.isoformat(timespec="seconds")
        attributes[row] = found
    support.columns["attributes"] = attributes


def fit_tool_usage(
    rng: np.random.Generator,
    attributes: npt.NDArray[Any],
    first_day: npt.NDArray[np.int64],
    returned: npt.NDArray[np.bool_],
    today_day: int,
) -> None:
    """About a third of customers used the fit tool, more of those who returned an order
    (they look for their size): sessions and the day of the last use, in their
    attributes (fitmap_sessions, fitmap_last_used); 0 sessions for the others."""
    n = len(attributes)
    used = rng.random(n) < np.where(returned, 0.55, 0.3)
    sessions = np.where(used, 1 + rng.poisson(2.5, n), 0)
    start = np.maximum(first_day, today_day - 540)
    span = np.maximum(1, today_day - start)
    last = start + np.floor(rng.random(n) * span).astype(np.int64)
    for i in range(n):
        attributes[i]["fitmap_sessions"] = int(sessions[i])
        if used[i]:
            attributes[i]["fitmap_last_used"] = (
                _EPOCH + dt.timedelta(days=int(last[i]))
            ).isoformat()
