"""Reading table files for a plenary: what is read, and every refusal (no model needed)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from consensus_desktop.assembly.plenary import plenary_request, table_view
from consensus_desktop.assembly.tables import AssemblyError, read_tables
from consensus_desktop.session.values import Settings
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.store.transfer import export_session

QUESTION = "Should the town centre be car-free?"


def make_table(
    folder: Path,
    name: str,
    question: str = QUESTION,
    label: str = "",
    choose: bool = True,
    people: tuple[str, ...] = ("Ann", "Ben", "Cy"),
) -> Path:
    """A finished table's session file: opinions, a run, predictions, ratings, a choice."""
    store = SessionStore(folder / f"{name}-library.sqlite")
    settings = Settings(table_label=label, assembly="Town assembly" if label else "")
    sid = store.create_session(name, settings.to_json())
    qid = store.add_question(sid, question)
    pids = [store.add_participant(sid, p) for p in people]
    for i, pid in enumerate(pids):
        store.add_opinion(pid, qid, f"{people[i]} of {name} thinks cars should go.")
    run = store.add_generation_run(sid, qid, round=0, kind="initial")
    cids = store.add_candidates(
        run, [{"text": f"{name}: cars out, buses in."}, {"text": f"{name}: fewer cars."}]
    )
    predicted = [[min(7.0, 4.0 + 0.5 * j) for j in range(len(pids))], [3.0] * len(pids)]
    store.add_predictions(cids, pids, predicted, {"method": "test"})
    store.add_rating(cids[0], pids[0], 6)  # Ann: +2 over her prediction of 4
    if choose:
        store.add_selection(sid, qid, cids[0], "isoelastic", 0.0)
    target = folder / f"{name}.sqlite"
    export_session(store.db, sid, target)
    store.close()
    return target


def test_reads_statement_members_ratings_and_offsets(tmp_path: Path) -> None:
    a = make_table(tmp_path, "Table A", label="A")
    b = make_table(tmp_path, "Table B", label="B", people=("Di", "Ed"))
    ta, tb = read_tables([a, b])
    assert (ta.label, ta.assembly, ta.question) == ("A", "Town assembly", QUESTION)
    assert ta.statement == "Table A: cars out, buses in."
    assert [m.pseudonym for m in ta.members] == ["Ann", "Ben", "Cy"]
    assert [m.statement_rating for m in ta.members] == [6, None, None]
    # Ann rated once, 2 over her prediction: offset 2 x 1/2; the others rated nothing
    assert [m.offset for m in ta.members] == pytest.approx([1.0, 0.0, 0.0])
    assert tb.member_names() == ("B/Di", "B/Ed")
    req = plenary_request([ta, tb], n=6)
    assert req.opinions[0] == "(agreed by a table of 3) Table A: cars out, buses in."
    assert req.rated_by() == ("A/Ann", "A/Ben", "A/Cy", "B/Di", "B/Ed")
    assert req.raters[3] == "Di of Table B thinks cars should go."
    assert req.rater_offsets == pytest.approx((1.0, 0, 0, 1.0, 0))  # Di rated in table B


def test_label_defaults_to_the_session_name(tmp_path: Path) -> None:
    tables = read_tables([make_table(tmp_path, "T1"), make_table(tmp_path, "T2")])
    assert [t.label for t in tables] == ["T1", "T2"]


def test_table_view_means_mins_and_worst_off() -> None:
    agreement = np.array([[5.0, 6.0, 2.0, 7.0, 7.0], [4.0, 4.0, 4.0, 3.0, 5.0]])
    view = table_view(agreement, ["A", "B"], [3, 2])
    assert view.mean == pytest.approx(np.array([[13 / 3, 7.0], [4.0, 4.0]]))
    assert view.min == pytest.approx(np.array([[2.0, 7.0], [4.0, 3.0]]))
    assert list(view.worst_table) == [0, 0] and list(view.worst_person) == [2, 3]


def refusal(paths: list[Path]) -> str:
    with pytest.raises(AssemblyError) as err:
        read_tables(paths)
    message = str(err.value)
    assert "\n" not in message and message.endswith(".")
    return message


def test_refusals_name_the_file(tmp_path: Path) -> None:
    a = make_table(tmp_path, "T1")
    b = make_table(tmp_path, "T2")
    assert "at least two" in refusal([a])
    assert refusal([a, b, a]) == "T1.sqlite is given twice: give each table's file once."
    copy = tmp_path / "copy-of-T1.sqlite"
    shutil.copy(a, copy)
    assert refusal([a, copy]).startswith("copy-of-T1.sqlite is the same table as T1.sqlite")
    other_q = make_table(tmp_path, "T3", question="Should we plant more trees?")
    assert refusal([a, other_q]).startswith("T3.sqlite answers 'Should we plant more trees?'")
    same_label = make_table(tmp_path, "T4", label="T1")
    assert "T4.sqlite and T1.sqlite are both labelled 'T1'" in refusal([a, same_label])
    unfinished = make_table(tmp_path, "T5", choose=False)
    assert refusal([a, unfinished]).startswith("T5.sqlite has no chosen statement yet")


def test_newer_corrupt_and_foreign_files_are_refused_unchanged(tmp_path: Path) -> None:
    a = make_table(tmp_path, "T1")
    newer = make_table(tmp_path, "T2")
    with sqlite3.connect(newer) as conn:
        conn.execute("INSERT INTO _migrations VALUES (999, 'future', '')")
    conn.close()
    before = newer.read_bytes()
    assert refusal([a, newer]).startswith("T2.sqlite was written by a newer version")
    assert newer.read_bytes() == before
    corrupt = tmp_path / "T3.sqlite"
    corrupt.write_bytes(a.read_bytes()[:3000])
    assert refusal([a, corrupt]).startswith("T3.sqlite")
    text = tmp_path / "notes.sqlite"
    text.write_text("minutes of the meeting")
    assert "notes.sqlite is not a SQLite database" in refusal([a, text])
