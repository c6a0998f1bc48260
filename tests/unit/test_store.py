from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from consensus_desktop.store.database import (
    CorruptFile,
    FileLocked,
    NewerSchema,
    NotSQLiteFile,
    WrongSchema,
    current_opinions,
    inspect_version,
    open_database,
)
from consensus_desktop.store.exports import anonymise_session, polis_csv, ratings_csv
from consensus_desktop.store.schema import SCHEMA_VERSION
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.store.transfer import export_session, import_session_file, merge_files

FIXTURES = Path(__file__).parent.parent / "fixtures"


def make_session(store: SessionStore, name: str = "Table 1") -> int:
    sid = store.create_session(name, {"n": 4})
    qid = store.add_question(sid, "Should we lower the speed limit?", "We should lower it.")
    pids = [store.add_participant(sid, n) for n in ("Ann", "Ben", "Cy")]
    for pid, rating in zip(pids, (2, 6, 4), strict=True):
        store.add_baseline_rating(pid, qid, rating, 3.5)
    ops = [
        store.add_opinion(pid, qid, f"Opinion of {i}: Ann said so.") for i, pid in enumerate(pids)
    ]
    store.correct_opinion(ops[0], "Corrected opinion.", sid)
    run = store.add_generation_run(
        sid,
        qid,
        round=0,
        kind="initial",
        model_file="m.gguf",
        model_sha256="ab",
        backend="CPU",
        prompt_template="t",
        sampling={"temperature": 0.8},
        seeds=[1, 2],
    )
    cids = store.add_candidates(
        run,
        [
            {"text": "We agree.", "seed": 1, "opinion_order": [0, 1, 2]},
            {"text": "We disagree.", "seed": 2, "opinion_order": [1, 2, 0]},
        ],
    )
    store.add_predictions(cids, pids, [[5, 4, 3], [2, 3, 4]], {"method": "x"})
    store.add_selection(sid, qid, cids[0], "isoelastic", float("inf"))
    for pid, (a, b) in zip(pids, [(6, 2), (5, 4), (3, 1)], strict=True):
        store.add_rating(cids[0], pid, a, 5)
        store.add_rating(cids[1], pid, b, 3)
        store.add_ranking(pid, run, {cids[0]: 1, cids[1]: 2})
        store.add_critique(pid, cids[0], "Needs more detail.")
    return sid


def snapshot(db: sqlite_utils.Database, session_name: str) -> dict[str, list[tuple]]:
    """A session's content without ids, comparable across databases."""
    from consensus_desktop.store.transfer import session_rows

    sid = next(db.query("SELECT id FROM sessions WHERE name = ?", [session_name]))["id"]
    rows = session_rows(db, sid)
    text_of = {c["id"]: c["text"] for c in rows["candidates"]}
    for r in rows["rankings"]:  # a ranking names candidates by id: compare what they say
        ranks = json.loads(r["ranking"])
        r["ranking"] = json.dumps({text_of[int(k)]: v for k, v in ranks.items()}, sort_keys=True)
    return {
        t: sorted(
            tuple(sorted((k, str(v)) for k, v in r.items() if not k.endswith("id"))) for r in rs
        )
        for t, rs in rows.items()
    }


def test_new_library_is_at_current_version_in_wal_mode(library: SessionStore) -> None:
    assert inspect_version(library.path) == SCHEMA_VERSION
    assert library.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    names = [r["name"] for r in library.db["_migrations"].rows]
    assert names[0] == "initial schema" and len(names) == SCHEMA_VERSION


def test_records_the_whole_method(library: SessionStore) -> None:
    sid = make_session(library)
    assert library.db["ratings"].count == 6
    latest = library.current_opinions(1)
    assert latest[1]["text"] == "Corrected opinion."  # the correction replaces, the old row stays
    assert library.db["opinions"].count == 4
    kinds = [e["kind"] for e in library.db["events"].rows_where("session_id = ?", [sid])]
    assert "opinion_corrected" in kinds and "selection" in kinds
    with pytest.raises(ValueError, match="1 to 7"):
        library.add_rating(1, 1, 8)
    with pytest.raises(ValueError, match="already taken"):
        library.add_participant(sid, "ann")


def test_event_log_is_append_only(library: SessionStore) -> None:
    make_session(library)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        library.db.execute("UPDATE events SET kind = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        library.db.execute("DELETE FROM events")


def test_upgrade_from_v1_fixture_keeps_data_and_backs_up(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURES / "schema_v1.sqlite", path)
    assert inspect_version(path) == 1
    store = SessionStore(path)
    try:
        assert inspect_version(path) == SCHEMA_VERSION
        cols = store.db["sessions"].columns_dict
        assert "current_step" in cols
        assert [r["version"] for r in store.db["_migrations"].rows] == list(
            range(1, SCHEMA_VERSION + 1)
        )
        assert store.db["ratings"].count == 2
        assert store.sessions()[0].name == "Old session"
        with pytest.raises(sqlite3.IntegrityError):
            store.db.execute("DELETE FROM events")
    finally:
        store.close()
    backups = list(tmp_path.glob("old.sqlite.v1-*.bak"))
    assert len(backups) == 1 and inspect_version(backups[0]) == 1


def test_newer_file_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    db = open_database(path)
    db["_migrations"].insert({"version": SCHEMA_VERSION + 1, "name": "future", "applied_at": "x"})
    db.execute("PRAGMA journal_mode=DELETE")
    db.conn.close()
    before = path.read_bytes()
    with pytest.raises(NewerSchema, match="newer version"):
        SessionStore(path)
    with pytest.raises(NewerSchema):
        import_session_file(path, open_database(tmp_path / "lib.sqlite"))
    assert path.read_bytes() == before


def test_bad_files_give_clear_errors_and_stay_unmodified(tmp_path: Path) -> None:
    not_sqlite = tmp_path / "notes.sqlite"
    not_sqlite.write_text("hello, this is not a database")
    other = tmp_path / "other.sqlite"
    sqlite_utils.Database(other)["t"].insert({"a": 1})
    good = tmp_path / "good.sqlite"
    store = SessionStore(tmp_path / "lib.sqlite")
    make_session(store)
    export_session(store.db, 1, good)
    truncated = tmp_path / "truncated.sqlite"
    truncated.write_bytes(good.read_bytes()[: 4096 * 3])
    cases = [(not_sqlite, NotSQLiteFile), (other, WrongSchema), (truncated, CorruptFile)]
    for path, error in cases:
        before = path.read_bytes()
        with pytest.raises(error):
            import_session_file(path, store.db)
        with pytest.raises(error):
            SessionStore(path)
        assert path.read_bytes() == before, path
    store.close()


def test_locked_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite"
    store = SessionStore(tmp_path / "lib.sqlite")
    make_session(store)
    export_session(store.db, 1, path)
    locker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None);"
            "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(30)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        with pytest.raises(FileLocked, match="in use"):
            import_session_file(path, store.db)
    finally:
        locker.kill()
        locker.wait()
        store.close()


def test_export_import_round_trip_and_idempotent(tmp_path: Path) -> None:
    a = SessionStore(tmp_path / "a.sqlite")
    make_session(a, "Table 1")
    out = export_session(a.db, a.find_session("Table 1"), tmp_path / "t1.sqlite")
    meta = {r["key"]: r["value"] for r in sqlite_utils.Database(out)["meta"].rows}
    assert meta["kind"] == "session-export" and meta["schema_version"] == str(SCHEMA_VERSION)
    assert {"app_version", "exported_at", "session_uuid"} <= set(meta)
    assert not Path(str(out) + "-wal").exists()
    listed = subprocess.run(["sqlite-utils", "tables", str(out)], capture_output=True, text=True)
    assert listed.returncode == 0 and "ratings" in listed.stdout
    b = SessionStore(tmp_path / "b.sqlite")
    make_session(b, "Other")  # occupies the ids the import would otherwise reuse
    [res] = import_session_file(out, b.db)
    assert not res.skipped
    assert snapshot(b.db, "Table 1") == snapshot(a.db, "Table 1")
    [again] = import_session_file(out, b.db)
    assert again.skipped and b.db["sessions"].count == 2
    a.close()
    b.close()


def test_merge_two_laptops_without_clashes(tmp_path: Path) -> None:
    files = []
    for laptop in ("x", "y"):
        s = SessionStore(tmp_path / f"{laptop}.sqlite")
        make_session(s, f"Table {laptop}")
        files.append(export_session(s.db, 1, tmp_path / f"table-{laptop}.sqlite"))
        s.close()
    results = merge_files([*files, files[0]], tmp_path / "workshop.sqlite")
    assert [r.skipped for r in results] == [False, False, True]
    merged = sqlite_utils.Database(tmp_path / "workshop.sqlite")
    assert merged["sessions"].count == 2 and merged["ratings"].count == 12
    # every rating points at a candidate of its own session
    bad = merged.execute(
        "SELECT count(*) FROM ratings r JOIN candidates c ON c.id = r.candidate_id "
        "JOIN generation_runs g ON g.id = c.run_id JOIN participants p ON p.id = r.participant_id "
        "WHERE p.session_id != g.session_id"
    ).fetchone()[0]
    assert bad == 0
    assert merged.execute("PRAGMA foreign_key_check").fetchall() == []


def test_anonymised_export(tmp_path: Path) -> None:
    s = SessionStore(tmp_path / "lib.sqlite")
    make_session(s)
    for keep in (True, False):
        out = anonymise_session(s.db, 1, tmp_path / f"anon-{keep}.sqlite", keep_text=keep)
        db = sqlite_utils.Database(out)
        pseudonyms = [p["pseudonym"] for p in db["participants"].rows]
        assert all(p.startswith("participant-") for p in pseudonyms)
        dump = "\n".join(db.iterdump())
        assert "Ann" not in dump and "Ben" not in dump
        texts = [o["text"] for o in db["opinions"].rows]
        assert (texts[-1] == "Corrected opinion.") if keep else all(t == "" for t in texts)
        assert db["candidates"].count == 2  # the model's statements stay
    # stable ids: the same participant gets the same id each time
    again = anonymise_session(s.db, 1, tmp_path / "anon-again.sqlite")
    assert [p["pseudonym"] for p in sqlite_utils.Database(again)["participants"].rows] == [
        p["pseudonym"]
        for p in sqlite_utils.Database(tmp_path / "anon-True.sqlite")["participants"].rows
    ]
    s.close()


def test_polis_and_ratings_csv(tmp_path: Path) -> None:
    s = SessionStore(tmp_path / "lib.sqlite")
    make_session(s)
    comments, votes = polis_csv(s.db, 1, tmp_path / "csv")
    ratings = ratings_csv(s.db, 1, tmp_path / "csv")
    c_rows = list(csv.DictReader(comments.open()))
    v_rows = list(csv.DictReader(votes.open()))
    assert list(c_rows[0]) == [
        "timestamp",
        "datetime",
        "comment-id",
        "author-id",
        "agrees",
        "disagrees",
        "moderated",
        "comment-body",
        "reworded-from",
    ]
    assert list(v_rows[0]) == ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
    assert len(c_rows) == 3 + 2  # current opinions + rated candidates
    assert sorted(int(v["vote"]) for v in v_rows) == [-1, -1, -1, 0, 1, 1]
    first = next(c for c in c_rows if c["comment-body"] == "We agree.")
    assert (first["agrees"], first["disagrees"]) == ("2", "1")
    r_rows = list(csv.DictReader(ratings.open()))
    assert len(r_rows) == 6 and r_rows[0]["predicted_agreement"] == "5.0"
    s.close()


def test_polis_csv_lists_a_revised_opinion_once_as_its_current_text(tmp_path: Path) -> None:
    """Corrected twice: the CSV has the last wording only, once (the one rule of
    ``store.database.current_opinions``)."""
    s = SessionStore(tmp_path / "lib.sqlite")
    sid = make_session(s)
    ben = next(o for o in s.db["opinions"].rows if o["text"].startswith("Opinion of 1"))
    second = s.correct_opinion(ben["id"], "Ben, second wording.", sid)
    s.correct_opinion(second, "Ben, final wording.", sid)
    comments, _votes = polis_csv(s.db, sid, tmp_path / "csv")
    bodies = [c["comment-body"] for c in csv.DictReader(comments.open(encoding="utf-8"))]
    assert bodies[:3] == ["Opinion of 2: Ann said so.", "Corrected opinion.", "Ben, final wording."]
    assert not any("second wording" in b or b.startswith("Opinion of 1") for b in bodies)
    assert [o["text"] for o in current_opinions(s.db, 1)] == bodies[:3]
    s.close()
