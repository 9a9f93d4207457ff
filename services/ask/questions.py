"""The built-in saved questions: the ten the product brief names, and the ones an account
manager asks every week.

Each is one parameterised SELECT over the ask_ views (services/ask/views.py), written in
SQLite's dialect; ``library.dialect_sql`` turns the few SQLite-only functions into
PostgreSQL's. Dates are bound as 'YYYY-MM-DD' text: ``since`` is today minus ``days``,
``since_at`` a day earlier (a UTC bound that lets the indexes narrow a scan; the local-day
test then decides) and ``since_to_at`` two days later (no order dated before ``since`` was
placed after it, in UTC); ``quiet_from_at`` and ``quiet_to_at`` likewise a day outside
``quiet_from`` and ``quiet_to``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from services.ask.metrics import THRESHOLD_DEFAULT, at_risk_sql

ParamKind = Literal["int", "number", "percent", "money", "date", "text", "choice", "customer"]


@dataclass(frozen=True)
class Param:
    """One parameter of a saved question."""

    name: str
    label: str
    kind: ParamKind
    default: object = None  # a value, or "today-N", "quarter_start", "quarter_end"...
    choices: tuple[str, ...] = ()
    choices_sql: str | None = None  # the workspace's own choices (its tiers...)
    # Regular expressions that pull the value out of a typed question (group 1).
    patterns: tuple[str, ...] = ()
    bounds: tuple[float, float] | None = None  # the lowest and highest value it takes


@dataclass(frozen=True)
class SavedQuestion:
    """A question the library answers without a model."""

    id: str
    title: str
    question: str  # the canonical wording
    sql: str
    params: tuple[Param, ...] = ()
    keywords: tuple[str, ...] = ()
    explanation: str = ""  # how it is computed, in one line
    builtin: bool = True
    chart_value: str | None = None  # the column a chart draws
    # A query that returns a row when the data the question needs is there; the notice
    # when it returns none.
    needs_sql: str | None = None
    needs_notice: str = ""


_DAYS = r"(?:last|past|previous|within|in)\s+(\d+)\s*days?"


def _days(default: int) -> Param:
    return Param("days", "Days back", "int", default, patterns=(_DAYS,))


_FIT_TOOL_NEEDS = (
    "SELECT 1 FROM ask_customers "
    "WHERE json_extract(attributes, '$.fitmap_sessions') IS NOT NULL LIMIT 1"
)
_FIT_TOOL_NOTICE = (
    "This workspace has no FitMap usage data (no customer has fitmap_sessions among their "
    "attributes), so the answer leaves it out."
)
_AT_RISK = at_risk_sql("churn_risk", "segment", ":threshold")
# The tiers one index seek each (a DISTINCT over the customers view would read every
# customer's rollups and snapshot: SQLite keeps a view's LEFT JOINs in an aggregate).
_TIERS_SQL = """WITH RECURSIVE tiers(tier) AS (
  SELECT (SELECT tier FROM ask_customers WHERE tier IS NOT NULL ORDER BY tier LIMIT 1)
  UNION ALL
  SELECT (SELECT c.tier FROM ask_customers c WHERE c.tier > t.tier ORDER BY c.tier LIMIT 1)
  FROM tiers t WHERE t.tier IS NOT NULL)
SELECT tier FROM tiers WHERE tier IS NOT NULL ORDER BY tier"""

BUILTIN: tuple[SavedQuestion, ...] = (
    SavedQuestion(
        "negative_tickets",
        "Negative tickets, last 30 days",
        "Show me all customer service tickets from the last 30 days with negative sentiment",
        """SELECT t.ticket_id, t.customer_id, c.account AS customer, t.day, t.subject,
       t.ticket_type, t.status, t.sentiment, t.satisfaction
FROM ask_tickets t JOIN ask_customers c ON c.customer_id = t.customer_id
WHERE t.is_negative = 1 AND t.at >= :since_at AND t.day >= :since
ORDER BY t.day DESC, t.ticket_id DESC""",
        (_days(30),),
        ("ticket", "tickets", "negative", "sentiment", "service", "support", "unhappy"),
        "Negative: sentiment -0.05 or below, or a bad satisfaction rating.",
    ),
    SavedQuestion(
        "satisfaction_by_type",
        "Satisfaction by ticket type",
        "What's the average satisfaction score by ticket type?",
        """SELECT coalesce(ticket_type, '(no type)') AS ticket_type, count(*) AS tickets,
       count(satisfaction_score) AS rated,
       round(100.0 * avg(satisfaction_score), 1) AS satisfaction_pct
FROM ask_tickets
GROUP BY 1
ORDER BY satisfaction_pct DESC NULLS LAST, tickets DESC, 1""",
        (),
        ("average", "satisfaction", "score", "csat", "ticket", "type", "types"),
        "Satisfaction: the share of rated tickets rated good (tickets not rated are left out).",
        chart_value="satisfaction_pct",
    ),
    # The tickets counted alone, then the few busy customers named (not every ticket joined
    # to a customer, their rollups and their scores).
    SavedQuestion(
        "frequent_tickets",
        "Customers with 3+ tickets in 60 days",
        "Identify customers who have had 3+ support tickets in the last 60 days",
        """WITH busy AS MATERIALIZED (
  SELECT t.customer_id, count(*) AS tickets, sum(t.is_open) AS open_tickets,
         max(t.day) AS last_ticket_day
  FROM ask_tickets t
  WHERE t.at >= :since_at AND t.day >= :since
  GROUP BY t.customer_id
  HAVING count(*) >= :min_tickets)
SELECT b.customer_id, c.account AS customer, c.owner, b.tickets, b.open_tickets,
       b.last_ticket_day
FROM busy b JOIN ask_customers c ON c.customer_id = b.customer_id
ORDER BY b.tickets DESC, b.last_ticket_day DESC, b.customer_id""",
        (
            Param(
                "min_tickets",
                "At least (tickets)",
                "int",
                3,
                patterns=(r"(\d+)\s*\+?\s*(?:or more\s+)?(?:support\s+)?tickets",),
            ),
            _days(60),
        ),  # fmt: skip
        ("customers", "support", "tickets", "many", "several", "frequent", "repeat"),
        "Tickets dated within the period, any status.",
    ),
    # Narrowed by the rollups' time of the last order before any customer's last order is
    # looked up (SQLite would work it out for every fan, twice, in one WHERE).
    SavedQuestion(
        "five_star_no_purchase",
        "5-star reviewers who stopped buying",
        "Which customers have left 5-star reviews but haven't purchased in 90 days?",
        """WITH fans AS MATERIALIZED (
  SELECT r.customer_id, max(r.day) AS last_review_day FROM ask_reviews r
  WHERE r.rating >= :stars
  GROUP BY r.customer_id),
lapsed AS MATERIALIZED (
  SELECT f.customer_id, f.last_review_day
  FROM fans f JOIN ask_customers c ON c.customer_id = f.customer_id
  WHERE c.last_order_at IS NULL OR c.last_order_at < :since_to_at)
SELECT c.customer_id, c.account AS customer, c.owner, l.last_review_day, c.last_order_day,
       c.churn_risk
FROM lapsed l JOIN ask_customers c ON c.customer_id = l.customer_id
WHERE coalesce(c.last_order_day, '') < :since
ORDER BY c.last_order_day DESC NULLS LAST, c.customer_id""",
        (
            Param("stars", "Stars", "int", 5, patterns=(r"(\d)\s*-?\s*stars?",), bounds=(1, 5)),
            _days(90),
        ),
        (
            "reviews",
            "5-star",
            "star",
            "stars",
            "purchased",
            "bought",
            "haven't",
            "stopped",
            "happy",
        ),
        "No paid order since the start of the period.",
    ),  # fmt: skip
    # Grouped by customer first: the sort for that puts each customer's orders probes side
    # by side (a cached index page each), and counting the groups counts the customers.
    # The probe reads the customer's next paid order from the email on (one index seek) and
    # works out the window's end only when there is one: an email sent after the last paid
    # order, most of them, costs no date arithmetic (tests/unit/ask/
    # test_campaign_conversion_counts.py holds it to a count by hand).
    SavedQuestion(
        "campaign_conversion",
        "Email conversion by campaign type",
        "Show me the conversion rate of email campaigns by campaign type",
        """WITH per AS MATERIALIZED (
  SELECT e.campaign_type, e.customer_id, count(*) AS sent,
         sum(CASE WHEN EXISTS (
           SELECT 1 FROM (
             SELECT o.at FROM ask_orders o
             WHERE o.customer_id = e.customer_id AND o.status = 'paid' AND o.at >= e.at
             ORDER BY o.at LIMIT 1) n
           WHERE n.at < datetime(e.at, '+' || :window || ' days')) THEN 1 ELSE 0 END)
           AS converted
  FROM ask_emails e
  WHERE e.event = 'sent' AND e.campaign_type IS NOT NULL
    AND e.at >= :since_at AND (e.at >= :since_to_at OR e.day >= :since)
  GROUP BY e.customer_id, e.campaign_type)
SELECT campaign_type, sum(sent) AS emails_sent, count(*) AS customers,
       round(100.0 * (1.0 * sum(converted) / sum(sent)), 1) AS conversion_pct
FROM per
GROUP BY campaign_type
ORDER BY conversion_pct DESC NULLS LAST, campaign_type""",
        (
            Param(
                "window",
                "Order within (days)",
                "int",
                7,
                patterns=(r"within\s+(\d+)\s*days?\s+of",),
            ),
            _days(90),
        ),  # fmt: skip
        ("conversion", "rate", "email", "campaigns", "campaign", "type", "convert"),
        "Conversion: a paid order within 7 days of the campaign email, over the emails sent "
        "in the period.",
        chart_value="conversion_pct",
    ),
    SavedQuestion(
        "likely_open_deals",
        "Open deals likely to close",
        "List all open sales opportunities with probability > 70% and value > $200",
        """SELECT p.opportunity_id, p.customer_id, c.account AS customer, p.name AS deal, p.stage,
       p.amount, p.currency, p.probability, p.close_day, p.owner
FROM ask_opportunities p JOIN ask_customers c ON c.customer_id = p.customer_id
WHERE p.is_open = 1 AND p.probability > :min_probability AND p.amount_home > :min_value
ORDER BY p.amount_home DESC NULLS LAST, p.opportunity_id""",
        (
            Param(
                "min_probability",
                "Probability above (%)",
                "percent",
                0.7,
                patterns=(r"probability\s*(?:>|over|above|greater than|of at least)\s*(\d+)",),
            ),
            Param(
                "min_value",
                "Value above (home currency)",
                "money",
                200,
                patterns=(
                    r"(?:value|amount|worth)\s*(?:>|over|above|greater than)\s*\D?\s*"
                    r"([\d,]+)",
                ),
            ),
        ),  # fmt: skip
        ("open", "sales", "opportunities", "deals", "probability", "value", "pipeline"),
        "Open: not closed. Value compared in the home currency.",
    ),
    SavedQuestion(
        "renewals_due",
        "Renewals due",
        "Which renewals are due in the next 90 days?",
        """SELECT k.contract_id, k.customer_id, c.account AS customer, k.name AS contract,
       k.renewal_day, k.amount_home, k.period, k.auto_renew, k.likelihood, k.owner
FROM ask_contracts k JOIN ask_customers c ON c.customer_id = k.customer_id
WHERE k.outcome = 'open' AND k.renewal_day >= :today AND k.renewal_day <= :ahead_until
ORDER BY k.renewal_day, k.contract_id""",
        (
            Param(
                "ahead_days",
                "Days ahead",
                "int",
                90,
                patterns=(r"(?:next|coming|within|in)\s+(\d+)\s*days?",),
                bounds=(1, 3660),
            ),
        ),
        ("renewals", "renewal", "renew", "due", "contracts", "contract", "upcoming", "next"),
        "Open contracts whose renewal day falls from today to the days ahead, the nearest "
        "first; likelihood is the latest scoring's chance that it renews.",
        needs_sql="SELECT 1 FROM ask_contracts LIMIT 1",
        needs_notice="This workspace has no contracts yet: import a contracts file (from a "
        "CRM or billing system) to see renewals.",
    ),
    SavedQuestion(
        "customer_360",
        "360-degree view of a customer",
        "Give me a 360-degree view of customer ID 42 including purchase history, support "
        "tickets, reviews, and FitMap usage",
        """WITH who AS (
  SELECT customer_id FROM ask_customers
  WHERE CAST(customer_id AS TEXT) = :customer OR external_id = :customer
     OR lower(email) = lower(:customer) OR lower(account) = lower(:customer)
  ORDER BY CASE WHEN CAST(customer_id AS TEXT) = :customer THEN 0 ELSE 1 END
  LIMIT 1)
SELECT * FROM (
  SELECT c.customer_id, 'Profile' AS part, c.signup_day AS day,
         c.account || ' · ' || coalesce(c.tier, 'no tier') || ' · owner '
         || coalesce(c.owner, 'none') || ' · ' || coalesce(c.segment, 'not scored')
         || ' · churn risk ' || coalesce(CAST(round(100 * c.churn_risk) AS INTEGER) || '%',
         'not scored') AS detail,
         c.revenue_home AS amount, CAST(:home_currency AS TEXT) AS currency, NULL AS status
  FROM ask_customers c JOIN who ON who.customer_id = c.customer_id
  UNION ALL
  SELECT o.customer_id, 'Order', o.day,
         coalesce(o.category, 'order') || CASE WHEN o.items IS NULL THEN ''
           WHEN o.items = 1 THEN ' · 1 item'
           ELSE ' · ' || CAST(o.items AS TEXT) || ' items' END,
         o.amount, o.currency, o.status
  FROM ask_orders o JOIN who ON who.customer_id = o.customer_id
  UNION ALL
  SELECT t.customer_id, 'Ticket', t.day, t.subject, NULL, NULL, t.status
  FROM ask_tickets t WHERE t.customer_id = (SELECT customer_id FROM who)
  UNION ALL
  SELECT r.customer_id, 'Review', r.day,
         r.rating || ' stars · ' || coalesce(r.title, '') || ' · ' || coalesce(r.text, ''),
         NULL, NULL, NULL
  FROM ask_reviews r WHERE r.customer_id = (SELECT customer_id FROM who)
  UNION ALL
  SELECT c.customer_id, 'FitMap', json_extract(c.attributes, '$.fitmap_last_used'),
         json_extract(c.attributes, '$.fitmap_sessions') || ' session(s)', NULL, NULL, NULL
  FROM ask_customers c JOIN who ON who.customer_id = c.customer_id
  WHERE json_extract(c.attributes, '$.fitmap_sessions') IS NOT NULL
) AS everything
ORDER BY CASE part WHEN 'Profile' THEN 0 WHEN 'FitMap' THEN 1 ELSE 2 END, day DESC""",
        (
            Param(
                "customer",
                "Customer (id, external id, email or name)",
                "customer",
                "",
                patterns=(
                    r"customer\s+(?:id\s*)?(?:#|no\.?\s*)?\s*([\w.@+-]+)",
                    r"\bid\s*#?\s*(\d+)",
                ),
            ),
        ),  # fmt: skip
        (
            "360",
            "360-degree",
            "view",
            "customer",
            "history",
            "purchase",
            "everything",
            "profile",
            "fitmap",
            "usage",
        ),
        "Everything on one customer, newest first: profile, orders, tickets, reviews and "
        "FitMap usage.",
        needs_sql=_FIT_TOOL_NEEDS,
        needs_notice=_FIT_TOOL_NOTICE,
    ),
    SavedQuestion(
        "negative_review_reasons",
        "Top reasons for negative reviews, last quarter",
        "What are the top 3 reasons for negative reviews in the last quarter?",
        """WITH negative AS MATERIALIZED (
  SELECT review_id, coalesce(reason, 'Other') AS reason, rating, day, text FROM ask_reviews
  WHERE is_negative = 1 AND day BETWEEN :since AND :until)
SELECT n.reason, count(*) AS reviews, round(avg(n.rating), 1) AS average_rating,
       (SELECT x.text FROM negative x WHERE x.reason = n.reason
        ORDER BY x.day DESC, x.review_id DESC LIMIT 1) AS latest_example
FROM negative n
GROUP BY n.reason
ORDER BY reviews DESC, n.reason
LIMIT :top""",
        (
            Param("top", "How many reasons", "int", 3, patterns=(r"top\s+(\d+)",)),
            Param("since", "From", "date", "quarter_start"),
            Param("until", "To", "date", "quarter_end"),
        ),
        ("top", "reasons", "negative", "reviews", "why", "quarter", "complaints"),
        "The last quarter: the last full calendar quarter. Reasons: those learned from the "
        "workspace's complaints (the dashboard's); Other for a review about none of them.",
        chart_value="reviews",
    ),
    # From the customers with a refund (the rollups' count, models/refunds.py), not every
    # customer's attributes: one CASE, or SQLite reads each customer's attributes before
    # their rollups (0.4 s a million); their reviews by customer, not every review.
    SavedQuestion(
        "fit_tool_returns",
        "FitMap users who returned a purchase: common issues",
        "Identify customers who used FitMap but returned their purchase - what were the "
        "common issues?",
        """WITH users AS MATERIALIZED (
  SELECT c.customer_id FROM ask_customers c
  WHERE CASE WHEN c.refunded_orders > 0
             THEN CAST(json_extract(c.attributes, '$.fitmap_sessions') AS INTEGER) > 0 END),
said AS (
  SELECT t.customer_id, coalesce(t.reason, 'Other') AS reason, t.subject AS what
  FROM ask_tickets t
  JOIN users u ON u.customer_id = t.customer_id
  UNION ALL
  SELECT r.customer_id, coalesce(r.reason, 'Other'), r.text FROM ask_reviews r
  WHERE r.customer_id IN (SELECT customer_id FROM users) AND r.is_negative = 1)
SELECT reason AS issue, count(*) AS mentions, count(DISTINCT customer_id) AS customers,
       (SELECT count(*) FROM users) AS fitmap_users_who_returned, min(what) AS example
FROM said
GROUP BY reason
ORDER BY mentions DESC, issue""",
        (),
        ("fitmap", "fit", "tool", "returned", "return", "returns", "issues", "common", "problems"),
        "Customers with FitMap sessions and a refunded order; their tickets and negative "
        "reviews, by reason.",
        chart_value="mentions",
        needs_sql=_FIT_TOOL_NEEDS,
        needs_notice=_FIT_TOOL_NOTICE,
    ),
    SavedQuestion(
        "tier_no_email_engagement",
        "Gold customers not engaging with email",
        "Show me customers in the Gold loyalty tier who haven't engaged with any email "
        "campaigns in 60 days",
        """SELECT c.customer_id, c.account AS customer, c.owner, c.tier,
       (SELECT max(e.day) FROM ask_emails e
        WHERE e.customer_id = c.customer_id AND e.event IN ('open', 'click'))
           AS last_engaged_day,
       c.last_order_day, c.churn_risk
FROM ask_customers c
WHERE c.tier = :tier AND NOT EXISTS (
  SELECT 1 FROM ask_emails e
  WHERE e.customer_id = c.customer_id AND e.event IN ('open', 'click')
    AND e.at >= :since_at AND e.day >= :since)
ORDER BY last_engaged_day DESC NULLS LAST, c.customer_id""",
        (
            Param(
                "tier",
                "Tier",
                "choice",
                "Gold",
                choices_sql=_TIERS_SQL,
                patterns=(
                    r"\b([a-z]+)\s+(?:loyalty\s+)?tier\b",
                    r"\btier\s+(?:is\s+)?([a-z]+)\b",
                ),
            ),
            _days(60),
        ),  # fmt: skip
        (
            "customers",
            "loyalty",
            "tier",
            "gold",
            "engaged",
            "engagement",
            "email",
            "campaigns",
            "haven't",
            "opened",
        ),
        "Engaged: opened or clicked a campaign email.",
    ),
    # --- the ones an account manager asks every week --------------------------------
    # The scores read in customer order (each snapshot beside the last), and outside the
    # aggregate, where SQLite leaves out the customers view's unread rollups; the at-risk
    # test made there too, so that a million rows carry a flag, not a risk and a segment.
    SavedQuestion(
        "at_risk_by_owner",
        "At-risk customers by owner",
        "How many customers are at risk, by owner?",
        f"""WITH scored AS MATERIALIZED (
  SELECT owner, CASE WHEN {_AT_RISK} THEN 1 ELSE 0 END AS risky, revenue_at_risk_home
  FROM ask_customers
  WHERE churn_risk IS NOT NULL
  ORDER BY customer_id)
SELECT coalesce(owner, '(no owner)') AS owner, count(*) AS customers,
       sum(risky) AS at_risk, round(sum(revenue_at_risk_home), 2) AS revenue_at_risk
FROM scored
GROUP BY 1
ORDER BY at_risk DESC, owner""",
        (
            Param(
                "threshold",
                "Churn risk from (%)",
                "percent",
                THRESHOLD_DEFAULT,
                patterns=(r"risk\s*(?:>|>=|over|above)\s*(\d+)",),
            ),
        ),  # fmt: skip
        ("risk", "at-risk", "owner", "owners", "account", "manager", "churn", "by"),
        "At risk: churn risk at or above the high-risk threshold (Settings ▸ Alerts, 60% by "
        "default), not counting Lost customers, in the latest scoring, as on the dashboard. "
        "Revenue at risk: churn risk × last 12 months' revenue, summed over every scored "
        "customer.",
        chart_value="at_risk",
    ),
    SavedQuestion(
        "gone_quiet_this_month",
        "Customers gone quiet this month",
        "Which customers went quiet this month?",
        """WITH near AS MATERIALIZED (
  SELECT customer_id FROM ask_customers
  WHERE paid_orders >= :min_orders AND last_order_at >= :quiet_from_at
    AND last_order_at < :quiet_to_at)
SELECT c.customer_id, c.account AS customer, c.owner, c.last_order_day, c.paid_orders,
       c.churn_risk, c.revenue_at_risk_home
FROM near JOIN ask_customers c ON c.customer_id = near.customer_id
WHERE c.last_order_day >= :quiet_from AND c.last_order_day < :quiet_to
ORDER BY c.revenue_at_risk_home DESC NULLS LAST, c.customer_id""",
        (
            Param(
                "quiet_days",
                "Quiet for (days)",
                "int",
                60,
                patterns=(r"(\d+)\s*days?\s+(?:quiet|without)",),
            ),
            Param("min_orders", "With at least (orders)", "int", 2),
        ),
        ("quiet", "gone", "silent", "stopped", "month", "lapsed", "inactive"),
        "Went quiet this month: a customer with 2+ orders whose last order turned 60 days "
        "old since the 1st of this month.",
    ),
    SavedQuestion(
        "biggest_open_deals",
        "Biggest open deals",
        "What are the biggest open deals?",
        """SELECT p.opportunity_id, p.customer_id, c.account AS customer, p.name AS deal, p.stage,
       p.amount, p.currency, p.probability, p.close_day, p.owner
FROM ask_opportunities p JOIN ask_customers c ON c.customer_id = p.customer_id
WHERE p.is_open = 1
ORDER BY p.amount_home DESC NULLS LAST, p.opportunity_id
LIMIT :top""",
        (Param("top", "How many", "int", 10, patterns=(r"top\s+(\d+)",)),),
        ("biggest", "largest", "open", "deals", "opportunities", "pipeline", "top"),
        "Open deals by value in the home currency.",
    ),
    SavedQuestion(
        "tickets_past_sla",
        "Unresolved tickets past SLA",
        "Which unresolved tickets are past their SLA?",
        """SELECT t.ticket_id, t.customer_id, c.account AS customer, c.owner, t.day, t.subject,
       t.status, t.channel
FROM ask_tickets t JOIN ask_customers c ON c.customer_id = t.customer_id
WHERE t.is_open = 1 AND t.day <= :due
ORDER BY t.day""",
        (
            Param(
                "sla_hours",
                "SLA (hours)",
                "int",
                "setting:alerts.ticket_past_sla.sla_hours",
                patterns=(r"(\d+)\s*hours?\s+sla", r"sla\s+of\s+(\d+)\s*hours?"),
            ),
        ),  # fmt: skip
        ("unresolved", "open", "tickets", "sla", "overdue", "late", "past", "waiting"),
        "Past SLA: open (not solved or closed) and opened at least the SLA of the "
        "'Ticket past SLA' alert rule ago (in whole days).",
    ),
    SavedQuestion(
        "open_alerts_by_priority",
        "Open alerts by what is at stake",
        "Which open alerts have the most at stake?",
        """SELECT a.alert_id, a.customer_id, c.account AS customer, a.rule, a.severity, a.status,
       a.priority_home AS at_stake, a.owner, a.created_day
FROM ask_alerts a JOIN ask_customers c ON c.customer_id = a.customer_id
WHERE a.status IN ('open', 'in_progress')
ORDER BY a.priority_home DESC NULLS LAST, a.alert_id
LIMIT :top""",
        (Param("top", "How many", "int", 25, patterns=(r"top\s+(\d+)",)),),
        ("open", "alerts", "priority", "stake", "urgent", "most", "important"),
        "Open or in progress, by the amount at stake.",
    ),
    SavedQuestion(
        "tasks_due_this_week",
        "Tasks due this week",
        "What tasks are due this week?",
        """SELECT t.task_id, t.customer_id, c.account AS customer, t.title, t.due_day,
       t.created_by
FROM ask_tasks t JOIN ask_customers c ON c.customer_id = t.customer_id
WHERE t.kind = 'task' AND t.done = 0 AND t.due_day <= :week_end
ORDER BY t.due_day""",
        (),
        ("tasks", "due", "week", "todo", "to-do", "follow-ups", "overdue"),
        "Not done and due by the end of the week (overdue ones included).",
    ),
    SavedQuestion(
        "top_clv",
        "Top customers by T-month value",
        "Who are our most valuable customers?",
        """SELECT customer_id, account AS customer, owner, tier, segment, value_home,
       churn_risk, last_order_day
FROM ask_customers
WHERE value_home IS NOT NULL
ORDER BY value_home DESC, customer_id
LIMIT :top""",
        (Param("top", "How many", "int", 20, patterns=(r"top\s+(\d+)",)),),
        ("valuable", "best", "top", "clv", "value", "lifetime", "customers", "biggest"),
        "By the customer's value over the value horizon (T months, setting Value horizon) "
        "in the latest scoring, home currency.",
    ),
    # The orders summed per outreach before naming the customers: a customer's name is read
    # once per outreach, not once per order.
    SavedQuestion(
        "emailed_and_came_back",
        "Emailed by us and came back",
        "Which customers we emailed came back and ordered?",
        """WITH back AS MATERIALIZED (
  SELECT x.outreach_id, x.customer_id, x.sent_day, x.subject, min(o.day) AS next_order_day,
         sum(o.amount_home) AS revenue_since
  FROM ask_outreach x
  JOIN ask_orders o ON o.customer_id = x.customer_id AND o.status = 'paid'
       AND o.at >= :since_at AND o.day >= x.sent_day
  WHERE x.status IN ('sent', 'exported') AND x.sent_day >= :since
  GROUP BY x.outreach_id, x.customer_id, x.sent_day, x.subject)
SELECT b.customer_id, c.account AS customer, c.owner, b.sent_day, b.subject, b.next_order_day,
       b.revenue_since
FROM back b JOIN ask_customers c ON c.customer_id = b.customer_id
ORDER BY b.next_order_day DESC, b.outreach_id""",
        (_days(90),),
        (
            "emailed",
            "outreach",
            "came",
            "back",
            "won",
            "reengaged",
            "re-engaged",
            "returned",
            "ordered",
        ),
        "Outreach sent in the period, and the paid orders on or after the day it was sent.",
    ),  # fmt: skip
)
