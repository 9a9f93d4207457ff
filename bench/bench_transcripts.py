"""Transcript import benchmark: a meeting's captions (SubRip) of growing length, one
speaker who is a customer of the workspace and a risk in every cue (the worst case for
the reading: every sentence is read for risks, promises and topics), imported in this
process as the window and ``main.py import`` import them.

    .venv/bin/python bench/bench_transcripts.py [--sizes 1000,4000,16000,64000,150000] [--work DIR]
    .venv/bin/python bench/bench_transcripts.py --smoke          # 200 and 800 cues (the suite)

For each size: a fresh workspace holding the customer, the file written, then
``run_import`` timed (wall and CPU seconds). The yardstick, measured in the same run, is
the smallest size's time per cue; each larger size prints its time per cue and the ratio
to it. Target: the import grows no faster than the file, every ratio at most 1.5 (a long
webinar's captions, 150,000 cues, then take about as long per cue as a short call's).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 1.5
SPEAKER = "Dana Cole"
LINES = (
    "We are thinking about cancelling our subscription next month.",
    "Your prices went up again and it is getting too expensive.",
    "Finance has frozen discretionary spending for the rest of the year.",
    "We are evaluating other vendors right now.",
)


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d},000"


def write_captions(path: Path, cues: int) -> None:
    """A SubRip file of ``cues`` cues, all said by SPEAKER, three seconds apart."""
    blocks = [
        f"{i + 1}\n{_clock(3 * i)} --> {_clock(3 * i + 2)}\n{SPEAKER}: {LINES[i % len(LINES)]}\n"
        for i in range(cues)
    ]
    path.write_text("\n".join(blocks), encoding="utf-8")


def measure(folder: Path, cues: int) -> dict[str, float]:
    """One import of a file of ``cues`` cues into a fresh workspace: seconds (wall, CPU)."""
    from sqlalchemy.orm import Session

    from app.workspace import open_workspace, to_url
    from models.schema import Customer
    from services.importing.run import run_import

    ws = open_workspace(to_url(str(folder / f"w{cues}.radar.sqlite")), backup=False)
    try:
        with Session(ws.engine) as session, session.begin():
            session.add(
                Customer(external_id="C1", source="crm", name=SPEAKER, email="dana@harbor.example")
            )
        path = folder / f"review-{cues}-2026-11-20.srt"
        write_captions(path, cues)
        wall, cpu = time.perf_counter(), time.process_time()
        report = run_import(ws.engine, [path])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        ws.close()
    if not report.landed:
        raise SystemExit(f"the {cues}-cue file did not land: {report}")
    return {"cues": cues, "wall": wall, "cpu": cpu}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,4000,16000,64000,150000")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--smoke", action="store_true", help="200 and 800 cues")
    args = parser.parse_args(argv)
    sizes = [200, 800] if args.smoke else [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        # A first small import warms what every import loads once (the reading's model).
        measure(Path(tmp), 20)
        runs = [measure(Path(tmp), n) for n in sorted(sizes)]
    base = runs[0]["cpu"] / runs[0]["cues"]
    print(f"yardstick: {runs[0]['cues']:,} cues, {1000 * base:.3f} ms CPU a cue")
    print(f"{'cues':>8} {'wall s':>8} {'CPU s':>8} {'ms a cue':>9} {'ratio':>6}")
    worst = 0.0
    for run in runs:
        per = run["cpu"] / run["cues"]
        ratio = per / base
        worst = max(worst, ratio)
        print(f"{run['cues']:>8,} {run['wall']:>8.2f} {run['cpu']:>8.2f} {1000 * per:>9.3f} "
              f"{ratio:>6.2f}")  # fmt: skip
    met = "met" if worst <= TARGET_RATIO else "NOT met"
    print(f"target: CPU per cue within {TARGET_RATIO}x the yardstick at every size: {met} "
          f"(worst {worst:.2f}x)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
