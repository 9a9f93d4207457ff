"""A slides template checked before python-pptx opens it: a .pptx is a zip, and a zip can
hold far more than it weighs (a 1.5 MB file may inflate to gigabytes). The limits are
far above any real deck's; a file past one, or one that is no PowerPoint file, is
refused with what is wrong, without inflating anything."""

from __future__ import annotations

import zipfile
from pathlib import Path

MAX_ENTRIES = 2_000
MAX_ENTRY_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # uncompressed to compressed, for entries over RATIO_FROM_BYTES
RATIO_FROM_BYTES = 1024 * 1024
REQUIRED_PARTS = ("[Content_Types].xml", "ppt/presentation.xml")

_MB = 1024 * 1024


def template_problem(template: Path) -> str | None:
    """What makes ``template`` unfit to open as slides, in words; None when it is fit.
    Reads only the zip's directory, never an entry's contents."""
    name = template.name
    pick = "pick a .pptx or .potx file saved by PowerPoint."
    try:
        with zipfile.ZipFile(template) as archive:
            entries = archive.infolist()
    except FileNotFoundError:
        return f"The template {name} does not exist; {pick}"
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return f"The template {name} is not a PowerPoint file (not a zip archive); {pick}"
    if len(entries) > MAX_ENTRIES:
        return (
            f"The template {name} holds {len(entries):,} parts, more than the "
            f"{MAX_ENTRIES:,} a slides template may hold; {pick}"
        )
    total = 0
    for entry in entries:
        size = entry.file_size
        if size > MAX_ENTRY_BYTES:
            return (
                f"The template {name} has a part that unpacks to {size / _MB:,.0f} MB, more "
                f"than the {MAX_ENTRY_BYTES // _MB} MB a template's part may; {pick}"
            )
        if size > RATIO_FROM_BYTES and size > MAX_RATIO * max(entry.compress_size, 1):
            return (
                f"The template {name} has a part packed more than {MAX_RATIO} to 1 (a zip "
                f"bomb, or a damaged file); it was not opened. {pick.capitalize()}"
            )
        total += size
        if total > MAX_TOTAL_BYTES:
            return (
                f"The template {name} unpacks to more than {MAX_TOTAL_BYTES // _MB} MB, "
                f"more than a slides template may; {pick}"
            )
    names = {entry.filename for entry in entries}
    missing = [part for part in REQUIRED_PARTS if part not in names]
    if missing:
        return (
            f"The template {name} is a zip archive but not a PowerPoint file (it lacks "
            f"{' and '.join(missing)}); {pick}"
        )
    return None
