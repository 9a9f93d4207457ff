"""The watched folder: notices new or changed export files once they stop growing.

``QFileSystemWatcher`` says when the folder (or a file in it) changes; a periodic rescan
catches what it misses (network drives, some editors' save-by-rename). A file is handed
out (``file_ready``) only once its size and modification time have not changed for
``stable_ms``, so a half-written download is never read, and never again while its size
and modification time stay the same (``seen``). Listing the folder runs on the job
runner's work pool: a slow network folder must not freeze the window.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from services.importing.watched import FileSignature, is_export_file, scan_folder
from views.kit.jobs import JobRunner, TaskState

__all__ = ["FileSignature", "FolderWatcher", "is_export_file", "scan_folder"]

STABLE_MS = 2000
RESCAN_MS = 30_000
# QFileSystemWatcher also watches the files themselves (a rewrite in place does not
# always change the folder); at most this many, inotify watches are a shared resource.
MAX_WATCHED_FILES = 256


class FolderWatcher(QObject):
    """Watches one folder and hands out each new or changed file once it is complete.

    Signals:
        file_ready(path, signature): a new or changed file stopped changing; call
            mark_handled(path, signature) once it is dealt with.
        folder_unavailable(folder, reason): the folder cannot be listed (said once, until
            it can be listed again).
        scanned(count): a listing finished (tests wait on it).
    """

    file_ready = Signal(str, object)
    folder_unavailable = Signal(str, str)
    scanned = Signal(int)

    def __init__(
        self,
        jobs: JobRunner,
        *,
        stable_ms: int = STABLE_MS,
        rescan_ms: int = RESCAN_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self.stable_ms = stable_ms
        self._folder: str | None = None
        self._seen: dict[str, FileSignature] = {}
        self._present: set[str] = set()
        # path -> (signature, monotonic time it was first seen with that signature)
        self._pending: dict[str, tuple[FileSignature, float]] = {}
        self._handed_out: set[str] = set()
        self._scanning = False
        self._scan_again = False
        self._unavailable = False
        # Made only while a folder is watched: each holds an inotify handle (Linux), and
        # most workspaces watch nothing.
        self._fs: QFileSystemWatcher | None = None
        self._rescan = QTimer(self)
        self._rescan.setInterval(rescan_ms)
        self._rescan.timeout.connect(self.scan)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        # Look again a few times within the stability window.
        self._settle.setInterval(max(stable_ms // 4, 20))
        self._settle.timeout.connect(self.scan)

    # -- control ----------------------------------------------------------------------

    @property
    def folder(self) -> str | None:
        return self._folder

    @property
    def seen(self) -> dict[str, FileSignature]:
        """Files handled, with the signature they had; only files still in the folder."""
        return {p: s for p, s in self._seen.items() if p in self._present}

    @property
    def pending(self) -> list[str]:
        """Files waiting to stop changing."""
        return sorted(self._pending)

    def start(self, folder: str, seen: Mapping[str, FileSignature]) -> None:
        """Watch folder; files in seen with the same signature are not handed out again."""
        self.stop()
        self._folder = os.path.normpath(folder)
        self._seen = {os.path.normpath(p): (int(s[0]), int(s[1])) for p, s in seen.items()}
        self._present = set(self._seen)
        self._fs = QFileSystemWatcher(self)
        self._fs.directoryChanged.connect(self._on_fs_changed)
        self._fs.fileChanged.connect(self._on_fs_changed)
        if Path(self._folder).is_dir():
            self._fs.addPath(self._folder)
        self._rescan.start()
        self.scan()

    def stop(self) -> None:
        """Watch nothing; a listing in flight is ignored when it arrives."""
        self._folder = None
        self._rescan.stop()
        self._settle.stop()
        if self._fs is not None:
            self._fs.directoryChanged.disconnect(self._on_fs_changed)
            self._fs.fileChanged.disconnect(self._on_fs_changed)
            self._fs.deleteLater()
            self._fs = None
        self._pending.clear()
        self._handed_out.clear()
        self._unavailable = False

    def mark_handled(self, path: str, signature: FileSignature) -> None:
        """The file was imported (or refused): do not hand it out again unless it changes."""
        path = os.path.normpath(path)
        self._seen[path] = signature
        self._present.add(path)
        self._handed_out.discard(path)

    # -- scanning ---------------------------------------------------------------------

    def _on_fs_changed(self, _path: str) -> None:
        self.scan()

    def scan(self) -> None:
        """List the folder now (on the work pool); one listing at a time."""
        folder = self._folder
        if folder is None or self._jobs.closed:
            return
        if self._scanning:
            self._scan_again = True
            return
        self._scanning = True

        def task(_state: TaskState) -> dict[str, FileSignature]:
            return scan_folder(folder)

        (
            self._jobs.operation(task, parent=self, pool="work", label="scan watched folder")
            .success(lambda found: self._on_scanned(folder, found))
            .failure(lambda error: self._on_scan_failed(folder, error))
            .finished(self._on_scan_finished)
            .run()
        )

    def _on_scan_finished(self) -> None:
        self._scanning = False
        if self._scan_again:
            self._scan_again = False
            self.scan()

    def _on_scan_failed(self, folder: str, error: BaseException) -> None:
        if folder != self._folder:
            return
        if not isinstance(error, OSError):
            self._jobs.present_error(error)
            return
        if not self._unavailable:
            self._unavailable = True
            reason = error.strerror or str(error)
            self.folder_unavailable.emit(folder, reason)

    def _on_scanned(self, folder: str, found: dict[str, FileSignature]) -> None:
        if folder != self._folder:
            return  # stopped or moved to another folder meanwhile
        if self._unavailable:
            self._unavailable = False
            if self._fs is not None:
                self._fs.addPath(folder)
        self._present = set(found)
        now = time.monotonic()
        ready: list[tuple[str, FileSignature]] = []
        for path, signature in found.items():
            if path in self._handed_out or self._seen.get(path) == signature:
                self._pending.pop(path, None)
                continue
            first = self._pending.get(path)
            if first is None or first[0] != signature:
                self._pending[path] = (signature, now)  # new, or still being written
            elif (now - first[1]) * 1000 >= self.stable_ms:
                del self._pending[path]
                ready.append((path, signature))
        for gone in set(self._pending) - set(found):
            del self._pending[gone]
        self._watch_files(sorted(found))
        if self._pending:
            self._settle.start()
        self.scanned.emit(len(found))
        for path, signature in sorted(ready):
            self._handed_out.add(path)
            self.file_ready.emit(path, signature)

    def _watch_files(self, paths: list[str]) -> None:
        if self._fs is None:
            return
        wanted = set(paths[:MAX_WATCHED_FILES])
        current = set(self._fs.files())
        stale = sorted(current - wanted)
        if stale:
            self._fs.removePaths(stale)
        new = sorted(wanted - current)
        if new:
            self._fs.addPaths(new)
