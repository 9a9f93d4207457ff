"""The bundle's software bill of materials (CycloneDX JSON, ``sbom.cdx.json`` beside the
program): every Python package the frozen build carries, with its version and licence.

    python packaging/sbom.py write [--bundle dist/AccountRadar]   # packaging/build.py runs it
    python packaging/sbom.py check [--bundle DIR]                 # the installers' check runs it

What is bundled is read off the bundle itself, after it was slimmed: the modules in the
program's archive (PyInstaller's PYZ), the folders and extension modules in ``_internal``
and the package metadata copied there; each top-level name is traced to the installed
distribution that provides it, in the environment the bundle was built from. The SBOM is
written by CycloneDX's own generator (``cyclonedx-py environment``, pinned in
packaging/requirements-sbom.txt and run from its own virtual environment under build/, so
its dependencies never reach the app's) over that environment, with the licence texts,
and kept to the distributions the bundle carries, plus the Python runtime itself.

``check`` fails when a bundled distribution is missing from the SBOM, listed with another
version or without a licence, or when the SBOM lists a package the bundle does not carry.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import platform
import re
import subprocess
import sys
import tempfile
import venv
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dist" / "AccountRadar"
SBOM_NAME = "sbom.cdx.json"
TOOL_VENV = ROOT / "build" / "sbom-venv"
TOOL_REQUIREMENTS = ROOT / "packaging" / "requirements-sbom.txt"
# The app's own top-level packages and data folders: the SBOM's root component.
OWN = {"app", "models", "services", "views", "resources", "main"}


def normalise(name: str) -> str:
    """A distribution's name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def executable(bundle: Path) -> Path:
    exe = bundle / ("AccountRadar.exe" if sys.platform == "win32" else "AccountRadar")
    if not exe.is_file():
        raise SystemExit(f"{exe} not found: build the bundle first (make frozen)")
    return exe


def bundled_names(bundle: Path) -> set[str]:
    """The top-level names the bundle carries: modules in the program's archive, and the
    folders, extension modules and package metadata in ``_internal``."""
    from PyInstaller.archive.readers import pkg_archive_contents

    names = {entry.split(".")[0] for entry in pkg_archive_contents(str(executable(bundle)))}
    inner = bundle / "_internal"
    for path in inner.iterdir() if inner.is_dir() else ():
        name = path.name
        if name.endswith(".dist-info"):  # package metadata: <name>-<version>.dist-info
            names.add(name[: -len(".dist-info")].rsplit("-", 1)[0] + ".dist-info")
        elif name.endswith(".libs"):  # a wheel's vendored libraries (numpy.libs)
            names.add(name[: -len(".libs")] + ".libs")
        elif path.is_dir() or name.endswith((".so", ".pyd")) or ".cpython-" in name:
            names.add(name.split(".")[0])
    return names


def bundled_distributions(bundle: Path) -> dict[str, str]:
    """normalised distribution name -> installed version, for each distribution that
    provides a top-level name the bundle carries."""
    provides = importlib.metadata.packages_distributions()
    found: set[str] = set()
    for name in bundled_names(bundle):
        if name.endswith((".dist-info", ".libs")):
            base = name.rsplit(".", 1)[0]
            found.add(base)
            continue
        if name in OWN or name in sys.stdlib_module_names:
            continue
        found.update(provides.get(name, ()))
    versions: dict[str, str] = {}
    for dist in found:
        try:
            versions[normalise(dist)] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue  # a folder named like no installed distribution (data)
    return versions


def _tool_python() -> Path:
    sub = "Scripts" if sys.platform == "win32" else "bin"
    python = TOOL_VENV / sub / ("python.exe" if sys.platform == "win32" else "python")
    stamp = TOOL_VENV / ".installed"
    wanted = TOOL_REQUIREMENTS.read_text(encoding="utf-8")
    if not python.exists() or not stamp.exists() or stamp.read_text(encoding="utf-8") != wanted:
        venv.create(TOOL_VENV, with_pip=True, clear=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "-r", str(TOOL_REQUIREMENTS)],
            check=True,
        )  # fmt: skip
        stamp.write_text(wanted, encoding="utf-8")
    return python


def generate(environment_python: str) -> dict:
    """CycloneDX's generator over the environment ``environment_python`` runs in."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "environment.cdx.json"
        subprocess.run(
            [str(_tool_python()), "-m", "cyclonedx_py", "environment",
             "--pyproject", str(ROOT / "pyproject.toml"), "--gather-license-texts",
             "--output-reproducible", "--sv", "1.6", "--of", "JSON", "-o", str(out),
             environment_python],
            check=True,
        )  # fmt: skip
        return json.loads(out.read_text(encoding="utf-8"))


def runtime_component() -> dict:
    """The Python interpreter the bundle carries."""
    version = platform.python_version()
    return {
        "type": "framework",
        "bom-ref": f"cpython=={version}",
        "name": "CPython",
        "version": version,
        "purl": f"pkg:generic/cpython@{version}",
        "licenses": [{"license": {"id": "PSF-2.0"}}],
        "description": "The Python interpreter and standard library the bundle carries.",
    }


def keep_bundled(bom: dict, bundled: dict[str, str]) -> dict:
    """The BOM kept to the components the bundle carries (and their dependency edges)."""
    components = [c for c in bom.get("components", []) if normalise(c["name"]) in bundled]
    components.append(runtime_component())
    refs = {c["bom-ref"] for c in components} | {bom["metadata"]["component"]["bom-ref"]}
    dependencies = []
    for dep in bom.get("dependencies", []):
        if dep["ref"] in refs:
            kept = [d for d in dep.get("dependsOn", []) if d in refs]
            dependencies.append({"ref": dep["ref"], **({"dependsOn": kept} if kept else {})})
    return {**bom, "components": components, "dependencies": dependencies}


def write(bundle: Path) -> Path:
    bundled = bundled_distributions(bundle)
    bom = keep_bundled(generate(sys.executable), bundled)
    target = bundle / SBOM_NAME
    partial = target.with_name(target.name + ".partial")
    partial.write_text(json.dumps(bom, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    partial.replace(target)
    print(
        f"{target}: {len(bom['components'])} components "
        f"({len(bundled)} bundled distributions and the Python runtime), "
        f"sha256 {sha256(target)}",
        flush=True,
    )
    return target


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def has_licence(component: dict) -> bool:
    for entry in component.get("licenses", []):
        if "expression" in entry:
            return bool(entry["expression"].strip())
        licence = entry.get("license", {})
        if licence.get("id") or licence.get("name") or licence.get("text", {}).get("content"):
            return True
    return False


def problems(bom: dict, bundled: dict[str, str]) -> list[str]:
    """What the SBOM gets wrong about the bundle: each a plain sentence."""
    found: list[str] = []
    if bom.get("bomFormat") != "CycloneDX":
        found.append("not a CycloneDX document")
    listed = {normalise(c.get("name", "")): c for c in bom.get("components", [])}
    for name, version in sorted(bundled.items()):
        component = listed.get(name)
        if component is None:
            found.append(f"{name} {version} is bundled but not listed")
            continue
        if component.get("version") != version:
            found.append(f"{name} is listed as {component.get('version')!r}, bundled {version}")
        if not has_licence(component):
            found.append(f"{name} {version} is listed without a licence")
    runtime = listed.get("cpython")
    if runtime is None or not runtime.get("version") or not has_licence(runtime):
        found.append("the Python runtime is not listed with its version and licence")
    for name in sorted(set(listed) - set(bundled) - {"cpython"}):
        found.append(f"{name} is listed but the bundle does not carry it")
    return found


def check(bundle: Path) -> int:
    path = bundle / SBOM_NAME
    if not path.is_file():
        print(f"SBOM check: {path} is missing", flush=True)
        return 1
    bom = json.loads(path.read_text(encoding="utf-8"))
    bundled = bundled_distributions(bundle)
    found = problems(bom, bundled)
    for line in found:
        print(f"SBOM check: {line}", flush=True)
    print(
        f"SBOM check: {len(bundled)} bundled distributions, "
        f"{len(bom.get('components', []))} components listed, "
        f"{'ok' if not found else f'{len(found)} problem(s)'}; sha256 {sha256(path)}",
        flush=True,
    )
    return 1 if found else 0


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("write", "check"))
    parser.add_argument("--bundle", type=Path, default=BUNDLE, help="the one-folder bundle")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.action == "write":
        write(args.bundle)
        return check(args.bundle)
    return check(args.bundle)


if __name__ == "__main__":
    sys.exit(main())
