"""Function size has the discipline module size has (tests/unit/house/test_layering.py): ruff's
complexity (C901) and too-many-statements (PLR0915) rules hold the product code
(pyproject.toml), and the functions over the limits today carry a `# noqa` mark. That
allow-list may only shrink: a new long function fails `make lint`, and a function that
was split must lose its mark (this test), so the list never holds a stale entry.

Length has the same discipline: a function of more than MAX_LINES lines (from its `def`
to its last line) either carries one of those marks or stands in LONG_FUNCTIONS with the
reason it is long; a function split below the limit must leave the list.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT

RULES = ("C901", "PLR0915")
FOLDERS = ("models", "services", "app", "views")
# The functions over the limits today (40 when the rule came in): never more.
ALLOWED_AT_MOST = 34
_MARK = re.compile(r"#\s*noqa:[^#\n]*\b(C901|PLR0915)\b")


def _ruff() -> str:
    return str(Path(sys.executable).with_name("ruff"))


def _marked() -> set[tuple[str, int, str]]:
    found = set()
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                comment = line[line.find("#") :] if "#" in line else ""
                for code in RULES:
                    if _MARK.search(comment) and re.search(rf"\b{code}\b", comment):
                        found.add((path.relative_to(ROOT).as_posix(), number, code))
    return found


def _over_the_limits() -> set[tuple[str, int, str]]:
    """What ruff reports with the marks ignored: every function over a limit."""
    done = subprocess.run(
        [_ruff(), "check", "--select", ",".join(RULES), "--ignore-noqa", "--no-cache",
         "--output-format", "concise", "--exit-zero", *FOLDERS],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    found = set()
    for line in done.stdout.splitlines():
        match = re.match(r"(.+?):(\d+):\d+: (C901|PLR0915) ", line)
        if match:
            found.add((match.group(1), int(match.group(2)), match.group(3)))
    return found


def test_every_mark_is_a_function_still_over_the_limit() -> None:
    over = _over_the_limits()
    marked = _marked()
    assert over, "ruff reported nothing: the rules are not reaching the code"
    stale = sorted(marked - over)
    assert not stale, f"these functions are within the limits now: remove their noqa {stale}"
    unmarked = sorted(over - marked)
    assert not unmarked, f"over the limits with no mark (make lint fails on them): {unmarked}"


def test_the_allow_list_only_shrinks() -> None:
    functions = {(path, line) for path, line, _code in _marked()}
    assert len(functions) <= ALLOWED_AT_MOST, (
        f"{len(functions)} functions over the size limits, more than {ALLOWED_AT_MOST}: "
        "split the new one into parts instead of marking it"
    )


MAX_LINES = 80
# Functions over MAX_LINES lines with no noqa mark, each with why it stays whole. Keyed
# "path:qualified name"; a file alone stands for every long function in it (for a file
# being rewritten, so that a rename there needs no change here).
LONG_FUNCTIONS = {
    "models/migrations/versions/0001_initial_schema.py:upgrade":
        "a migration records the schema as it was and is never edited",
    "services/settings/alert_rules.py:_alert_specs":
        "the declarations of the alert settings, one after another, read as a table",
    "app/gui/application.py:GuiController.__init__":
        "the composition root: the window's features, one install(ctx) line each",
    "views/shell/main_window.py:MainWindow.__init__":
        "the window's parts built in the order they appear, each a line or two",
    "services/outreach/context.py:build_context":
        "one read of everything a draft may say about a customer, field by field",
    "services/alerts/generate.py:_write":
        "the alert writes of a scoring run as one ordered sequence of SQL in one transaction",
    "services/demo/outreach.py:_outreach_tables":
        "the demo's outreach rows, one column after another of one vectorised table",
    "services/team/security.py:_security_sql":
        "the team database's grants and policies as one list of SQL statements",
    "services/scoring/run.py:_score_workspace":
        "the scoring pipeline's steps in order, with progress and cancelling between them",
    "services/ask/views.py:view_sql":
        "the SQL text of Ask's views, one statement per view",
    "services/importing/formats/salesforce.py:_opportunity_frame":
        "an export's opportunity columns parsed one after another into one frame",
    "services/learn/uplift.py:uplift_report":
        "the reads and refits of the uplift report, cancellable between each",
    "services/demo/outreach.py:_plan_outreach":
        "the demo's outreach plan drawn as one sequence of random steps",
    "services/demo/generate.py:_orders":
        "the demo's orders drawn as one sequence of random steps (a split reorders the draws)",
    "services/outreach/batch.py:draft_batch":
        "a batch's drafting loop with its progress, cancelling and per-row errors",
    "services/demo/generate.py:_customers":
        "the demo's customers drawn as one sequence of random steps (a split reorders the draws)",
    "services/importing/planning.py:make_plan":
        "an import's plan: each check of the table in order, adding to one plan",
    "services/importing/formats/stripe.py:StripeSubscriptions.convert":
        "an export's subscription columns parsed one after another into one batch",
    "services/team/offline.py:_copy_all":
        "every table copied from one snapshot of the server in one transaction",
    "services/alerts/next_step.py:next_step":
        "the suggested next step's rules, tried in order",
    "views/item_models/timeline_model.py:TimelineDelegate.paint":
        "one timeline row painted part by part with one painter state",
    "services/alerts/inputs.py:_read_inputs":
        "the alert rules' inputs read in one connection, one query each",
    "services/listen/reasons.py:learn_reasons":
        "the reasons model's reads, fit and writes, cancellable between each",
    "services/demo/events.py:_support":
        "the demo's tickets and reviews drawn as one sequence of random steps",
    "services/demo/build.py:build_demo":
        "the demo workspace's build steps in order, with progress between them",
    "services/alerts/generate.py:_admit":
        "the admission of new alerts: cool-down, cap and hold-out applied in order",
    "services/usecases/customers.py:_read_columns":
        "the customer list's columns read in one connection, one query each",
    "services/settings/outreach.py:_outreach_specs":
        "the declarations of the outreach settings, one after another",
    "services/alerts/actions.py:apply_card_action":
        "the window's one entry point: each action by name in one transaction",
    "services/learn/alert_replay.py:measure":
        "a replay's figures per rule, overall and for the recency rule, in one pass",
    "services/core/rollups.py:live_rollups":
        "the rollups' one SQL query, column by column",
    "services/learn/alert_replay.py:run_replay":
        "the replay's weeks scored and alerted in order, cancellable between them",
    "services/importing/usage/run.py:import_usage":
        "a usage import's read, checks and writes in one transaction",
    "app/gui/outreach/composer_controller.py:ComposerController.__init__":
        "the composer controller's wiring of its signals",
}  # fmt: skip


def _long_functions() -> dict[str, int]:
    """Every function over MAX_LINES lines with no noqa mark: "path:qualified name" -> lines."""
    found = {}
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            lines = text.splitlines()
            name = path.relative_to(ROOT).as_posix()
            for qualname, node in _functions(ast.parse(text)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_LINES and not _MARK.search(lines[node.lineno - 1]):
                    found[f"{name}:{qualname}"] = length
    return found


Function = ast.FunctionDef | ast.AsyncFunctionDef


def _functions(tree: ast.AST, prefix: str = "") -> list[tuple[str, Function]]:
    """Every function and method of ``tree``, nested ones too, by qualified name."""
    found: list[tuple[str, Function]] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            qualname = f"{prefix}{node.name}"
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found.append((qualname, node))
            found += _functions(node, f"{qualname}.")
        else:
            found += _functions(node, prefix)
    return found


def _listed(key: str) -> str | None:
    """The entry of LONG_FUNCTIONS that lets ``key`` be long: its own, or its file's."""
    if key in LONG_FUNCTIONS:
        return key
    path = key.split(":", 1)[0]
    return path if path in LONG_FUNCTIONS else None


def test_every_long_function_is_marked_or_listed_with_a_reason() -> None:
    found = _long_functions()
    migration = "models/migrations/versions/0001_initial_schema.py:upgrade"
    assert migration in found, "the length count reaches nothing"
    unlisted = sorted(f"{key} ({found[key]} lines)" for key in found if _listed(key) is None)
    assert not unlisted, (
        f"over {MAX_LINES} lines with no mark: split them, or list them in LONG_FUNCTIONS "
        f"with the reason they stay whole: {unlisted}"
    )
    used = {_listed(key) for key in found}
    stale = sorted(set(LONG_FUNCTIONS) - used)
    assert not stale, f"these entries name no function over {MAX_LINES} lines now: {stale}"
    assert all(reason.strip() for reason in LONG_FUNCTIONS.values())


def test_the_length_count_runs_from_def_to_the_last_line() -> None:
    tree = ast.parse("class A:\n    def f(self):\n\n        return 1\n\n\ndef g():\n    pass\n")
    lengths = {name: (n.end_lineno or 0) - n.lineno + 1 for name, n in _functions(tree)}
    assert lengths == {"A.f": 3, "g": 2}
