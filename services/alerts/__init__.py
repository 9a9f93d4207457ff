"""Alerts: rules over the latest scores, the alert lifecycle, and the window's queries.

- ``services.alerts.generate``: ``generate_alerts`` raises and refreshes alerts after
  every scoring (vectorised over the snapshot; a few aggregate queries).
- ``services.alerts.lifecycle``: the transitions a user makes (start, resolve, dismiss,
  snooze, reopen), ``services.alerts.contact`` the contact (do not contact, log a call,
  note or email, create a task), each audited; ``services.alerts.actions`` is the
  window's single entry point to them.
- ``services.alerts.queries``: the alert list as columns, counts and the export table;
  ``services.alerts.detail`` one alert's detail; ``services.alerts.dashboard`` the
  dashboard's figures.
- ``services.alerts.records``: the frozen records and vocabularies they return (no
  SQLAlchemy import: views may load it).
- ``services.alerts.signal_replay``: the relationship signals replayed on history and
  judged against lost renewals and lapses; ``services.alerts.signal_proofs`` whether each
  may raise alerts (kept, keyed by the data it read); their records and definitions in
  ``services.alerts.signal_records`` (no SQLAlchemy import: views may load it).
- ``services.alerts.work``: My work, one user's open tasks, snoozes coming back and
  follow-ups, and completing or rescheduling a task (undoable); its records are in
  ``services.alerts.work_records`` (no SQLAlchemy import either).

This package file imports nothing, so that loading the records stays cheap.
"""
