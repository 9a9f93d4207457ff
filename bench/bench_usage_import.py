"""Product-usage import benchmark: a 5,000,000-event Amplitude CSV export into a workspace.

    .venv/bin/python bench/bench_usage_import.py [--events 5000000] [--quick] [--work DIR]

Generates a workspace of 2,000 customers (each with an email) and an Amplitude export CSV
in Amplitude's own columns (``$insert_id``, ``amplitude_id``, ``device_id``,
``event_properties``, ``event_time`` in UTC, ``event_type``, ``groups``, ``session_id``,
``user_id``, ``user_properties`` ...) over a year: 6,000 people, three per customer, their
``user_id`` an email, a tenth of them unknown to the workspace. ``--quick`` makes 500,000
events.

The import runs in a fresh process (``main.py import``, as a user runs it) and the script
prints its wall time and peak memory (``resource.getrusage``: the largest resident set of
the child), then the same import again (every day unchanged). Targets: bounded memory
(peak well under 1 GB whatever the file's size: events are summed chunk by chunk and never
held) and a few minutes at most for 5 million events.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CUSTOMERS = 2_000
PEOPLE_PER_CUSTOMER = 3
EVENTS = (
    "[Amplitude] Start Session",
    "Log In",
    "Dashboard Viewed",
    "Report Exported",
    "Document Viewed",
    "Invoice Downloaded",
    "Search",
    "Settings Changed",
    "[Amplitude] Page Viewed",
)
EVENT_WEIGHTS = (0.08, 0.05, 0.25, 0.08, 0.1, 0.04, 0.2, 0.05, 0.15)
CHUNK = 500_000


def write_customers(path: Path) -> None:
    """The workspace's customers: an id, an email and a name each."""
    ids = np.arange(CUSTOMERS)
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in ids],
            "email": [f"owner{i}@customer{i}.example" for i in ids],
            "name": [f"Customer {i}" for i in ids],
        }
    )
    frame.to_csv(path, index=False)


def write_events(path: Path, events: int, seed: int = 11) -> None:
    """The Amplitude export, written a chunk at a time."""
    rng = np.random.default_rng(seed)
    people = CUSTOMERS * PEOPLE_PER_CUSTOMER
    start = np.datetime64("2025-11-01T00:00:00", "ms")
    header = True
    with path.open("w", newline="") as f:
        for first in range(0, events, CHUNK):
            n = min(CHUNK, events - first)
            person = rng.integers(0, people, n)
            customer = person // PEOPLE_PER_CUSTOMER
            unknown = person % 10 == 9  # a tenth of the people are not in the workspace
            users = np.where(
                unknown,
                np.char.add(np.char.add("visitor", person.astype(str)), "@elsewhere.example"),
                np.char.add(
                    np.char.add(np.char.add("owner", customer.astype(str)), "@customer"),
                    np.char.add(customer.astype(str), ".example"),
                ),
            )
            when = start + rng.integers(0, 365 * 86_400_000, n).astype("timedelta64[ms]")
            stamps = pd.Series(when).dt.strftime("%Y-%m-%d %H:%M:%S.%f")
            kinds = rng.choice(len(EVENTS), n, p=EVENT_WEIGHTS)
            sessions = (when.astype("int64") // 1_800_000) * 1_800_000 + person % 1000
            frame = pd.DataFrame(
                {
                    "$insert_id": np.arange(first, first + n),
                    "amplitude_id": person + 10_000_000,
                    "app": 123456,
                    "city": "Lisbon",
                    "country": "Portugal",
                    "device_id": np.char.add("dev-", person.astype(str)),
                    "event_id": np.arange(first, first + n) % 5000,
                    "event_properties": "{}",
                    "event_time": stamps.to_numpy(),
                    "event_type": np.array(EVENTS, dtype=object)[kinds],
                    "groups": "{}",
                    "os_name": "Chrome",
                    "platform": "Web",
                    "session_id": sessions,
                    "user_id": users,
                    "user_properties": "{}",
                }
            )
            frame.to_csv(f, index=False, header=header)
            header = False


def child(db: Path, file: Path) -> None:
    """Run in the child process: the import, then print wall seconds and peak memory."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db), "import", str(file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(result.stdout.strip())
    if result.returncode:
        print(result.stderr.strip()[-2000:])
        raise SystemExit(result.returncode)
    print(f"wall {wall:.1f} s, peak RSS {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--quick", action="store_true", help="500,000 events")
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    events = 500_000 if args.quick else args.events
    work = args.work or Path(tempfile.mkdtemp(prefix="usage-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bench.radar.sqlite"
    db.unlink(missing_ok=True)
    customers = work / "customers.csv"
    amplitude = work / f"amplitude_{events}.csv"
    write_customers(customers)
    if not amplitude.exists():
        t = time.perf_counter()
        write_events(amplitude, events)
        print(f"generated {events:,} events in {time.perf_counter() - t:.0f} s ", end="")
    print(f"({amplitude.stat().st_size / 1e6:.0f} MB): {amplitude}")
    python = sys.executable
    subprocess.run([python, "main.py", "--db", str(db), "db", "upgrade"], cwd=ROOT, check=True)
    subprocess.run(
        [python, "main.py", "--db", str(db), "import", str(customers)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    for label in ("first import", "same file again"):
        print(f"--- {label}")
        subprocess.run([python, __file__, "--child", str(db), str(amplitude)], cwd=ROOT, check=True)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        main()
