"""The app's file dialogs (open, open several, save, a folder), which never read the files
they list.

A file dialog names each file's type, and Qt's names it by reading the file's first bytes
when its name does not say (a workspace's ``.radar.sqlite``, its ``-wal`` and ``-shm``). On
Linux and macOS, closing a file the process opened drops every lock the process holds on
it: SQLite's locks on the open workspace. Another process (``run-daily`` from a scheduler,
a command in a terminal) then takes itself for the only user, and may delete the write-ahead
log the window still writes to: the window's changes are lost and the workspace damaged.
So the dialogs here name types from the file name alone (``FileNamesOnly``), and on Linux
they are Qt's own dialog (a desktop's in-process dialog would read the files itself).

They open in the folder the caller names, unless that is the home folder, a system
temporary folder or the app's own, or none; then in the folder last used this session,
else the home folder (``start_in``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QFileInfo
from PySide6.QtWidgets import QDialog, QFileDialog, QFileIconProvider, QWidget

__all__ = [
    "FileNamesOnly",
    "existing_directory",
    "file_dialog",
    "open_file_name",
    "open_file_names",
    "save_file_name",
]

Options = QFileDialog.Option
NO_OPTIONS = Options(0)


class FileNamesOnly(QFileIconProvider):
    """Icons and types from the file's name and kind, never from its contents."""

    def type(self, info: QFileInfo) -> str:  # noqa: A003 - Qt's name
        if info.isDir():
            return "Folder"
        suffix = info.suffix()
        return f"{suffix.upper()} file" if suffix else "File"


_provider: FileNamesOnly | None = None


def _names_only() -> FileNamesOnly:
    global _provider  # one for every dialog, alive as long as they are
    if _provider is None:
        _provider = FileNamesOnly()
    return _provider


def file_dialog(
    parent: QWidget | None, caption: str, directory: str, filter_: str, options: Options,
    mode: QFileDialog.FileMode, accept: QFileDialog.AcceptMode,
) -> QFileDialog:  # fmt: skip
    """The dialog the functions below show: types named from file names only."""
    dialog = QFileDialog(parent, caption, directory, filter_)
    if sys.platform.startswith("linux"):
        options |= Options.DontUseNativeDialog
    dialog.setOptions(options)
    dialog.setIconProvider(_names_only())
    dialog.setFileMode(mode)
    dialog.setAcceptMode(accept)
    return dialog


# The folder of the last file or folder chosen in a dialog this session.
_last_folder: Path | None = None
# Where the app's own files are (the clone or the frozen bundle): no dialog opens there.
_APP_FOLDER = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[2]))


def _inside(folder: Path, other: Path) -> bool:
    try:
        return folder.resolve().is_relative_to(other.resolve())
    except OSError:
        return False


def _unsuitable(folder: Path | None) -> bool:
    """None, relative, the home folder (the callers' "anywhere"), a system temporary
    folder or the app's own folder."""
    if folder is None or not folder.is_absolute():
        return True
    try:
        if folder.resolve() == Path.home().resolve():
            return True
    except OSError:
        return True
    return any(_inside(folder, place) for place in (Path(tempfile.gettempdir()), _APP_FOLDER))


def start_in(directory: str, *, folder_only: bool = False) -> str:
    """Where a dialog opens: the folder the caller names (and its file name), unless that
    is the home folder, a system temporary folder or the app's own folder, or none is
    named; then the folder last used in a dialog this session, else the home folder (the
    file name kept). ``folder_only``: ``directory`` names a folder, not a file."""
    given = Path(directory) if directory else None
    if given is None:
        folder, name = None, ""
    elif folder_only or given.is_dir():
        folder, name = given, ""
    else:
        folder, name = (given.parent if given.parent != Path() else None), given.name
    if _unsuitable(folder):
        folder = _last_folder if _last_folder is not None and _last_folder.is_dir() else None
    folder = folder or Path.home()
    return str(folder / name) if name else str(folder)


def _remember(chosen: list[str], mode: QFileDialog.FileMode) -> None:
    global _last_folder  # the session's last folder, for the next dialog
    if chosen:
        first = Path(chosen[0])
        _last_folder = first if mode == QFileDialog.FileMode.Directory else first.parent


def _run(
    parent: QWidget | None, caption: str, directory: str, filter_: str, options: Options,
    mode: QFileDialog.FileMode, accept: QFileDialog.AcceptMode,
) -> tuple[list[str], str]:  # fmt: skip
    start = start_in(directory, folder_only=mode == QFileDialog.FileMode.Directory)
    dialog = file_dialog(parent, caption, start, filter_, options, mode, accept)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return [], ""
        chosen = dialog.selectedFiles()
        _remember(chosen, mode)
        return chosen, dialog.selectedNameFilter()
    finally:
        dialog.deleteLater()


def open_file_name(
    parent: QWidget | None, caption: str = "", directory: str = "", filter: str = "",  # noqa: A002
    options: Options = NO_OPTIONS,
) -> tuple[str, str]:  # fmt: skip
    """As QFileDialog.getOpenFileName: (the file, the filter), ("", "") when cancelled."""
    mode, accept = QFileDialog.FileMode.ExistingFile, QFileDialog.AcceptMode.AcceptOpen
    files, chosen = _run(parent, caption, directory, filter, options, mode, accept)
    return (files[0], chosen) if files else ("", "")


def open_file_names(
    parent: QWidget | None, caption: str = "", directory: str = "", filter: str = "",  # noqa: A002
    options: Options = NO_OPTIONS,
) -> tuple[list[str], str]:  # fmt: skip
    """As QFileDialog.getOpenFileNames: (the files, the filter), ([], "") when cancelled."""
    return _run(parent, caption, directory, filter, options,
                QFileDialog.FileMode.ExistingFiles, QFileDialog.AcceptMode.AcceptOpen)  # fmt: skip


def save_file_name(
    parent: QWidget | None, caption: str = "", directory: str = "", filter: str = "",  # noqa: A002
    options: Options = NO_OPTIONS,
) -> tuple[str, str]:  # fmt: skip
    """As QFileDialog.getSaveFileName: (the file, the filter), ("", "") when cancelled;
    asks before replacing a file unless ``DontConfirmOverwrite`` is given."""
    mode, accept = QFileDialog.FileMode.AnyFile, QFileDialog.AcceptMode.AcceptSave
    files, chosen = _run(parent, caption, directory, filter, options, mode, accept)
    return (files[0], chosen) if files else ("", "")


def existing_directory(
    parent: QWidget | None, caption: str = "", directory: str = "",
    options: Options = Options.ShowDirsOnly,
) -> str:  # fmt: skip
    """As QFileDialog.getExistingDirectory: the folder, "" when cancelled."""
    mode, accept = QFileDialog.FileMode.Directory, QFileDialog.AcceptMode.AcceptOpen
    files, _chosen = _run(parent, caption, directory, "", options, mode, accept)
    return files[0] if files else ""
