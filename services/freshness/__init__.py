"""Whether the workspace's data is current: for each source its imports have brought in (a
Shopify orders export, Stripe subscriptions, a CRM's contacts, a usage export, tickets...),
its last import, the newest record in it, the cadence it usually comes at, and whether it
is current, late (an import missed) or stale (no new records for much longer than usual).

Read by the dashboard, the digest and scoring, so it sits low: it reads only the tables,
the settings and core.
"""
