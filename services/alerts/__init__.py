"""Alerts: rules over the latest scores, the alert lifecycle, and the window's queries.

- ``services.alerts.generate``: ``generate_alerts`` raises and refreshes alerts after
  every scoring (vectorised over the snapshot; a few aggregate queries).
- ``services.alerts.lifecycle``: the transitions a user makes (start, resolve, dismiss,
  snooze, reopen, do not contact, log a call or note, create a task), each audited.
- ``services.alerts.queries``: the alert list as columns, counts, one alert's detail,
  the dashboard figures and the export table.
- ``services.alerts.records``: the frozen records and vocabularies they return (no
  SQLAlchemy import: views may load it).

This package file imports nothing, so that loading the records stays cheap.
"""
