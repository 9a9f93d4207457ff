"""After the window quits and its workspace is closed, the process ends without the
interpreter's teardown: the exit handlers still run and the exit code is kept, and a
thread still working (not a daemon) is waited for as usual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

QUIT = """
import atexit, sys, threading
from app.logging_setup import end_without_teardown
atexit.register(lambda: open(sys.argv[1], "w").write("exit handlers ran"))
release = threading.Event()
if sys.argv[2] == "busy":
    def work():  # work still going on at the quit: it ends only once the quit has returned
        release.wait()
        open(sys.argv[1] + ".thread", "w").write("done")
    threading.Thread(target=work).start()
end_without_teardown(3)
print("returned")
release.set()
sys.exit(4)
"""


def _quit(tmp_path: Path, mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", QUIT, str(tmp_path / "mark"), mode], cwd=ROOT,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_process_ends_at_once_with_its_exit_handlers_run(tmp_path: Path) -> None:
    done = _quit(tmp_path, "idle")
    assert done.returncode == 3, done.stderr
    assert "returned" not in done.stdout
    assert (tmp_path / "mark").read_text() == "exit handlers ran"


def test_a_thread_still_working_is_waited_for_as_usual(tmp_path: Path) -> None:
    done = _quit(tmp_path, "busy")
    assert (tmp_path / "mark").read_text() == "exit handlers ran"
    assert (tmp_path / "mark.thread").read_text() == "done"
    assert "returned" in done.stdout
    assert done.returncode == 4, done.stderr
