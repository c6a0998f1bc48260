"""One welfare seam: W_α is computed in welfare/function.py only, and α is stored on every run
and every choice (migration 5 adds it to runs in a library from before)."""

from __future__ import annotations

import ast
import math
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import sqlite_utils
from run_results import synthetic_result

from consensus_desktop.report import ReportOptions, gather
from consensus_desktop.session.recording import record_run
from consensus_desktop.store.database import inspect_version, migrate
from consensus_desktop.store.schema import SCHEMA_VERSION
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.welfare.function import WelfareFunction
from consensus_desktop.welfare.isoelastic import ranking, welfare

PACKAGE = Path(__file__).resolve().parents[2] / "consensus_desktop"
AGREEMENT = np.array([[7.0, 1.0, 7.0], [4.0, 4.0, 4.0], [5.0, 3.0, 6.0]])


def test_the_function_is_isoelastic_welfare_on_the_1_to_7_scale() -> None:
    for alpha, best in ((0.0, 0), (1.0, 2), (math.inf, 1)):
        w = WelfareFunction(alpha)
        assert w.order(AGREEMENT)[0] == best
        assert list(w.order(AGREEMENT)) == list(ranking(AGREEMENT / 7, alpha))
        assert np.allclose(w.of(AGREEMENT), welfare(AGREEMENT / 7, alpha) * 7)
    assert WelfareFunction(0.0).of(AGREEMENT)[0] == 5.0
    assert WelfareFunction(1.0).method("ratings") == "isoelastic (ratings)"
    assert WelfareFunction(math.inf).label == "α = ∞ · Rawlsian (the worst-off participant)"
    assert WelfareFunction.from_json("inf").alpha == math.inf
    assert WelfareFunction.from_json(None).alpha == 0.0


def test_no_module_computes_welfare_outside_the_seam() -> None:
    """Only welfare/ itself reaches the isoelastic formulas and the utility mapping."""
    formulas = {"welfare", "ranking", "winner", "analyse", "likert_to_utility", "utility_to_likert"}
    modules = {f"consensus_desktop.welfare.{m}" for m in ("isoelastic", "utilities", "tradeoff")}
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "welfare":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in modules:
                used = formulas & {a.name for a in node.names}
                offenders += [f"{path.relative_to(PACKAGE)}: {n}" for n in sorted(used)]
    assert offenders == []


def test_alpha_is_recorded_on_the_run_and_the_choice(tmp_path: Path) -> None:
    library = tmp_path / "library.sqlite"
    result = synthetic_result(4, ("Ann", "Ben", "Cy"))
    record_run("T", replace(result, request=replace(result.request, alpha=math.inf)), library)
    db = sqlite_utils.Database(library)
    [run] = db["generation_runs"].rows
    [selection] = db["selections"].rows
    assert run["alpha"] == math.inf and selection["alpha"] == math.inf
    assert selection["method"] == "isoelastic"
    db.close()
    store = SessionStore(library)
    [q] = gather(store, 1, ReportOptions()).questions
    assert q.rounds[0].runs[0].alpha == math.inf
    store.close()


def test_a_library_from_before_gets_the_alpha_column(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite_utils.Database(path)
    migrate(db, up_to=4)
    db["sessions"].insert({"id": 1, "uuid": "u", "name": "Old", "created_at": "2026-12-01"})
    db["questions"].insert({"id": 1, "session_id": 1, "text": "Q?"})
    db["generation_runs"].insert({"id": 1, "session_id": 1, "question_id": 1, "round": 0})
    db.close()
    assert inspect_version(path) == 4
    store = SessionStore(path)
    try:
        assert inspect_version(path) == SCHEMA_VERSION == 5
        migrations = {r["version"]: r["name"] for r in store.db["_migrations"].rows}
        assert migrations[5] == "the welfare alpha each generation run ranked its candidates with"
        assert store.db["generation_runs"].columns_dict["alpha"] is float
        assert store.db["generation_runs"].get(1)["alpha"] is None  # not recorded then
    finally:
        store.close()
    assert len(list(tmp_path.glob("old.sqlite.v4-*.bak"))) == 1


def test_the_v1_fixture_upgrades_with_alpha_on_runs(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite"
    shutil.copy(Path(__file__).resolve().parents[1] / "fixtures" / "schema_v1.sqlite", path)
    store = SessionStore(path)
    try:
        assert "alpha" in store.db["generation_runs"].columns_dict
        assert {r["alpha"] for r in store.db["generation_runs"].rows} == {None}
    finally:
        store.close()
