"""The Windows installer: a per-machine MSI built from one WiX source.

    python packaging/windows/build_msi.py --stand-in [--out DIR]      (Linux: wixl)
    python packaging/windows/build_msi.py --payload dist/AccountRadar  (Windows: WiX 3)

The WiX source is generated (``AccountRadar.wxs`` beside the MSI): one component per file
of the payload under Program Files\\Account Radar, a Start-menu shortcut, the upgrade
rules, and a registry value per organisation setting under
``HKLM\\Software\\Policies\\AccountRadar\\Defaults`` set from the MSI's public properties:

    msiexec /i AccountRadar-0.1.0.msi /qn LLM_BASE_URL=http://llm.corp:8080/v1 ^
        PRIVACY_FIELDS=first_name,tier LOCK_SETTINGS=llm.base_url,outreach.sent_fields

``LOCK_SETTINGS`` names the settings (of those given, or "all") that users may not change:
it is written as ``LockedSettings`` beside them (services/core/policy.py reads both). A property
not given writes an empty value, which the app reads as "not set". Each property is read
back from the registry on the next install (AppSearch), so an upgrade keeps what IT set.

- **Upgrades**: a fixed UpgradeCode, a new ProductCode per build; an older version is
  removed and replaced (MajorUpgrade), a newer one installed blocks the install.
- **Uninstall** removes the program folder, the shortcut and these registry values; the
  user's workspaces live in %LOCALAPPDATA%\\AccountRadar and are never touched.
- **Version** from pyproject.toml; the build number ($BUILD_NUMBER) is not part of an MSI
  version (Windows Installer compares only the first three fields).

On Linux the MSI is built around a stand-in payload with ``wixl`` (Debian: wixl), which
knows a subset of WiX: it ignores ``Secure="yes"``, so SecureCustomProperties is set
afterwards with ``msibuild`` (msitools). On a Windows runner, WiX 3's candle and light
build it around the real bundle (packaging/windows/build.ps1).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from xml.sax.saxutils import quoteattr

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from services.core.version import read_pyproject  # noqa: E402

UPGRADE_CODE = "6B1B3C55-7B0F-4C4E-9E0A-2D9E1C8A4F10"  # never change: upgrades find us by it
MANUFACTURER = "Account Radar"
PRODUCT = "Account Radar"
EXECUTABLE = "AccountRadar.exe"
URL_SCHEME = "accountradar"  # accountradar://alert/<id> opens the app on it
POLICY_KEY = r"Software\Policies\AccountRadar"
# The MSI's public properties and the setting each one sets (declared in
# services/settings/schema.py and its feature modules).
PROPERTIES = {
    "LLM_PRESET": "llm.preset",
    "LLM_BASE_URL": "llm.base_url",
    "LLM_MODEL": "llm.model",
    "LLM_ALLOW_CLOUD": "llm.allow_cloud",
    "PRIVACY_FIELDS": "outreach.sent_fields",
    "INCENTIVE_CAP": "outreach.incentive_cap_percent",
    "HOLDOUT_PERCENT": "learn.holdout_percent",
    "WATCHED_FOLDER": "import.watched_folder",
    "WORKSPACE_URL": "workspace.location",
    "SMTP_HOST": "smtp.host",
    "SMTP_PORT": "smtp.port",
    "SMTP_SECURITY": "smtp.security",
    "UPDATE_URL": "updates.check_url",
}
DOWNGRADE = f"A newer version of {PRODUCT} is already installed. Uninstall it to install this one."
SHORTCUT_TIP = "Find the customers you are about to lose, and win them back"
LOCK_PROPERTY = "LOCK_SETTINGS"
LOCK_VALUE = "LockedSettings"
_NAMESPACE = uuid.UUID(UPGRADE_CODE)


def guid(name: str) -> str:
    """A component GUID that stays the same from build to build (component rules)."""
    return str(uuid.uuid5(_NAMESPACE, name)).upper()


def _id(prefix: str, text: str) -> str:
    """An MSI identifier (letters, digits, _ and .; at most 72 characters)."""
    return f"{prefix}_{uuid.uuid5(_NAMESPACE, text).hex}"


def msi_version() -> str:
    version = read_pyproject(ROOT)["version"]
    parts = [int("".join(ch for ch in p if ch.isdigit()) or 0) for p in version.split(".")[:3]]
    return ".".join(str(p) for p in parts + [0] * (3 - len(parts)))


def _payload_xml(payload: Path, relative_to: Path | None) -> tuple[str, list[str]]:
    """<Directory>/<Component>/<File> elements for every file of the payload (file sources
    relative to ``relative_to`` when given: wixl takes no absolute paths)."""
    components: list[str] = []

    def source(path: Path) -> str:
        return os.path.relpath(path, relative_to) if relative_to else str(path)

    def walk(folder: Path, indent: str) -> str:
        out = []
        for path in sorted(folder.iterdir()):
            rel = path.relative_to(payload).as_posix()
            if path.is_dir():
                inner = walk(path, indent + "  ")
                out.append(
                    f"{indent}<Directory Id={quoteattr(_id('dir', rel))} "
                    f"Name={quoteattr(path.name)}>\n{inner}{indent}</Directory>\n"
                )
                continue
            cid = "MainExe" if rel == EXECUTABLE else _id("cmp", rel)
            components.append(cid)
            file_id = "AccountRadarExe" if rel == EXECUTABLE else _id("fil", rel)
            out.append(
                f"{indent}<Component Id={quoteattr(cid)} Guid={quoteattr(guid('file:' + rel))} "
                f'Win64="yes">\n'
                f"{indent}  <File Id={quoteattr(file_id)} Name={quoteattr(path.name)} "
                f'Source={quoteattr(source(path))} KeyPath="yes"/>\n'
                f"{indent}</Component>\n"
            )
        return "".join(out)

    return walk(payload, "          "), components


def wxs(payload: Path, version: str, *, for_wixl: bool = False, at: Path | None = None) -> str:
    """The WiX source for ``payload`` at ``version`` (to be written in folder ``at``)."""
    files, components = _payload_xml(payload, at if for_wixl else None)
    secure = "" if for_wixl else ' Secure="yes"'  # wixl: set afterwards (build_with_wixl)
    searches = []
    policy = []
    for prop, setting in [*PROPERTIES.items(), (LOCK_PROPERTY, LOCK_VALUE)]:
        key = POLICY_KEY if prop == LOCK_PROPERTY else POLICY_KEY + r"\Defaults"
        searches.append(
            f'    <Property Id="{prop}"{secure}>\n'
            f'      <RegistrySearch Id="Find_{prop}" Root="HKLM" Key={quoteattr(key)} '
            f'Name={quoteattr(setting)} Type="raw"/>\n'
            "    </Property>\n"
        )
        policy.append(
            f'      <Component Id="Policy_{prop}" Guid="{guid("policy:" + setting)}" Win64="yes">\n'
            f'        <RegistryValue Root="HKLM" Key={quoteattr(key)} Name={quoteattr(setting)} '
            f'Type="string" Value="[{prop}]" KeyPath="yes"/>\n'
            "      </Component>\n"
        )
        components.append(f"Policy_{prop}")
    refs = "".join(
        f'      <ComponentRef Id="{c}"/>\n' for c in [*components, "MenuShortcut", "UrlScheme"]
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<!-- Generated by packaging/windows/build_msi.py: edit that, not this. -->
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="*" Name="{PRODUCT}" Language="1033" Version="{version}"
           Manufacturer="{MANUFACTURER}" UpgradeCode="{UPGRADE_CODE}">
    <Package InstallerVersion="500" Compressed="yes" InstallScope="perMachine"
             Description="{PRODUCT} {version}" Manufacturer="{MANUFACTURER}"/>
    <Media Id="1" Cabinet="app.cab" EmbedCab="yes"/>
    <MajorUpgrade DowngradeErrorMessage="{DOWNGRADE}"/>
    <Property Id="ARPNOMODIFY" Value="1"/>
{"".join(searches)}    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFiles64Folder">
        <Directory Id="INSTALLDIR" Name="{PRODUCT}">
{files}        </Directory>
      </Directory>
      <Directory Id="ProgramMenuFolder">
        <Component Id="MenuShortcut" Guid="{guid("shortcut")}" Win64="yes">
          <Shortcut Id="AppShortcut" Name="{PRODUCT}" Description="{SHORTCUT_TIP}"
                    Target="[INSTALLDIR]{EXECUTABLE}" WorkingDirectory="INSTALLDIR"/>
          <RegistryValue Root="HKLM" Key="Software\\AccountRadar" Name="shortcut" Type="integer"
                         Value="1" KeyPath="yes"/>
        </Component>
      </Directory>
    </Directory>
    <DirectoryRef Id="TARGETDIR">
{"".join(policy)}{url_scheme()}    </DirectoryRef>
    <Feature Id="Main" Title="{PRODUCT}" Level="1">
{refs}    </Feature>
  </Product>
</Wix>
"""


def url_scheme() -> str:
    """The accountradar:// links, registered for every user of the computer (the install is
    per machine): HKLM Software\\Classes\\accountradar, a "URL Protocol", opened by the app
    with the link as its argument (a window already running is handed it)."""
    key = "Software\\Classes\\" + URL_SCHEME
    icon_key, open_key = key + "\\DefaultIcon", key + "\\shell\\open\\command"
    command = f'"[INSTALLDIR]{EXECUTABLE}" "%1"'
    icon = f"[INSTALLDIR]{EXECUTABLE},0"
    return (
        f'      <Component Id="UrlScheme" Guid="{guid("url-scheme")}" Win64="yes">\n'
        f'        <RegistryValue Root="HKLM" Key={quoteattr(key)} Type="string" '
        f'Value="URL:{PRODUCT} link" KeyPath="yes"/>\n'
        f'        <RegistryValue Root="HKLM" Key={quoteattr(key)} Name="URL Protocol" '
        'Type="string" Value=""/>\n'
        f'        <RegistryValue Root="HKLM" Key={quoteattr(icon_key)} Type="string" '
        f"Value={quoteattr(icon)}/>\n"
        f'        <RegistryValue Root="HKLM" Key={quoteattr(open_key)} Type="string" '
        f"Value={quoteattr(command)}/>\n"
        "      </Component>\n"
    )


def stand_in_payload(where: Path) -> Path:
    """A tiny folder shaped like the bundle (the real one is built on Windows)."""
    payload = where / "AccountRadar"
    (payload / "_internal").mkdir(parents=True)
    (payload / EXECUTABLE).write_bytes(b"MZ stand-in for the PyInstaller bundle's executable\n")
    (payload / "_internal" / "README.txt").write_text("stand-in payload\n", encoding="utf-8")
    return payload


def secure_properties() -> str:
    return ";".join([*PROPERTIES, LOCK_PROPERTY, "WIX_DOWNGRADE_DETECTED", "WIX_UPGRADE_DETECTED"])


def build_with_wixl(source: Path, msi: Path) -> None:
    for tool in ("wixl", "msibuild"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found (Debian: apt-get install wixl msitools)")
    result = subprocess.run(
        ["wixl", "-a", "x64", "-o", str(msi), str(source)], capture_output=True, text=True
    )
    if result.returncode != 0 or not msi.exists():
        raise SystemExit(f"wixl failed:\n{result.stderr}")
    # wixl ignores Secure="yes": without these in SecureCustomProperties a per-machine
    # install started by a user drops the properties on its way to the elevated part.
    query = (
        f"UPDATE `Property` SET `Value` = '{secure_properties()}' "
        "WHERE `Property` = 'SecureCustomProperties'"
    )
    subprocess.run(["msibuild", str(msi), "-q", query], check=True)


def build_with_wix3(source: Path, msi: Path) -> None:  # pragma: no cover - Windows runner
    obj = source.with_suffix(".wixobj")
    subprocess.run(["candle", "-nologo", "-arch", "x64", "-out", str(obj), str(source)], check=True)
    subprocess.run(["light", "-nologo", "-sval", "-out", str(msi), str(obj)], check=True)


def build(
    payload: Path, out: Path, *, tool: str, name_suffix: str = "", version: str | None = None
) -> Path:
    version = version or msi_version()
    out.mkdir(parents=True, exist_ok=True)
    source = out / f"AccountRadar-{version}.wxs"
    text = wxs(payload.resolve(), version, for_wixl=tool == "wixl", at=out.resolve())
    source.write_text(text, encoding="utf-8")
    msi = out / f"AccountRadar-{version}{name_suffix}.msi"
    msi.unlink(missing_ok=True)
    (build_with_wixl if tool == "wixl" else build_with_wix3)(source, msi)
    return msi


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--stand-in", action="store_true", help="a tiny stand-in payload (wixl)")
    what.add_argument("--payload", type=Path, help="the bundle folder (dist/AccountRadar)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "installers")
    parser.add_argument("--tool", choices=("wixl", "wix3"), default=None)
    parser.add_argument(
        "--version", help="another version than pyproject.toml's (the upgrade test only)"
    )
    args = parser.parse_args()
    tool = args.tool or ("wix3" if sys.platform == "win32" else "wixl")
    if args.stand_in:
        with tempfile.TemporaryDirectory() as tmp:
            payload = stand_in_payload(Path(tmp))
            msi = build(payload, args.out, tool=tool, name_suffix="-standin", version=args.version)
    else:
        msi = build(args.payload, args.out, tool=tool, version=args.version)
    print(f"{msi}  {msi.stat().st_size / 1e3:.0f} kB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
