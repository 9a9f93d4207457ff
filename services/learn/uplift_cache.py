"""One uplift report per state of the workspace, shared by Results ▸ Who to contact and
the alert queue's "Most persuadable first" (the same estimates on both; the model is
fitted once, not on every reload of the queue).

The state is what the model learns from: the paid orders, the alerts (their number and
latest id), the emails and playbooks recorded, the scoring runs, the settings' version
and today's date (windows close as days pass). A change of an alert's status alone does
not fit it again (the queue reloads after every action): the estimates cover every
customer with an active alert when it was fitted. Kept in memory, per workspace URL, for
the life of the process.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.alerts._db import fetch, reading
from services.learn.uplift_records import UpliftReport, uplift_words
from services.learn.uplift_wording import lift_words, ranking_words
from services.settings import config_version

_STATE_SQL = (
    "SELECT (SELECT COUNT(*) FROM orders WHERE status = 'paid'), "
    "(SELECT MAX(id) FROM orders), (SELECT COUNT(*) FROM alerts), (SELECT MAX(id) FROM alerts), "
    "(SELECT COUNT(*) FROM outreach), "
    "(SELECT MAX(id) FROM outreach), (SELECT COUNT(*) FROM playbook_runs), "
    "(SELECT MAX(id) FROM scoring_runs)"
)
_LOCK = threading.Lock()
_KEPT: dict[str, tuple[str, UpliftReport]] = {}


def state_key(engine: Engine, today: dt.date | None = None) -> str:
    """What the report was computed on (equal keys: the same report)."""
    with reading(engine) as conn, Session(bind=conn) as session:
        row = fetch(conn, _STATE_SQL)[0]
        version = config_version(session)
    day = (today or dt.datetime.now(dt.UTC).date()).isoformat()
    return f"{'|'.join(str(v) for v in row)}|v{version}|{day}"


def cached_uplift_report(
    engine: Engine, cancelled: Callable[[], bool] | None = None
) -> UpliftReport:
    """The uplift report of the workspace as it is now (computed when it changed).
    ``cancelled``: see services.learn.uplift.uplift_report (a stopped fit keeps nothing)."""
    url = engine.url.render_as_string(hide_password=True)
    key = state_key(engine)
    with _LOCK:
        kept = _KEPT.get(url)
    if kept is not None and kept[0] == key:
        return kept[1]
    # Imported when a fit is due: the model brings scikit-learn and SciPy (a second of
    # imports), which the alert list's read (``fit=False``) never needs.
    from services.learn.uplift import uplift_report

    report = uplift_report(engine, cancelled=cancelled)
    with _LOCK:
        _KEPT[url] = (key, report)
    return report


def ready_uplift_report(engine: Engine) -> UpliftReport | None:
    """The uplift report of the workspace as it is now if it is already computed, else
    None (nothing is fitted)."""
    url = engine.url.render_as_string(hide_password=True)
    with _LOCK:
        kept = _KEPT.get(url)
    if kept is None:  # nothing fitted in this process: no need to read the state
        return None
    return kept[1] if kept[0] == state_key(engine) else None


def uplift_columns(
    engine: Engine,
    customer_ids: npt.ArrayLike,
    *,
    fit: bool = True,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.object_], str]:
    """Per row of ``customer_ids``: the customer's estimated uplift and its words, and
    why the estimates are not ranked ("" when they are, or when nothing is known yet).

    Only while the report ranks (UpliftReport.ranks) does a row carry its own estimate
    (what "Most persuadable first" orders by) and its own words; until then every uplift
    is NaN and each customer with an estimate gets the words of the average lift measured
    on past customers. ``fit=False``: only from a report already computed for the
    workspace as it is (else every row NaN, no words)."""
    ids = np.asarray(customer_ids, dtype=np.int64)
    uplift = np.full(len(ids), np.nan)
    words = np.full(len(ids), "", dtype=object)
    report = cached_uplift_report(engine, cancelled) if fit else ready_uplift_report(engine)
    if report is None:
        return uplift, words, ""
    if not report.enough:
        return uplift, words, report.reason
    by_customer = report.estimate_of()
    average = lift_words(report)
    for i, customer in enumerate(ids.tolist()):
        estimate = by_customer.get(customer)
        if estimate is None:
            continue
        if report.ranks:
            uplift[i] = estimate.uplift
            words[i] = uplift_words(estimate)
        else:
            words[i] = average
    return uplift, words, "" if report.ranks else ranking_words(report)
