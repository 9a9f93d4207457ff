"""Product-usage exports as a source of their own: Amplitude, Segment, Mixpanel and Pendo
event exports and daily or weekly aggregate files, summed per customer and local day into
usage_days (models.schema.UsageDay), which services/usage/summary.py reads.

``sniff(path)`` tells a usage file from the others by its columns; ``import_usage`` imports
it (services/importing/run.py routes every usage file here, whatever the generic mapping
would have made of it: usage never becomes interactions nor creates customers);
``preview_usage`` is the window's preview of it.
"""

from __future__ import annotations

from services.core.output_files import display_path
from services.importing.types import FilePreview
from services.importing.usage.run import USAGE_KIND, import_usage
from services.importing.usage.sources import Sniffed, sniff

__all__ = ["USAGE_KIND", "Sniffed", "import_usage", "preview_usage", "sniff"]


def preview_usage(sniffed: Sniffed) -> FilePreview:
    """What the window's import preview shows of a usage file: its format and first rows."""
    layout = sniffed.layout
    problems: list[str] = []
    if not layout.aggregate and "user" not in layout.columns and "account" not in layout.columns:
        problems.append("the file names no user or account, so no event can be matched")
    return FilePreview(
        path=str(sniffed.path),
        file_name=display_path(sniffed.path.name),
        detected_format=layout.name,
        format_title=layout.title,
        kind=USAGE_KIND,
        kinds=(USAGE_KIND,),
        encoding=sniffed.encoding,
        delimiter=sniffed.delimiter,
        header=sniffed.header,
        sample_rows=sniffed.sample,
        rows_estimate=sniffed.rows_estimate,
        needs_mapping=False,
        columns=(),
        profile_name=None,
        problems=tuple(problems),
    )
