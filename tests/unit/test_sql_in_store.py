"""SQL lives in store/ and in the session read model (session/queries.py): a module anywhere else
that executes or queries SQL text, or reaches a table directly, fails this scan."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "consensus_desktop"
ALLOWED = ("store/", "session/queries.py")
SQL_CALLS = {"execute", "executemany", "executescript", "query", "rows_where", "table"}


def test_no_sql_outside_the_store_and_the_read_model() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where.startswith(ALLOWED) or where.split("/")[0] in ("assets", "bundled_models"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SQL_CALLS
            ):
                found.append(f"{where}:{node.lineno} .{node.func.attr}(")
    assert found == []
