"""Where the suite's time goes: at the end of a run, the time spent in each test folder
(tests/unit, tests/cli, tests/packaging, and each folder of tests/gui), set-up and
teardown included, beside the run's wall time and collection time; then the test files
that took longest (FILES of them), where a shorter suite would start.

Loaded by tests/conftest.py. Under pytest-xdist the controller receives every worker's
reports, so the sums cover all workers (their total exceeds the wall time by about the
number of workers), and collection ends when the last worker has collected.
"""

from __future__ import annotations

import time
from collections import defaultdict

import pytest

# Folders split one level further than their top-level folder (tests/gui/<sub>).
SPLIT = ("gui",)
# The slowest files listed after the folders.
FILES = 15


def folder_of(nodeid: str) -> str:
    """The folder a test is counted under: tests/<top>, or tests/<top>/<sub> for SPLIT."""
    parts = nodeid.split("::", 1)[0].split("/")
    depth = 3 if len(parts) > 3 and parts[1] in SPLIT else 2
    return "/".join(parts[: min(depth, len(parts) - 1)])


class SuiteTiming:
    def __init__(self) -> None:
        self.started = time.monotonic()
        self.collected_at: float | None = None
        self.seconds: dict[str, float] = defaultdict(float)
        self.tests: dict[str, set[str]] = defaultdict(set)
        self.files: dict[str, float] = defaultdict(float)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self) -> None:
        self.collected_at = time.monotonic()

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: object, ids: list[str]) -> None:
        """Under pytest-xdist: when the last worker finished collecting."""
        self.collected_at = time.monotonic()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        folder = folder_of(report.nodeid)
        self.seconds[folder] += report.duration
        self.tests[folder].add(report.nodeid)
        self.files[report.nodeid.split("::", 1)[0]] += report.duration

    def pytest_terminal_summary(self, terminalreporter) -> None:  # type: ignore[no-untyped-def]
        if not self.seconds:
            return
        write = terminalreporter.write_line
        terminalreporter.section("time per folder (set-up, call and teardown)")
        total = sum(self.seconds.values())
        for folder, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1]):
            share = 100 * seconds / total if total else 0.0
            write(f"{seconds:9.1f} s {share:5.1f} %  {len(self.tests[folder]):5d} tests  {folder}")
        wall = time.monotonic() - self.started
        write(f"{total:9.1f} s in tests; {wall:.1f} s wall")
        if self.collected_at is not None:
            write(f"collection: {self.collected_at - self.started:.1f} s")
        if len(self.files) > 1:
            write(f"slowest {min(FILES, len(self.files))} files:")
            for path, seconds in sorted(self.files.items(), key=lambda kv: -kv[1])[:FILES]:
                write(f"{seconds:9.1f} s  {path}")


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(SuiteTiming(), "suite-timing")
