"""Make the PyInstaller bundle smaller after it is built, and say what it holds.

Four steps, each safe to skip (a missing tool is reported, never fatal):

1. **Strip** the symbol tables of the shared libraries Python and the packages brought
   (libpython alone carries 17 MB of them). Libraries under a ``*.libs`` folder are left
   alone: auditwheel rewrote them with patchelf, and ``strip`` breaks such files ("ELF load
   command address/offset not page-aligned", seen with numpy's OpenBLAS). The
   executable is left alone too (its archive is appended to it).
2. **Trim ICU's data** (Linux: the PySide6 wheel brings ICU, 32 MB of data for every
   language). Qt uses it for collation, IDNA, time zones and locale data; the app's
   window is English. The data is taken out of ``libicudata``, every locale except
   ``root`` and English is removed with ICU's ``icupkg`` (the rules, break iterators,
   dictionaries, normalisation and time-zone data stay), and the library is built again
   around it with the C compiler, exporting the same symbol under the same soname.
3. **Prune libraries nothing needs** any more (``prune_libraries``): what only a Qt plug-in
   the spec leaves out needed.
4. **Share duplicate libraries**: numpy and scipy each ship the same gfortran and
   quadmath (identical bytes, identical names); the second copy becomes a symlink.

``python packaging/slim.py DIR`` runs them on a built bundle; ``--report`` only prints
what the bundle holds, by part.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ELF_MAGIC = b"\x7fELF"
# A locale item: "fr.res", "coll/de_.res", "zone/pt_BR.res" ("res_index" and "pool" are not).
_LOCALE = re.compile(r"^([a-z]{2,3})(_|\.res$)")
KEPT_LANGUAGES = ("en",)


def folder_size(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == ELF_MAGIC
    except OSError:
        return False


def strip_binaries(bundle: Path, executable: Path) -> int:
    """Strip the shared libraries (not under *.libs, not the executable); bytes saved."""
    strip = shutil.which("strip")
    if strip is None or not sys.platform.startswith("linux"):
        print("slim: strip skipped (no strip tool, or not Linux)")
        return 0
    saved = 0
    for path in sorted(bundle.rglob("*")):
        if (
            path.is_symlink()
            or not path.is_file()
            or path == executable
            or any(part.endswith(".libs") for part in path.relative_to(bundle).parts)
            or not _is_elf(path)
        ):
            continue
        before = path.stat().st_size
        result = subprocess.run(
            [strip, "--strip-unneeded", str(path)], capture_output=True, text=True
        )
        if result.returncode == 0:
            saved += before - path.stat().st_size
    return saved


def _icu_blob(library: Path) -> tuple[str, bytes]:
    """(symbol, bytes) of the ICU common data a libicudata holds."""
    out = subprocess.run(
        ["nm", "-D", "-S", "--defined-only", str(library)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    symbol, size = next(
        (line.split()[3], int(line.split()[1], 16))
        for line in out.splitlines()
        if len(line.split()) == 4 and re.fullmatch(r"icudt\d+_dat", line.split()[3])
    )
    data = library.read_bytes()
    at = data.find(b"CmnD")
    # The common data's header: size (2 bytes), magic 0xda 0x27, then the info whose
    # format is "CmnD" 12 bytes in.
    while at != -1 and not (data[at - 10] == 0xDA and data[at - 9] == 0x27):
        at = data.find(b"CmnD", at + 1)
    if at == -1:
        raise ValueError(f"no ICU common data found in {library.name}")
    return symbol, data[at - 12 : at - 12 + size]


def icu_removals(items: list[str], kept: tuple[str, ...] = KEPT_LANGUAGES) -> list[str]:
    """The locale items of languages other than ``kept`` (root and the rest stay)."""
    out = []
    for item in items:
        base = item.rsplit("/", 1)[-1]
        match = _LOCALE.match(base)
        if (
            match
            and base != "res_index.res"
            and match.group(1) not in kept
            or base.endswith(".cnv")
        ):
            out.append(item)
    return out


def trim_icu(bundle: Path) -> int:
    """Rebuild libicudata with English and root only; bytes saved (0 when skipped)."""
    libraries = [p for p in bundle.rglob("libicudata.so*") if p.is_file() and not p.is_symlink()]
    tools = {t: shutil.which(t) for t in ("icupkg", "cc", "nm")}
    if not libraries:
        return 0
    missing = [t for t, where in tools.items() if where is None]
    if missing:
        print(
            f"slim: ICU data kept whole: {', '.join(missing)} not found "
            "(Debian: apt-get install icu-devtools gcc binutils)"
        )
        return 0
    saved = 0
    for library in libraries:
        symbol, blob = _icu_blob(library)
        soname = library.name
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            # icupkg takes the package's name ("icudt73l") from the file's name.
            name = symbol.removesuffix("_dat") + ("l" if sys.byteorder == "little" else "b")
            (work / "whole").mkdir()
            (work / "small").mkdir()
            whole = work / "whole" / f"{name}.dat"
            whole.write_bytes(blob)
            listed = subprocess.run(
                [str(tools["icupkg"]), "-l", str(whole)], capture_output=True, text=True, check=True
            ).stdout.split()
            (work / "remove.txt").write_text("\n".join(icu_removals(listed)) + "\n")
            small = work / "small" / f"{name}.dat"
            subprocess.run(
                [str(tools["icupkg"]), "-r", str(work / "remove.txt"), str(whole), str(small)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            source = work / "icudata.S"
            source.write_text(
                "    .section .rodata\n"
                f"    .globl {symbol}\n"
                f"    .type {symbol}, @object\n"
                "    .balign 16\n"
                f"{symbol}:\n"
                f'    .incbin "{small}"\n'
                f"    .size {symbol}, .-{symbol}\n"
                '    .section .note.GNU-stack,"",@progbits\n'
            )
            built = work / soname
            subprocess.run(
                [str(tools["cc"]), "-shared", "-nostdlib", f"-Wl,-soname,{soname}",
                 "-o", str(built), str(source)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            before = library.stat().st_size
            shutil.copyfile(built, library)
            saved += before - library.stat().st_size
            print(
                f"slim: {library.name}: {len(listed)} ICU items -> "
                f"{len(listed) - len(icu_removals(listed))} (English and root)"
            )
    return saved


# Loaded by name at run time (dlopen), never listed as NEEDED: never pruned.
_DLOPENED = ("libpython", "libgcc_s")


def _needed(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return [
        line.split("[", 1)[1].split("]", 1)[0] for line in out.splitlines() if "(NEEDED)" in line
    ]


def prune_libraries(bundle: Path) -> int:
    """Remove the shared libraries nothing left in the bundle needs; bytes saved.

    PyInstaller collects a plug-in's libraries with it; once the spec drops a plug-in
    (GTK's theme, the EGL screens), what only it needed stays behind. Only libraries in
    the bundle's top folder and Qt's lib folder are candidates (packages' own libraries
    are loaded by their modules), and never one loaded by name (libpython, libgcc_s).
    """
    if shutil.which("readelf") is None or not sys.platform.startswith("linux"):
        print("slim: unneeded libraries kept (no readelf, or not Linux)")
        return 0
    inner = bundle / "_internal"
    folders = {inner, inner / "PySide6" / "Qt" / "lib"}
    elves = {
        p: _needed(p)
        for p in bundle.rglob("*")
        if p.is_file() and not p.is_symlink() and _is_elf(p)
    }
    alive = set(elves)
    saved = 0
    removed: list[str] = []
    while True:
        wanted = {name for p in alive for name in elves[p]}
        unneeded = [
            p
            for p in alive
            if p.parent in folders
            and p.name.startswith("lib")
            and ".so" in p.name
            and not p.name.startswith(_DLOPENED)
            and p.name not in wanted
            and not any(link.name in wanted for link in _links_to(p))
        ]
        if not unneeded:
            break
        for path in unneeded:
            alive.discard(path)
            for link in _links_to(path):
                link.unlink()
            saved += path.stat().st_size
            path.unlink()
            removed.append(path.name)
    if removed:
        print(f"slim: {len(removed)} libraries nothing needs: {', '.join(sorted(removed))}")
    return saved


def _links_to(path: Path) -> list[Path]:
    """Symlinks beside ``path`` that point to it (libfoo.so.1 -> libfoo.so.1.2.3)."""
    return [p for p in path.parent.iterdir() if p.is_symlink() and p.resolve() == path.resolve()]


def share_duplicates(bundle: Path) -> int:
    """Identical libraries in two *.libs folders: the later becomes a symlink; bytes saved."""
    if sys.platform == "win32":  # symlinks need a privilege there; Windows wheels differ
        return 0
    seen: dict[tuple[str, int, str], Path] = {}
    saved = 0
    for path in sorted(bundle.rglob("*")):
        if path.is_symlink() or not path.is_file() or not path.parent.name.endswith(".libs"):
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        key = (path.name, path.stat().st_size, digest)
        first = seen.get(key)
        if first is None:
            seen[key] = path
            continue
        size = path.stat().st_size
        path.unlink()
        path.symlink_to(os.path.relpath(first, path.parent))
        saved += size
    return saved


def report(bundle: Path, top: int = 14) -> list[tuple[str, int]]:
    """The bundle's biggest parts (top-level folders and files of _internal), in bytes."""
    inner = bundle / "_internal" if (bundle / "_internal").is_dir() else bundle
    parts = []
    for child in inner.iterdir():
        size = folder_size(child) if child.is_dir() else child.lstat().st_size
        parts.append((child.name, size))
    parts.sort(key=lambda p: -p[1])
    rest = sum(s for _, s in parts[top:])
    outside = folder_size(bundle) - folder_size(inner) if inner != bundle else 0
    rows = parts[:top] + [("(the rest of _internal)", rest), ("(the executable)", outside)]
    return rows


def slim(bundle: Path, executable: Path) -> dict[str, int]:
    before = folder_size(bundle)
    saved = {
        "icu": trim_icu(bundle),  # before strip: it reads the library's own layout
        "pruned": prune_libraries(bundle),
        "strip": strip_binaries(bundle, executable),
        "duplicates": share_duplicates(bundle),
    }
    after = folder_size(bundle)
    print(
        f"slim: {before / 1e6:.0f} MB -> {after / 1e6:.0f} MB "
        f"(strip {saved['strip'] / 1e6:.0f} MB, ICU data {saved['icu'] / 1e6:.0f} MB, "
        f"unneeded libraries {saved['pruned'] / 1e6:.1f} MB, "
        f"duplicates {saved['duplicates'] / 1e6:.1f} MB)",
        flush=True,
    )
    return {"before": before, "after": after, **saved}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("bundle", type=Path, help="the one-folder bundle (dist/AccountRadar)")
    parser.add_argument("--report", action="store_true", help="only print what it holds")
    args = parser.parse_args()
    if not args.report:
        exe = args.bundle / ("AccountRadar.exe" if sys.platform == "win32" else "AccountRadar")
        slim(args.bundle, exe)
    for name, size in report(args.bundle):
        print(f"{size / 1e6:8.1f} MB  {name}")
    print(f"{folder_size(args.bundle) / 1e6:8.1f} MB  in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
