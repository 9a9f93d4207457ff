"""A bad policy named by $ACCOUNT_RADAR_POLICIES never stops the command line: a FIFO does
not hang it, /dev/zero is not read into memory, 400 KB of nested brackets is no
traceback, a missing file is said. Real processes with a time limit (a hang fails the
test instead of hanging the suite) and a memory limit (no machine runs out)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT

MEMORY_LIMIT = 4 * 1024**3  # address space: far more than the app needs, far less than RAM


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def config_show(policy: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ACCOUNT_RADAR_DB"}
    env |= {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "ACCOUNT_RADAR_LOG_DIR": str(home / "log"),
        "ACCOUNT_RADAR_POLICIES": policy,
    }
    try:
        return subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--db", str(home / "none.radar.sqlite"),
             "config", "show", "--sources"],
            capture_output=True, text=True, env=env, cwd=home, timeout=120,
            preexec_fn=_limit_memory,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"config show with the policy {policy} did not finish in 120 s")


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "nested", "missing"])
def test_a_bad_policy_file_is_said_and_the_command_goes_on(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "policies.json"
    if kind == "fifo":
        os.mkfifo(path)  # nobody ever writes to it
        words = "not a regular file"
    elif kind == "/dev/zero":
        path = Path("/dev/zero")
        words = "not a regular file"
        if not path.exists():
            pytest.skip("no /dev/zero here")
    elif kind == "nested":
        path.write_text("[" * 400_000, encoding="utf-8")
        words = "nested too deeply"
    else:
        words = "does not exist; correct the path or unset $ACCOUNT_RADAR_POLICIES"
    result = config_show(str(path), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"Policy: The policy file {path}" in result.stderr
    assert words in result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert lines["llm.allow_cloud"].split()[1] == "true"  # the user's file locked nothing
    assert "[built-in default]" in lines["ask.row_limit"]
