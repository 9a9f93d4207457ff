"""Review packs' settings (declared here, gathered into services.settings.SETTINGS).

- ``packs.template``: the company's PowerPoint template (a .pptx or .potx file on this
  computer) the review packs' slides are made from; empty: the app's plain built-in one.
  The person's own setting (a path on their computer), which IT may set and lock for
  everyone (docs/it.md), as any other.
"""

from __future__ import annotations

from typing import Any

from services.core.setting_spec import Scope, SettingSpec

__all__ = ["PACK_SPECS", "TEMPLATE_SETTING"]

TEMPLATE_SETTING = "packs.template"
GROUP = "Review packs"
YOURS: Scope = "personal"


def _template_check(value: Any) -> str | None:
    text = str(value).strip()
    if text and not text.lower().endswith((".pptx", ".potx")):
        return "the template must be a PowerPoint file (.pptx or .potx)"
    return None


PACK_SPECS = (
    SettingSpec(TEMPLATE_SETTING, str, "", "Slides template", _template_check, GROUP,
                help="The company's PowerPoint template (.pptx) review packs' slides are "
                "made from; left empty, a plain built-in one. Its layouts with a title are "
                "used; a template without them still works.",
                placeholder="e.g. C:\\Templates\\Company review.pptx", scope=YOURS,
                max_length=1000),
)  # fmt: skip
