"""The house's floors: every import runs down (or stays within its own package), and no modules
import each other in a circle. Checked on the source (lazy imports count too)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "consensus_desktop"

# Top-level modules and packages, lowest floor first; a module may import only from its own
# package or from a lower floor.
FLOORS: tuple[frozenset[str], ...] = tuple(
    frozenset(names.split())
    for names in (
        "__init__ errors paths labels palette signable platform_check question_library",
        "input_files safe_files welfare prompts screening",
        "model_catalog shortlist",
        "model_advice engine store",
        "server_config reward model_downloads run_request",
        "pipeline",
        "session sft",
        "report assembly rehearsal",
        "gui",
        "cli",
        "__main__",
    )
)
FLOOR = {name: i for i, names in enumerate(FLOORS) for name in names}
SKIP = {"assets", "bundled_models"}  # data folders, not code


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    return {
        _module_name(p): p
        for p in PACKAGE.rglob("*.py")
        if p.relative_to(PACKAGE).parts[0] not in SKIP
    }


def _imports(path: Path, known: set[str]) -> set[str]:
    """The package's modules ``path`` imports (``from a import b`` counts b when it is one)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = [f"{node.module}.{a.name}" for a in node.names]
            names = [node.module] if not set(subs) & known else [s for s in subs if s in known]
        found.update(n for n in names if n in known)
    return found


def _top(module: str) -> str:
    return module.split(".")[1] if "." in module else "__init__"


def _graph() -> dict[str, set[str]]:
    sources = _sources()
    known = set(sources)
    return {m: _imports(p, known) - {m} for m, p in sources.items()}


def test_every_top_level_module_has_a_floor() -> None:
    assert {_top(m) for m in _sources()} - set(FLOOR) == set()


def test_no_import_runs_back_up() -> None:
    upward = sorted(
        f"{m} -> {n}"
        for m, targets in _graph().items()
        for n in targets
        if _top(m) != _top(n) and FLOOR[_top(n)] >= FLOOR[_top(m)]
    )
    assert upward == []


def test_no_circles() -> None:
    """Tarjan's strongly connected components over module imports: none larger than one."""
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert circles == []


def test_no_module_is_over_450_lines() -> None:
    """Small files: the schema (a list of migrations) is the one exception."""
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in _sources().values()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450
        and p.relative_to(PACKAGE).as_posix() != "store/schema.py"
    }
    assert long == {}
