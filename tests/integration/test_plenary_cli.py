"""`plenary` end to end on the real model: three tables made with `run --session`, one plenary."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import sqlite_utils
from sample_inputs import OPINIONS, QUESTION
from test_pipeline_cli import cli

pytestmark = pytest.mark.model

MORE_OPINIONS = (
    "Speed cameras near schools would do more good than new signs.",
    "Rural roads are dangerous at night; lower limits there make sense.",
    "Buses and delivery vans need to keep to their timetables.",
    "Children walk to school along the main road; it is frightening.",
    "Lower limits reduce noise and pollution in our street.",
    "I would accept a lower limit only if the roads were also repaired.",
)
TABLES = (OPINIONS, MORE_OPINIONS[:3], MORE_OPINIONS[3:])


def with_models(home: Path) -> Path:
    """A fresh app home that reuses the assembled default model of the test home."""
    shutil.copytree(os.environ["CONSENSUS_DESKTOP_HOME"] + "/data/models", home / "data" / "models")
    return home


@pytest.fixture(scope="module")
def table_files(tmp_path_factory: pytest.TempPathFactory, default_model_path: Path) -> list[Path]:
    folder = tmp_path_factory.mktemp("tables")
    files = []
    for k, opinions in enumerate(TABLES, 1):
        home = with_models(folder / f"laptop{k}")
        args = ["run", "--question", QUESTION, "--n", "3", "--max-tokens", "30", "--json"]
        for o in opinions:
            args += ["--opinion", o]
        mark = ("--session", f"Laptop {k}", "--assembly", "Speed assembly", "--table", f"T{k}")
        assert cli(*args, *mark, home=home).returncode == 0
        target = folder / f"T{k}.sqlite"
        assert cli("session", "export", f"Laptop {k}", str(target), home=home).returncode == 0
        files.append(target)
    return files


def test_plenary_json_ranks_six_candidates_for_every_member(
    table_files: list[Path], tmp_path: Path
) -> None:
    home = with_models(tmp_path / "plenary")
    proc = cli("plenary", "--tables", *map(str, table_files), "--n", "6", "--json", home=home)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    names = [f"T{k}/P{i}" for k in (1, 2, 3) for i in (1, 2, 3)]
    assert out["participants"] == names and out["question"] == QUESTION
    assert out["assembly"] == "Speed assembly"
    cands = out["candidates"]
    assert len(cands) == 6 and len({c["text"] for c in cands}) == 6, json.dumps(
        out.get("rejected"), indent=1
    )
    assert all(len(c["agreement"]) == 9 for c in cands)
    assert all(1 <= a <= 7 for c in cands for a in c["agreement"])
    means = [c["mean"] for c in cands]
    assert means == sorted(means, reverse=True), "alpha 0 ranks by mean agreement"
    for c in cands:
        a = np.array(c["agreement"])
        tables = {t["label"]: t for t in c["tables"]}
        assert list(tables) == ["T1", "T2", "T3"]
        for k, label in enumerate(tables):
            part = a[3 * k : 3 * k + 3]
            assert tables[label]["mean"] == pytest.approx(part.mean(), abs=1e-3)
            assert tables[label]["min"] == pytest.approx(part.min(), abs=1e-3)
        worst = min(c["tables"], key=lambda t: t["mean"])
        assert c["worst_off_table"] == {"label": worst["label"], "mean": worst["mean"]}
        assert c["worst_off_person"]["agreement"] == pytest.approx(a.min(), abs=1e-4)
        assert c["worst_off_person"]["name"] == names[int(a.argmin())]
    summary = out["tables_summary"]
    assert [(t["label"], t["size"]) for t in summary] == [("T1", 3), ("T2", 3), ("T3", 3)]
    assert [t["statement"] for t in out["tables"]] and all(t["statement"] for t in out["tables"])


def test_plenary_session_records_tables_and_plenary_once(
    table_files: list[Path], tmp_path: Path
) -> None:
    home = with_models(tmp_path / "plenary")
    args = ("plenary", "--tables", *map(str, table_files), "--n", "2", "--max-tokens", "30")
    proc = cli(*args, "--session", "Assembly plenary", home=home)
    assert proc.returncode == 0, proc.stderr
    assert "worst-off table" in proc.stdout
    db = sqlite_utils.Database(home / "data" / "library.sqlite")
    sessions = {r["name"]: r for r in db.query("SELECT * FROM sessions")}
    assert set(sessions) == {"Laptop 1", "Laptop 2", "Laptop 3", "Assembly plenary"}
    plenary = sessions["Assembly plenary"]
    settings = json.loads(plenary["settings"])
    assert settings["kind"] == "plenary"
    assert [t["label"] for t in settings["tables"]] == ["T1", "T2", "T3"]
    n_pred = db.execute(
        "SELECT count(*) FROM predictions p JOIN participants x ON x.id = p.participant_id "
        "WHERE x.session_id = ?",
        [plenary["id"]],
    ).fetchone()[0]
    assert n_pred == 2 * 9
    before = (home / "data" / "library.sqlite").read_bytes()
    again = cli(*args, "--session", "Assembly plenary", home=home)
    assert again.returncode == 2
    assert "already exists" in again.stderr and "Traceback" not in again.stderr
    assert (home / "data" / "library.sqlite").read_bytes() == before
    twice = cli("plenary", "--tables", str(table_files[0]), str(table_files[0]), home=home)
    assert twice.returncode == 2
    assert twice.stderr.strip().endswith("T1.sqlite is given twice: give each table's file once.")
