"""The one reader of the app's own files (services/core/safe_read.py): the person's
settings, recent workspaces and profile never hang on a pipe, never read a device or a
huge file whole, never overflow on deep nesting; a bad file is set aside beside itself
(never deleted) and the app goes on with its defaults. Real files in a real config folder."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.workspace import default_workspace_path, resolve_url, to_url
from services.core.personal import load_personal, personal_path, save_personal
from services.core.profile import Profile, load_profile, profile_path
from services.core.recent import recent_path, recent_workspaces
from services.core.safe_read import BadFile, parse_json, set_aside

DEEP = "[" * 100_000 + "]" * 100_000


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _ten_mb(path: Path) -> None:
    # Good JSON, only too large: read whole, it would be taken.
    path.write_text(json.dumps({"settings": {}, "workspaces": [], "pad": "x" * 10_000_000}))


def _deep(path: Path) -> None:
    path.write_text(DEEP, encoding="utf-8")


def _not_json(path: Path) -> None:
    path.write_bytes(b"\xff\xfe not json at all")


def _folder(path: Path) -> None:
    path.mkdir()
    (path / "inside.txt").write_text("kept", encoding="utf-8")


BAD: dict[str, Callable[[Path], None]] = {
    "fifo": _fifo,
    "dev_zero": _dev_zero,
    "ten_mb": _ten_mb,
    "deep": _deep,
    "not_json": _not_json,
    "folder": _folder,
}

# (where the file lives, reading it as the app does, whether what was read is the default)
READERS: dict[str, tuple[Callable[[], Path], Callable[[], Any], Callable[[Any], bool]]] = {
    "settings.json": (
        personal_path,
        load_personal,
        lambda got: got.values == {} and got.problem is not None,
    ),
    "recent.json": (recent_path, recent_workspaces, lambda got: got == []),
    "profile.json": (
        profile_path,
        load_profile,
        lambda got: got.profile == Profile() and "Who I am" in (got.problem or ""),
    ),
}


def _within(seconds: float, fn: Callable[[], Any], fifo: Path | None) -> Any:
    """``fn()`` on a thread; fails (after releasing a reader stuck on ``fifo``) when it
    takes longer than ``seconds``."""
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(fn()), daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        if fifo is not None:  # a writer lets the stuck open return
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        worker.join(5)
        pytest.fail(f"reading took over {seconds} s (it waited on the file)")
    assert result, "the reader raised"
    return result[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero are POSIX")
@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("kind", READERS)
def test_a_bad_own_file_is_set_aside_and_the_defaults_apply(kind: str, bad: str) -> None:
    where, read, is_default = READERS[kind]
    path = where()
    path.parent.mkdir(parents=True, exist_ok=True)
    BAD[bad](path)
    got = _within(5, read, path if bad == "fifo" else None)
    assert is_default(got)
    # Set aside beside itself, never deleted: the next save writes a good file.
    (aside,) = path.parent.glob(f"{path.name}.bad-*")
    assert not os.path.lexists(path)
    if bad == "folder":
        assert (aside / "inside.txt").read_text(encoding="utf-8") == "kept"
    if bad == "dev_zero":
        assert aside.is_symlink()
    # Said once: the next read finds no file and reads nothing.
    assert _within(5, read, None) is not None


def test_a_set_aside_settings_file_is_still_said_until_the_next_save() -> None:
    path = personal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(DEEP, encoding="utf-8")
    first = load_personal().problem
    assert first is not None
    assert "set aside as settings.json.bad-" in first
    assert "nested too deeply" in first
    assert load_personal().problem == first  # the status bar and `config show` still say it
    save_personal({"outreach.sender_name": "Ana"})
    again = load_personal()
    assert again.problem is None
    assert again.values == {"outreach.sender_name": "Ana"}


def test_set_aside_never_overwrites_an_earlier_one(tmp_path: Path) -> None:
    path = tmp_path / "recent.json"
    moved = []
    for n in range(3):
        path.write_text(f"bad {n}", encoding="utf-8")
        moved.append(set_aside(path))
    assert len({m for m in moved if m is not None}) == 3
    assert sorted(m.read_text(encoding="utf-8") for m in moved if m) == ["bad 0", "bad 1", "bad 2"]


def test_huge_numbers_and_deep_values_are_bounded() -> None:
    assert parse_json('{"n": ' + "9" * 5000 + "}") == {"n": float("inf")}
    with pytest.raises(BadFile, match="nested too deeply"):
        parse_json(json.dumps({"a": [[[[[[1]]]]]]}), max_depth=4)


def test_the_window_starts_on_its_default_workspace_past_a_bad_recent_list() -> None:
    recent_path().parent.mkdir(parents=True, exist_ok=True)
    recent_path().write_text(DEEP, encoding="utf-8")
    # As the window resolves its workspace at launch (app/gui/application.py).
    assert resolve_url(None, {}, last_used=True) == to_url(str(default_workspace_path()))
