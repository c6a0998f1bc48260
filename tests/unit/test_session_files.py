"""Session files tried as a hostile or unlucky user would: every file here is built by the test.

For each hostile file: a clear one-sentence message naming the file, exit code 2, the library, the
file and the merge destination unchanged, nothing of the file run, no hang (CLI under a timeout).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlite_utils
from disks import fill, tmpfs
from test_store import FIXTURES, make_session

from consensus_desktop.errors import InputError
from consensus_desktop.safe_files import DestinationRefused
from consensus_desktop.store.database import SessionFileError
from consensus_desktop.store.foreign import RefusedFile
from consensus_desktop.store.schema import SCHEMA_VERSION
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.store.transfer import export_session, import_session_file, merge_files

MARK = "pwned-by-the-file"
CLI_TIMEOUT_S = 60


def cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONSENSUS_DESKTOP_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "consensus_desktop", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=CLI_TIMEOUT_S,  # a hang fails the test instead of stalling it
    )


def within(seconds: float, call: Callable[[], object]) -> object:
    """Run ``call`` in a daemon thread; its result or exception, or fail if it is still running
    after ``seconds`` (a hang fails the test instead of stalling it)."""
    box: list[object] = []

    def target() -> None:
        try:
            box.append(call())
        except Exception as exc:
            box.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    return box[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


def state(path: Path) -> dict[str, object]:
    """integrity_check and every table's row count: what 'unchanged' means for a database."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        counts = {t: conn.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in tables}
        return {"integrity": conn.execute("PRAGMA integrity_check").fetchone()[0], **counts}
    finally:
        conn.close()


def edit(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for sql in statements:
            conn.execute(sql)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def good_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("good")
    store = SessionStore(folder / "lib.sqlite")
    make_session(store, "Exported")
    out = export_session(store.db, 1, folder / "good.sqlite")
    store.close()
    return out


def _with_trigger(p: Path) -> None:
    # would rewrite every opinion if it ever fired (an insert into the file's own tables)
    edit(
        p,
        f"CREATE TRIGGER evil AFTER INSERT ON ratings BEGIN UPDATE opinions SET text = '{MARK}'; "
        "END",
    )


def _v1_with_migration_trigger(p: Path) -> None:
    # the attack that worked on main: a schema-1 file whose trigger fires when it is upgraded
    shutil.copy(FIXTURES / "schema_v1.sqlite", p)
    edit(
        p,
        "CREATE TRIGGER on_upgrade AFTER INSERT ON _migrations BEGIN "
        f"UPDATE opinions SET text = '{MARK}'; END",
    )


def _with_view(p: Path) -> None:
    edit(
        p,
        "DROP TABLE critiques",
        f"CREATE VIEW critiques AS SELECT id, participant_id, candidate_id, '{MARK}' AS text, "
        "created_at FROM ratings",
    )


def _with_recursive_view(p: Path) -> None:
    edit(
        p,
        "CREATE VIEW forever AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
        "SELECT x FROM n",
    )


def _with_recursive_trigger(p: Path) -> None:
    edit(
        p,
        "CREATE TRIGGER again AFTER INSERT ON events BEGIN INSERT INTO events "
        f"(session_id, at, kind, payload) VALUES (NEW.session_id, NEW.at, '{MARK}', ''); END",
    )


def _with_dropped_table(p: Path) -> None:
    edit(p, "DROP TABLE ratings")


def _truncated(p: Path) -> None:
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])


def _newer(p: Path) -> None:
    edit(
        p,
        f"INSERT INTO _migrations VALUES ({SCHEMA_VERSION + 1}, 'from the future', 'x')",
    )


def _with_generated_column(p: Path) -> None:
    edit(
        p,
        "ALTER TABLE opinions ADD COLUMN shout TEXT GENERATED ALWAYS AS (upper(text)) VIRTUAL",
    )


def _extra_table(p: Path) -> None:
    edit(p, "CREATE TABLE notes (x TEXT)")


def _setting(sql_value: str) -> Callable[[Path], None]:
    return lambda p: edit(p, f"UPDATE sessions SET settings = {sql_value}")


HOSTILE: dict[str, tuple[Callable[[Path], None], str]] = {
    # values no version of the app writes: refused by file_values with the table, row and column
    "bytes in a text column": (
        lambda p: edit(p, "UPDATE opinions SET text = X'00ff'"),
        "table 'opinions', row 1: text holds binary data",
    ),
    "words in an id": (
        lambda p: edit(p, "UPDATE ratings SET participant_id = 'abc'"),
        "participant_id holds 'abc', which is not a number",
    ),
    "rating of 99": (
        lambda p: edit(p, "UPDATE ratings SET agreement = 99 WHERE id = 2"),
        "table 'ratings', row 2: agreement holds the rating 99, outside the 1–7 scale",
    ),
    "baseline of -5": (
        lambda p: edit(p, "UPDATE baseline_ratings SET rating = -5"),
        "rating holds the rating -5, outside the 1–7 scale",
    ),
    "settings as a list": (_setting("'[1, 2]'"), "settings is not a JSON object"),
    "settings not JSON": (_setting("'{oops'"), "settings is not valid JSON"),
    "alpha of the wrong type": (_setting("'{\"alpha\": [1]}'"), "has alpha [1]"),
    "table label with a bidi override": (
        _setting("json_object('table_label', 'T' || char(8238) || char(0))"),
        "settings holds the character U+202E",
    ),
    "table label with an escaped control character": (
        _setting('\'{"table_label": "T\\u0007"}\''),
        "has table_label 'T\\x07', which should be a label without control characters",
    ),
    "name with a bidi override": (
        lambda p: edit(p, "UPDATE participants SET pseudonym = 'Ann' || char(8238) WHERE id = 1"),
        "pseudonym holds an invisible format character (U+202E)",
    ),
    "ranking with a rank twice": (
        lambda p: edit(p, 'UPDATE rankings SET ranking = \'{"1": 1, "2": 1}\''),
        "ranking is not a ranking",
    ),
    "prediction of 1e308": (
        lambda p: edit(p, "UPDATE predictions SET agreement = 1e308 WHERE id = 1"),
        "agreement holds 1e+308, which is not a predicted agreement on the 1–7 scale",
    ),
    "negative seconds": (
        lambda p: edit(p, "UPDATE ratings SET seconds_taken = -1e300 WHERE id = 1"),
        "seconds_taken holds -1e+300, which is not a number of seconds",
    ),
    "negative opinion order": (
        lambda p: edit(p, "UPDATE candidates SET opinion_order = '[0, 99, -1]'"),
        "opinion_order holds a negative position",
    ),
    "empty session name": (lambda p: edit(p, "UPDATE sessions SET name = '  '"), "name is empty"),
    "NUL in a question": (
        lambda p: edit(p, "UPDATE questions SET text = 'Q' || char(0) || '?'"),
        "text holds the character U+0000",
    ),
    "bidi override in a statement": (
        lambda p: edit(p, "UPDATE candidates SET text = 'We ' || char(8238) || 'agree.'"),
        "text holds the character U+202E, which hides or reorders text",
    ),
    "one uuid for two people": (
        lambda p: edit(p, "UPDATE participants SET uuid = 'same'"),
        "table 'participants', rows 1 and 3: the same uuid twice",
    ),
    "payload as a list": (
        lambda p: edit(
            p, "INSERT INTO events (session_id, at, kind, payload) VALUES (1, 'x', 'y', '[]')"
        ),
        "payload is not a JSON object",
    ),
    "trigger": (_with_trigger, "trigger, 'evil'"),
    "v1 trigger on upgrade": (_v1_with_migration_trigger, "trigger, 'on_upgrade'"),
    "view": (_with_view, "view, 'critiques'"),
    "recursive view": (_with_recursive_view, "view, 'forever'"),
    "recursive trigger": (_with_recursive_trigger, "trigger, 'again'"),
    "dropped table": (_with_dropped_table, "no table 'ratings'"),
    "truncated": (_truncated, "truncated"),
    "newer schema": (_newer, "newer version"),
    "generated column": (_with_generated_column, "columns and types"),
    "extra table": (_extra_table, "table, 'notes'"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_file_is_refused_and_nothing_changes(
    case: str, good_export: Path, tmp_path: Path
) -> None:
    build, expected = HOSTILE[case]
    hostile = tmp_path / f"hostile-{case.replace(' ', '-')}.sqlite"
    shutil.copy(good_export, hostile)
    build(hostile)
    home = tmp_path / "home"
    library = home / "data" / "library.sqlite"
    lib = SessionStore(library)
    make_session(lib, "Mine")
    lib.close()
    existing_into = tmp_path / "workshop.sqlite"
    assert merge_files([good_export], existing_into)[0].new
    before = {p: (digest(p), state(p)) for p in (library, existing_into)}
    file_before = digest(hostile)

    proc = cli("session", "import", str(hostile), home=home)  # in a process: a hang fails
    message = proc.stderr.strip()
    assert proc.returncode == 2, (proc.stdout, message)
    assert "Traceback" not in message and len(message.splitlines()) == 1, message
    assert hostile.name in message and expected in message, message
    new_into = tmp_path / "new-workshop.sqlite"
    for files, into in (([good_export, hostile], new_into), ([hostile], existing_into)):
        refused = within(CLI_TIMEOUT_S, lambda f=files, i=into: merge_files(f, i))
        assert isinstance(refused, SessionFileError), refused
        assert hostile.name in str(refused) and expected in str(refused)
    assert not new_into.exists()
    assert not list(tmp_path.glob(".*.partial*"))  # no temporary file left behind
    for p, (sha, st) in before.items():
        assert digest(p) == sha and state(p) == st and st["integrity"] == "ok", p
        assert MARK.encode() not in p.read_bytes()
    assert digest(hostile) == file_before, "the foreign file was written"
    assert not Path(str(hostile) + "-wal").exists() and not Path(str(hostile) + "-shm").exists()


# what a library could hold that no app wrote: the same gate as an imported file, before any
# statement of the app runs on it (values in the library are the app's own and are not re-read)
SCHEMA_ATTACKS = [
    "trigger",
    "v1 trigger on upgrade",
    "view",
    "recursive view",
    "recursive trigger",
    "dropped table",
    "generated column",
    "extra table",
]


@pytest.mark.parametrize("case", SCHEMA_ATTACKS)
def test_a_library_gets_the_gate_of_a_foreign_file(
    case: str, good_export: Path, tmp_path: Path
) -> None:
    build, expected = HOSTILE[case]
    library = tmp_path / "library.sqlite"
    shutil.copy(good_export, library)
    edit(library, "PRAGMA journal_mode=WAL")  # as every library is
    build(library)
    before = digest(library)
    refused = within(CLI_TIMEOUT_S, lambda: SessionStore(library))
    assert isinstance(refused, SessionFileError), refused
    assert library.name in str(refused) and expected in str(refused), refused
    assert digest(library) == before  # nothing ran: the file is byte for byte as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library.sqlite"]  # no .bak, no -wal
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    shutil.copy(library, home / "data" / "library.sqlite")
    proc = cli("session", "list", home=home)  # the command line names it in one sentence
    assert proc.returncode == 2 and expected in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def _journal(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()


def _ranked_texts(store: SessionStore, session_name: str) -> list[dict[str, int]]:
    """Each ranking of a session as {statement text: rank}: what the ids inside it mean."""
    sid = store.find_session(session_name)
    text_of = {
        r["id"]: r["text"]
        for r in store.db.query(
            "SELECT c.id, c.text FROM candidates c JOIN generation_runs g ON g.id = c.run_id "
            "WHERE g.session_id = ?",
            [sid],
        )
    }
    rows = store.db.query(
        "SELECT r.ranking FROM rankings r JOIN participants p ON p.id = r.participant_id "
        "WHERE p.session_id = ? ORDER BY r.id",
        [sid],
    )
    return [{text_of[int(k)]: v for k, v in json.loads(r["ranking"]).items()} for r in rows]


def test_the_app_stores_no_text_its_own_import_would_refuse(tmp_path: Path) -> None:
    """What a participant pastes may hold bidi controls or NUL: stored without them, so an export
    of the library always imports again; a name holding them is refused where it is typed."""
    store = SessionStore(tmp_path / "lib.sqlite")
    sid = store.create_session("Pasted")
    qid = store.add_question(sid, "Q\x00?")
    pid = store.add_participant(sid, "Ann")
    store.add_opinion(pid, qid, "Yes \u202eplease\u202c.")
    with pytest.raises(InputError, match="U\\+202E"):
        store.add_participant(sid, "Ben\u202e")
    with pytest.raises(InputError, match="U\\+0007"):
        store.create_session("Bell\x07")
    assert store.current_opinions(qid)[pid]["text"] == "Yes please."
    out = export_session(store.db, sid, tmp_path / "pasted.sqlite")
    other = SessionStore(tmp_path / "other.sqlite")
    [result] = import_session_file(out, other.db)
    assert result.new
    store.close()
    other.close()


def test_rankings_name_the_same_statements_after_export_and_import(tmp_path: Path) -> None:
    """A ranking names candidates by id; ids differ between files, so they are carried over."""
    laptop = SessionStore(tmp_path / "laptop.sqlite")
    make_session(laptop, "Earlier")  # takes the first ids
    make_session(laptop, "Ranked")
    expected = _ranked_texts(laptop, "Ranked")
    assert expected and all(set(r) == {"We agree.", "We disagree."} for r in expected)
    exported = export_session(laptop.db, laptop.find_session("Ranked"), tmp_path / "r.sqlite")
    laptop.close()
    plenary = SessionStore(tmp_path / "plenary.sqlite")
    import_session_file(exported, plenary.db)
    assert _ranked_texts(plenary, "Ranked") == expected
    again = import_session_file(exported, plenary.db)  # the same file again: nothing new
    assert again[0].skipped, again[0].describe()
    plenary.close()


def test_a_merge_never_goes_into_the_live_library(good_export: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    library = home / "data" / "library.sqlite"
    lib = SessionStore(library)
    make_session(lib, "Mine")
    lib.close()
    before = (digest(library), state(library))
    proc = cli("session", "merge", str(good_export), "--into", str(library), home=home)
    assert proc.returncode == 2 and "is the app's library" in proc.stderr, proc.stderr
    assert (digest(library), state(library)) == before


def test_a_merge_leaves_into_as_it_found_it(good_export: Path, tmp_path: Path) -> None:
    """Success or failure, --into keeps its journal mode: no -wal/-shm beside it afterwards."""
    other = tmp_path / "other.sqlite"
    store = SessionStore(tmp_path / "other-lib.sqlite")
    make_session(store, "Another table")
    export_session(store.db, 1, other)
    store.close()
    into = tmp_path / "workshop.sqlite"
    merge_files([other], into)
    assert _journal(into) == "delete"
    ahead = tmp_path / "ahead.sqlite"
    shutil.copy(good_export, ahead)  # an opinion that replaces one written after it
    edit(ahead, "UPDATE opinions SET replaces_id = (SELECT max(id) FROM opinions) WHERE id = 1")
    before = state(into)
    with pytest.raises(SessionFileError) as refused:
        merge_files([ahead], into)
    assert str(refused.value) == (
        "Session 'Exported': row 1 of opinions refers to opinions row 4, which comes after it; "
        "the app never writes that, so the file was refused."
    )
    assert state(into) == before and _journal(into) == "delete"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("workshop")) == [
        "workshop.sqlite"
    ]
    merge_files([good_export], into)  # a merge that succeeds leaves it as it was too
    assert _journal(into) == "delete" and not Path(f"{into}-wal").exists()


def test_a_read_only_folder_is_named_not_the_temporary_file(
    good_export: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "ro"
    with tmpfs(folder, "ro,size=64k"):
        store = SessionStore(tmp_path / "lib.sqlite")
        make_session(store, "Ro")
        with pytest.raises(SessionFileError) as refused:
            export_session(store.db, 1, folder / "out.sqlite")
        store.close()
    assert str(refused.value) == (
        f"The folder {folder} is read-only, so {folder / 'out.sqlite'} was not written."
    )


def test_a_library_on_a_full_disk_says_the_disk_is_full(tmp_path: Path) -> None:
    library = tmp_path / "tiny" / "library.sqlite"
    with tmpfs(library.parent) as folder:
        store = SessionStore(library)
        make_session(store, "Before the disk filled")
        store.close()
        fill(folder)
        with pytest.raises(SessionFileError) as refused:
            SessionStore(library)
    assert str(refused.value) == (
        f"The disk holding {library} is full, so it cannot be opened; free some space and try "
        "again (the file itself was not changed)."
    )


def test_old_file_is_upgraded_as_data_and_left_alone(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    shutil.copy(FIXTURES / "schema_v1.sqlite", old)
    before = digest(old)
    store = SessionStore(tmp_path / "lib.sqlite")
    [res] = import_session_file(old, store.db)
    assert res.new and res.name == "Old session"
    assert store.db["ratings"].count == 2 and store.db["opinions"].count == 2
    assert digest(old) == before and not list(tmp_path.glob("old.sqlite.*"))
    store.close()


def test_every_statement_on_a_foreign_file_has_a_time_limit(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "lib.sqlite")
    sid = make_session(store)
    for i in range(3000):
        store.log_event(sid, "note", {"i": i})
    big = export_session(store.db, sid, tmp_path / "big.sqlite")
    other = SessionStore(tmp_path / "other.sqlite")
    with pytest.raises(RefusedFile, match=r"big\.sqlite took longer than"):
        import_session_file(big, other.db, time_limit=1e-6)
    assert other.db["sessions"].count == 0
    assert import_session_file(big, other.db)[0].new  # the normal limit is ample
    store.close()
    other.close()


def test_later_export_of_the_same_session_adds_what_is_new(tmp_path: Path) -> None:
    a = SessionStore(tmp_path / "a.sqlite")
    sid = make_session(a, "Table 1")
    early = export_session(a.db, sid, tmp_path / "early.sqlite")
    pids = [p["id"] for p in a.participants(sid)]
    cand = a.db.execute("SELECT max(id) FROM candidates").fetchone()[0]
    a.add_rating(cand, pids[0], 7, 6)
    a.add_critique(pids[1], cand, "Later thought.")
    a.set_step(sid, "critique")
    late = export_session(a.db, sid, tmp_path / "late.sqlite")

    b = SessionStore(tmp_path / "b.sqlite")
    assert import_session_file(early, b.db)[0].new
    [res] = import_session_file(late, b.db)
    assert not res.new and not res.skipped and not res.conflicts
    assert res.added == {"ratings": 1, "critiques": 1, "events": 1}
    for table in ("ratings", "critiques", "events", "predictions", "opinions"):
        assert b.db[table].count == a.db[table].count, table
    assert b.sessions()[0].current_step == "critique"
    [again] = import_session_file(late, b.db)
    assert again.skipped and "nothing new" in again.describe()
    # an older file never takes the newer copy back
    [old] = import_session_file(early, b.db)
    assert old.skipped and b.sessions()[0].current_step == "critique"

    # the same rating changed in both: reported, this library's value kept
    b.db.execute("UPDATE ratings SET agreement = 1 WHERE id = 1")
    [conflicted] = import_session_file(late, b.db)
    assert (
        len(conflicted.conflicts) == 1
        and "agreement 1 here, 6 in the file" in (conflicted.conflicts[0])
    )
    assert b.db.execute("SELECT agreement FROM ratings WHERE id = 1").fetchone()[0] == 1

    # merging both exports in either order gives the newest
    for order in ((early, late), (late, early)):
        into = tmp_path / f"merged-{order[0].stem}.sqlite"
        merge_files(list(order), into)
        merged = sqlite_utils.Database(into)
        assert merged["ratings"].count == a.db["ratings"].count
        assert merged["sessions"].get(1)["current_step"] == "critique"
        merged.conn.close()
    a.close()
    b.close()


def test_merge_into_is_one_transaction(tmp_path: Path, good_export: Path) -> None:
    other = SessionStore(tmp_path / "x.sqlite")
    make_session(other, "Other table")
    second = export_session(other.db, 1, tmp_path / "second.sqlite")
    other.close()
    into = tmp_path / "workshop.sqlite"
    merge_files([good_export], into)
    before = (digest(into), state(into))
    # the bad row is only found while copying, after the good session was already added
    bad = tmp_path / "dangling.sqlite"
    shutil.copy(second, bad)
    edit(bad, "PRAGMA foreign_keys=OFF", "UPDATE ratings SET participant_id = 999 WHERE id = 1")
    with pytest.raises(SessionFileError, match=r"dangling\.sqlite"):
        merge_files([second, bad], into)
    assert (digest(into), state(into)) == before
    # a destination with a trigger of its own is refused before it is opened for writing
    _with_trigger(into)
    before = (digest(into), state(into))
    with pytest.raises(RefusedFile, match=r"workshop\.sqlite contains a trigger, 'evil'"):
        merge_files([second], into)
    assert (digest(into), state(into)) == before


def test_no_silent_overwrite(tmp_path: Path) -> None:
    home = tmp_path / "home"
    library = home / "data" / "library.sqlite"
    store = SessionStore(library)
    make_session(store, "T")
    store.close()
    lib_before = (digest(library), state(library))
    earlier = tmp_path / "earlier.sqlite"
    earlier.write_bytes(b"an earlier export, precious")
    for cmd in ("export", "anonymise"):
        for target in (earlier, library):
            proc = cli("session", cmd, "T", str(target), home=home)
            assert proc.returncode == 2 and str(target) in proc.stderr, proc.stderr
        # --force replaces an ordinary file, never the library
        proc = cli("session", cmd, "T", str(library), "--force", home=home)
        assert proc.returncode == 2 and "library" in proc.stderr
    assert earlier.read_bytes() == b"an earlier export, precious"
    assert (digest(library), state(library)) == lib_before
    proc = cli("session", "export", "T", str(earlier), "--force", home=home)
    assert proc.returncode == 0, proc.stderr
    assert state(earlier)["sessions"] == 1
    csv_dir = tmp_path / "csv"
    proc = cli("session", "csv", "T", str(csv_dir), home=home)
    assert proc.returncode == 2 and "does not exist; create it first" in proc.stderr
    assert not csv_dir.exists()  # never made by surprise
    csv_dir.mkdir()
    assert cli("session", "csv", "T", str(csv_dir), home=home).returncode == 0
    (csv_dir / "ratings.csv").write_text("mine")
    (csv_dir / "votes.csv").unlink()
    (csv_dir / "comments.csv").unlink()
    proc = cli("session", "csv", "T", str(csv_dir), home=home)
    assert proc.returncode == 2 and "ratings.csv already exists" in proc.stderr
    assert not (csv_dir / "votes.csv").exists()  # refused before writing any
    assert cli("session", "csv", "T", str(csv_dir), "--force", home=home).returncode == 0
    assert (csv_dir / "ratings.csv").read_text().startswith("session,question")
    assert not list(tmp_path.rglob(".*.partial"))


def test_exports_refuse_a_database_the_app_has_open(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "open.sqlite")
    make_session(store)
    with pytest.raises(DestinationRefused, match="never written over"):
        export_session(store.db, 1, tmp_path / "open.sqlite", force=True)
    with pytest.raises(DestinationRefused, match="never written over"):
        export_session(store.db, 1, tmp_path / "open.sqlite-wal", force=True)
    store.close()


NAMES = ("Zelda Moss", "Quentin", "Hortense")
MENTIONS = " zelda's point, QUENTIN and Hortense’s view; moss. "


def _named_session(store: SessionStore) -> int:
    sid = store.create_session("Zelda's table", {"host": "Quentin"})
    qid = store.add_question(sid, "Should Hortense decide?", "Quentin should.")
    pids = [store.add_participant(sid, name) for name in NAMES]
    for pid in pids:
        store.add_baseline_rating(pid, qid, 4)
        store.correct_opinion(store.add_opinion(pid, qid, MENTIONS), "Fixed: " + MENTIONS, sid)
    run = store.add_generation_run(
        sid, qid, round=0, kind="initial", model_file="m.gguf", shortened=list(NAMES)
    )
    cids = store.add_candidates(run, [{"text": "As zelda said.", "seed": 1, "opinion_order": []}])
    store.add_predictions(cids, pids, [[4, 5, 6]], {"method": "x"})
    store.add_selection(sid, qid, cids[0], "isoelastic", 0.0)
    for pid in pids:
        store.add_rating(cids[0], pid, 5, 5)
        store.add_ranking(pid, run, {cids[0]: 1})
        store.add_critique(pid, cids[0], MENTIONS)
    # and the names in every other text column too, as a careless or hostile edit could put them
    db = store.db
    db.execute("DROP TRIGGER events_no_update")
    from consensus_desktop.store.schema import SESSION_TABLES

    for table, _ in SESSION_TABLES:
        for col, kind in db[table].columns_dict.items():
            if kind is str and col != "pseudonym":
                db.execute(f"UPDATE [{table}] SET [{col}] = coalesce([{col}], '') || ?", [MENTIONS])
    return sid


def test_anonymised_file_holds_no_name_anywhere(tmp_path: Path) -> None:
    from consensus_desktop.store.exports import ANONYMISED_COLUMNS, anonymise_session
    from consensus_desktop.store.schema import SESSION_TABLES

    store = SessionStore(tmp_path / "lib.sqlite")
    for table, _ in SESSION_TABLES:  # every column has a rule: a new column needs a decision
        assert set(ANONYMISED_COLUMNS[table]) == set(store.db[table].columns_dict), table
    sid = _named_session(store)
    for keep in (True, False):
        out = anonymise_session(store.db, sid, tmp_path / f"anon-{keep}.sqlite", keep_text=keep)
        text = out.read_bytes().decode("utf-8", "replace").casefold()  # free pages included
        for word in ("zelda", "moss", "quentin", "hortense"):
            assert word not in text, (keep, word)
        db = sqlite_utils.Database(out)
        assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0
        labels = [p["pseudonym"] for p in db["participants"].rows]
        assert all(label.startswith("participant-") for label in labels)
        opinions = [o["text"] for o in db["opinions"].rows]
        if keep:  # the possessive and the first name alone are replaced too
            assert f"{labels[0]}'s point".casefold() in opinions[0].casefold()
            assert f"{labels[2]}’s view" in opinions[0]
        else:
            assert set(opinions) == {""}
        assert db["ratings"].count == 3 and db["predictions"].count == 3
        db.conn.close()
    store.close()


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("Jürgen Groß", "Herr Groß said so"),
        ("Jürgen Groß", "as JURGEN GROSS said"),
        ("Jürgen Groß", "ask Jürgen"),
        ("O’Brien", "O'Brien said so"),
        ("O'Brien", "O’Brien’s view"),
        ("Zoë", "Zoe\u0308 said so"),  # decomposed, as some keyboards and files write it
        ("Zoe\u0308", "Zoë said so"),
        ("Zoë", "zoe said so"),
        ("Ana María López", "Ms. López and maria agree"),
        ("Dr Chen", "chen agrees"),
        ("María López", "Marías view"),  # a possessive without its apostrophe
        ("Zoë Martin", "Zoës plan"),
        ("Siobhan O’Brien", "O Brien said so"),
        ("Siobhan O’Brien", "as OBrien said"),
        ("Łukasz Wałęsa", "Lukasz Walesa agrees"),
    ],
)
def test_names_are_scrubbed_in_every_spelling(name: str, written: str) -> None:
    from consensus_desktop.store.exports import NameScrubber, anonymous_label, fold

    person = {"uuid": "1234abcd-0000", "pseudonym": name}
    scrubbed = NameScrubber([person])(written)
    label = anonymous_label(person["uuid"])
    assert label in scrubbed, scrubbed
    for part in re.split(r"[\s.]+", fold(name)):
        if len(part) >= 2 and part not in {"dr", "ms"}:
            assert part not in fold(scrubbed), (part, scrubbed)
    for title in ("herr", "ms."):
        assert title not in scrubbed.casefold()  # the title goes with the name


def test_the_anonymised_report_scrubs_the_question_and_statements(tmp_path: Path) -> None:
    from consensus_desktop.report.data import ReportOptions, gather

    store = SessionStore(tmp_path / "lib.sqlite")
    sid = store.create_session("Zelda's table")
    qid = store.add_question(sid, "Should Hortense decide?", "Quentin should decide.")
    pids = [store.add_participant(sid, name) for name in NAMES]
    for pid in pids:
        store.add_opinion(pid, qid, "An opinion.")
    run = store.add_generation_run(sid, qid, round=0, kind="initial")
    cids = store.add_candidates(run, [{"text": "As Zelda Moss and quentin said.", "seed": 1}])
    store.add_predictions(cids, pids, [[4, 5, 6]], {"method": "x"})
    store.add_selection(sid, qid, cids[0], "isoelastic", 0.0)
    report = gather(store, sid, ReportOptions(anonymise=True))
    texts = [report.title, *report.participants]
    for q in report.questions:
        texts += [q.text, q.position_statement, q.final_statement or ""]
        texts += [s.text for r in q.rounds for s in r.statements]
    joined = " ".join(texts).casefold()
    for word in ("zelda", "moss", "quentin", "hortense"):
        assert word not in joined, word
    store.close()


def test_an_undo_in_the_newer_copy_is_kept_by_imports_and_merges(tmp_path: Path) -> None:
    a = SessionStore(tmp_path / "a.sqlite")
    sid = make_session(a, "Table 1")
    early = export_session(a.db, sid, tmp_path / "early.sqlite")
    row = next(a.db.query("SELECT * FROM ratings ORDER BY id DESC LIMIT 1"))
    a.remove_entries(
        sid, {"ratings": [row["id"]]}, {"undo": "rating", "removed": {"ratings": [row]}}
    )
    late = export_session(a.db, sid, tmp_path / "late.sqlite")

    b = SessionStore(tmp_path / "b.sqlite")
    import_session_file(early, b.db)
    assert b.db["ratings"].count == 6
    [res] = import_session_file(late, b.db)
    assert (
        res.added == {"events": 1, "undone ratings": 1} and "brought up to date" in res.describe()
    )
    assert b.db["ratings"].count == 5
    [again] = import_session_file(early, b.db)  # the older copy does not bring it back
    assert again.skipped and b.db["ratings"].count == 5
    merge_files([late, early], tmp_path / "merged.sqlite")
    merged = sqlite_utils.Database(tmp_path / "merged.sqlite")
    assert merged["ratings"].count == 5
    merged.conn.close()
    a.close()
    b.close()
