"""Who the user is: the profile file (load, save, validation, a damaged file), the actor
the audit log names, and the checklist's steps."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from services.alerts.config import default_actor
from services.core.profile import (
    CONFIG_DIR_ENV,
    USER_ENV,
    Profile,
    ProfileError,
    actor_name,
    email_problem,
    load_profile,
    make_profile,
    os_login,
    profile_path,
    save_profile,
)
from services.usecases.checklist import WorkspaceFacts, checklist_steps


def test_the_profile_lives_in_the_config_folder_the_variable_names(tmp_path: Path) -> None:
    assert profile_path() == Path(os.environ[CONFIG_DIR_ENV]) / "profile.json"
    # Nothing saved yet: an empty profile and no problem.
    loaded = load_profile()
    assert loaded.profile == Profile()
    assert not loaded.profile.is_set
    assert loaded.problem is None


def test_save_then_load_gives_the_same_profile(tmp_path: Path) -> None:
    target = tmp_path / "nested" / "profile.json"
    saved = save_profile(make_profile("  Ana López ", "ana.lopez@example.com "), target)
    assert saved == target
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data == {"schema_version": 1, "name": "Ana López", "email": "ana.lopez@example.com"}
    loaded = load_profile(target)
    assert loaded.problem is None
    assert loaded.profile == Profile("Ana López", "ana.lopez@example.com")
    assert loaded.profile.sender == "Ana López <ana.lopez@example.com>"
    # Saved again: replaced whole, no temporary file left beside it.
    save_profile(Profile("Ana Lopez", ""), target)
    assert load_profile(target).profile == Profile("Ana Lopez", "")
    assert sorted(p.name for p in target.parent.iterdir()) == ["profile.json"]


@pytest.mark.parametrize(
    ("name", "email", "words"),
    [
        ("", "ana@example.com", "Say your name"),
        ("Ana <boss>", "", "cannot contain"),
        ("Ana", "ana@", "is not an email address"),
        ("Ana", "ana example.com", "is not an email address"),
        ("Ana", "ana@localhost", "is not an email address"),
        ("A" * 101, "", "longer than 100"),
    ],
)
def test_bad_values_are_refused_with_the_reason(name: str, email: str, words: str) -> None:
    with pytest.raises(ProfileError, match=words):
        make_profile(name, email)


def test_an_email_address_is_optional_but_checked() -> None:
    assert email_problem("") is None
    assert email_problem("ana.lopez+crm@mail.example.co.uk") is None
    assert make_profile("Ana", "").sender is None


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"name": 42, "email": ""}),
        json.dumps({"name": "Ana", "email": "not-an-address"}),
    ],
)
def test_a_damaged_file_gives_a_plain_problem_and_the_empty_profile(
    tmp_path: Path, content: str
) -> None:
    target = tmp_path / "profile.json"
    target.write_text(content, encoding="utf-8")
    loaded = load_profile(target)
    assert loaded.profile == Profile()
    assert loaded.problem is not None
    assert str(target) in loaded.problem
    assert "Who I am" in loaded.problem
    assert "Traceback" not in loaded.problem
    # Set aside beside itself for the user to look at, never overwritten by the next save.
    (aside,) = tmp_path.glob("profile.json.bad-*")
    assert aside.read_text(encoding="utf-8") == content
    assert not target.exists()


def test_an_unwritable_folder_is_a_plain_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ProfileError, match="could not be saved"):
        save_profile(Profile("Ana", ""), blocker / "profile.json")


def test_the_actor_is_name_and_email_with_the_team_account() -> None:
    ana = Profile("Ana Lopez", "ana@example.com")
    assert actor_name(ana) == "Ana Lopez <ana@example.com>"
    assert actor_name(Profile("Ana Lopez", "")) == "Ana Lopez"
    assert actor_name(ana, "alopez") == "Ana Lopez <ana@example.com> (account alopez)"
    # Nobody said who they are yet: the OS login, as before.
    assert actor_name(Profile()) == os_login()


def test_the_command_line_actor_comes_from_the_variable_then_the_profile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert default_actor() == os_login()
    save_profile(Profile("Ana Lopez", "ana@example.com"))
    assert default_actor() == "Ana Lopez <ana@example.com>"
    monkeypatch.setenv(USER_ENV, "nightly-sync")
    assert default_actor() == "nightly-sync"


def test_the_checklist_steps_follow_the_facts() -> None:
    empty = WorkspaceFacts(is_demo=False, customers=0, orders=0, scored=False, drafting_ready=False)
    steps = checklist_steps(empty, identity_set=False)
    assert [s.key for s in steps] == ["customers", "orders", "score", "identity", "drafting"]
    assert not any(s.done for s in steps)
    some = WorkspaceFacts(is_demo=False, customers=5, orders=0, scored=False, drafting_ready=True)
    done = {s.key for s in checklist_steps(some, identity_set=True) if s.done}
    assert done == {"customers", "identity", "drafting"}
    demo = WorkspaceFacts(is_demo=True, customers=5, orders=9, scored=True, drafting_ready=False)
    assert checklist_steps(demo, identity_set=False) == []


def test_the_team_account_is_the_database_login(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    from services.usecases.checklist import database_account

    own = create_engine(f"sqlite:///{tmp_path / 'mine.radar.sqlite'}")
    team = create_engine("postgresql+psycopg://alopez@db.example.invalid/radar")
    try:
        assert database_account(own) is None  # a file of one's own: no account
        # Named in the URL: known without a connection.
        assert database_account(team) == "alopez"
    finally:
        own.dispose()
        team.dispose()
