"""Start-up of the built app: process start to the customers table filled, on the demo.

    .venv/bin/python bench/bench_frozen_start.py [--app dist/AccountRadar/AccountRadar]
        [--runs 5] [--customers 2000]

Builds a demo workspace with the built app's own command line (in a temporary folder),
then starts the window offscreen ``--runs`` times with ACCOUNT_RADAR_QUIT_WHEN_POPULATED,
which prints a line and quits once the table is filled, and times each run from the
process start to that line. The same is measured for ``python main.py`` from the checkout,
alternately, as the reference. Target: the built app within 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 2.0


def timed_start(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("populated"):
                elapsed = time.perf_counter() - started
                process.wait(timeout=60)
                return elapsed
        process.wait(timeout=60)
    raise SystemExit(f"{command[0]} never filled the table (exit {process.returncode})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app", type=Path, default=ROOT / "dist" / "AccountRadar" / "AccountRadar")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--customers", type=int, default=2000)
    args = parser.parse_args()
    if not args.app.exists():
        raise SystemExit(f"no built app at {args.app}: run make frozen first")
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, HOME=home, XDG_DATA_HOME=f"{home}/data", QT_QPA_PLATFORM="offscreen")
        env["ACCOUNT_RADAR_LOG_DIR"] = f"{home}/log"
        env.pop("ACCOUNT_RADAR_DB", None)
        db = f"{home}/bench.radar.sqlite"
        subprocess.run(
            [str(args.app), "--db", db, "demo", "--customers", str(args.customers)],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        run_env = dict(env, ACCOUNT_RADAR_QUIT_WHEN_POPULATED="1")
        commands = {
            "built app": [str(args.app), "--db", db],
            "python main.py": [sys.executable, str(ROOT / "main.py"), "--db", db],
        }
        timed_start(commands["built app"], run_env)  # a first start warms the file cache
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed_start(command, run_env))
    for name, values in times.items():
        print(
            f"{name:15} median {statistics.median(values):.2f} s "
            f"(runs: {', '.join(f'{v:.2f}' for v in values)})"
        )
    built = statistics.median(times["built app"])
    ratio = built / statistics.median(times["python main.py"])
    verdict = "within" if built <= TARGET_S else "OVER"
    print(f"built app / source: {ratio:.2f}x; {verdict} the {TARGET_S:.0f} s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
