"""A throwaway PostgreSQL server on loopback (Debian's binaries), for the PostgreSQL
tests and the benchmarks that need one. ``pg_bin()`` is None when none is installed."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def throwaway_postgres(bin_dir: Path, database: str = "radar") -> Iterator[str]:
    """Start a cluster with ``database`` in it; yield its URL; stop and delete it."""
    # Not under pytest's tmp folder: the postgres user cannot enter root's 0700 folders.
    root = Path(tempfile.mkdtemp(prefix="radar-pg-"))
    data, port = root / "data", _free_port()
    # PostgreSQL refuses to run as root: run it as the postgres user then.
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        root.chmod(0o755)
        prefix = ["runuser", "-u", "postgres", "--"]

    def pg(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    pg(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "radar")
    pg(
        str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"),
        "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start",
    )  # fmt: skip
    try:
        pg(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "radar", database)
        yield f"postgresql+psycopg://radar@127.0.0.1:{port}/{database}"
    finally:
        pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)
