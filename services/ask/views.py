"""The views questions are asked against: their SQL, and their documentation.

Ask never lets a query (saved or written by a model) near the tables. It reads a small
set of views made for questions, ``ask_*``, with plain column names, local dates and
money in major units beside its currency. The views are TEMPORARY: ``readonly.run_query``
creates them on its own read-only connection before it runs a query, so the workspace
file never changes and the views always match this version of the app (no migration).

Conventions every view follows (and the model's prompt repeats):

- ``*_day`` / ``day`` columns are the LOCAL date of the event as 'YYYY-MM-DD' text: the
  date on the clock of the source that recorded it (services/core/local_dates.py), so
  ``day >= date('now', '-30 days')`` style filters work.
- Money: ``amount`` (or ``value``) in major units of ``currency`` (12.5 = $12.50), and
  ``*_home`` in the workspace's home currency (NULL when there is no exchange rate).
- Flags are 0/1 integers.
- ``reason`` (tickets, reviews) is the reason learned from the workspace's negative text
  that the text falls under (services/listen/reasons.py), the same name the dashboard
  shows; NULL for a text that is not negative.

``ASK_VIEWS`` documents every view and column: the prompt's schema, the Ask view's "What
can I ask?" and the saved questions all read it. ``privacy`` names the drafting privacy
field (services.settings.PRIVACY_FIELDS) that governs a column: a column whose field
may not leave the computer is masked in the examples sent to a model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from models.vocab import CONVERSATION_SOURCE, INTERACTION_KINDS, TWO_WAY_KINDS
from services.ask.dialects import POSTGRES as _POSTGRES
from services.ask.dialects import SQLITE as _SQLITE
from services.ask.dialects import Dialect as _Dialect
from services.ask.metrics import at_risk_sql
from services.core.account_names import account_sql_text
from services.core.money import MoneyContext, home_cents_sql
from services.core.rollups import CLOSED_TICKET_STATUSES
from services.listen.sentiment import EFFECTIVE_SQL, NEGATIVE_REVIEW_SQL, NEGATIVE_TICKET_SQL


@dataclass(frozen=True)
class ColumnDoc:
    """One column of an ask_ view, as documented to the model and the user."""

    name: str
    type: str  # "integer", "number", "text", "day", "flag", "json"
    description: str
    # The privacy field that must allow it to leave (all of them, when several).
    privacy: str | tuple[str, ...] | None = None


@dataclass(frozen=True)
class ViewDoc:
    """One ask_ view: its name, what a row is, and its columns."""

    name: str
    description: str
    columns: tuple[ColumnDoc, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        """The column names in order."""
        return tuple(c.name for c in self.columns)


_REASON_DOC = (
    "the reason behind a negative text, learned from this workspace's complaints "
    "(see the reasons list); NULL for a review that is not negative, or a text about none "
    "of them"
)


def _c(
    name: str, type_: str, description: str, privacy: str | tuple[str, ...] | None = None
) -> ColumnDoc:
    return ColumnDoc(name, type_, description, privacy)


# The value's column is named free of its horizon (stable for saved questions whatever T);
# its description states T once, from the latest scoring (schema_text fills it in).
VALUE_HOME_DOC = (
    "the customer's value: predicted revenue over the value horizon, T months (the latest "
    "scoring's; setting Settings ▸ Scores ▸ Value horizon), home currency"
)
# The name the value's column had when it was always over 12 months: a question the user
# saved with it still runs (library._from_stored reads it as VALUE_HOME).
OLD_VALUE_HOME = "clv_12m_home"
VALUE_HOME = "value_home"

_EVENT_DAY = "the local date of the event, 'YYYY-MM-DD'"
_AT = (
    "when it happened, UTC 'YYYY-MM-DD HH:MM:SS': to put events in order (an order "
    "after an email: o.at > e.at AND o.at < datetime(e.at, '+7 days')); use day for dates"
)

ASK_VIEWS: tuple[ViewDoc, ...] = (
    ViewDoc(
        "ask_customers",
        "One row per customer, with their paid-order totals and their latest scores.",
        (
            _c("customer_id", "integer", "the customer's id in this workspace"),
            _c("external_id", "text", "the customer's id in the system it came from"),
            _c("source", "text", "where the customer came from (shopify, salesforce, demo...)"),
            _c(
                "account",
                "text",
                "the customer's name as the app shows it: the company when it has one, else "
                "the person's name, else the email (search it for a company or a person)",
                ("company", "surname", "email"),
            ),  # fmt: skip
            _c(
                "person",
                "text",
                "who stands for the account: the customer's own person while still there, "
                "else its first person still there (never one who left)",
                "surname",
            ),  # fmt: skip
            _c("name", "text", "the full name on the customer's own record", "surname"),
            _c("email", "text", "email address", "email"),
            _c("company", "text", "company", "company"),
            _c("owner", "text", "the account manager who owns the customer", "owner"),
            _c(
                "tier", "text", "loyalty tier or plan (e.g. Bronze, Silver, Gold, Platinum)", "tier"
            ),
            _c("region", "text", "region or country", "region"),
            _c("signup_day", "day", "the date the customer signed up"),
            _c("do_not_contact", "flag", "1 when the customer must not be contacted"),
            _c(
                "attributes",
                "json",
                "every other column the source had, as a JSON object (read with "
                "json_extract(attributes, '$.key')); e.g. fitmap_sessions, fitmap_last_used "
                "when the workspace has fit-tool usage",
            ),
            _c("paid_orders", "integer", "number of paid orders"),
            _c("refunded_orders", "integer", "number of refunded (returned) orders"),
            _c(
                "revenue_home",
                "number",
                "paid revenue, in the home currency; empty when "
                "some of it was paid in a currency with no exchange rate (never counted as 0)",
            ),
            _c("first_order_day", "day", "local date of the first paid order"),
            _c("last_order_day", "day", "local date of the latest paid order"),
            _c(
                "last_order_at",
                "text",
                "when the latest paid order was placed, UTC 'YYYY-MM-DD HH:MM:SS': a day "
                "either side of last_order_day, so a filter on it first narrows a search of "
                "many customers cheaply; use last_order_day for dates",
            ),
            _c("open_tickets", "integer", "support tickets not solved or closed"),
            _c("open_opportunities", "integer", "sales opportunities not closed"),
            _c("scored_as_of", "day", "the date of the latest scoring (NULL: never scored)"),
            _c("churn_risk", "number", "probability (0-1) of no order in the scoring horizon"),
            _c("churn_risk_low", "number", "lower end of churn_risk's 80% interval"),
            _c("churn_risk_high", "number", "upper end of churn_risk's 80% interval"),
            _c("engagement_score", "number", "engagement 0-100 (higher is more engaged)"),
            _c("health_score", "number", "health 0-100 (higher is healthier)"),
            _c(
                "segment",
                "text",
                "RFM segment (Champions, Loyal, Potential Loyalist, New, Promising, Need "
                "Attention, About to Sleep, At Risk, Can't Lose Them, Hibernating, Lost)",
                "segment",
            ),
            _c("confidence", "text", "confidence of the scores: high, medium or low"),
            _c("predicted_orders", "number", "expected orders in the scoring horizon"),
            _c("value_home", "number", VALUE_HOME_DOC),
            _c(
                "revenue_at_risk_home",
                "number",
                "revenue at risk (churn risk x the last 12 months' paid revenue), home "
                "currency; the dashboard's revenue at risk is its sum over every scored "
                "customer",
            ),
            _c(
                "at_risk",
                "flag",
                "1 when the customer is at risk as the dashboard counts them: churn risk at "
                "or above the high-risk threshold, not counting Lost customers; use it for "
                "'customers at risk'",
            ),
        ),
    ),
    ViewDoc(
        "ask_orders",
        "One row per order (paid, refunded, cancelled or pending).",
        (
            _c("order_id", "integer", "the order's id in this workspace"),
            _c("customer_id", "integer", "the customer (ask_customers.customer_id)"),
            _c("external_id", "text", "the order number in the system it came from"),
            _c("day", "day", _EVENT_DAY),
            _c("at", "text", _AT),
            _c("amount", "number", "the order's amount in its currency"),
            _c("currency", "text", "ISO currency code of amount"),
            _c("amount_home", "number", "the amount in the home currency"),
            _c(
                "status",
                "text",
                "paid, refunded (returned), cancelled or pending; revenue counts paid only",
            ),
            _c("channel", "text", "sales channel (online, store, app...)"),
            _c("category", "text", "product category"),
            _c("items", "integer", "number of items"),
            _c("contact_id", "integer", "the person who placed it (ask_people; NULL: unknown)"),
        ),
    ),
    ViewDoc(
        "ask_tickets",
        "One row per customer-service ticket.",
        (
            _c("ticket_id", "integer", "the ticket's id in this workspace"),
            _c("customer_id", "integer", "the customer"),
            _c("external_id", "text", "the ticket number in the help desk"),
            _c("day", "day", _EVENT_DAY),
            _c("at", "text", _AT),
            _c("subject", "text", "the ticket's subject", "tickets"),
            _c("text", "text", "the ticket's text", "tickets"),
            _c("ticket_type", "text", "the help desk's ticket type (NULL when it had none)"),
            _c("status", "text", "open, pending, solved, closed..."),
            _c("is_open", "flag", "1 when not solved, closed, resolved or cancelled"),
            _c("channel", "text", "how it came in (email, web, chat, phone...)"),
            _c("satisfaction", "text", "satisfaction rating: good, bad, offered, unoffered"),
            _c(
                "satisfaction_score",
                "number",
                "1 for a good rating, 0 for a bad one, NULL when not rated",
            ),
            _c(
                "sentiment",
                "number",
                "sentiment of the text, -1 (negative) to 1 (positive): "
                "the help desk's own, else read from the words on the laptop",
            ),
            _c(
                "is_negative",
                "flag",
                "1 when the sentiment is -0.05 or below, or the satisfaction rating is bad",
            ),
            _c("reason", "text", _REASON_DOC),
        ),
    ),
    ViewDoc(
        "ask_reviews",
        "One row per product review.",
        (
            _c("review_id", "integer", "the review's id in this workspace"),
            _c("customer_id", "integer", "the customer"),
            _c("day", "day", _EVENT_DAY),
            _c("rating", "integer", "stars, 1 to 5"),
            _c("title", "text", "the review's title", "reviews"),
            _c("text", "text", "the review's text", "reviews"),
            _c("sentiment", "number", "sentiment of the text, -1 to 1"),
            _c(
                "is_negative",
                "flag",
                "1 when the sentiment is -0.05 or below, or (with no sentiment) 1-2 stars",
            ),
            _c("reason", "text", _REASON_DOC),
            _c("channel", "text", "where it was left (web, app...)"),
        ),
    ),
    ViewDoc(
        "ask_emails",
        "One row per email event sent to, opened or clicked by a customer (campaigns "
        "and personal outreach).",
        (
            _c("email_event_id", "integer", "the event's id"),
            _c("customer_id", "integer", "the customer"),
            _c("event", "text", "sent, open, click or unsubscribe"),
            _c("day", "day", _EVENT_DAY),
            _c("at", "text", _AT),
            _c("subject", "text", "the email's subject"),
            _c("campaign", "text", "the campaign's name (NULL when unknown)"),
            _c(
                "campaign_type",
                "text",
                "the campaign's type (e.g. Sale, Seasonal launch, Gift guide, Win-back)",
            ),
            _c("channel", "text", "the sending tool or channel"),
        ),
    ),
    ViewDoc(
        "ask_interactions",
        "Every other interaction: calls, meetings, notes, NPS answers and logins "
        "(kind tells which).",
        (
            _c("interaction_id", "integer", "the interaction's id"),
            _c("customer_id", "integer", "the customer"),
            _c("kind", "text", "call, meeting, note, nps or login"),
            _c("day", "day", _EVENT_DAY),
            _c("channel", "text", "channel or tool"),
            _c("subject", "text", "subject", "tickets"),
            _c("text", "text", "text", "tickets"),
            _c("rating", "integer", "a score given (NPS 0-10...)"),
            _c("sentiment", "number", "sentiment, -1 to 1"),
            _c("attributes", "json", "other imported columns, as a JSON object"),
        ),
    ),
    ViewDoc(
        "ask_opportunities",
        "One row per sales opportunity (deal).",
        (
            _c("opportunity_id", "integer", "the opportunity's id"),
            _c("customer_id", "integer", "the customer"),
            # A deal is often named after the customer ("Personal shopping – Dana Santos").
            _c("name", "text", "the deal's name", ("company", "surname")),
            _c("type", "text", "the deal's type"),
            _c("stage", "text", "the sales stage"),
            _c("amount", "number", "the deal's value in its currency"),
            _c("currency", "text", "ISO currency code of amount"),
            _c("amount_home", "number", "the value in the home currency"),
            _c("probability", "number", "probability of winning, 0 to 1"),
            _c("is_open", "flag", "1 while the deal is not closed"),
            _c("won", "flag", "1 when closed and won"),
            _c("created_day", "day", "the date the deal was created"),
            _c("close_day", "day", "the (expected) close date"),
            _c("owner", "text", "the deal's owner", "owner"),
        ),
    ),
    ViewDoc(
        "ask_contracts",
        "One row per contract: a recurring agreement that comes up for renewal on its end "
        "date (outcome open until it is renewed or churned).",
        (
            _c("contract_id", "integer", "the contract's id"),
            _c("customer_id", "integer", "the customer"),
            _c("name", "text", "the contract's or plan's name", ("company", "surname")),
            _c("start_day", "day", "the day the contract started"),
            _c("renewal_day", "day", "the day it ends and comes up for renewal"),
            _c("amount", "number", "the recurring amount a period, in its currency"),
            _c("currency", "text", "ISO currency code of amount"),
            _c("amount_home", "number", "the recurring amount a period in the home currency"),
            _c("period", "text", "the period the amount is for: month, quarter or year"),
            _c("auto_renew", "flag", "1 when it renews on its own unless notice is given"),
            _c("notice_days", "integer", "days of notice before the renewal day"),
            _c("seats", "integer", "seats or licences, when known"),
            _c("outcome", "text", "open, renewed or churned"),
            _c("renewed_amount", "number", "the amount it renewed at, in its currency"),
            _c("decided_day", "day", "the day it was renewed or lost"),
            _c("owner", "text", "the contract's owner, else the customer's", "owner"),
            _c(
                "likelihood",
                "number",
                "the chance it renews, 0 to 1, from the latest scoring that forecast it",
            ),
        ),
    ),
    ViewDoc(
        "ask_alerts",
        "One row per alert raised by the app's rules.",
        (
            _c("alert_id", "integer", "the alert's id"),
            _c("customer_id", "integer", "the customer"),
            _c("rule", "text", "the rule that raised it"),
            _c("severity", "text", "critical, high, medium or low"),
            _c(
                "status",
                "text",
                "open, snoozed, in_progress, resolved, dismissed, held_back... (a "
                "snooze that has ended reads open)",
            ),
            _c("reason", "text", "why it was raised, in words"),
            _c("priority_home", "number", "what is at stake, in the home currency"),
            _c("owner", "text", "the account manager it is for", "owner"),
            _c("created_day", "day", "the date it was raised"),
            _c("resolved_day", "day", "the date it was resolved (NULL while not)"),
            _c("holdout", "flag", "1 when the customer is in the holdout group"),
            _c("outcome", "text", "how it ended, when it has"),
        ),
    ),
    ViewDoc(
        "ask_tasks",
        "One row per task, call or note logged on a customer.",
        (
            _c("task_id", "integer", "the task's id"),
            _c("customer_id", "integer", "the customer"),
            _c("alert_id", "integer", "the alert it belongs to (NULL: none)"),
            _c("kind", "text", "task, call or note"),
            _c("title", "text", "title", "tickets"),
            _c("due_day", "day", "when it is due (tasks)"),
            _c("done", "flag", "1 when done"),
            _c("outcome", "text", "the call's outcome"),
            _c("created_by", "text", "who logged it", "owner"),
            _c("created_day", "day", "the date it was logged"),
        ),
    ),
    ViewDoc(
        "ask_people",
        "One row per person at a business account (a customer with none is its own one "
        "person and has no row).",
        (
            _c("contact_id", "integer", "the person's id"),
            _c("customer_id", "integer", "their account (ask_customers.customer_id)"),
            _c("name", "text", "full name", "surname"),
            _c("email", "text", "email address", "email"),
            _c("title", "text", "job title"),
            _c("role", "text", "champion, decision_maker, billing, user or other (NULL: none)"),
            _c("left_day", "day", "the date they left the account (NULL: still there)"),
            _c("added_day", "day", "the date they were added to the workspace"),
            _c("last_two_way_day", "day", "their last call, meeting, chat, ticket or email to us"),
            _c("orders", "integer", "the paid orders they placed"),
            _c("tickets", "integer", "the tickets they raised"),
        ),
    ),
    ViewDoc(
        "ask_conversations",
        "One row per imported conversation: a call, meeting, chat, email either way or "
        "social mention, with what was read out of it.",
        (
            _c("conversation_id", "integer", "the conversation's id"),
            _c("customer_id", "integer", "the customer"),
            _c("contact_id", "integer", "the person it was with (ask_people; NULL: unknown)"),
            _c("kind", "text", "call, meeting, chat, email_received, email_sent or social"),
            _c("day", "day", _EVENT_DAY),
            _c("subject", "text", "its title or subject", "tickets"),
            _c("summary", "json", "its summary, a list of sentences", "tickets"),
            _c("summary_method", "text", "extractive (on this computer) or model"),
            _c("raised_risk", "flag", "1 when the customer raised a risk in it"),
            _c("raised_cancellation", "flag", "1 when the customer raised cancellation"),
            _c("named_competitor", "flag", "1 when the customer named a competitor"),
            _c("sentiment", "number", "the customer's sentiment in it, -1 to 1"),
        ),
    ),
    ViewDoc(
        "ask_outreach",
        "One row per outreach email drafted, exported or sent by the app.",
        (
            _c("outreach_id", "integer", "the outreach's id"),
            _c("customer_id", "integer", "the customer"),
            _c("alert_id", "integer", "the alert it answered (NULL: none)"),
            _c("status", "text", "draft, exported or sent"),
            _c("subject", "text", "the email's subject"),
            _c("goal", "text", "the goal (win back, check in, upsell...)"),
            _c("tone", "text", "the tone"),
            _c("template", "text", "the template, when one was used"),
            _c("sent_day", "day", "the date it was sent (NULL: not sent)"),
            _c("created_day", "day", "the date it was drafted"),
        ),
    ),
)

VIEW_NAMES: frozenset[str] = frozenset(v.name for v in ASK_VIEWS)
# The kinds ask_interactions holds: those no other view does (named, so the index serves).
_OWN_VIEWS = {"ticket", "review", "email_sent", "email_open", "email_click", "unsubscribe"}
OTHER_KINDS = tuple(k for k in INTERACTION_KINDS if k not in _OWN_VIEWS)


def find_view(name: str) -> ViewDoc:
    """The documentation of one view; KeyError if there is none."""
    for view in ASK_VIEWS:
        if view.name == name:
            return view
    raise KeyError(name)


# --- the SQL ----------------------------------------------------------------------------


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _major(cents: str) -> str:
    return f"({cents}) / 100.0"


# The customer's order totals as the rollups keep them (read while they are current).
_ROLLED_UP = {
    "paid_orders": "coalesce(r.paid_orders, 0)",
    "refunded_orders": "coalesce(r.refunded_orders, 0)",
    "revenue": "coalesce(r.paid_revenue_cents, 0)",
    "last_order_at": "r.last_order_at",
}


def _live_totals(home: str) -> dict[str, str]:
    """The same totals from the customer's orders, as services/core/rollups.py works them
    out: read while a write has marked the rollups stale, so that no answer is out of date."""
    mine = "FROM orders o WHERE o.customer_id = c.id AND o.status"
    return {
        "paid_orders": f"(SELECT count(*) {mine} = 'paid')",
        "refunded_orders": f"(SELECT count(*) {mine} = 'refunded')",
        "revenue": f"coalesce((SELECT sum({home}) {mine} = 'paid'), 0)",
        "last_order_at": f"(SELECT max(o.order_date) {mine} = 'paid')",
    }


def _risk_flag(d: _Dialect, kind: str) -> str:
    """1 when the conversation's risks hold one of ``kind`` (any, when empty), else 0."""
    risks = f"replace({d.json_text('i.attributes', 'risks')}, ' ', '')"  # compact, as SQLite's
    pattern = f'%"kind":"{kind}"%' if kind else '%"kind":%'
    return f"CASE WHEN {risks} LIKE '{pattern}' THEN 1 ELSE 0 END"


def view_sql(
    money: MoneyContext,
    *,
    dialect: str = "sqlite",
    at_risk_threshold: float = 0.6,
    rollups_current: bool = False,
) -> dict[str, str]:
    """The SELECT behind every ask_ view, by view name, for SQLite or PostgreSQL;
    ``at_risk_threshold`` is the dashboard's (services.ask.metrics.at_risk_threshold).
    ``rollups_current`` (services.core.rollups.marked_current): the customer's order totals
    and the last order's local day are read from the rollups (a column read) instead of
    worked out from each customer's orders."""
    d = _POSTGRES if dialect == "postgresql" else _SQLITE
    home = home_cents_sql(money, "o.amount_cents", "o.currency")
    deal_home = home_cents_sql(money, "p.amount_cents", "p.currency")
    contract_home = home_cents_sql(money, "k.amount_cents", "k.currency")
    closed = _sql_list(CLOSED_TICKET_STATUSES)
    last_paid = (
        "(SELECT {day} FROM orders o WHERE o.customer_id = c.id AND o.status = 'paid' "
        "ORDER BY o.order_date {dir} LIMIT 1)"
    )
    latest_run = (
        "(SELECT r.id FROM scoring_runs r WHERE r.status = 'finished' "
        "ORDER BY r.as_of DESC, r.id DESC LIMIT 1)"
    )
    order_day = d.local_day("o.order_date", "o.utc_offset_minutes")
    # The latest paid order's local day: the greater offset when two share its time, as the
    # rollups keep it (models/last_orders.py).
    last_order_day = (
        d.local_day("r.last_order_at", "r.last_order_offset_min")
        if rollups_current
        else last_paid.format(day=order_day, dir="DESC, o.utc_offset_minutes DESC NULLS LAST")
    )
    at_risk = at_risk_sql("s.churn_risk", "s.segment", repr(float(at_risk_threshold)))
    rolled = _ROLLED_UP if rollups_current else _live_totals(home)
    return {
        "ask_customers": f"""
SELECT c.id AS customer_id, c.external_id, c.source, {account_sql_text(dialect, "c")} AS account,
       {account_sql_text(dialect, "c", what="person")} AS person, c.name, c.email, c.company,
       c.owner,
       c.tier, c.region, {d.date_text("c.signup_date")} AS signup_day,
       CAST(c.do_not_contact AS INTEGER) AS do_not_contact,
       {d.json_as_text("c.attributes")} AS attributes,
       {rolled["paid_orders"]} AS paid_orders,
       {rolled["refunded_orders"]} AS refunded_orders,
       CASE WHEN EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id
                         AND o.status = 'paid' AND {home} IS NULL)
            THEN NULL ELSE {_major(rolled["revenue"])} END AS revenue_home,
       {last_paid.format(day=order_day, dir="ASC")} AS first_order_day,
       {last_order_day} AS last_order_day,
       {d.stored(rolled["last_order_at"])} AS last_order_at,
       coalesce(r.open_tickets, 0) AS open_tickets,
       coalesce(r.open_opportunities, 0) AS open_opportunities,
       {d.date_text("s.as_of")} AS scored_as_of,
       s.churn_risk, s.churn_risk_low, s.churn_risk_high, s.engagement_score,
       s.health_score, s.segment, s.confidence, s.predicted_orders,
       {_major("s.clv_12m_cents")} AS value_home,
       {_major("s.revenue_at_risk_cents")} AS revenue_at_risk_home,
       CASE WHEN {at_risk} THEN 1 ELSE 0 END AS at_risk
FROM customers c
LEFT JOIN customer_rollups r ON r.customer_id = c.id
LEFT JOIN score_snapshots s ON {d.latest_snapshot("c.id", latest_run)}""",
        "ask_orders": f"""
SELECT o.id AS order_id, o.customer_id, o.external_id, {order_day} AS day,
       {d.stored("o.order_date")} AS at,
       {_major("o.amount_cents")} AS amount, o.currency, {_major(home)} AS amount_home,
       o.status, o.channel, o.category, o.items, o.contact_id
FROM orders o""",
        "ask_tickets": f"""
SELECT i.id AS ticket_id, i.customer_id, i.external_id,
       {d.local_day("i.occurred_at", "i.utc_offset_minutes")} AS day,
       {d.stored("i.occurred_at")} AS at, i.subject, i.text,
       coalesce({d.json_text("i.attributes", "Ticket type")},
                {d.json_text("i.attributes", "Type")},
                {d.json_text("i.attributes", "ticket_type")}) AS ticket_type,
       i.status,
       CASE WHEN i.status IS NOT NULL AND lower(i.status) NOT IN ({closed}) THEN 1 ELSE 0 END
           AS is_open,
       i.channel, i.satisfaction,
       CASE lower(i.satisfaction) WHEN 'good' THEN 1.0 WHEN 'bad' THEN 0.0 ELSE NULL END
           AS satisfaction_score,
       {EFFECTIVE_SQL.format(i="i")} AS sentiment,
       CASE WHEN {NEGATIVE_TICKET_SQL.format(i="i")} THEN 1 ELSE 0 END AS is_negative,
       i.reason
FROM interactions i WHERE i.kind = 'ticket'""",
        "ask_reviews": f"""
SELECT i.id AS review_id, i.customer_id,
       {d.local_day("i.occurred_at", "i.utc_offset_minutes")} AS day,
       i.rating, i.subject AS title, i.text, {EFFECTIVE_SQL.format(i="i")} AS sentiment,
       CASE WHEN {NEGATIVE_REVIEW_SQL.format(i="i")} THEN 1 ELSE 0 END AS is_negative,
       i.reason, i.channel
FROM interactions i WHERE i.kind = 'review'""",
        "ask_emails": f"""
SELECT i.id AS email_event_id, i.customer_id,
       CASE i.kind WHEN 'email_sent' THEN 'sent' WHEN 'email_open' THEN 'open'
            WHEN 'email_click' THEN 'click' ELSE 'unsubscribe' END AS event,
       {d.local_day("i.occurred_at", "i.utc_offset_minutes")} AS day,
       {d.stored("i.occurred_at")} AS at, i.subject,
       coalesce({d.json_text("i.attributes", "campaign")},
                {d.json_text("i.attributes", "Campaign")}) AS campaign,
       i.campaign_type,
       i.channel
FROM interactions i
WHERE i.kind IN ('email_sent', 'email_open', 'email_click', 'unsubscribe')""",
        "ask_interactions": f"""
SELECT i.id AS interaction_id, i.customer_id, i.kind,
       {d.local_day("i.occurred_at", "i.utc_offset_minutes")} AS day,
       i.channel, i.subject, i.text, i.rating, {EFFECTIVE_SQL.format(i="i")} AS sentiment,
       {d.json_as_text("i.attributes")} AS attributes
FROM interactions i WHERE i.kind IN ({_sql_list(OTHER_KINDS)})""",
        "ask_opportunities": f"""
SELECT p.id AS opportunity_id, p.customer_id, p.name, p.type, p.stage,
       {_major("p.amount_cents")} AS amount, p.currency, {_major(deal_home)} AS amount_home,
       p.probability, CASE WHEN p.closed THEN 0 ELSE 1 END AS is_open,
       CAST(p.won AS INTEGER) AS won, {d.app_day("p.created_at")} AS created_day,
       {d.date_text("p.close_date")} AS close_day, p.owner
FROM opportunities p""",
        "ask_contracts": f"""
SELECT k.id AS contract_id, k.customer_id, k.name, {d.date_text("k.start_date")} AS start_day,
       {d.date_text("k.end_date")} AS renewal_day, {_major("k.amount_cents")} AS amount,
       k.currency, {_major(contract_home)} AS amount_home, k.period,
       CAST(k.auto_renew AS INTEGER) AS auto_renew, k.notice_days, k.seats, k.outcome,
       {_major("k.renewed_amount_cents")} AS renewed_amount,
       {d.date_text("k.decided_on")} AS decided_day,
       coalesce(k.owner, (SELECT c.owner FROM customers c WHERE c.id = k.customer_id)) AS owner,
       (SELECT f.likelihood FROM renewal_forecasts f WHERE f.contract_id = k.id
        ORDER BY f.as_of DESC, f.id DESC LIMIT 1) AS likelihood
FROM contracts k""",
        "ask_alerts": f"""
SELECT a.id AS alert_id, a.customer_id, a.rule_key AS rule, a.severity,
       CASE WHEN a.status = 'snoozed' AND a.snoozed_until IS NOT NULL
                 AND a.snoozed_until <= {d.now} THEN 'open' ELSE a.status END AS status,
       a.reason, {_major("a.priority_cents")} AS priority_home, a.owner,
       {d.app_day("a.created_at")} AS created_day,
       {d.app_day("a.resolved_at")} AS resolved_day,
       CAST(a.holdout AS INTEGER) AS holdout, a.outcome
FROM alerts a""",
        "ask_tasks": f"""
SELECT t.id AS task_id, t.customer_id, t.alert_id, t.kind, t.title,
       {d.date_text("t.due_date")} AS due_day,
       CASE WHEN t.done_at IS NULL THEN 0 ELSE 1 END AS done, t.outcome, t.created_by,
       {d.app_day("t.created_at")} AS created_day
FROM actions t""",
        "ask_people": f"""
SELECT p.id AS contact_id, p.customer_id, p.name, p.email, p.title,
       coalesce(p.user_role, p.role) AS role, {d.date_text("p.left_on")} AS left_day,
       {d.app_day("p.created_at")} AS added_day,
       (SELECT max({d.local_day("i.occurred_at", "i.utc_offset_minutes")}) FROM interactions i
        WHERE i.contact_id = p.id AND i.kind IN ({_sql_list(TWO_WAY_KINDS)})) AS last_two_way_day,
       (SELECT count(*) FROM orders o WHERE o.contact_id = p.id AND o.status = 'paid') AS orders,
       (SELECT count(*) FROM interactions i WHERE i.contact_id = p.id AND i.kind = 'ticket')
           AS tickets
FROM contacts p""",
        "ask_conversations": f"""
SELECT i.id AS conversation_id, i.customer_id, i.contact_id, i.kind,
       {d.local_day("i.occurred_at", "i.utc_offset_minutes")} AS day, i.subject,
       {d.json_text("i.attributes", "summary")} AS summary,
       {d.json_text("i.attributes", "summary_method")} AS summary_method,
       {_risk_flag(d, "")} AS raised_risk,
       {_risk_flag(d, "cancellation")} AS raised_cancellation,
       {_risk_flag(d, "competitor")} AS named_competitor,
       i.sentiment
FROM interactions i WHERE i.source = '{CONVERSATION_SOURCE}'""",
        "ask_outreach": f"""
SELECT x.id AS outreach_id, x.customer_id, x.alert_id, x.status, x.subject, x.goal,
       x.tone, x.template, {d.app_day("x.sent_at")} AS sent_day,
       {d.app_day("x.created_at")} AS created_day
FROM outreach x""",
    }


def value_words(text: str, months: int) -> str:
    """``text`` with the value named after the latest scoring's T: "T-month value" as
    "24-month value", "T months" as "24 months"."""
    return re.sub(r"\bT(-month| months)\b", lambda m: f"{months}{m.group(1)}", text)


def schema_text(reasons: Sequence[str] = (), *, value_months: int = 12) -> str:
    """The views' documentation as plain text: the schema part of a model's prompt, with
    the names of the learned reasons when given and the value named after its T."""
    lines: list[str] = []
    for view in ASK_VIEWS:
        lines.append(f"VIEW {view.name}: {view.description}")
        for col in view.columns:
            described = value_words(col.description, value_months)
            lines.append(f"  {col.name} ({col.type}): {described}")
        lines.append("")
    if reasons:
        lines.append("Reasons (the reason column): " + "; ".join(reasons) + ".")
    return "\n".join(lines).rstrip() + "\n"
