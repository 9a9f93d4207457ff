"""packaging/linux: the .deb and .tar.xz built around a stand-in payload (the real bundle
is checked by `make check-installers` in CI): their names and version from pyproject.toml,
what they install where, and the check that finds a library the system lacks."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging" / "linux"))

import build_installer  # noqa: E402
import check_installer  # noqa: E402

pytestmark = pytest.mark.skipif(
    shutil.which("dpkg-deb") is None or shutil.which("xz") is None,
    reason="needs dpkg-deb and xz (Debian)",
)


def _version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    where = tmp_path_factory.mktemp("installers")
    bundle = build_installer.stand_in_bundle(where)
    deb = build_installer.build_deb(bundle, where / "out")
    tarball = build_installer.build_tarball(bundle, where / "out")
    return deb, tarball


def test_the_deb_installs_the_bundle_a_command_and_a_menu_entry(built: tuple[Path, Path]) -> None:
    deb, _ = built
    version = _version()
    assert deb.name == f"account-radar_{version}-0_amd64.deb"
    fields = subprocess.run(
        ["dpkg-deb", "-f", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    assert f"Version: {version}-0" in fields
    assert "Package: account-radar" in fields
    assert "libxcb1" in fields
    listing = subprocess.run(
        ["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    exe = next(line for line in listing if line.endswith("./opt/account-radar/AccountRadar"))
    assert exe.startswith("-rwxr-xr-x root/root")
    assert any("./usr/bin/account-radar -> /opt/account-radar/AccountRadar" in x for x in listing)
    assert any(x.endswith("./usr/share/applications/account-radar.desktop") for x in listing)
    assert any(x.endswith("/apps/account-radar.svg") for x in listing)
    # Nothing under /etc: the policy file there is IT's, never overwritten by an upgrade.
    assert not any(" ./etc/" in x for x in listing)
    entry = subprocess.run(
        ["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(entry)) as tar:
        member = tar.extractfile("./usr/share/applications/account-radar.desktop")
        assert member is not None
        desktop = member.read().decode()
    # accountradar:// links open the app (a running window is handed them).
    assert "MimeType=x-scheme-handler/accountradar;" in desktop
    assert "Exec=/usr/bin/account-radar %u" in desktop


def test_removing_the_deb_never_touches_a_users_data(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    deb, _ = built
    subprocess.run(["dpkg-deb", "-e", str(deb), str(tmp_path / "control")], check=True)
    postrm = (tmp_path / "control" / "postrm").read_text()
    assert "rm " not in postrm
    assert "home" not in postrm.lower().replace("# workspaces", "")


def test_the_tarball_unpacks_to_a_runnable_folder(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, tarball = built
    version = _version()
    assert tarball.name == f"AccountRadar-{version}-0-linux-x86_64.tar.xz"
    with tarfile.open(tarball) as tar:
        members = {m.name: m for m in tar.getmembers()}
        tar.extractall(tmp_path, filter="tar")
    exe = members[f"AccountRadar-{version}/AccountRadar"]
    assert exe.mode & 0o111
    assert exe.uid == 0
    home = tmp_path / "home"
    home.mkdir()
    result = subprocess.run(
        [str(tmp_path / f"AccountRadar-{version}" / "AccountRadar"), "--self-test"],
        env=check_installer.bare_env(home), capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0
    assert "stand-in self-test ok" in result.stdout


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")
def test_a_library_the_system_lacks_is_reported(tmp_path: Path) -> None:
    bundle = tmp_path / "AccountRadar"
    inner = bundle / "_internal"
    inner.mkdir(parents=True)
    (tmp_path / "libradarghost.c").write_text("int ghost(void) { return 1; }\n")
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-o", str(tmp_path / "libradarghost.so"),
         str(tmp_path / "libradarghost.c")], check=True,
    )  # fmt: skip
    (tmp_path / "user.c").write_text("int ghost(void); int use(void) { return ghost(); }\n")
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-o", str(inner / "libuser.so"), str(tmp_path / "user.c"),
         f"-L{tmp_path}", "-lradarghost"], check=True,
    )  # fmt: skip
    assert check_installer.unresolved_libraries(bundle) == {"libradarghost.so"}
    shutil.copyfile(tmp_path / "libradarghost.so", inner / "libradarghost.so")
    assert check_installer.unresolved_libraries(bundle) == set()


def test_the_xz_preset_is_the_releases_unless_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ACCOUNT_RADAR_XZ_PRESET", raising=False)
    assert build_installer.xz_preset() == 6
    monkeypatch.setenv("ACCOUNT_RADAR_XZ_PRESET", "1")
    assert build_installer.xz_preset() == 1
    # The same formats at the lighter preset: dpkg-deb and xz read them back.
    bundle = build_installer.stand_in_bundle(tmp_path)
    deb = build_installer.build_deb(bundle, tmp_path / "out")
    tarball = build_installer.build_tarball(bundle, tmp_path / "out")
    subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, check=True)
    subprocess.run(["xz", "-t", str(tarball)], capture_output=True, check=True)
    for wrong in ("fast", "10", "-1"):
        monkeypatch.setenv("ACCOUNT_RADAR_XZ_PRESET", wrong)
        with pytest.raises(SystemExit, match="number from 0 to 9"):
            build_installer.xz_preset()
