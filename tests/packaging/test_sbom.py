"""packaging/sbom.py and the app's side of it: what a bundle carries is read off the bundle
(a real PyInstaller archive written here, and the ``_internal`` folder beside it), traced
to the installed distributions, and the SBOM is checked against it; the self-test names
the packaged build's SBOM by its SHA-256."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

import sbom  # noqa: E402

from services.core import licences  # noqa: E402
from services.core.safe_read import BadFile  # noqa: E402


def _bundle(where: Path, modules: list[str], internal: list[str]) -> Path:
    """A one-folder bundle: a program whose PyInstaller archive holds ``modules`` (byte
    code in a PYZ), and an ``_internal`` folder holding ``internal`` (folders, or files
    when the name has a suffix)."""
    from PyInstaller.archive.writers import CArchiveWriter, ZlibArchiveWriter

    bundle = where / "AccountRadar-bundle"
    inner = bundle / "_internal"
    inner.mkdir(parents=True)
    source = where / "module.py"
    source.write_text("ANSWER = 42\n", encoding="utf-8")
    pyz = where / "PYZ-00.pyz"
    code = compile("ANSWER = 42\n", str(source), "exec")
    ZlibArchiveWriter(
        str(pyz),
        [(name, str(source), "PYMODULE") for name in modules],
        code_dict=dict.fromkeys(modules, code),
    )
    exe = bundle / ("AccountRadar.exe" if sys.platform == "win32" else "AccountRadar")
    CArchiveWriter(str(exe), [("PYZ-00.pyz", str(pyz), False, "z")], "libpython3.so")
    for name in internal:
        target = inner / name
        if "." in name and not name.endswith((".dist-info", ".libs")):
            target.write_bytes(b"\0")
        else:
            target.mkdir()
    return bundle


def test_what_a_bundle_carries_is_traced_to_its_distributions(tmp_path: Path) -> None:
    bundle = _bundle(
        tmp_path,
        ["jinja2", "jinja2.runtime", "json", "services.core", "app"],
        [
            "markupsafe",
            "numpy.libs",
            f"yaml_{sys.version_info[0]}.cpython-311.so",
            f"tzdata-{importlib.metadata.version('tzdata')}.dist-info",
        ],
    )
    carried = sbom.bundled_distributions(bundle)
    version = importlib.metadata.version
    assert carried["jinja2"] == version("jinja2")  # from the archive
    assert carried["markupsafe"] == version("markupsafe")  # a folder in _internal
    assert carried["numpy"] == version("numpy")  # a wheel's vendored libraries
    assert carried["tzdata"] == version("tzdata")  # its metadata in _internal
    # The standard library and the app's own packages are not third-party components.
    assert "json" not in carried
    assert "services" not in carried
    assert "app" not in carried
    assert "pandas" not in carried  # installed, but not in this bundle


def _component(name: str, version: str, licence: bool = True) -> dict:
    return {
        "bom-ref": f"{name}=={version}",
        "name": name,
        "version": version,
        "licenses": [{"license": {"id": "MIT"}}] if licence else [],
    }


def _bom(*components: dict) -> dict:
    return {
        "bomFormat": "CycloneDX",
        "metadata": {"component": {"bom-ref": "root-component", "name": "account-radar"}},
        "components": list(components),
        "dependencies": [
            {"ref": "root-component", "dependsOn": [c["bom-ref"] for c in components]},
            {"ref": "Jinja2==3.1.6", "dependsOn": ["MarkupSafe==3.0.4"]},
        ],
    }


def test_the_check_names_each_way_an_sbom_can_be_wrong() -> None:
    bundled = {"jinja2": "3.1.6", "markupsafe": "3.0.4", "numpy": "2.4.6"}
    runtime = sbom.runtime_component()
    good = _bom(
        _component("Jinja2", "3.1.6"),
        _component("MarkupSafe", "3.0.4"),
        _component("numpy", "2.4.6"),
        runtime,
    )
    assert sbom.problems(good, bundled) == []
    bad = _bom(
        _component("Jinja2", "3.1.5"),
        _component("MarkupSafe", "3.0.4", licence=False),
        _component("pandas", "3.1.1"),
    )
    assert sbom.problems(bad, bundled) == [
        "jinja2 is listed as '3.1.5', bundled 3.1.6",
        "markupsafe 3.0.4 is listed without a licence",
        "numpy 2.4.6 is bundled but not listed",
        "the Python runtime is not listed with its version and licence",
        "pandas is listed but the bundle does not carry it",
    ]


def test_the_generator_s_output_is_kept_to_what_the_bundle_carries() -> None:
    everything = _bom(
        _component("Jinja2", "3.1.6"),
        _component("MarkupSafe", "3.0.4"),
        _component("pandas", "3.1.1"),
    )
    kept = sbom.keep_bundled(everything, {"jinja2": "3.1.6", "markupsafe": "3.0.4"})
    assert [c["name"] for c in kept["components"]] == ["Jinja2", "MarkupSafe", "CPython"]
    edges = {d["ref"]: d.get("dependsOn", []) for d in kept["dependencies"]}
    assert edges["root-component"] == ["Jinja2==3.1.6", "MarkupSafe==3.0.4"]
    assert edges["Jinja2==3.1.6"] == ["MarkupSafe==3.0.4"]
    assert sbom.problems(kept, {"jinja2": "3.1.6", "markupsafe": "3.0.4"}) == []


def test_a_packaged_build_names_its_sbom_by_its_hash(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # From a checkout there is none, and that is no failure.
    assert licences.bill_of_materials() is None
    program = tmp_path / "AccountRadar"
    program.write_bytes(b"")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(program))
    with pytest.raises(FileNotFoundError):
        licences.bill_of_materials()  # a packaged build without its SBOM
    (tmp_path / licences.SBOM_FILE).mkdir()
    with pytest.raises(BadFile):
        licences.bill_of_materials()
    (tmp_path / licences.SBOM_FILE).rmdir()
    text = json.dumps({"bomFormat": "CycloneDX", "components": []}).encode()
    (tmp_path / licences.SBOM_FILE).write_bytes(text)
    path, digest = licences.bill_of_materials() or (None, "")
    assert path == tmp_path / licences.SBOM_FILE
    assert digest == hashlib.sha256(text).hexdigest()
