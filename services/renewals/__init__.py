"""Contracts and their renewals: the likelihood that each upcoming renewal happens (a model
fitted on the workspace's own past renewals, or a cold-start fallback), the owner's own
call at the checkpoints before the date, the pipeline by month, and forecast against
actual once the dates have passed. The tables are models/schema/renewals.py."""
