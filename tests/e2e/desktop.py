"""A real desktop for the end-to-end tier: Xvfb with the openbox window manager, the real
app as a subprocess (``python main.py``, or the frozen bundle named by
``ACCOUNT_RADAR_E2E_APP``), driven by real X input events (xdotool), seen through
screenshots (ImageMagick's ``import``) and the window manager's own geometry.

Keys go to the focused window: ``xdotool key --window W`` sends a synthetic event
(XSendEvent) that Qt ignores, so a window is activated first (``windowactivate --sync``)
and the keys are typed without ``--window`` (XTEST, as a keyboard does).

Text size and display scaling, as they reach Qt 6 under X11 with no desktop
environment (no platform theme). Measured on this machine with PySide6 6.11 on a
1366x768 Xvfb screen (a button's text height and size hint, the screen's device pixel
ratio and logical size):

- ``Xft.dpi: 144`` in the root window's RESOURCE_MANAGER (what ``xrdb`` loads from a
  ``~/.Xresources``), ``QT_FONT_DPI=144`` and ``QT_SCALE_FACTOR=1.5`` all make the
  device pixel ratio 1.5: the screen becomes 911x512 logical pixels, the text height
  stays 14 px and every widget grows with it. That is *display scaling*.
- The same DPI with Qt's high-DPI scaling off (``QT_ENABLE_HIGHDPI_SCALING=0``) keeps
  the ratio at 1 and the screen at 1366x768, and makes the text 1.5 times taller
  (14 -> 21 px; a button's hint 93x22 -> 139x32, from its text): *larger text*, as a
  desktop's "Large text" or Windows' "Make text bigger" does (fonts in more pixels,
  nothing else scaled).

So the tier uses ``QT_FONT_DPI=144`` / ``192`` with ``QT_ENABLE_HIGHDPI_SCALING=0`` for
150 % / 200 % text, and ``Xft.dpi: 144`` in RESOURCE_MANAGER (the user's X resources,
the knob a desktop-less X11 user has) for 150 % display scaling.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[2]
# The frozen bundle instead of ``python main.py`` (packaging/build.py puts it in
# dist/AccountRadar/AccountRadar): the same tests run against it.
APP_ENV = "ACCOUNT_RADAR_E2E_APP"
TOOLS = ("Xvfb", "openbox", "xdotool", "xwininfo", "xprop", "import", "compare")

# How long a step may take on a busy 2-core machine (s): polls end as soon as it is done.
START_TIMEOUT = 90.0
STEP_TIMEOUT = 30.0
POLL = 0.25

T = TypeVar("T")


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def app_command() -> list[str]:
    """The command that starts the app: the frozen bundle when ACCOUNT_RADAR_E2E_APP names
    it, else this checkout's interpreter on main.py."""
    frozen = os.environ.get(APP_ENV)
    if frozen:
        exe = Path(frozen)
        if not exe.is_absolute():
            exe = ROOT / exe
        if not os.access(exe, os.X_OK):
            raise FileNotFoundError(f"{APP_ENV}={frozen}: no executable at {exe}")
        return [str(exe)]
    return [sys.executable, str(ROOT / "main.py")]


def poll(what: str, check: Callable[[], T | None], timeout: float = STEP_TIMEOUT) -> T:
    """``check()`` until it returns something other than None/False, or fail after
    ``timeout`` seconds saying what was waited for."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value is not None and value is not False:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        time.sleep(POLL)


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:  # one past the last column
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def inside(self, other: Rect) -> bool:
        return (
            self.x >= other.x
            and self.y >= other.y
            and self.right <= other.right
            and self.bottom <= other.bottom
        )

    def __str__(self) -> str:
        return f"{self.width}x{self.height}+{self.x}+{self.y}"


@dataclass(frozen=True)
class Window:
    """A top-level window as the window manager has it: ``client`` is the app's own
    window, ``frame`` adds the decorations (title bar, borders) openbox puts around it."""

    id: int
    name: str
    client: Rect
    frame: Rect


def fresh_environment(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a person's first session in ``home``: every per-user folder
    under it, none of the test run's Qt or Account Radar settings (tests/conftest.py sets
    QT_QPA_PLATFORM=offscreen: here Qt must use the X server)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("QT_", "ACCOUNT_RADAR_", "OPENAI_", "XDG_", "PYTEST_"))
        and k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")
    }
    folders = {
        "HOME": home / "home",
        "XDG_CONFIG_HOME": home / "config",
        "XDG_DATA_HOME": home / "data",
        "XDG_STATE_HOME": home / "state",
        "XDG_CACHE_HOME": home / "cache",
        "XDG_RUNTIME_DIR": home / "runtime",
        "ACCOUNT_RADAR_CONFIG_DIR": home / "config" / "AccountRadar-profile",
    }
    for name, folder in folders.items():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        env[name] = str(folder)
    env.update(extra or {})
    return env


def log_file(env: Mapping[str, str]) -> Path:
    """Where the app writes its log in that environment (app/logging_setup.py:
    platformdirs' user log folder, under XDG_STATE_HOME)."""
    if env.get("ACCOUNT_RADAR_LOG_DIR"):
        return Path(env["ACCOUNT_RADAR_LOG_DIR"]) / "account-radar.log"
    return Path(env["XDG_STATE_HOME"]) / "AccountRadar" / "log" / "account-radar.log"


# Log lines that say something went wrong: Qt's warnings (app/logging_setup.py routes
# them to the log as "WARNING qt"), critical errors and tracebacks.
BAD_LOG = re.compile(r"WARNING qt|CRITICAL|ERROR|Traceback")
# Genuinely harmless, each with why:
HARMLESS_LOG: tuple[re.Pattern[str], ...] = (
    # Xvfb has no physical size for its screen (it reports 0 mm or a made-up one); Qt
    # says it falls back to 96 DPI. A real monitor reports its size.
    re.compile(r"physical (size|DPI)", re.IGNORECASE),
)


def bad_log_lines(text: str) -> list[str]:
    return [
        line
        for line in text.splitlines()
        if BAD_LOG.search(line) and not any(p.search(line) for p in HARMLESS_LOG)
    ]


WM_CHECK = "_NET_SUPPORTING_WM_CHECK"  # set by a running window manager


class Desktop:
    """Xvfb on a free display at ``width`` x ``height`` x 24 with openbox running;
    ``xft_dpi`` puts ``Xft.dpi`` in the user's X resources (display scaling in Qt 6)."""

    def __init__(self, width: int, height: int, workdir: Path, xft_dpi: int | None = None):
        self.width, self.height = width, height
        self.workdir = workdir
        self.xft_dpi = xft_dpi
        self.display = ""
        self._procs: list[subprocess.Popen[bytes]] = []
        self._shots = 0

    # -- start and stop ---------------------------------------------------------------

    def start(self, attempts: int = 3) -> Desktop:
        """Start Xvfb and openbox; again on a new display if openbox does not come up (a
        display taken by another X server at the same moment: another test run)."""
        for attempt in range(1, attempts + 1):
            try:
                return self._start()
            except (RuntimeError, TimeoutError):
                self.stop()
                if attempt == attempts:
                    raise
        raise AssertionError("unreachable")

    def _start(self) -> Desktop:
        self.workdir.mkdir(parents=True, exist_ok=True)
        read, write = os.pipe()
        # -displayfd: the server picks a free display and writes its number when ready.
        xvfb = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write),
                "-screen",
                "0",
                f"{self.width}x{self.height}x24",
                "-nolisten",
                "tcp",
                "-dpi",
                "96",
                # Without it the server resets when its last client leaves, and with it
                # the root window's properties (the X resources set below).
                "-noreset",
            ],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=open(self.workdir / "xvfb.log", "ab"),  # noqa: SIM115 (the process owns it)
            start_new_session=True,
        )
        os.close(write)
        self._procs.append(xvfb)
        number = b""
        deadline = time.monotonic() + START_TIMEOUT
        with os.fdopen(read, "rb") as pipe:
            while not number.endswith(b"\n"):
                chunk = pipe.read(1)
                if not chunk:
                    raise RuntimeError(f"Xvfb did not start: see {self.workdir / 'xvfb.log'}")
                number += chunk
                if time.monotonic() > deadline:
                    raise TimeoutError("Xvfb did not say its display")
        self.display = f":{number.decode().strip()}"
        openbox = subprocess.Popen(
            ["openbox", "--sm-disable"],
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=open(self.workdir / "openbox.log", "ab"),  # noqa: SIM115
            start_new_session=True,
        )
        self._procs.append(openbox)

        def managed() -> bool:
            if openbox.poll() is not None:
                raise RuntimeError(f"openbox ended ({openbox.returncode}) on {self.display}")
            # Managed, and the free area set: openbox says it is running a moment before it
            # sets _NET_WORKAREA, which the app's screen and work_area() read.
            return "window id" in self.x("xprop", "-root", WM_CHECK, check=False) and (
                "=" in self.x("xprop", "-root", "_NET_WORKAREA", check=False)
            )

        poll(f"openbox to manage the screen {self.display}", managed, STEP_TIMEOUT)
        if self.xft_dpi:
            self.x("xprop", "-root", "-f", "RESOURCE_MANAGER", "8s", "-set", "RESOURCE_MANAGER",
                   f"Xft.dpi:\t{self.xft_dpi}\n")  # fmt: skip
        return self

    def stop(self) -> None:
        for proc in reversed(self._procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
        self._procs.clear()

    def env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ if base is None else base)
        env["DISPLAY"] = self.display
        return env

    def x(self, *argv: str, check: bool = True, timeout: float = STEP_TIMEOUT) -> str:
        """Run an X client on this display; its output."""
        result = subprocess.run(
            argv, env=self.env(), capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} -> {result.returncode}: {result.stderr.strip()}")
        return result.stdout

    # -- what the window manager says -----------------------------------------------------

    def work_area(self) -> Rect:
        """The screen's available area (_NET_WORKAREA: less panels and docks)."""

        def read() -> str | None:
            said = self.x("xprop", "-root", "_NET_WORKAREA", check=False)
            return said if "=" in said else None  # "not found." until openbox sets it

        out = poll("the window manager's _NET_WORKAREA", read)
        numbers = [int(n) for n in re.findall(r"\d+", out.split("=", 1)[1])][:4]
        return Rect(*numbers)

    def window(self, wid: int) -> Window | None:
        """The window's geometry as the window manager has it (None: gone or unmapped)."""
        info = self.x("xwininfo", "-id", str(wid), check=False)
        if "IsViewable" not in info:
            return None
        fields = {
            key: int(value)
            for key, value in re.findall(
                r"^\s*(Absolute upper-left [XY]|Width|Height):\s*(-?\d+)", info, re.MULTILINE
            )
        }
        name_match = re.search(r'xwininfo: Window id: \S+ "(.*)"', info)
        client = Rect(
            fields["Absolute upper-left X"],
            fields["Absolute upper-left Y"],
            fields["Width"],
            fields["Height"],
        )
        extents = self.x("xprop", "-id", str(wid), "_NET_FRAME_EXTENTS", check=False)
        left = right = top = bottom = 0
        if "=" in extents:
            left, right, top, bottom = (int(n) for n in re.findall(r"\d+", extents.split("=")[1]))
        width, height = client.width + left + right, client.height + top + bottom
        frame = Rect(client.x - left, client.y - top, width, height)
        return Window(wid, name_match.group(1) if name_match else "", client, frame)

    # -- input ------------------------------------------------------------------------------

    def activate(self, wid: int) -> None:
        self.x("xdotool", "windowactivate", "--sync", str(wid), check=False)
        poll(
            f"window {wid} to take the focus",
            lambda: self.x("xdotool", "getactivewindow", check=False).strip() == str(wid),
        )

    def key(self, *keys: str) -> None:
        """Keys to the focused window, as a keyboard types them (e.g. "ctrl+1", "Escape")."""
        self.x("xdotool", "key", "--delay", "60", *keys)

    def type(self, text: str) -> None:
        self.x("xdotool", "type", "--delay", "20", text)

    def click(self, x: int, y: int) -> None:
        self.x("xdotool", "mousemove", "--sync", str(x), str(y), "click", "1")

    # -- the screen -------------------------------------------------------------------------

    def screenshot(self, path: Path | None = None) -> Path:
        if path is None:
            self._shots += 1
            path = self.workdir / "shots" / f"{self._shots:03d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.x("import", "-silent", "-window", "root", str(path))
        return path

    @staticmethod
    def difference(a: Path, b: Path) -> int:
        """How many pixels differ between two screenshots (ImageMagick's AE metric)."""
        result = subprocess.run(
            ["compare", "-metric", "AE", str(a), str(b), "null:"],
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
            check=False,
        )
        match = re.match(r"\s*(\d+(?:\.\d+)?(?:e\+?\d+)?)", result.stderr)
        if result.returncode > 1 or not match:
            raise RuntimeError(f"compare failed: {result.stderr.strip()}")
        return int(float(match.group(1)))


# More pixels than a blinking text cursor or a progress spinner changes: a screen that
# "changed" by at least this much answered the key.
CHANGED_PIXELS = 2_000


class App:
    """The app as a process on a desktop, in the environment given (a fresh home)."""

    def __init__(self, desktop: Desktop, args: Sequence[str], env: Mapping[str, str], name: str):
        self.desktop = desktop
        self.env = desktop.env(env)
        self.args = list(args)
        self.log = log_file(self.env)
        self.out = desktop.workdir / f"{name}.stdout.txt"
        self.err = desktop.workdir / f"{name}.stderr.txt"
        self.proc: subprocess.Popen[bytes] | None = None
        self.main_id: int | None = None

    def start(self) -> App:
        self.proc = subprocess.Popen(
            [*app_command(), *self.args],
            env=self.env,
            cwd=self.env["HOME"],
            stdout=open(self.out, "wb"),  # noqa: SIM115 (closed with the process)
            stderr=open(self.err, "wb"),  # noqa: SIM115
            start_new_session=True,
        )
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """End the process if it is still running (after a failed test)."""
        if self.running():
            assert self.proc is not None
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)

    def wait_exit(self, timeout: float) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    # -- windows ----------------------------------------------------------------------------

    def pids(self) -> list[int]:
        """The process and its children (a launcher that starts the app as a child, as a
        one-file bundle does, still finds its windows)."""
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            for children in Path(f"/proc/{pid}/task").glob("*/children"):
                with contextlib.suppress(OSError):  # the process just ended
                    todo.extend(int(c) for c in children.read_text().split())
        return found

    def window_ids(self) -> list[int]:
        ids: list[int] = []
        for pid in self.pids():
            search = ("xdotool", "search", "--onlyvisible", "--pid", str(pid))
            out = self.desktop.x(*search, check=False)
            ids.extend(int(w) for w in out.split() if int(w) not in ids)
        return ids

    def windows(self) -> list[Window]:
        """The app's mapped top-level windows."""
        found = (self.desktop.window(w) for w in self.window_ids())
        return [w for w in found if w is not None and w.client.width > 1]

    def wait_window(
        self,
        title: str | re.Pattern[str],
        timeout: float = STEP_TIMEOUT,
        exclude: Sequence[int] = (),
    ) -> Window:
        """The app's top-level window whose title contains ``title`` (or matches it)."""

        def find() -> Window | None:
            if not self.running():
                raise AssertionError(f"the app ended (exit {self.proc and self.proc.poll()})")
            for window in self.windows():
                if window.id in exclude:
                    continue
                name = window.name
                if title.search(name) if isinstance(title, re.Pattern) else title in name:
                    return window
            return None

        return poll(f"a window titled {title!r}", find, timeout)

    def wait_gone(self, wid: int, timeout: float = STEP_TIMEOUT) -> None:
        poll(f"window {wid} to close", lambda: wid not in self.window_ids(), timeout)

    def new_window(self, before: Sequence[int], timeout: float = STEP_TIMEOUT) -> Window:
        """A top-level window that was not among ``before`` (a dialog just opened)."""

        def find() -> Window | None:
            if not self.running():
                raise AssertionError("the app ended")
            fresh = [w for w in self.windows() if w.id not in before]
            return fresh[0] if fresh else None

        return poll("a new top-level window", find, timeout)

    # -- the log ----------------------------------------------------------------------------

    def log_text(self) -> str:
        parts = []
        for path in (self.log, self.err):
            if path.exists():
                parts.append(path.read_text(errors="replace"))
        return "\n".join(parts)

    def bad_log_lines(self) -> list[str]:
        return bad_log_lines(self.log_text())


def wait_changed(desktop: Desktop, before: Path, what: str, timeout: float = STEP_TIMEOUT) -> Path:
    """The first screenshot that differs from ``before`` by CHANGED_PIXELS or more; fails
    saying ``what`` did not change the screen (and by how much it did) after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        shot = desktop.screenshot()
        diff = Desktop.difference(before, shot)
        if diff >= CHANGED_PIXELS:
            return shot
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{what} did not change the screen within {timeout:.0f} s: {before} and "
                f"{shot} differ by {diff} pixels (< {CHANGED_PIXELS})"
            )
        time.sleep(POLL)


def settled(desktop: Desktop, timeout: float = STEP_TIMEOUT) -> Path:
    """A screenshot once the screen stops changing (two in a row alike), or the last one
    after ``timeout`` (a spinner may never stop: the caller's checks still hold)."""
    deadline = time.monotonic() + timeout
    last = desktop.screenshot()
    while time.monotonic() < deadline:
        time.sleep(POLL)
        shot = desktop.screenshot()
        if Desktop.difference(last, shot) < CHANGED_PIXELS:
            return shot
        last = shot
    return last
