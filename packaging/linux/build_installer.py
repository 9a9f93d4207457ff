"""The Linux installers: a .deb for Debian and Ubuntu laptops, and a .tar.xz for the rest.

    python packaging/linux/build_installer.py [--bundle dist/AccountRadar] [--out DIR]
    python packaging/linux/build_installer.py --stand-in --out DIR   (tests: a tiny payload)

Why these two and not an AppImage: IT deploys .deb packages with the tools it already has
(apt, Landscape, Ansible), a .deb can declare the few system libraries Qt needs, and it
leaves ``/etc/account-radar/policies.json`` (the organisation's policy) to IT; an AppImage
needs FUSE on every laptop and its tools are not in Debian. The .tar.xz is the same bundle
for other distributions (unpack into /opt, run ``AccountRadar``).

The .deb installs the bundle into ``/opt/account-radar``, the command ``account-radar``,
a desktop entry and its icon. Removing it removes only those: workspaces live in each
user's data folder (``~/.local/share/AccountRadar``) and stay.
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from services.core.version import read_pyproject  # noqa: E402

PACKAGE = "account-radar"
INSTALL_DIR = "opt/account-radar"
EXECUTABLE = "AccountRadar"
# What the bundle takes from the system (everything else it carries): the C library,
# OpenGL/EGL and DRM, the X11 connection and two of its helpers Qt's xcb plug-in links,
# the Wayland client libraries, and fontconfig's configuration. The list is the bundle's
# libraries that ldd resolves outside it (packaging/linux/check_installer.py checks that
# none is missing once these are installed). Debian 12 / Ubuntu 22.04 package names.
DEPENDS = (
    "libc6 (>= 2.31)",
    "libgl1",
    "libegl1",
    "libdrm2",
    "libxcb1",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libwayland-client0",
    "libwayland-cursor0",
    "libwayland-egl1",
    "fontconfig-config",
)
RECOMMENDS = ("fonts-dejavu-core | fonts-liberation2",)
DESKTOP_ENTRY = """[Desktop Entry]
Type=Application
Name=Account Radar
GenericName=Customer retention
Comment=Find the customers you are about to lose, and win them back
Exec=/usr/bin/account-radar %u
Icon=account-radar
Terminal=false
Categories=Office;Finance;
MimeType=x-scheme-handler/accountradar;
StartupWMClass=AccountRadar
"""
STAND_IN = """#!/bin/sh
# A stand-in for the PyInstaller bundle's executable (packaging tests only).
if [ "$1" = "--self-test" ]; then echo "stand-in self-test ok"; exit 0; fi
echo "Account Radar stand-in"
"""


def stand_in_bundle(where: Path) -> Path:
    """A tiny folder shaped like the bundle, for tests of the packaging alone."""
    bundle = where / "AccountRadar"
    (bundle / "_internal").mkdir(parents=True)
    exe = bundle / EXECUTABLE
    exe.write_text(STAND_IN, encoding="utf-8")
    exe.chmod(0o755)
    (bundle / "_internal" / "README.txt").write_text("stand-in payload\n", encoding="utf-8")
    return bundle


def _version() -> tuple[str, str]:
    info = read_pyproject(ROOT)
    build = info["build"] if info["build"].isdigit() else "0"
    return info["version"], build


def _installed_size_kb(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*")) // 1024 + 1


def build_deb(bundle: Path, out: Path) -> Path:
    """Build the .deb around ``bundle`` into ``out``; returns its path."""
    version, build = _version()
    name = f"{PACKAGE}_{version}-{build}_amd64.deb"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        target = root / INSTALL_DIR
        shutil.copytree(bundle, target, symlinks=True)
        (root / "usr" / "bin").mkdir(parents=True)
        (root / "usr" / "bin" / PACKAGE).symlink_to(f"/{INSTALL_DIR}/{EXECUTABLE}")
        apps = root / "usr" / "share" / "applications"
        apps.mkdir(parents=True)
        (apps / f"{PACKAGE}.desktop").write_text(DESKTOP_ENTRY, encoding="utf-8")
        icons = root / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps"
        icons.mkdir(parents=True)
        shutil.copyfile(
            ROOT / "resources" / "icons" / "account-radar.svg", icons / f"{PACKAGE}.svg"
        )
        docs = root / "usr" / "share" / "doc" / PACKAGE
        docs.mkdir(parents=True)
        (docs / "README.policies").write_text(
            "Organisation defaults and locks: put a policies.json in /etc/account-radar/\n"
            '({"locked": {...}, "defaults": {...}}); see docs/it.md of the project,\n'
            '"Organisation defaults and locks".\n',
            encoding="utf-8",
        )
        debian = root / "DEBIAN"
        debian.mkdir()
        control = (
            f"Package: {PACKAGE}\n"
            f"Version: {version}-{build}\n"
            "Architecture: amd64\n"
            "Maintainer: Account Radar <it@accountradar.example>\n"
            "Section: misc\n"
            "Priority: optional\n"
            f"Installed-Size: {_installed_size_kb(root)}\n"
            f"Depends: {', '.join(DEPENDS)}\n"
            f"Recommends: {', '.join(RECOMMENDS)}\n"
            "Description: Account Radar - find the customers you are about to lose\n"
            " Scores every customer on the laptop, raises alerts on those at risk and\n"
            " drafts the email that wins them back. Customer data stays on this computer.\n"
        )
        (debian / "control").write_text(control, encoding="utf-8")
        for script, body in (
            ("postinst", "command -v update-desktop-database >/dev/null && "
             "update-desktop-database -q /usr/share/applications || true\n"),
            ("postrm", "command -v update-desktop-database >/dev/null && "
             "update-desktop-database -q /usr/share/applications || true\n"
             "# Workspaces are in each user's data folder and are never removed here.\n"),
        ):  # fmt: skip
            path = debian / script
            path.write_text(f"#!/bin/sh\nset -e\n{body}", encoding="utf-8")
            path.chmod(0o755)
        for path in [root, *root.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
            elif path.is_file() and not path.is_symlink():
                mode = path.stat().st_mode
                path.chmod(0o755 if mode & stat.S_IXUSR else 0o644)
        out.mkdir(parents=True, exist_ok=True)
        deb = out / name
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zxz", f"-z{xz_preset()}", "--build", str(root),
             str(deb)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    return deb


def xz_preset() -> int:
    """xz's preset for both installers: 6 (the release's), or ACCOUNT_RADAR_XZ_PRESET (0 to
    9). CI sets 1: the same files in the same formats, built in a fraction of the CPU time
    and about a tenth larger, since it checks that they install and run, not their size."""
    text = os.environ.get("ACCOUNT_RADAR_XZ_PRESET", "6").strip()
    if not text.isdigit() or not 0 <= int(text) <= 9:
        raise SystemExit(
            f"ACCOUNT_RADAR_XZ_PRESET must be a whole number from 0 to 9, not {text!r}"
        )
    return int(text)


def build_tarball(bundle: Path, out: Path) -> Path:
    """AccountRadar-<version>/ (the bundle) in a .tar.xz (xz on every core: a third
    smaller than gzip, 137 -> about 100 MB); returns its path."""
    version, build = _version()
    top = f"AccountRadar-{version}"
    path = out / f"AccountRadar-{version}-{build}-linux-x86_64.tar.xz"
    out.mkdir(parents=True, exist_ok=True)
    source = bundle.resolve()
    with path.open("wb") as f:
        tar = subprocess.Popen(
            ["tar", "--owner=0", "--group=0", "--numeric-owner",
             f"--transform=flags=rh;s,^{source.name},{top},", "-C", str(source.parent),
             "-cf", "-", source.name],
            stdout=subprocess.PIPE,
        )  # fmt: skip
        xz = subprocess.run(["xz", "-T0", f"-{xz_preset()}", "-c"], stdin=tar.stdout, stdout=f)
        assert tar.stdout is not None
        tar.stdout.close()
        if tar.wait() != 0 or xz.returncode != 0:
            raise RuntimeError(f"tar or xz failed making {path.name}")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "AccountRadar")
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "installers")
    parser.add_argument("--stand-in", action="store_true", help="package a tiny stand-in")
    args = parser.parse_args()
    if shutil.which("dpkg-deb") is None:
        raise SystemExit("dpkg-deb not found (Debian: apt-get install dpkg)")
    with tempfile.TemporaryDirectory() as tmp:
        bundle = stand_in_bundle(Path(tmp)) if args.stand_in else args.bundle
        if not (bundle / EXECUTABLE).exists():
            raise SystemExit(f"no bundle at {bundle}: run make frozen first")
        for made in (build_deb(bundle, args.out), build_tarball(bundle, args.out)):
            print(f"{made}  {made.stat().st_size / 1e6:.1f} MB", flush=True)
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
