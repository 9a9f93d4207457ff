"""The watched folder's file watcher on a real temporary folder: a file is handed out once
it stops changing, once, and again only when it changes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.gui.import_watch import FolderWatcher, is_export_file, scan_folder
from views.kit.jobs import JobRunner

STABLE_MS = 150


@pytest.fixture
def watcher(qtbot, jobs: JobRunner) -> Iterator[FolderWatcher]:
    w = FolderWatcher(jobs, stable_ms=STABLE_MS, rescan_ms=60_000)
    yield w
    w.stop()
    qtbot.waitUntil(jobs.is_idle)


def ready_paths(watcher: FolderWatcher) -> list[str]:
    found: list[str] = []
    watcher.file_ready.connect(lambda path, _sig: found.append(path))
    return found


def test_export_files_are_told_from_the_rest(tmp_path: Path) -> None:
    for name in ("a.csv", "B.XLSX", "c.tsv", "d.txt", ".hidden.csv", "~$locked.xlsx", "e.pdf"):
        (tmp_path / name).write_text("x")
    (tmp_path / "folder.csv").mkdir()  # a folder named like a file is not a file
    assert sorted(Path(p).name for p in scan_folder(str(tmp_path))) == [
        "B.XLSX",
        "a.csv",
        "c.tsv",
        "d.txt",
    ]
    assert not is_export_file("orders.csv.crdownload")


def test_a_new_file_is_handed_out_once_it_is_complete_and_only_once(
    qtbot, watcher: FolderWatcher, tmp_path: Path
) -> None:
    (tmp_path / "old.csv").write_text("a,b\n1,2\n")
    old = scan_folder(str(tmp_path))
    found = ready_paths(watcher)
    with qtbot.waitSignal(watcher.scanned, timeout=5000):
        watcher.start(str(tmp_path), seen=old)

    new = tmp_path / "new.csv"
    with qtbot.waitSignal(watcher.file_ready, timeout=5000) as ready:
        new.write_text("a,b\n1,2\n")
    assert ready.args[0] == os.path.normpath(new)
    assert ready.args[1] == (new.stat().st_size, new.stat().st_mtime_ns)
    assert found == [os.path.normpath(new)]  # the file that was there is left alone

    # Handled: further scans do not hand it out again.
    watcher.mark_handled(*ready.args)
    for _ in range(3):
        with qtbot.waitSignal(watcher.scanned, timeout=5000):
            watcher.scan()
    assert found == [os.path.normpath(new)]
    assert watcher.seen[os.path.normpath(new)] == ready.args[1]

    # A newer export under the same name is handed out again.
    with qtbot.waitSignal(watcher.file_ready, timeout=5000):
        new.write_text("a,b\n1,2\n3,4\n")
    assert found == [os.path.normpath(new)] * 2


def test_a_file_still_being_written_waits(qtbot, watcher: FolderWatcher, tmp_path: Path) -> None:
    found = ready_paths(watcher)
    watcher.start(str(tmp_path), seen={})
    growing = tmp_path / "download.csv"
    with growing.open("w") as f:
        for i in range(6):
            f.write(f"{i},{'x' * 100}\n")
            f.flush()
            # Each write changes the size within the stability window.
            qtbot.wait(STABLE_MS // 3)
            assert found == []
            assert os.path.normpath(growing) in watcher.pending or i == 0
    qtbot.waitUntil(lambda: found == [os.path.normpath(growing)], timeout=5000)
    assert os.path.normpath(growing) not in watcher.seen  # handed out, not yet handled
    assert growing.stat().st_size == 6 * 103


def test_a_missing_folder_is_reported_once(qtbot, watcher: FolderWatcher, tmp_path: Path) -> None:
    gone = tmp_path / "not-there"
    reports: list[tuple[str, str]] = []
    watcher.folder_unavailable.connect(lambda folder, reason: reports.append((folder, reason)))
    watcher.start(str(gone), seen={})
    qtbot.waitUntil(lambda: len(reports) == 1, timeout=5000)
    watcher.scan()
    qtbot.waitUntil(lambda: not watcher._scanning, timeout=5000)
    assert len(reports) == 1
    assert reports[0][0] == os.path.normpath(gone)
    # Back: files in it are picked up.
    gone.mkdir()
    (gone / "a.csv").write_text("a\n1\n")
    with qtbot.waitSignal(watcher.file_ready, timeout=5000):
        watcher.scan()
