"""Build the one-folder bundle with PyInstaller, then run its self-test.

Usage: python packaging/build.py [--skip-build]
Exit 0 only when the bundle was built and `AccountRadar --self-test` passed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "account_radar.spec"
DIST = ROOT / "dist"
APP_DIR = DIST / "AccountRadar"
EXE = APP_DIR / ("AccountRadar.exe" if sys.platform == "win32" else "AccountRadar")


def folder_size(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build() -> None:
    started = time.monotonic()
    sys.path.insert(0, str(ROOT / "packaging"))
    import slim

    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(DIST),
            "--workpath",
            str(ROOT / "build"),
            str(SPEC),
        ],
        check=True,
        cwd=ROOT,
    )
    print(
        f"built {APP_DIR} in {time.monotonic() - started:.0f} s "
        f"({folder_size(APP_DIR) / 1e6:.0f} MB as PyInstaller made it)",
        flush=True,
    )
    slim.slim(APP_DIR, EXE)
    for name, size in slim.report(APP_DIR):
        print(f"{size / 1e6:8.1f} MB  {name}")
    # The software bill of materials of what the slimmed bundle carries, checked at once.
    import sbom

    sbom.write(APP_DIR)
    if sbom.check(APP_DIR) != 0:
        raise SystemExit("the bundle's software bill of materials is incomplete (above)")


def self_test() -> int:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as home:
        # A clean user profile: the self-test must not need or touch the user's workspace.
        env["HOME"] = home
        env["XDG_DATA_HOME"] = str(Path(home) / "data")
        env["ACCOUNT_RADAR_LOG_DIR"] = str(Path(home) / "log")
        env.pop("ACCOUNT_RADAR_DB", None)
        started = time.monotonic()
        result = subprocess.run(
            [str(EXE), "--self-test"], env=env, timeout=300, cwd=home, capture_output=True,
            text=True,
        )  # fmt: skip
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr)
        print(
            f"self-test exit {result.returncode} in {time.monotonic() - started:.1f} s", flush=True
        )
        if result.returncode == 0 and not names_sbom(result.stdout):
            return 1
        if result.returncode == 0:
            # The frozen CLI must work too (no window, no Qt import needed).
            db = Path(home) / "cli.radar.sqlite"
            for cmd in (["--db", str(db), "db", "upgrade"], ["--db", str(db), "db", "check"]):
                r = subprocess.run(
                    [str(EXE), *cmd], env=env, timeout=120, capture_output=True, text=True
                )
                print(f"frozen CLI {' '.join(cmd[2:])}: exit {r.returncode}", flush=True)
                if r.returncode != 0:
                    print(r.stdout + r.stderr, file=sys.stderr)
                    return r.returncode
            return policy_check(env, db)
        return result.returncode


def names_sbom(output: str) -> bool:
    """The self-test named the bundle's SBOM by the SHA-256 of the file the build wrote."""
    sys.path.insert(0, str(ROOT / "packaging"))
    import sbom

    digest = sbom.sha256(APP_DIR / sbom.SBOM_NAME)
    ok = digest in output
    print(f"self-test names the bundle's SBOM (sha256 {digest[:16]}…): {'yes' if ok else 'NO'}")
    return ok


def policy_check(env: dict[str, str], db: Path) -> int:
    """A policies.json next to the frozen program locks the LLM base URL and the fields
    that may leave: config show --sources must say so (then the file is removed)."""
    import json

    policy = EXE.parent / "policies.json"
    url = "http://llm.corp.example:8080/v1"
    policy.write_text(
        json.dumps({"locked": {"llm.base_url": url, "outreach.sent_fields": ["first_name"]}}),
        encoding="utf-8",
    )
    try:
        r = subprocess.run(
            [str(EXE), "--db", str(db), "config", "show", "--sources"],
            env=env, timeout=120, capture_output=True, text=True,
        )  # fmt: skip
    finally:
        policy.unlink()
    lines = {line.split()[0]: line for line in r.stdout.splitlines() if line.strip()}
    ok = (
        r.returncode == 0
        and f'"{url}"' in lines.get("llm.base_url", "")
        and f"[locked ({policy}" in lines.get("llm.base_url", "")
        and '["first_name"]' in lines.get("outreach.sent_fields", "")
    )
    print(f"frozen policy file honoured: {'yes' if ok else 'NO'}", flush=True)
    if not ok:
        print(r.stdout + r.stderr, file=sys.stderr)
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-build", action="store_true", help="only run the self-test")
    args = parser.parse_args()
    if not args.skip_build:
        build()
    return self_test()


if __name__ == "__main__":
    sys.exit(main())
