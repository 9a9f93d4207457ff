"""House rules that keep the layers apart (CONTRIBUTING.md): core without Qt, views without SQL."""

from __future__ import annotations

import ast
import functools
import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT

BLOCK_QT = """
import importlib.abc, sys
class BlockQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'PySide6', 'shiboken6', 'pyqtgraph', 'PyQt5', 'PyQt6'}:
            raise ImportError(f'Qt is blocked here: {name}')
        return None
sys.meta_path.insert(0, BlockQt())
import importlib
for name in MODULES:
    importlib.import_module(name)
print('imported', len(MODULES))
"""


def modules_under(*packages: str) -> list[str]:
    names = []
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # Alembic scripts run inside Alembic's context only
            rel = path.relative_to(ROOT).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            names.append(".".join(parts))
    return names


def test_models_and_services_import_without_qt() -> None:
    modules = modules_under("models", "services") + [
        "app.workspace",
        "app.cli.main",
        "app.logging_setup",
    ]
    code = f"MODULES = {modules!r}\n" + BLOCK_QT
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert f"imported {len(modules)}" in result.stdout


def test_the_blocker_really_blocks_qt() -> None:
    code = "MODULES = ['PySide6.QtCore']\n" + BLOCK_QT
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0
    assert "Qt is blocked" in result.stderr


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


BLOCK_DB = """
import importlib.abc, sys
class BlockDb(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'sqlalchemy', 'alembic', 'openai', 'sklearn'}:
            raise ImportError(f'blocked for views: {name}')
        return None
sys.meta_path.insert(0, BlockDb())
import importlib
for name in MODULES:
    importlib.import_module(name)
print('imported', len(MODULES))
"""


def test_views_load_without_database_or_ml_libraries_even_indirectly() -> None:
    modules = modules_under("views")
    code = f"MODULES = {modules!r}\n" + BLOCK_DB
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert f"imported {len(modules)}" in result.stdout


def test_views_never_import_database_or_ml_libraries() -> None:
    forbidden = {"sqlalchemy", "openai", "sklearn", "models", "alembic"}
    offenders = {
        str(p.relative_to(ROOT)): sorted(imported_roots(p) & forbidden)
        for p in (ROOT / "views").rglob("*.py")
        if imported_roots(p) & forbidden
    }
    assert offenders == {}


def test_no_item_widgets_for_data() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for folder in ("views", "app")
        for p in (ROOT / folder).rglob("*.py")
        if any(
            w in p.read_text(encoding="utf-8")
            for w in ("QTableWidget", "QListWidget", "QTreeWidget", "QStandardItemModel")
        )
    ]
    assert offenders == []


FIRST_PARTY = ("models", "services", "app", "views")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def first_party_modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for package in FIRST_PARTY
        for p in (ROOT / package).rglob("*.py")
        if "migrations" not in p.parts
    }


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The first-party modules a file imports anywhere (inside functions too, and by name
    through importlib), except under ``if TYPE_CHECKING:`` (never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for n in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "." in node.value:
            names = [node.value]  # a dotted name for importlib: "app.cli.alerts"
        found |= {n for n in names if n in known}
    return found


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return cycles


def test_import_cycle_finder_finds_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"]]


@functools.cache
def import_graph() -> dict[str, frozenset[str]]:
    """Each first-party module and the first-party modules it imports (read once a run)."""
    modules = first_party_modules()
    known = set(modules)
    return {
        name: frozenset(imported_modules(path, known) - {name}) for name, path in modules.items()
    }


def test_no_import_cycles() -> None:
    graph = {name: set(imports) for name, imports in import_graph().items()}
    assert import_cycles(graph) == []


def test_lower_layers_never_import_higher_ones() -> None:
    """models import nothing of services, app or views; services nothing of app or views."""
    higher = {"models": {"services", "app", "views"}, "services": {"app", "views"}}
    offenders = {
        name: sorted(m for m in imports if m.split(".")[0] in above)
        for name, imports in import_graph().items()
        for above in [higher.get(name.split(".")[0], set())]
        if any(m.split(".")[0] in above for m in imports)
    }
    assert offenders == {}


def repeated_vocabularies(sources: dict[str, str]) -> dict[tuple[str, ...], list[str]]:
    """Module-level tuples of three or more strings written out in more than one place."""
    seen: dict[tuple[str, ...], list[str]] = {}
    for name, text in sources.items():
        for node in ast.parse(text).body:
            if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Tuple):
                continue
            items = node.value.elts
            if len(items) < 3 or not all(
                isinstance(i, ast.Constant) and isinstance(i.value, str) for i in items
            ):
                continue
            words = tuple(str(i.value) for i in items if isinstance(i, ast.Constant))
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            seen.setdefault(words, []).extend(f"{name}.{t}" for t in targets)
    return {words: where for words, where in seen.items() if len(where) > 1}


def test_repeated_vocabulary_finder_finds_one() -> None:
    sources = {
        "a": 'SEVERITIES = ("critical", "warning", "info")\nX = ("a", "b")\n',
        "b": 'LEVELS = ("critical", "warning", "info")\nY = (1, 2, 3)\n',
    }
    assert repeated_vocabularies(sources) == {
        ("critical", "warning", "info"): ["a.SEVERITIES", "b.LEVELS"]
    }


def test_each_vocabulary_is_written_out_once() -> None:
    """A closed list of words (severities, statuses, kinds, goals...) is defined in one
    module (most in models/vocab.py) and imported everywhere else."""
    sources = {
        name: path.read_text(encoding="utf-8")
        for name, path in first_party_modules().items()
        if not name.startswith("tests")
    }
    assert repeated_vocabularies(sources) == {}


DATABASE_TYPES = {"Engine", "Session", "Connection"}
ALLOWED_DATABASE_TYPES = {"Engine", "Session"}


def database_parameter_problems(sources: dict[str, str]) -> list[str]:
    """Public service functions whose first parameter is the database and is not exactly
    an Engine (a unit of work of its own) or a Session (the caller's transaction): never a
    union, never a Connection. Private functions and modules may pass a Connection."""
    problems = []
    for name, text in sources.items():
        if any(part.startswith("_") for part in name.split(".")):
            continue
        for node in ast.parse(text).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            if not node.args.args or node.args.args[0].annotation is None:
                continue
            annotation = ast.unparse(node.args.args[0].annotation)
            mentioned = {t for t in DATABASE_TYPES if t in annotation}
            if mentioned and annotation not in ALLOWED_DATABASE_TYPES:
                problems.append(f"{name}.{node.name}({annotation})")
    return problems


def test_database_parameter_checker_finds_a_union_and_a_connection() -> None:
    sources = {
        "services.a": "def f(target: Engine | Session) -> None: ...\n"
        "def g(engine: Engine) -> None: ...\n"
        "def h(session: Session) -> None: ...\n"
        "def k(conn: Connection) -> None: ...\n"
        "def _h(target: Engine | Connection) -> None: ...\n",
        "services._private": "def f(target: Engine | Session) -> None: ...\n",
    }
    assert database_parameter_problems(sources) == [
        "services.a.f(Engine | Session)",
        "services.a.k(Connection)",
    ]


def test_services_take_one_kind_of_database_handle() -> None:
    """The rule (docs/architecture.md, "The database-handle rule"): a public service
    whose first parameter is the database takes either an Engine (it is a unit of work:
    it opens and commits, or rolls back, its own transaction) or a Session (it works inside its
    caller's transaction and never commits). Never a union, never a Connection; private
    helpers (a leading underscore, or a module whose name starts with one) may pass the
    Connection of the transaction they are in between themselves."""
    sources = {
        name: path.read_text(encoding="utf-8")
        for name, path in first_party_modules().items()
        if name.startswith("services.")
    }
    assert database_parameter_problems(sources) == []


MAX_MODULE_LINES = 700


def test_no_module_is_over_700_lines() -> None:
    """A module that grows past this is split along its seams."""
    long = {
        name: lines
        for name, path in first_party_modules().items()
        if not name.startswith("tests")
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
