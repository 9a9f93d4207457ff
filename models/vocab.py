"""Closed vocabularies of the workspace, each defined here once (no SQLAlchemy import: cheap
to load, so the command line's --help can offer them as choices without loading the rest)."""

# Kept as strings in the database, so a new value needs no migration.
ORDER_STATUSES = ("paid", "refunded", "cancelled", "pending")
INTERACTION_KINDS = (
    "email_sent",
    "email_open",
    "email_click",
    "ticket",
    "review",
    "call",
    "meeting",
    "note",
    "nps",
    "login",
    "unsubscribe",
    "chat",
    "email_received",
    "social",
)
# The interactions in which a person at the customer spoke with us (a call or meeting
# that reached them, a chat, a ticket they raised, an email they wrote): a contact's last
# two-way contact.
TWO_WAY_KINDS = ("call", "meeting", "chat", "ticket", "email_received")
# What contact_changes keeps of a person's changes: the CRM's role, the role the user set,
# and the day they left (models/schema/contacts.py).
CONTACT_CHANGE_FIELDS = ("role", "user_role", "left_on")
# Where the CRMs record the day a contact's address bounced (in the contact's attributes).
BOUNCE_KEYS = ("EmailBouncedDate", "Email hard bounce date", "bounced_at")
# The source of the interactions that are imported conversations
# (services/importing/conversation_files.py).
CONVERSATION_SOURCE = "conversations"
# The interactions that are email events (Ask's ask_emails; their campaign type is kept).
EMAIL_EVENT_KINDS = ("email_sent", "email_open", "email_click", "unsubscribe")
SEVERITIES = ("critical", "warning", "opportunity", "info")
# Each alert rule feeds one queue (services.settings.ALERT_RULES): customers we may lose,
# customers who could buy more, and deals that stall.
ALERT_QUEUES = ("risk", "growth", "pipeline")
# held_back: found by a scoring but kept out of the queue by the daily cap (services/alerts).
ALERT_STATUSES = ("open", "snoozed", "in_progress", "resolved", "dismissed", "held_back")
# Alerts in these statuses are "active": at most one per customer and rule.
ACTIVE_ALERT_STATUSES = ("open", "snoozed", "in_progress")
ACTION_KINDS = ("task", "call", "note")
# The source of the interactions a user logs in the app (calls, notes, emails sent).
APP_SOURCE = "account_radar"
# What came of a call. Only a conversation is contact (it starts the quiet period);
# the others are attempts.
CALL_OUTCOMES = ("connected", "voicemail", "no_answer", "wrong_number")
CALL_CONVERSATION = "connected"

# The kinds of records an import writes, one table each (and the tables an undo restores).
RECORD_KINDS = (
    "customers",
    "contacts",
    "orders",
    "interactions",
    "opportunities",
    "subscriptions",
    "contracts",
)
# An outreach row records an email sent by SMTP or exported (mailto, .eml, copied).
OUTREACH_STATUSES = ("sent", "exported")
# What `export` writes.
EXPORT_KINDS = ("scores", "customers", "alerts")
# The CRMs (and the plain file) the activities logged in the app are exported for.
CRM_TARGETS = ("salesforce", "hubspot", "csv")
# The help desks a ticket from an alert is written for (an email opens one in any).
HELPDESKS = ("zendesk", "freshdesk", "email")
# An outreach email's goal and tone (settings outreach.default_goal / default_tone).
OUTREACH_GOALS = ("win_back", "check_in", "expansion", "apology")
OUTREACH_TONES = ("warm", "friendly", "professional", "concise")

# Orders with no customer id or email (Shopify guest checkouts) belong to one guest
# customer per source with this external id; it is left out of customer lists and scoring.
GUEST_EXTERNAL_ID = "__guest__"

# Learn (services/learn, services/alerts/holdout): the risk bands a holdout is stratified
# by (churn risk below 30%, 30-60%, 60% and above; "unscored" when the snapshot has none).
RISK_BANDS = ("low", "medium", "high", "unscored")
# A batch draft's review state (services/outreach/batch). queued: not drafted yet;
# drafted: waiting for review; skipped: left out by the batch (a reason is stored) or by
# the reviewer; approved: to be sent; sending: handed to the SMTP server, not yet
# recorded (after a crash: check the Sent folder, never sent again by itself); sent or
# exported: recorded as outreach exactly once; failed: the send failed, nothing recorded.
BATCH_DRAFT_STATES = (
    "queued",
    "drafted",
    "skipped",
    "approved",
    "sending",
    "sent",
    "exported",
    "failed",
)
# How a batch's approved emails leave: SMTP, the mail app, or a folder of .eml files.
BATCH_DELIVERIES = ("smtp", "mail_app", "eml_folder")
# What Learn's effectiveness report can be broken down by (services.learn.records).
LEARN_BREAKDOWNS = (
    "rule",
    "goal",
    "template",
    "variant",
    "tone",
    "owner",
    "segment",
    "playbook",
)

# What a person of a shared workspace may do (services/team/security.py): a manager sees and
# acts on their own book; a lead sees the whole team's and runs imports and scoring; an
# admin also adds people.
TEAM_ROLES = ("manager", "lead", "admin")
# A contact's role at their account (models/schema/contacts.py), in the order the pane lists
# them; the composer writes to the champion unless the user picks another.
CONTACT_ROLES = ("champion", "decision_maker", "billing", "user", "other")
CONTACT_ROLE_LABELS = {
    "champion": "Champion",
    "decision_maker": "Decision maker",
    "billing": "Billing",
    "user": "User",
    "other": "Other",
}

# The files SQLite keeps beside an open workspace (its latest changes, its lock): never
# a destination of a backup or an export (models/migrate.py, services/core/output_files.py).
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")

# Playbooks (services/alerts/playbooks.py): what a step asks of the account manager, and
# why a running playbook stopped (ordered: the customer ordered after its start;
# alert_closed: its alert was resolved or dismissed; do_not_contact: the customer was
# marked so; finished: every step done or skipped; stopped: the user stopped it).
PLAYBOOK_STEP_KINDS = ("email", "call", "task", "meeting")
PLAYBOOK_STOP_REASONS = ("ordered", "alert_closed", "do_not_contact", "finished", "stopped")

# Strategy experiments (models/experiments.py, services/alerts/experiments.py): what a
# strategy sets, and the states of an experiment.
EXPERIMENT_KINDS = ("tone", "template", "playbook", "offer", "channel")
# How a customer is reached: the ROI's cost per contact and a channel strategy's value.
CONTACT_CHANNELS = ("email", "call", "meeting")
EXPERIMENT_STATUSES = ("running", "ended")

# The RFM segments (services/scoring/rfm.py), best first. Here rather than beside the
# grid so that reading stored scores (the customers table at start-up) needs no pandas.
SEGMENTS = (
    "Champions",
    "Loyal",
    "Potential Loyalist",
    "New",
    "Promising",
    "Need Attention",
    "About to Sleep",
    "At Risk",
    "Can't Lose Them",
    "Hibernating",
    "Lost",
)

# Lifecycle stages (services/lifecycle/stages.py), in the order a customer moves through
# them, and where the stage is read from (setting lifecycle.source).
LIFECYCLE_STAGES = ("onboarding", "adoption", "mature", "renewal", "at_risk")
LIFECYCLE_SOURCES = ("auto", "field", "contracts", "orders")
