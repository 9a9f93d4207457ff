"""Check an MSI's tables with msiinfo (msitools): what build_msi.py promises IT.

    python packaging/windows/check_msi.py dist/installers/AccountRadar-0.1.0-standin.msi

Checks the product (UpgradeCode, version from pyproject.toml, per-machine), the upgrade
rules (older versions removed, a newer one blocks the install), the Start-menu shortcut,
the program folder under Program Files, a registry value per public property under
HKLM\\Software\\Policies\\AccountRadar (each one a real setting), the properties marked
secure, and that nothing removes a user's data. Prints each check; exit 0 when all pass.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_msi  # noqa: E402

TABLES = (
    "Property", "Upgrade", "LaunchCondition", "InstallExecuteSequence", "Registry",
    "Shortcut", "Directory", "Component", "AppSearch", "RegLocator", "RemoveFile",
)  # fmt: skip
HKLM = "2"
# Upgrade table attribute bits (Windows Installer).
ONLY_DETECT = 2


def read_tables(msi: Path) -> dict[str, list[dict[str, str]]]:
    """Each table as rows of {column: value} ([] for a table the MSI doesn't have)."""
    listed = subprocess.run(
        ["msiinfo", "tables", str(msi)], capture_output=True, text=True, check=True
    ).stdout.split()
    out: dict[str, list[dict[str, str]]] = {}
    for table in TABLES:
        if table not in listed:
            out[table] = []
            continue
        text = subprocess.run(
            ["msiinfo", "export", str(msi), table], capture_output=True, text=True, check=True
        ).stdout
        lines = text.splitlines()
        columns = lines[0].split("\t")
        out[table] = [dict(zip(columns, line.split("\t"), strict=False)) for line in lines[3:]]
    return out


def problems(tables: dict[str, list[dict[str, str]]], version: str) -> list[str]:
    """What is wrong, in words ([] when the MSI is as promised)."""
    from services.settings import SETTINGS

    found: list[str] = []

    def need(ok: bool, what: str) -> None:
        print(f"  {'ok ' if ok else 'NO '} {what}")
        if not ok:
            found.append(what)

    props = {r["Property"]: r.get("Value", "") for r in tables["Property"]}
    need(props.get("UpgradeCode") == "{" + build_msi.UPGRADE_CODE + "}", "the fixed UpgradeCode")
    need(props.get("ProductVersion") == version, f"ProductVersion {version} (pyproject.toml)")
    need(props.get("ALLUSERS") == "1", "per-machine (ALLUSERS=1)")
    secure = set(props.get("SecureCustomProperties", "").split(";"))
    wanted = {*build_msi.PROPERTIES, build_msi.LOCK_PROPERTY}
    need(wanted <= secure, "every public property is secure (reaches the elevated install)")

    upgrades = tables["Upgrade"]
    code = "{" + build_msi.UPGRADE_CODE + "}"
    older = [
        r for r in upgrades
        if r["UpgradeCode"] == code and not r["VersionMin"] and r["VersionMax"] == version
        and not int(r["Attributes"] or 0) & ONLY_DETECT
    ]  # fmt: skip
    newer = [
        r for r in upgrades
        if r["UpgradeCode"] == code and r["VersionMin"] == version and not r["VersionMax"]
        and int(r["Attributes"] or 0) & ONLY_DETECT
    ]  # fmt: skip
    need(len(older) == 1, "an older version is found and removed (upgrade in place)")
    need(len(newer) == 1, "a newer version is detected")
    blocked = newer[0]["ActionProperty"] if newer else "?"
    need(
        any(f"NOT {blocked}" == r["Condition"] for r in tables["LaunchCondition"]),
        "a newer version installed blocks the install (downgrade refused)",
    )
    actions = {r["Action"] for r in tables["InstallExecuteSequence"]}
    need({"FindRelatedProducts", "RemoveExistingProducts", "AppSearch"} <= actions,
         "the upgrade and registry-search actions run")  # fmt: skip

    dirs = {r["Directory"]: r for r in tables["Directory"]}
    install = dirs.get("INSTALLDIR", {})
    need(install.get("Directory_Parent") == "ProgramFiles64Folder"
         and "Account Radar" in install.get("DefaultDir", ""),
         "the program goes to Program Files\\Account Radar")  # fmt: skip
    shortcuts = tables["Shortcut"]
    need(any(s["Directory_"] == "ProgramMenuFolder"
             and s["Target"] == f"[INSTALLDIR]{build_msi.EXECUTABLE}" for s in shortcuts),
         "a Start-menu shortcut to the program")  # fmt: skip

    registry = {(r["Root"], r["Key"], r["Name"]): r["Value"] for r in tables["Registry"]}
    defaults = build_msi.POLICY_KEY + r"\Defaults"
    for prop, setting in build_msi.PROPERTIES.items():
        need(registry.get((HKLM, defaults, setting)) == f"[{prop}]" and setting in SETTINGS,
             f"{prop} -> HKLM\\{defaults}\\{setting}")  # fmt: skip
    need(
        registry.get((HKLM, build_msi.POLICY_KEY, build_msi.LOCK_VALUE))
        == f"[{build_msi.LOCK_PROPERTY}]",
        f"{build_msi.LOCK_PROPERTY} -> HKLM\\{build_msi.POLICY_KEY}\\{build_msi.LOCK_VALUE}",
    )
    searched = {r["Property"] for r in tables["AppSearch"]}
    need(wanted <= searched, "an upgrade reads back what IT set (AppSearch per property)")
    need(
        not any("LocalAppData" in str(r) or "AppData" in str(r) for r in tables["RemoveFile"])
        and "LocalAppDataFolder" not in dirs
        and "AppDataFolder" not in dirs,
        "nothing touches the user's data folder (workspaces stay on uninstall)",
    )
    return found


def main() -> int:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    msi = Path(sys.argv[1])
    print(f"{msi.name}:")
    found = problems(read_tables(msi), build_msi.msi_version())
    print("MSI tables: " + ("ok" if not found else f"{len(found)} problem(s)"))
    return 0 if not found else 1


if __name__ == "__main__":
    sys.exit(main())
