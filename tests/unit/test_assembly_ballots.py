"""The plenary recorded, ballots out to the tables, rated there, back in; results (no model)."""

from __future__ import annotations

import csv
import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest
from run_results import synthetic_result
from test_assembly_tables import make_table

from consensus_desktop.assembly.ballots import export_ballots, import_ballots, results
from consensus_desktop.assembly.plenary import plenary_request
from consensus_desktop.assembly.record import record_plenary
from consensus_desktop.assembly.tables import AssemblyError, Table, read_tables
from consensus_desktop.pipeline import RunResult
from consensus_desktop.session.facilitation import Facilitation
from consensus_desktop.store.exports import anonymise_session, polis_csv
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.store.transfer import export_session, import_session_file


def plenary_result(tables: list[Table], n: int = 5, seed: int = 0) -> RunResult:
    request = plenary_request(tables, n=n)
    made = synthetic_result(n, request.rated_by(), seed)
    return dataclasses.replace(made, request=request)


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in names}
    finally:
        conn.close()


@pytest.fixture()
def tables(tmp_path: Path) -> list[Table]:
    a = make_table(tmp_path, "Table A", label="A")
    b = make_table(tmp_path, "Table B", label="B", people=("Di", "Ed"))
    return read_tables([a, b])


def rate_on_table_laptop(ballot: Path, home: Path, agreement: int) -> Path:
    """What a table's laptop does: import the ballot, the normal rating flow, export."""
    store = SessionStore(home / "library.sqlite")
    [imported] = import_session_file(ballot, store.db)
    flow = Facilitation(store, imported.session_id)
    assert flow.step == "rating"
    for person in flow.participants:
        items = flow.shortlist_for(person["id"])
        for c in items:
            flow.record_rating(person["id"], c.id, agreement, None, 2.0)
        flow.record_ranking(person["id"], {c.id: rank for rank, c in enumerate(items, 1)})
    out = home / f"rated-{ballot.name}"
    export_session(store.db, imported.session_id, out)
    store.close()
    return out


def test_plenary_recorded_whole_ballots_round_trip_and_results(
    tables: list[Table], tmp_path: Path
) -> None:
    library = tmp_path / "plenary-laptop" / "library.sqlite"
    library.parent.mkdir()
    store = SessionStore(library)
    record_plenary(store, "Plenary", tables, plenary_result(tables))
    sessions = {s.name: s.id for s in store.sessions()}
    assert set(sessions) == {"Table A", "Table B", "Plenary"}
    sid = sessions["Plenary"]
    flow = Facilitation(store, sid)
    assert [p["pseudonym"] for p in flow.participants] == ["A/Ann", "A/Ben", "A/Cy", "B/Di", "B/Ed"]
    assert flow.opinions()[flow.participants[3]["id"]] == "Di of Table B thinks cars should go."

    folder = tmp_path / "ballots"
    folder.mkdir()
    files = export_ballots(store, sid, folder, k=3)
    assert [f.name for f in files] == ["ballot-A.sqlite", "ballot-B.sqlite"]
    with pytest.raises(Exception, match="exists"):
        export_ballots(store, sid, folder, k=3)  # never overwritten without asking
    ballot_b = sqlite3.connect(files[1])
    assert [r[0] for r in ballot_b.execute("SELECT pseudonym FROM participants")] == ["Di", "Ed"]
    assert ballot_b.execute("SELECT count(*) FROM opinions").fetchone()[0] == 0
    shortlist = [r[0] for r in ballot_b.execute("SELECT text FROM candidates")]
    assert len(shortlist) == 3
    ballot_b.close()
    rated_a = rate_on_table_laptop(files[0], tmp_path / "laptop-a", 6)
    rated_b = rate_on_table_laptop(files[1], tmp_path / "laptop-b", 2)

    # a ballot of another plenary is refused, and nothing of the same call is kept
    record_plenary(store, "Plenary 2", tables, plenary_result(tables, seed=1))
    other = export_ballots(store, store.find_session("Plenary 2"), tmp_path, k=3)[0]
    before = store.db.execute("SELECT count(*) FROM ratings").fetchone()[0]
    with pytest.raises(AssemblyError) as err:
        import_ballots(store, sid, [rated_a, other])
    assert str(err.value) == (
        "ballot-A.sqlite is a ballot of 'Plenary 2', not of this plenary ('Plenary')."
    )
    assert store.db.execute("SELECT count(*) FROM ratings").fetchone()[0] == before
    with pytest.raises(AssemblyError, match="not a plenary ballot file"):
        import_ballots(store, sid, [tables[0].path])

    added = import_ballots(store, sid, [rated_a, rated_b])
    assert [(r.table, r.ratings_added, r.rankings_added) for r in added] == [
        ("A", 9, 3),
        ("B", 6, 2),
    ]
    again = import_ballots(store, sid, [rated_b, rated_a])  # idempotent
    assert [(r.ratings_added, r.rankings_added) for r in again] == [(0, 0), (0, 0)]

    res = results(store, sid)
    assert res.schulze is not None and res.winner in res.candidates
    a, b = res.tables
    assert (a.label, a.size, a.ratings[6], a.mean) == ("A", 3, 3, 6.0)
    assert (b.label, b.ratings[2], b.mean) == ("B", 2, 2.0)
    assert a.before.n_agree == 1 and a.before.gia == 1.0  # Ann rated her table's statement 6
    assert a.after.gia == 1.0 and b.after.n_disagree == 2
    assert res.overall.size == 5 and res.overall.after.n_agree == 3
    assert res.overall.after.gia == pytest.approx(abs(1 - 2 * 3 / 5))

    # the plenary session converts and anonymises like any session
    comments, votes = polis_csv(store.db, sid, tmp_path / "csv")
    with votes.open(newline="", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 15
    written = comments.read_text(encoding="utf-8")
    assert all(text in written for text in shortlist)  # one comment per rated plenary candidate
    anon = anonymise_session(store.db, sid, tmp_path / "anon.sqlite")
    assert b"A/Ann" not in anon.read_bytes()
    store.close()


def test_no_result_before_any_ballot(tables: list[Table], tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "library.sqlite")
    record_plenary(store, "Plenary", tables, plenary_result(tables))
    with pytest.raises(AssemblyError) as err:
        results(store, store.find_session("Plenary"))
    assert str(err.value).startswith("No rated ballot of plenary 'Plenary' has been imported yet")
    store.close()


def test_a_plain_run_never_adds_people_to_a_plenary(tables: list[Table], tmp_path: Path) -> None:
    from consensus_desktop.session.recording import record_or_recover

    library = tmp_path / "library.sqlite"
    store = SessionStore(library)
    record_plenary(store, "Plenary", tables, plenary_result(tables))
    store.close()
    before = counts(library)
    message = record_or_recover("Plenary", synthetic_result(2, ("Zed", "Yan")), library)
    assert message is not None and "is an assembly's plenary" in message and "kept in" in message
    assert counts(library) == before


def test_recording_a_plenary_is_all_or_nothing(tables: list[Table], tmp_path: Path) -> None:
    library = tmp_path / "library.sqlite"
    store = SessionStore(library)
    record_plenary(store, "First", tables, plenary_result(tables))
    before = counts(library)
    with pytest.raises(AssemblyError, match="already exists"):
        record_plenary(store, "First", tables, plenary_result(tables))
    tables[1].path.write_bytes(b"not a database any more")
    with pytest.raises(Exception, match=r"Table B\.sqlite"):
        record_plenary(store, "Second", tables, plenary_result(tables))
    assert counts(library) == before
    store.close()


def test_ballots_cli(
    tables: list[Table],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from consensus_desktop.cli.main import main

    monkeypatch.setenv("CONSENSUS_DESKTOP_HOME", str(tmp_path / "home"))
    store = SessionStore()
    record_plenary(store, "Plenary", tables, plenary_result(tables))
    store.close()
    assert main(["ballots", "export", "Plenary", str(tmp_path / "out"), "--k", "2"]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(f"The folder {tmp_path / 'out'} does not exist; create it first.")
    )
    assert not (tmp_path / "out").exists()  # never made by surprise
    (tmp_path / "out").mkdir()
    assert main(["ballots", "export", "Plenary", str(tmp_path / "out"), "--k", "2"]) == 0
    files = capsys.readouterr().out.split()
    assert [Path(f).name for f in files] == ["ballot-A.sqlite", "ballot-B.sqlite"]
    assert main(["ballots", "export", "Plenary", str(tmp_path / "out")]) == 2
    assert "already exists" in capsys.readouterr().err
    rated = rate_on_table_laptop(Path(files[0]), tmp_path / "laptop", 5)
    assert main(["ballots", "import", "Plenary", str(rated), str(tables[0].path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "consensus-desktop: error: Table A.sqlite is not a plenary ballot file."
    assert main(["ballots", "import", "Plenary", str(rated)]) == 0
    assert "table A, 6 ratings and 3 rankings added" in capsys.readouterr().out
    assert main(["ballots", "results", "Plenary", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["tables"][0]["ratings"]["5"] == 3 and out["tables"][1]["mean"] is None
    assert out["overall"]["gia_after"] == 1.0 and out["winner"] in out["schulze"][0]
