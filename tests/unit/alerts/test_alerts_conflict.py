"""Two people acting on one alert at once (services/alerts/conflict.py): the second is
refused with who changed it, when and what it is now, never a silent overwrite.

Each test runs on SQLite (two engines on one real file, as two windows would open it)
and on PostgreSQL (two engines on a throwaway server; skipped without its binaries).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, text
from sqlalchemy.orm.exc import StaleDataError

import services.alerts.actions as actions_module
from app.workspace import Workspace, open_workspace
from models.base import UTCDateTime
from services.alerts.actions import apply_alert_action, apply_card_action
from services.alerts.detail import alert_detail
from services.alerts.lifecycle import AlertActionError
from services.alerts.records import AlertChangedError, Undoable
from services.alerts.undo import UndoChangedError, UndoRefusedError, undo_change
from services.core.formatting import format_date, time_ago
from services.core.profile import actor_person
from tests.unit.alerts.test_alerts_rules import NOW, Book, only

MAYA = "Maya Lopez <maya@example.com>"
DAN = "Dan Reyes <dan@example.com>"
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def url(workspace_url: str) -> str:
    """A workspace of its own for each test, on SQLite then on PostgreSQL."""
    return workspace_url


@pytest.fixture
def desks(url: str) -> Iterator[tuple[Book, Engine]]:
    """Two people on one workspace: the user's (a Book that also fills it) and Maya's,
    each with an engine of its own."""
    mine = open_workspace(url, backup=False)
    theirs: Workspace | None = None
    try:
        book = Book(mine)
        book.set("alerts.daily_cap_per_owner", 0)
        theirs = open_workspace(url, backup=False)
        yield book, theirs.engine
    finally:
        if theirs is not None:
            theirs.close()
        mine.close()


def late_ticket(book: Book, name: str = "Chiara Sato") -> tuple[int, int]:
    """A customer with a ticket past its SLA, scored and alerted at NOW: (customer, alert)."""
    only(book, "ticket_past_sla")
    cid = book.customer(name)
    book.interaction(cid, "ticket", 5, status="open")
    book.score({cid: {"churn": 0.5, "clv": 200}})
    book.generate()
    (alert,) = book.alerts(f"WHERE customer_id = {cid}")
    return cid, int(alert["id"])


def row(engine: Engine, alert_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        found = conn.execute(text(f"SELECT * FROM alerts WHERE id = {alert_id}")).mappings()
        return dict(found.one())


def events(engine: Engine, alert_id: int) -> list[tuple[str, str]]:
    """(actor, action) of the alert's audit events, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT actor, action FROM audit_events WHERE entity_type = 'alert' "
                f"AND entity_id = {alert_id} ORDER BY occurred_at, id"
            )
        )
        return [(str(a), str(b)) for a, b in rows]


# ------------------------------------------------------------------ (a) a stale version


def test_an_action_on_the_version_seen_before_someone_elses_change_is_refused(
    desks: tuple[Book, Engine],
) -> None:
    book, maya = desks
    _cid, alert = late_ticket(book)
    shown = alert_detail(book.engine, alert, now=NOW + MINUTE)
    assert shown.seen_versions == {alert: 1}
    apply_alert_action(maya, alert, "resolve", outcome="won_back", actor=MAYA, now=NOW + 5 * MINUTE)

    with pytest.raises(AlertChangedError) as refused:
        apply_card_action(
            book.engine, shown.card_ids, "start", seen_versions=shown.seen_versions,
            actor=DAN, now=NOW + 7 * MINUTE,
        )  # fmt: skip
    assert str(refused.value) == (
        "Maya Lopez changed this alert 2 minutes ago: it is now resolved (won back). "
        "Nothing was changed; the card shows its new state."
    )
    change = refused.value.change
    assert (change.alert_id, change.status, change.outcome) == (alert, "resolved", "won_back")
    assert (change.changed_by, change.changed_at, change.version) == (
        "Maya Lopez",
        NOW + 5 * MINUTE,
        2,
    )
    stored = row(book.engine, alert)
    assert (stored["status"], stored["outcome"], stored["version"]) == ("resolved", "won_back", 2)
    assert events(book.engine, alert) == [
        ("Account Radar", "alert.created"),
        (MAYA, "alert.resolved"),
    ]
    # Shown anew, the same user may act on what is there now.
    again = alert_detail(book.engine, alert, now=NOW + 8 * MINUTE)
    apply_card_action(
        book.engine, again.card_ids, "reopen", seen_versions=again.seen_versions,
        actor=DAN, now=NOW + 9 * MINUTE,
    )  # fmt: skip
    assert row(book.engine, alert)["status"] == "open"


def test_a_note_or_a_call_is_kept_whatever_changed_and_a_card_says_which_alert(
    desks: tuple[Book, Engine],
) -> None:
    book, maya = desks
    book.set("alerts.cooldown_days", 0)
    cid = book.customer("Di Okafor")
    book.interaction(cid, "ticket", 5, status="open", satisfaction="bad")
    book.interaction(cid, "ticket", 4, status="open", satisfaction="bad")
    book.score({cid: {"churn": 0.5, "clv": 200}})
    book.generate()
    ids = [
        int(a["id"])
        for a in book.alerts(f"WHERE customer_id = {cid}")
        if a["rule_key"] in ("ticket_past_sla", "negative_experience")
    ]
    assert len(ids) == 2
    shown = alert_detail(book.engine, ids[0], card_ids=ids, now=NOW + MINUTE)
    assert set(shown.seen_versions) == set(ids)
    apply_alert_action(
        maya, ids[1], "snooze", until=(NOW + dt.timedelta(days=3)).date(), actor=MAYA,
        now=NOW + 2 * MINUTE,
    )  # fmt: skip

    # What the user typed is written all the same: it overwrites nothing.
    apply_card_action(
        book.engine, shown.card_ids, "log", kind="note", text="Promised a refund today",
        seen_versions=shown.seen_versions, actor=DAN, now=NOW + 3 * MINUTE,
    )  # fmt: skip
    with book.engine.connect() as conn:
        assert conn.execute(text("SELECT title FROM actions")).scalars().all() == [
            "Promised a refund today"
        ]
    with pytest.raises(AlertChangedError) as refused:
        apply_card_action(
            book.engine, shown.card_ids, "dismiss", seen_versions=shown.seen_versions,
            actor=DAN, now=NOW + 4 * MINUTE,
        )  # fmt: skip
    rule = {a.id: a.rule for a in shown.card}[ids[1]]
    assert str(refused.value) == (
        f"Maya Lopez changed the {rule} alert of this card 2 minutes ago: it is now snoozed "
        f"until {format_date((NOW + dt.timedelta(days=3)).date())}. Nothing was changed; the "
        "card shows its new state."
    )
    assert [row(book.engine, i)["status"] for i in ids] == ["open", "snoozed"]


def test_the_window_user_reads_you_and_a_login_is_said_with_its_database_account(
    desks: tuple[Book, Engine],
) -> None:
    book, maya = desks
    _cid, alert = late_ticket(book)
    shown = alert_detail(book.engine, alert, now=NOW + MINUTE)
    # The same person in another window.
    apply_alert_action(maya, alert, "start", actor=DAN, now=NOW + 2 * MINUTE)
    with pytest.raises(AlertChangedError, match="^You changed this alert 3 hours ago"):
        apply_alert_action(
            book.engine, alert, "dismiss", seen_version=shown.version, actor=DAN,
            now=NOW + 2 * MINUTE + dt.timedelta(hours=3),
        )  # fmt: skip
    # An OS login for an actor: said with the database account that wrote the event
    # (a shared workspace fills db_user), by name once the team's list knows it.
    later = NOW + dt.timedelta(hours=4)
    seen = alert_detail(book.engine, alert, now=later).version
    apply_alert_action(maya, alert, "resolve", outcome="lost", actor="mlopez", now=later)
    with book.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET db_user = 'maya_l' WHERE actor = 'mlopez'"))
    with pytest.raises(AlertChangedError, match=r"^mlopez \(account maya_l\) changed this"):
        apply_alert_action(book.engine, alert, "reopen", seen_version=seen, actor=DAN, now=later)
    with book.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO team_members (db_role, role, owner_name, created_at) "
                "VALUES ('maya_l', 'manager', 'Maya Lopez', :at)"
            ).bindparams(bindparam("at", type_=UTCDateTime)),
            {"at": NOW},
        )
    with pytest.raises(AlertChangedError, match="^Maya Lopez changed this alert just now"):
        apply_alert_action(book.engine, alert, "reopen", seen_version=seen, actor=DAN, now=later)
    assert row(book.engine, alert)["status"] == "resolved"


# ------------------------------------------------------------------------- (b) a race


def test_two_people_acting_at_the_same_moment_one_change_and_one_refusal(
    desks: tuple[Book, Engine], url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both read version 1. Dan's action is held between its check and its write while
    Maya's runs: on PostgreSQL Maya's commits and Dan's version-checked UPDATE then
    matches nothing (StaleDataError); on SQLite Dan holds the write lock, so Maya's waits
    and her check sees Dan's change. One change in the database, one refusal, one event."""
    book, maya_engine = desks
    _cid, alert = late_ticket(book)
    shown = alert_detail(book.engine, alert, now=NOW + MINUTE)
    real_check = actions_module.check_seen
    outcome: dict[str, Any] = {}
    maya_done = threading.Event()

    def maya() -> None:
        try:
            outcome["maya"] = apply_alert_action(
                maya_engine, alert, "dismiss", seen_version=shown.version, actor=MAYA,
                now=NOW + 2 * MINUTE,
            )  # fmt: skip
        except Exception as exc:  # what the test asserts on
            outcome["maya"] = exc
        finally:
            maya_done.set()

    def held(*args: Any, **kwargs: Any) -> None:
        real_check(*args, **kwargs)
        if threading.current_thread() is threading.main_thread():
            thread = threading.Thread(target=maya)
            thread.start()
            outcome["thread"] = thread
            # PostgreSQL: Maya finishes (Dan holds no lock yet). SQLite: she waits for
            # Dan's write lock, so Dan goes on after a moment.
            maya_done.wait(timeout=30 if url.startswith("postgresql") else 0.5)

    monkeypatch.setattr(actions_module, "check_seen", held)
    try:
        outcome["dan"] = apply_alert_action(
            book.engine, alert, "resolve", outcome="won_back", seen_version=shown.version,
            actor=DAN, now=NOW + 2 * MINUTE,
        )  # fmt: skip
    except AlertChangedError as exc:
        outcome["dan"] = exc
    outcome["thread"].join(timeout=30)
    assert maya_done.is_set()

    if url.startswith("postgresql"):
        winner, loser, status = "maya", "dan", "dismissed"
        assert isinstance(outcome["dan"].__cause__, StaleDataError)  # the flush failed
    else:
        winner, loser, status = "dan", "maya", "resolved"
    assert isinstance(outcome[winner], Undoable)
    refusal = outcome[loser]
    assert isinstance(refusal, AlertChangedError), refusal
    name = "Maya Lopez" if winner == "maya" else "Dan Reyes"
    assert str(refusal).startswith(f"{name} changed this alert just now: it is now {status}")
    assert row(book.engine, alert)["status"] == status
    assert row(book.engine, alert)["version"] == 2
    changes = [e for e in events(book.engine, alert) if e[1] != "alert.created"]
    assert len(changes) == 1


def test_without_a_seen_version_the_race_is_still_refused(
    desks: tuple[Book, Engine], url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line acts on what it finds: no version to send, but the moment
    between its read and its write is covered all the same."""
    if not url.startswith("postgresql"):
        pytest.skip("on SQLite the write lock taken first leaves no moment in between")
    book, maya = desks
    _cid, alert = late_ticket(book)
    real_check = actions_module.check_seen
    ran: list[bool] = []

    def meanwhile(*args: Any, **kwargs: Any) -> None:
        real_check(*args, **kwargs)
        if not ran:
            ran.append(True)
            apply_alert_action(maya, alert, "dismiss", actor=MAYA, now=NOW + MINUTE)

    monkeypatch.setattr(actions_module, "check_seen", meanwhile)
    with pytest.raises(AlertChangedError, match="^Maya Lopez changed this alert just now"):
        apply_alert_action(book.engine, alert, "start", actor=DAN, now=NOW + MINUTE)
    assert row(book.engine, alert)["status"] == "dismissed"


# ------------------------------------------------------- (c) what a scoring does to it


def test_a_scoring_moves_the_version_only_for_a_change_a_person_acts_on(
    desks: tuple[Book, Engine],
) -> None:
    book, _maya = desks
    cid, alert = late_ticket(book)
    first = row(book.engine, alert)
    assert first["version"] == 1

    # New figures, same owner and condition: refreshed in place, version kept.
    book.score({cid: {"churn": 0.9, "clv": 400}})
    assert book.generate(now=NOW + dt.timedelta(hours=1)).refreshed == 1
    refreshed = row(book.engine, alert)
    assert refreshed["priority_cents"] != first["priority_cents"]
    assert (refreshed["version"], refreshed["updated_at"]) == (1, first["updated_at"])
    assert refreshed["drivers"] is not None

    # Another owner: the version moves, and a user who saw it before is told.
    shown = alert_detail(book.engine, alert, now=NOW + dt.timedelta(hours=1))
    with book.engine.begin() as conn:
        conn.execute(text(f"UPDATE customers SET owner = 'Bob Lee' WHERE id = {cid}"))
    book.generate(now=NOW + dt.timedelta(hours=2))
    assert (row(book.engine, alert)["version"], row(book.engine, alert)["owner"]) == (2, "Bob Lee")
    with pytest.raises(AlertChangedError) as refused:
        apply_alert_action(book.engine, alert, "dismiss", seen_version=shown.version, actor=DAN,
                           now=NOW + dt.timedelta(hours=2, minutes=30))  # fmt: skip
    assert str(refused.value) == (
        "A scoring changed this alert 30 minutes ago: it is now open, owned by Bob Lee. "
        "Nothing was changed; the card shows its new state."
    )

    # The condition clears (marked), then holds again (the mark goes): both count.
    with book.engine.begin() as conn:
        conn.execute(text(f"UPDATE interactions SET status = 'solved' WHERE customer_id = {cid}"))
    book.generate(now=NOW + dt.timedelta(hours=3))
    assert row(book.engine, alert)["version"] == 3
    assert alert_detail(book.engine, alert, now=NOW + dt.timedelta(hours=3)).card[0].version == 3
    with book.engine.begin() as conn:
        conn.execute(text(f"UPDATE interactions SET status = 'open' WHERE customer_id = {cid}"))
    book.generate(now=NOW + dt.timedelta(hours=4))
    assert row(book.engine, alert)["version"] == 4


def test_a_snooze_woken_or_resolved_by_a_scoring_moves_the_version(
    desks: tuple[Book, Engine],
) -> None:
    book, maya = desks
    only(book, "ticket_past_sla")
    ada, bo = book.customer("Ada Late"), book.customer("Bo Clear")
    for cid in (ada, bo):
        book.interaction(cid, "ticket", 5, status="open")
    book.score({cid: {"churn": 0.5, "clv": 200} for cid in (ada, bo)})
    book.generate()
    alert, cleared = (int(a["id"]) for a in book.alerts())
    apply_alert_action(maya, alert, "snooze", until=(NOW + dt.timedelta(days=1)).date(),
                       actor=MAYA, now=NOW + MINUTE)  # fmt: skip
    apply_alert_action(maya, cleared, "snooze", until_clear=True, actor=MAYA, now=NOW + MINUTE)
    assert [row(book.engine, i)["version"] for i in (alert, cleared)] == [2, 2]
    with book.engine.begin() as conn:
        conn.execute(text(f"UPDATE interactions SET status = 'solved' WHERE customer_id = {bo}"))
    result = book.generate(now=NOW + dt.timedelta(days=2))
    assert (result.woken, result.auto_resolved) == (1, 1)
    woke, resolved = row(book.engine, alert), row(book.engine, cleared)
    assert (woke["status"], woke["version"]) == ("open", 3)
    assert (resolved["status"], resolved["version"]) == ("resolved", 3)
    with pytest.raises(AlertChangedError, match="^Account Radar changed this alert 1 hour ago"):
        apply_alert_action(book.engine, alert, "start", seen_version=2, actor=DAN,
                           now=NOW + dt.timedelta(days=2, hours=1))  # fmt: skip
    assert row(book.engine, alert)["status"] == "open"


def test_a_held_out_customer_called_anyway_moves_the_version_once_per_change(
    desks: tuple[Book, Engine],
) -> None:
    """The holdout's bulk UPDATE and the call's own start in one transaction: the alert
    the action holds takes the bumped version, so its own UPDATE is not refused."""
    book, _maya = desks
    only(book, "high_risk_high_value")
    ids = [book.customer(f"Risky {k}", email=f"r{k}@example.com") for k in range(60)]
    book.score({c: {"churn": 0.8, "clv": 3000.0 + k} for k, c in enumerate(ids)})
    book.generate()
    held = next(a for a in book.alerts("WHERE status = 'open'") if a["holdout"])
    alert = int(held["id"])
    change = apply_alert_action(book.engine, alert, "log", kind="call",
                                text="Talked about the renewal", seen_version=1, actor=DAN,
                                now=NOW + MINUTE)  # fmt: skip
    after = row(book.engine, alert)
    assert (after["status"], after["version"]) == ("in_progress", 3)
    assert after["holdout_contacted_at"] is not None
    assert change.alerts[0].version == 3
    # Undone: the call goes, the alert is open again (the holdout mark is kept).
    undo_change(book.engine, change, actor=DAN, now=NOW + 2 * MINUTE)
    assert (row(book.engine, alert)["status"], row(book.engine, alert)["version"]) == ("open", 4)


# ------------------------------------------------------------------------------ (d) undo


def test_undo_after_someone_else_changed_the_alert_is_refused(
    desks: tuple[Book, Engine],
) -> None:
    book, maya = desks
    _cid, alert = late_ticket(book)
    started = apply_alert_action(book.engine, alert, "start", seen_version=1, actor=DAN,
                                 now=NOW + MINUTE)  # fmt: skip
    assert started.alerts[0].version == 2
    apply_alert_action(maya, alert, "resolve", outcome="lost", actor=MAYA, now=NOW + 2 * MINUTE)
    with pytest.raises(UndoChangedError) as refused:
        undo_change(book.engine, started, actor=DAN, now=NOW + 3 * MINUTE)
    assert isinstance(refused.value, UndoRefusedError)
    assert str(refused.value) == (
        "Maya Lopez changed this alert 1 minute ago: it is now resolved (lost). It changed "
        "since, so it was not undone; the card shows its new state."
    )
    assert refused.value.change.changed_by == "Maya Lopez"
    stored = row(book.engine, alert)
    assert (stored["status"], stored["outcome"], stored["version"]) == ("resolved", "lost", 3)
    assert events(book.engine, alert)[-1] == (MAYA, "alert.resolved")


def test_a_change_outside_the_app_is_said_without_a_name(desks: tuple[Book, Engine]) -> None:
    book, maya = desks
    _cid, alert = late_ticket(book)
    started = apply_alert_action(book.engine, alert, "start", actor=DAN, now=NOW + MINUTE)
    with maya.begin() as conn:  # a script, say: no audit event, no version moved
        conn.execute(
            text(
                "UPDATE alerts SET status = 'dismissed', updated_at = :at WHERE id = :id"
            ).bindparams(bindparam("at", type_=UTCDateTime)),
            {"at": NOW + 30 * MINUTE, "id": alert},
        )
    with pytest.raises(UndoChangedError) as refused:
        undo_change(book.engine, started, actor=DAN, now=NOW + 50 * MINUTE)
    assert str(refused.value).startswith("This alert changed 20 minutes ago: it is now dismissed.")
    assert row(book.engine, alert)["status"] == "dismissed"


# ------------------------------------------------------------------------------ wordings


def test_time_ago_in_words_on_the_users_clock() -> None:
    berlin = dt.timezone(dt.timedelta(hours=1))
    now = dt.datetime(2026, 3, 7, 15, 0, tzinfo=dt.UTC)  # 16:00 in "Berlin"
    said = {
        seconds: time_ago(now - dt.timedelta(seconds=seconds), now, berlin)
        for seconds in (-90, 0, 59, 60, 150, 3599, 3600, 3 * 3600, 16 * 3600, 17 * 3600, 60 * 3600)
    }
    assert said == {
        -90: "just now",
        0: "just now",
        59: "just now",
        60: "1 minute ago",
        150: "2 minutes ago",
        3599: "59 minutes ago",
        3600: "1 hour ago",
        3 * 3600: "3 hours ago",
        16 * 3600: "16 hours ago",  # 00:00 today in Berlin
        17 * 3600: "yesterday at 23:00",
        60 * 3600: "on Mar 5 at 04:00",
    }
    assert time_ago(dt.datetime(2025, 12, 30, 9, 5), now, berlin) == "on Dec 30, 2025 at 10:05"


@pytest.mark.parametrize(
    ("actor", "db_user", "said"),
    [
        ("Maya Lopez <maya@example.com>", None, "Maya Lopez"),
        ("Maya Lopez <maya@example.com> (account maya_l)", "maya_l", "Maya Lopez"),
        ("Maya Lopez", "maya_l", "Maya Lopez"),
        ("<maya@example.com>", None, "maya@example.com"),
        ("mlopez", None, "mlopez"),
        ("mlopez", "maya_l", "mlopez (account maya_l)"),
        ("maya_l", "maya_l", "maya_l"),
        ("Account Radar", None, "Account Radar"),
    ],
)
def test_an_actor_is_said_by_name(actor: str, db_user: str | None, said: str) -> None:
    assert actor_person(actor, db_user) == said


def test_a_refusal_is_an_action_error_the_window_can_tell_apart() -> None:
    assert issubclass(AlertChangedError, AlertActionError)
    assert issubclass(UndoChangedError, AlertChangedError)
    assert issubclass(UndoChangedError, UndoRefusedError)
