"""Fuzz tests: whatever a user hands the app, it ends in success or one documented error, never a
traceback, and quickly. Fixed example budgets (derandomised), so CI runs the same cases each time."""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consensus_desktop.cli.reward_cmd import _read_rows
from consensus_desktop.cli.run_cmd import read_run_file
from consensus_desktop.errors import ConsensusError, InputError

LIMIT_S = 10  # per case: far above the measured milliseconds, far below a hang
# FUZZ_EXAMPLES=2000 runs every fuzz test with that many examples (once, by hand: CI keeps its own)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=EXAMPLES or 100,
    deadline=None,  # a busy CI machine must not fail a case; each test checks its own time limit
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
# objects shaped like the real inputs, with every field possibly of the wrong type
run_like = st.fixed_dictionaries(
    {},
    optional={
        "question": json_values,
        "participants": st.lists(
            st.fixed_dictionaries({}, optional={"name": json_values, "opinion": json_values})
            | json_values,
            max_size=4,
        )
        | json_values,
        "opinions": st.lists(json_values, max_size=4) | json_values,
        "names": st.lists(json_values, max_size=4) | json_values,
    },
)
score_row = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values,
        "question": json_values,
        "opinion": json_values,
        "statement": json_values,
    },
)


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "input"
    path.write_bytes(data)
    return path


@FUZZ
@given(
    data=st.one_of(run_like.map(json.dumps), json_values.map(json.dumps)).map(str.encode)
    | st.binary(max_size=200)
)
def test_run_in_file(tmp_path: Path, data: bytes) -> None:
    path = _write(tmp_path, data)
    started = time.perf_counter()
    try:
        question, opinions, names, *_ = read_run_file(path)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    finally:
        assert time.perf_counter() - started < LIMIT_S
    assert isinstance(question, str)
    assert all(isinstance(x, str) for x in [*opinions, *names])


@FUZZ
@given(
    lines=st.lists(
        st.one_of(score_row.map(json.dumps), json_values.map(json.dumps), st.text(max_size=40)),
        max_size=6,
    ),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]),
)
def test_score_rows(tmp_path: Path, lines: list[str], encoding: str) -> None:
    try:
        data = "\n".join(lines).encode(encoding)
    except UnicodeEncodeError:
        data = "\n".join(lines).encode("utf-8")
    path = _write(tmp_path, data)
    started = time.perf_counter()
    try:
        rows = _read_rows(path)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    finally:
        assert time.perf_counter() - started < LIMIT_S
    assert rows and all(isinstance(r, dict) and "id" in r for r in rows)


@pytest.fixture(scope="module")
def session_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from consensus_desktop.store.session_store import SessionStore
    from consensus_desktop.store.transfer import export_session

    folder = tmp_path_factory.mktemp("fuzz-session")
    store = SessionStore(folder / "library.sqlite")
    sid = store.create_session("fuzz")
    qid = store.add_question(sid, "Should we lower the speed limit?")
    for name in ("Ann", "Ben"):
        pid = store.add_participant(sid, name)
        store.add_opinion(pid, qid, f"{name} thinks limits matter.")
    out = export_session(store.db, sid, folder / "fuzz.sqlite")
    store.close()
    return out


_LIBRARIES = itertools.count()


def _tables(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    finally:
        conn.close()


mutations = st.lists(
    st.tuples(
        st.sampled_from(["drop", "null", "value", "delete", "flip"]),
        st.integers(min_value=0, max_value=10_000),
        json_values.filter(lambda v: not isinstance(v, (list, dict)))
        | st.binary(max_size=8)
        | st.floats()  # inf and nan too
        | st.integers(min_value=-(2**63), max_value=2**63 - 1)
        | st.sampled_from(["[]", "{}", "[1]", "null", '{"alpha": "x"}', '{"1": 1, "2": 1}'])
        | json_values.map(json.dumps),  # JSON of any shape in any column
    ),
    min_size=1,
    max_size=3,
)


@settings(FUZZ, max_examples=EXAMPLES or 25)
@given(changes=mutations)
def test_session_importer(
    tmp_path: Path, session_file: Path, changes: list[tuple[str, int, object]]
) -> None:
    from consensus_desktop.store.session_store import SessionStore
    from consensus_desktop.store.transfer import import_session_file

    victim = tmp_path / "victim.sqlite"
    victim.write_bytes(session_file.read_bytes())
    for kind, n, value in changes:
        if kind == "flip":
            data = bytearray(victim.read_bytes())
            data[n % len(data)] ^= 0xFF
            victim.write_bytes(bytes(data))
            continue
        conn = sqlite3.connect(victim, timeout=0)
        try:
            tables = [t for t in _tables(victim) if not t.startswith("sqlite_")]
            table = tables[n % len(tables)]
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info('{table}')")]
            column = columns[n % len(columns)]
            if kind == "drop":
                conn.execute(f"DROP TABLE '{table}'")
            elif kind == "delete":
                conn.execute(
                    f"DELETE FROM '{table}' WHERE rowid IN (SELECT rowid FROM '{table}' LIMIT 1)"
                )
            else:
                conn.execute(
                    f"UPDATE '{table}' SET '{column}' = ?", [None if kind == "null" else value]
                )
            conn.commit()
        except sqlite3.Error:
            pass  # the mutation itself could not be made (a file already damaged): import as is
        finally:
            # closed whatever happened: a connection left to the garbage collector kept its
            # write lock for a while, so the same example read "locked" or not by chance
            conn.close()
    library = SessionStore(tmp_path / f"lib-{next(_LIBRARIES)}.sqlite")
    started = time.perf_counter()
    try:
        import_session_file(victim, library.db)
    except ConsensusError as exc:
        assert str(exc) and "Traceback" not in str(exc)
    finally:
        library.close()
    assert time.perf_counter() - started < LIMIT_S
