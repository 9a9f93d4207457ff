"""packaging/windows: the MSI built around a stand-in payload with wixl, its tables read
back with msiinfo, and the checker catching what a broken MSI would lack."""

from __future__ import annotations

import copy
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging" / "windows"))

import build_msi  # noqa: E402
import check_msi  # noqa: E402

pytestmark = pytest.mark.skipif(
    any(shutil.which(t) is None for t in ("wixl", "msiinfo", "msibuild")),
    reason="needs wixl and msitools (Debian: apt-get install wixl msitools)",
)


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, str]]]:
    where = tmp_path_factory.mktemp("msi")
    payload = build_msi.stand_in_payload(where)
    (payload / "_internal" / "PySide6" / "Qt").mkdir(parents=True)
    (payload / "_internal" / "PySide6" / "Qt" / "deep.dll").write_bytes(b"MZ")
    msi = build_msi.build(payload, where / "out", tool="wixl", name_suffix="-standin")
    assert msi.name == f"AccountRadar-{build_msi.msi_version()}-standin.msi"
    return check_msi.read_tables(msi)


def test_the_stand_in_msi_is_what_it_promises(tables: dict[str, list[dict[str, str]]]) -> None:
    assert check_msi.problems(tables, build_msi.msi_version()) == []
    others = ("Policy_", "Menu", "UrlScheme")
    files = [r for r in tables["Component"] if not r["Component"].startswith(others)]
    assert len(files) == 3  # the executable, README.txt, the nested deep.dll


def test_the_checker_notices_a_missing_downgrade_rule(
    tables: dict[str, list[dict[str, str]]],
) -> None:
    broken = copy.deepcopy(tables)
    broken["Upgrade"] = [r for r in broken["Upgrade"] if r["VersionMin"] == ""]
    found = check_msi.problems(broken, build_msi.msi_version())
    assert "a newer version is detected" in found
    assert "a newer version installed blocks the install (downgrade refused)" in found


def test_the_checker_notices_a_policy_value_written_elsewhere(
    tables: dict[str, list[dict[str, str]]],
) -> None:
    broken = copy.deepcopy(tables)
    for row in broken["Registry"]:
        if row["Name"] == "llm.base_url":
            row["Root"] = "1"  # HKCU: the user could change it
    found = check_msi.problems(broken, build_msi.msi_version())
    assert found == [r"LLM_BASE_URL -> HKLM\Software\Policies\AccountRadar\Defaults\llm.base_url"]


def test_a_second_build_keeps_the_component_guids(tmp_path: Path) -> None:
    payload = build_msi.stand_in_payload(tmp_path)
    first = build_msi.wxs(payload, "0.1.0")
    assert first == build_msi.wxs(payload, "0.1.0")
    assert build_msi.UPGRADE_CODE in first
    assert 'Secure="yes"' in first  # WiX 3 on Windows marks them itself


@pytest.mark.skipif(
    shutil.which("osslsigncode") is None or shutil.which("openssl") is None,
    reason="needs osslsigncode and openssl (Debian)",
)
def test_sign_sh_signs_with_a_given_certificate_and_skips_without(tmp_path: Path) -> None:
    import subprocess

    msi = build_msi.build(
        build_msi.stand_in_payload(tmp_path), tmp_path / "out", tool="wixl", name_suffix="-x"
    )
    sign = str(ROOT / "packaging" / "windows" / "sign.sh")
    unsigned = msi.read_bytes()
    skipped = subprocess.run(["bash", sign, str(msi)], capture_output=True, text=True,
                             env={"PATH": "/usr/bin:/bin"})  # fmt: skip
    assert skipped.returncode == 0
    assert "not signed" in skipped.stdout
    assert msi.read_bytes() == unsigned
    key, cert, pfx = tmp_path / "k.pem", tmp_path / "c.pem", tmp_path / "c.pfx"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", "/CN=Account Radar test"],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        ["openssl", "pkcs12", "-export", "-inkey", str(key), "-in", str(cert), "-out", str(pfx),
         "-passout", "pass:secret"], check=True, capture_output=True,
    )  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "CERT_PFX": str(pfx), "CERT_PASSWORD": "secret",
           "TIMESTAMP_URL": ""}  # fmt: skip
    signed = subprocess.run(["bash", sign, str(msi)], capture_output=True, text=True, env=env)
    assert signed.returncode == 0, signed.stderr
    verified = subprocess.run(
        ["osslsigncode", "verify", "-CAfile", str(cert), "-in", str(msi)],
        capture_output=True,
        text=True,
    )
    assert "Signature verification: ok" in verified.stdout
    assert check_msi.problems(check_msi.read_tables(msi), build_msi.msi_version()) == []


def test_the_msi_registers_the_accountradar_links(tables: dict[str, list[dict[str, str]]]) -> None:
    rows = {(r["Root"], r["Key"], r["Name"]): r["Value"] for r in tables["Registry"]}
    key = "Software\\Classes\\accountradar"
    assert rows[("2", key, "URL Protocol")] == ""
    command = rows[("2", key + "\\shell\\open\\command", "")]
    assert command == '"[INSTALLDIR]AccountRadar.exe" "%1"'
