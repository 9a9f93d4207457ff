"""Who the user is: a name and an email address, said once, kept per person (not per
workspace) in a small JSON file in the user config folder.

The identity names the user wherever an actor is recorded (the audit log, actions,
outreach), is the default sender of their emails, and is whom "Mine" means. No Qt here:
the command line reads the same file.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir

from models.errors import UserFacingError
from services.core.safe_read import SETTINGS_LIMIT, os_reason, read_json, set_aside

CONFIG_DIR_ENV = "ACCOUNT_RADAR_CONFIG_DIR"
# Names the actor of the command line (a scheduled job, a script) over the profile.
USER_ENV = "ACCOUNT_RADAR_USER"
PROFILE_FILE_NAME = "profile.json"
PROFILE_VERSION = 1
NAME_LIMIT = 100
EMAIL_LIMIT = 254

_EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\".]{2,}$")


class ProfileError(UserFacingError):
    """The profile file cannot be read or written, or a value is not acceptable."""


@dataclass(frozen=True)
class Profile:
    """The user's identity: a name (as the workspaces spell the account manager) and an
    email address; both empty until the user says who they are."""

    name: str = ""
    email: str = ""

    @property
    def is_set(self) -> bool:
        """True once the user has said their name."""
        return bool(self.name)

    @property
    def sender(self) -> str | None:
        """The From address of the user's emails ("Ana Lopez <ana@shop.com>"), if any."""
        if not self.email:
            return None
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass(frozen=True)
class LoadedProfile:
    """A profile as read, and why the file could not be used (None when it could)."""

    profile: Profile
    problem: str | None = None


def config_dir() -> Path:
    """The user config folder (ACCOUNT_RADAR_CONFIG_DIR overrides the platform default)."""
    base = os.environ.get(CONFIG_DIR_ENV) or user_config_dir("AccountRadar", appauthor=False)
    return Path(base)


def profile_path() -> Path:
    """Where the profile file lives."""
    return config_dir() / PROFILE_FILE_NAME


def email_problem(email: str) -> str | None:
    """What is wrong with an email address in plain words; None when it looks right."""
    text = email.strip()
    if not text:
        return None
    if len(text) > EMAIL_LIMIT:
        return f"the email address is longer than {EMAIL_LIMIT} characters"
    if not _EMAIL.match(text):
        return f"'{text}' is not an email address (e.g. ana.lopez@example.com)"
    return None


def name_problem(name: str) -> str | None:
    """What is wrong with a name in plain words; None when it is acceptable."""
    text = name.strip()
    if not text:
        return "say your name"
    if len(text) > NAME_LIMIT:
        return f"the name is longer than {NAME_LIMIT} characters"
    # The actor is written as "Name <email>": these would make it ambiguous.
    if any(c in text for c in "<>\n\r\t"):
        return "the name cannot contain < > or line breaks"
    return None


def make_profile(name: str, email: str) -> Profile:
    """A checked profile from what the user typed (ProfileError saying what is wrong)."""
    problem = name_problem(name) or email_problem(email)
    if problem is not None:
        raise ProfileError(problem[0].upper() + problem[1:] + ".")
    return Profile(name=name.strip(), email=email.strip())


def _from_json(data: Any) -> Profile:
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    name, email = data.get("name", ""), data.get("email", "")
    if not isinstance(name, str) or not isinstance(email, str):
        raise ValueError("the name and email must be text")
    if not name.strip() and not email.strip():
        return Profile()
    problem = name_problem(name) or email_problem(email)
    if problem is not None:
        raise ValueError(problem)
    return Profile(name=name.strip(), email=email.strip())


def load_profile(path: Path | None = None) -> LoadedProfile:
    """The saved profile; an empty one when there is none yet. A file that cannot be
    used gives the empty profile and says why; a damaged one is set aside beside itself
    (profile.json.bad-<date>), never overwritten by the next save."""
    target = path or profile_path()
    try:
        profile = _from_json(read_json(target, SETTINGS_LIMIT))
    except FileNotFoundError:
        return LoadedProfile(Profile())
    except OSError as exc:
        return LoadedProfile(
            Profile(), f"Your profile {target} could not be read ({os_reason(exc)})."
        )
    except ValueError as exc:  # BadFile, or a value the profile refuses
        moved = set_aside(target)
        kept = f"; it was set aside as {moved.name}" if moved is not None else ""
        return LoadedProfile(
            Profile(),
            f"Your profile {target} is damaged ({exc}){kept}. Say who you are again "
            "(File ▸ Who I am…) to write a new one.",
        )
    return LoadedProfile(profile)


def save_profile(profile: Profile, path: Path | None = None) -> Path:
    """Write the profile atomically (a crash leaves the old file or the new, never half);
    ProfileError in plain words when it cannot be written."""
    target = path or profile_path()
    data = {"schema_version": PROFILE_VERSION, "name": profile.name, "email": profile.email}
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    temp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".profile-", suffix=".partial", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, target)
        temp = None
    except OSError as exc:
        raise ProfileError(
            f"Your profile could not be saved to {target}: {exc.strerror or exc}. "
            "Check that the folder can be written to."
        ) from exc
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
    return target


def os_login() -> str:
    """The operating system's user name ("user" where there is none)."""
    try:
        return getpass.getuser() or "user"
    except (OSError, KeyError, ImportError):  # no user name in this environment
        return "user"


def actor_name(profile: Profile, account: str | None = None) -> str:
    """How the audit log names the user: "Name <email>", with the team workspace's
    database account when there is one ("Name <email> (account ana)"); the OS login
    while no name is set."""
    if not profile.is_set:
        base = os_login()
    else:
        base = f"{profile.name} <{profile.email}>" if profile.email else profile.name
    if account and account != base:
        return f"{base} (account {account})"
    return base


_ACCOUNT = re.compile(r"\s*\(account [^()]*\)\s*$")


def actor_person(actor: str, db_user: str | None = None) -> str:
    """The person an audit actor names, in words: "Ana Lopez" for "Ana Lopez
    <ana@shop.com> (account ana)" (actor_name's forms). An actor that is only a login
    ("ana", the OS user) is said with the database account that wrote the event, when
    there is one and it says more: "ana (account ana_lopez)"."""
    text = _ACCOUNT.sub("", actor.strip())
    name, bracket, rest = text.partition("<")
    if bracket and rest.rstrip().endswith(">"):
        text = name.strip() or rest.rstrip()[:-1].strip()
    text = text or actor.strip()
    login = " " not in text and "@" not in text
    if login and db_user and db_user != text:
        return f"{text} (account {db_user})"
    return text


def current_actor() -> str:
    """The actor of the command line: $ACCOUNT_RADAR_USER, else the profile, else the OS
    login. A damaged profile counts as none (the command still runs)."""
    named = os.environ.get(USER_ENV, "").strip()
    if named:
        return named
    return actor_name(load_profile().profile)
