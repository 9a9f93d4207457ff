"""Install the Linux installers as a user would, run the installed app's self-test with no
Python to lean on, then remove it and check the user's workspace stayed.

    python packaging/linux/check_installer.py [--dir dist/installers]

- The .tar.xz is unpacked into a temporary folder and its ``AccountRadar --self-test`` run.
- The .deb is installed with dpkg when run as root (apt-get resolves the system libraries
  it depends on when dpkg alone can't), else unpacked with ``dpkg-deb -x``. The installed
  ``account-radar`` command builds a small workspace in a fresh home, runs the self-test,
  and the package is removed: ``/opt/account-radar`` must be gone, the workspace not.

Each run has a bare environment: a temporary HOME, and a PATH holding no Python (the
bundle carries its own interpreter). Exit 0 only when every step passed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "account-radar"


# The few commands a desktop session has on its PATH that the app's libraries call
# (joblib asks `cat` for the CPU count); no Python among them.
SHELL_TOOLS = ("sh", "cat", "uname", "env")


def bare_env(home: Path) -> dict[str, str]:
    empty = home / "bin"
    empty.mkdir(exist_ok=True)
    for tool in SHELL_TOOLS:
        found = shutil.which(tool)
        if found and not (empty / tool).exists():
            (empty / tool).symlink_to(found)
    env = {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "ACCOUNT_RADAR_LOG_DIR": str(home / "log"),
        "QT_QPA_PLATFORM": "offscreen",
        "LANG": "C.UTF-8",
        "PATH": str(empty),  # a few shell tools, no python3: the app must not need one
    }
    assert shutil.which("python3", path=env["PATH"]) is None
    return env


def run(cmd: list[str], env: dict[str, str], what: str, expect: str = "") -> bool:
    """Run ``cmd``; True when it exits 0 (and, with ``expect``, printed it)."""
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    tail = (result.stdout + result.stderr).strip().splitlines()[-1:] or [""]
    print(f"{what}: exit {result.returncode}  {tail[0][:160]}", flush=True)
    if expect and expect not in result.stdout:
        print(f"{what}: did not print {expect!r}", flush=True)
        return False
    return result.returncode == 0


def sbom_checked(bundle: Path, what: str) -> str:
    """packaging/sbom.py's check of the installed bundle's own SBOM against what that
    bundle carries; the SBOM's SHA-256, which its self-test must name ("" when the check
    failed)."""
    sys.path.insert(0, str(ROOT / "packaging"))
    import sbom

    print(f"{what}:", flush=True)
    if sbom.check(bundle) != 0:
        return ""
    return sbom.sha256(bundle / sbom.SBOM_NAME)


def unresolved_libraries(bundle: Path) -> set[str]:
    """Libraries some ELF file of the installed bundle needs that neither the bundle nor
    the system provides (what the .deb's Depends must cover)."""
    inner = bundle / "_internal"
    paths = [str(inner), str(inner / "PySide6" / "Qt" / "lib")]
    env = dict(os.environ, LD_LIBRARY_PATH=":".join(paths))
    missing: set[str] = set()
    for path in bundle.rglob("*"):
        if path.is_symlink() or not path.is_file() or ".so" not in path.name:
            continue
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env).stdout
        missing.update(line.split()[0] for line in out.splitlines() if "not found" in line)
    return missing


def check_tarball(tarball: Path) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        with tarfile.open(tarball) as tar:
            tar.extractall(where / "unpacked", filter="tar")
        (top,) = list((where / "unpacked").iterdir())
        home = where / "home"
        home.mkdir()
        digest = sbom_checked(top, "tar.xz: the bundle's SBOM")
        self_test = [str(top / "AccountRadar"), "--self-test"]
        return bool(digest) and run(self_test, bare_env(home), "tar.xz self-test", digest)


def _dpkg_install(deb: Path) -> bool:
    """dpkg -i, then apt-get -f install for the system libraries it depends on (as IT
    would: the package manager fetches them)."""
    result = subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, text=True)
    if result.returncode == 0:
        return True
    print("dpkg -i: some libraries it depends on are missing; apt-get -f install fetches them")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    fix = ["apt-get", "install", "-f", "-y", "-qq", "--no-install-recommends"]
    if subprocess.run(fix, capture_output=True, text=True, env=env).returncode == 0:
        return True
    subprocess.run(["apt-get", "update", "-qq"], capture_output=True, env=env)
    done = subprocess.run(fix, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        print(done.stdout[-2000:] + done.stderr[-2000:])
    return done.returncode == 0


def check_deb(deb: Path) -> bool:
    ok = True
    as_root = os.geteuid() == 0 and shutil.which("dpkg") is not None
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        home = where / "home"
        home.mkdir()
        env = bare_env(home)
        if as_root and subprocess.run(["dpkg", "-s", PACKAGE], capture_output=True).returncode == 0:
            # Someone's installed copy stays as it is: the package is checked unpacked
            # beside it instead, as on a machine where we are not root.
            print(f"{PACKAGE} is already installed here; leaving it: checking the .deb unpacked")
            as_root = False
        if as_root:
            if not _dpkg_install(deb):
                print("the .deb did not install")
                return False
            command = "/usr/bin/account-radar"
        else:
            subprocess.run(["dpkg-deb", "-x", str(deb), str(where / "root")], check=True)
            command = str(where / "root" / "opt" / PACKAGE / "AccountRadar")
        try:
            workspace = home / ".local" / "share" / "AccountRadar" / "default.radar.sqlite"
            if as_root:
                missing = unresolved_libraries(Path("/opt", PACKAGE))
                print(f".deb: system libraries missing once installed: {sorted(missing) or 'none'}")
                ok &= not missing
            ok &= run([command, "demo", "--customers", "60"], env, ".deb: demo workspace")
            installed = Path("/opt", PACKAGE) if as_root else Path(command).parent
            digest = sbom_checked(installed, ".deb: the installed bundle's SBOM")
            ok &= bool(digest) and run([command, "--self-test"], env, ".deb self-test", digest)
            ok &= run([command, "config", "show"], env, ".deb: config show")
        finally:
            if as_root:
                removed = subprocess.run(["dpkg", "-r", PACKAGE], capture_output=True, text=True)
                gone = not Path("/opt", PACKAGE).exists() and not Path(command).exists()
                print(f".deb removed: exit {removed.returncode}, program files gone: {gone}")
                ok &= removed.returncode == 0 and gone
        kept = workspace.is_file() and workspace.stat().st_size > 0
        print(f"the user's workspace is still there after removal: {kept}")
        ok &= kept
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, default=ROOT / "dist" / "installers")
    args = parser.parse_args()
    debs = sorted(args.dir.glob(f"{PACKAGE}_*.deb"))
    tarballs = sorted(args.dir.glob("AccountRadar-*-linux-x86_64.tar.xz"))
    if not debs or not tarballs:
        raise SystemExit(f"no installers in {args.dir}: run make installers first")
    ok = check_tarball(tarballs[-1])
    ok &= check_deb(debs[-1])
    for made in (debs[-1], tarballs[-1]):
        print(f"{made.name}: {made.stat().st_size / 1e6:.1f} MB")
    print("Linux installers: " + ("ok" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
