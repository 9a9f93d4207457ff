"""A throwaway PostgreSQL server on loopback (Debian's binaries), for the PostgreSQL
tests and the benchmarks that need one. ``pg_bin()`` is None when none is installed.

``throwaway_postgres`` yields the superuser's URL of a fresh database; ``PostgresServer``
is the same server as an object for the tests that stop and restart it (offline copies)
or need password logins (``password_auth()``: every login but the superuser's then needs
its password)."""

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

SUPERUSER = "radar"


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


class PostgresServer:
    """One cluster in a temporary folder, on a free loopback port."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        # Not under pytest's tmp folder: the postgres user cannot enter root's 0700 folders.
        self.root = Path(tempfile.mkdtemp(prefix="radar-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.running = False
        # PostgreSQL refuses to run as root: run it as the postgres user then.
        self._prefix: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            self.root.chmod(0o755)
            self._prefix = ["runuser", "-u", "postgres", "--"]
        self._pg("initdb", "-D", str(self.data), "-A", "trust", "-U", SUPERUSER)

    def _pg(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self._prefix, str(self.bin_dir / tool), *args],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def start(self, *, durable: bool = True) -> None:
        """Start on loopback. ``durable=False`` skips fsync (a test server whose data
        nobody keeps: the same SQL, written to disk less carefully, much faster)."""
        for attempt in range(3):
            options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
            if not durable:
                options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            try:
                self._pg(
                    "pg_ctl", "-D", str(self.data), "-w", "-l", str(self.root / "log"),
                    "-o", options, "start",
                )  # fmt: skip
                break
            except subprocess.CalledProcessError:
                # The free port was taken between finding it and the server binding it
                # (pytest-xdist's workers start servers at the same time): another one.
                if attempt == 2:
                    raise
                self.port = _free_port()
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._pg("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop")
            self.running = False

    def createdb(self, database: str) -> str:
        self._pg("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, database)
        return self.url(database)

    def url(self, database: str, user: str = SUPERUSER, password: str | None = None) -> str:
        who = user if password is None else f"{user}:{password}"
        return f"postgresql+psycopg://{who}@127.0.0.1:{self.port}/{database}"

    def password_auth(self) -> None:
        """Every login but the superuser's needs its password (scram); the superuser's
        URL keeps working without one. Reloads the server."""
        (self.data / "pg_hba.conf").write_text(
            f"local all {SUPERUSER} trust\nhost all {SUPERUSER} 127.0.0.1/32 trust\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
        )
        self._pg("pg_ctl", "-D", str(self.data), "reload")

    def cleanup(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def postgres_server(bin_dir: Path) -> Iterator[PostgresServer]:
    """A started server, stopped and deleted afterwards."""
    server = PostgresServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@contextlib.contextmanager
def throwaway_postgres(bin_dir: Path, database: str = "radar") -> Iterator[str]:
    """Start a cluster with ``database`` in it; yield its URL; stop and delete it."""
    with postgres_server(bin_dir) as server:
        yield server.createdb(database)
