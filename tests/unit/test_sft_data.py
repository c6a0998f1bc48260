"""`sft data`: the fine-tuning set from real endorsement (real Polis data, session files made with
the store)."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sample_inputs import POLIS
from session_samples import rated_session

from consensus_desktop.errors import InputError
from consensus_desktop.prompts import JURY_FOOTER, REVISION_FOOTER, TEMPLATES
from consensus_desktop.reward.polis_data import load_conversation
from consensus_desktop.run_request import DEFAULT_TEMPLATE
from consensus_desktop.sft.data import build_data_set, write_data_set
from consensus_desktop.sft.opinion_groups import group_consensus, opinion_groups
from consensus_desktop.sft.polis_examples import (
    CONSENSUS_THRESHOLD,
    MAX_OPINIONS,
    MIN_OPINIONS,
    is_statement,
    polis_examples,
)
from consensus_desktop.store.session_store import SessionStore
from consensus_desktop.store.transfer import export_session

TRAIN = "bg2050-volunteers"  # the smallest training conversation (107 voters)
VALIDATION = "scoop-hivemind.ubi"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "consensus_desktop", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def polis(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("polis")
    for name in (TRAIN, VALIDATION):
        shutil.copytree(POLIS / name, root / name)
    return root


def test_group_consensus_is_the_product_of_smoothed_group_agreement() -> None:
    # two groups; comment 0: group 0 agrees 2 of 2, group 1 agrees 1 of 3 (one pass, one unseen)
    m = np.array([[1, 1], [1, -1], [1, 0], [-1, np.nan], [0, 1]], dtype=float)
    labels = np.array([0, 0, 1, 1, 1])
    got = group_consensus(m, labels)
    assert got[0] == pytest.approx((2 + 1) / (2 + 2) * (1 + 1) / (3 + 2))
    assert got[1] == pytest.approx((1 + 1) / (2 + 2) * (1 + 1) / (2 + 2))


def test_groups_on_a_real_conversation_match_polis() -> None:
    conv = load_conversation(POLIS / TRAIN)
    groups = opinion_groups(conv, seed=0)
    with (POLIS / TRAIN / "summary.csv").open(newline="", encoding="utf-8") as fh:
        summary = {row[0]: row[1] for row in csv.reader(fh) if len(row) >= 2}
    assert groups.k == int(summary["groups"])  # Polis found the same number of groups
    assert groups.silhouette > 0.3
    assert len(groups.participants) > 90  # voters with >= 7 votes
    assert opinion_groups(conv, seed=0).labels.tolist() == groups.labels.tolist()  # seeded
    assert conv.topic == "Together, we'll build the BG of 2050."  # summary.csv has no header


def test_polis_examples_are_high_consensus_comments_with_other_peoples_opinions() -> None:
    conv = load_conversation(POLIS / TRAIN)
    consensus = opinion_groups(conv).consensus_of()
    template = TEMPLATES[DEFAULT_TEMPLATE]
    examples = list(polis_examples([conv], template))
    assert len(examples) > 50
    for ex in examples:
        cid = int(ex.origin.split("#")[1])
        assert ex.origin.startswith(f"{TRAIN}#")
        assert ex.score == consensus[cid] >= CONSENSUS_THRESHOLD**2
        assert ex.statement == conv.comments[cid]
        assert ex.prompt.endswith(JURY_FOOTER) and ex.template == DEFAULT_TEMPLATE
        question = ex.prompt.split("Question: ")[-1]
        assert question.startswith(conv.topic + "\n\n")
        opinions = [line[len("Opinion: ") :] for line in question.split("\n\n")[1:-1]]
        assert MIN_OPINIONS <= len(opinions) <= MAX_OPINIONS
        authors = {a for c, a in conv.authors.items() if conv.comments[c] in opinions}
        assert conv.authors[cid] not in authors  # other participants' words only
        assert len(authors) >= len(opinions)
        assert ex.completion == f" {ex.statement}\n\n"
        assert is_statement(ex.statement)
    # high-consensus comments that are not whole sentences are never targets
    fragments = [
        c
        for c, v in consensus.items()
        if v >= CONSENSUS_THRESHOLD**2 and not is_statement(conv.comments[c])
    ]
    assert fragments and not {f"{TRAIN}#{c}" for c in fragments} & {e.origin for e in examples}
    # the same plan the app builds from that question and those opinions
    ex = examples[0]
    question = ex.prompt.split("Question: ")[-1]
    opinions = [line[len("Opinion: ") :] for line in question.split("\n\n")[1:-1]]
    assert template.plan(conv.topic, opinions).full_prompt(0) == ex.prompt


def test_validation_conversations_are_never_read(polis: Path, tmp_path: Path) -> None:
    data = build_data_set(polis)
    assert data.conversations == (TRAIN,)
    assert all(not e.origin.startswith("scoop-hivemind") for e in data.examples)
    only_validation = tmp_path / "val"
    shutil.copytree(polis / VALIDATION, only_validation / VALIDATION)
    with pytest.raises(InputError, match="no Polis training conversation"):
        build_data_set(only_validation)


@pytest.fixture(scope="module")
def session_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("sessions")
    store = SessionStore(folder / "library.sqlite")
    files = []
    for name, alpha, rehearsal in (("mean", 0.0, False), ("rawls", "inf", False), ("try", 0, True)):
        sid = rated_session(store, name, alpha, rehearsal)
        files.append(export_session(store.db, sid, folder / f"{name}.sqlite"))
    store.close()
    return files


def test_sessions_give_the_best_rated_statement_by_the_sessions_welfare(
    polis: Path, session_files: list[Path]
) -> None:
    mean, rawls, rehearsal = session_files
    by_file = {
        f.name: [e for e in build_data_set(polis, [f]).examples if e.source != "polis"]
        for f in session_files
    }
    assert by_file[rehearsal.name] == []  # example opinions are never training data
    # mean: the revision (6.67) is best; Rawlsian: the worst-off gave 6 to the second statement
    # and to the revision, and the earlier one is kept on a tie
    best = {mean.name: "paid from the parks budget.", rawls.name: "within the budget."}
    for path in (mean, rawls):
        session, revision = by_file[path.name]
        assert session.source == "session" and session.statement.endswith(best[path.name])
        assert session.prompt.endswith(JURY_FOOTER)
        assert "Opinion: Only native trees." in session.prompt
        assert "Question: Should we plant trees on the high street?" in session.prompt
        assert revision.source == "revision" and revision.prompt.endswith(REVISION_FOOTER)
        assert "Previous consensus statement: Plant native trees where shade" in revision.prompt
        assert "Critique: Say who pays." in revision.prompt
        assert "Critique: (no critique)" in revision.prompt
        assert revision.statement.endswith("paid from the parks budget.")
    assert by_file[mean.name][0].score == pytest.approx(20 / 3)
    assert by_file[rawls.name][0].score == pytest.approx(6.0)  # the worst-off rated it 6


def test_sessions_alone_make_a_set_as_learning_from_past_sessions_does(
    session_files: list[Path], tmp_path: Path
) -> None:
    mean, rawls, _rehearsal = session_files
    data = build_data_set(None, [mean, rawls])
    assert data.counts() == {"polis": 0, "session": 2, "revision": 2} and data.conversations == ()
    with pytest.raises(InputError, match="Polis conversations or at least one session file"):
        build_data_set(None, [])
    proc = cli("sft", "data", "--out", str(tmp_path / "none.jsonl"))
    assert proc.returncode == 2 and "at least one session file" in proc.stderr
    assert not (tmp_path / "none.jsonl").exists()


def test_the_welfare_choice_decides_between_statements(tmp_path: Path) -> None:
    from consensus_desktop.sft.session_examples import session_examples

    store = SessionStore(tmp_path / "lib.sqlite")
    files = []
    for alpha in (0.0, "inf"):
        sid = store.create_session(f"a{alpha}", {"alpha": alpha})
        qid = store.add_question(sid, "Should we plant trees?")
        pids = [store.add_participant(sid, n) for n in ("A", "B", "C")]
        for pid in pids:
            store.add_opinion(pid, qid, "Trees are good for shade.")
        run = store.add_generation_run(sid, qid, round=0, kind="initial")
        high_mean, fair = store.add_candidates(run, [{"text": "Mean best."}, {"text": "Fair."}])
        for pid, (a, b) in zip(pids, ((7, 6), (7, 6), (5, 6)), strict=True):
            store.add_rating(high_mean, pid, a)
            store.add_rating(fair, pid, b)
        files.append(export_session(store.db, sid, tmp_path / f"{len(files)}.sqlite"))
    store.close()
    template = TEMPLATES[DEFAULT_TEMPLATE]
    [utilitarian] = session_examples(files[:1], template)
    [rawlsian] = session_examples(files[1:], template)
    assert (utilitarian.statement, rawlsian.statement) == ("Mean best.", "Fair.")


def test_cli_writes_the_set_with_counts_and_refuses_bad_input(
    polis: Path, session_files: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "sft.jsonl"
    proc = cli("sft", "data", "--polis", str(polis), "--sessions", *map(str, session_files),
               "--out", str(out))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    counts = {s: sum(r["source"] == s for r in rows) for s in ("polis", "session", "revision")}
    assert counts["session"] == 2 and counts["revision"] == 2 and counts["polis"] > 50
    assert (
        f"{len(rows)} examples: {counts['polis']} from 1 Polis training conversations, "
        "2 best-rated session statements and 2 better-rated revisions from 3 session file(s)"
    ) in proc.stderr
    assert set(rows[0]) == {"source", "template", "prompt", "completion", "origin", "score"}
    before = out.read_bytes()

    def refused(*args: str) -> str:
        proc = cli("sft", "data", *args)
        assert proc.returncode == 2, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
        return proc.stderr

    assert "already exists" in refused("--polis", str(polis), "--out", str(out))
    assert out.read_bytes() == before
    assert "no such folder" in refused("--polis", str(tmp_path / "nope"), "--out", str(out) + "2")
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all" * 10)
    assert "garbage.sqlite" in refused(
        "--polis", str(polis), "--sessions", str(garbage), "--out", str(tmp_path / "g.jsonl")
    )
    missing = tmp_path / "missing.sqlite"
    assert "no such session file" in refused(
        "--polis", str(polis), "--sessions", str(missing), "--out", str(tmp_path / "m.jsonl")
    )
    # a training conversation nobody voted in: nothing to learn, nothing written
    empty = tmp_path / "empty"
    (empty / "quiet").mkdir(parents=True)
    shutil.copy(polis / TRAIN / "comments.csv", empty / "quiet" / "comments.csv")
    (empty / "quiet" / "votes.csv").write_text("timestamp,datetime,comment-id,voter-id,vote\n")
    assert "No training examples" in refused(
        "--polis", str(empty), "--out", str(tmp_path / "e.jsonl")
    )
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        "garbage.sqlite",
        "sft.jsonl",
    ]


def test_write_refuses_an_empty_set(tmp_path: Path) -> None:
    from consensus_desktop.sft.data import DataSet

    with pytest.raises(InputError, match="No training examples"):
        write_data_set(DataSet((), ("x",)), tmp_path / "out.jsonl")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Free childcare should be universal, with quality guaranteed.", True),
        ("More choices when it comes to internet. BGMU should expand to residents!", True),
        ("more bike lanes downtown and near the schools", False),  # no sentence end
        ("Parks are good.", False),  # shorter than the minimum
        ("We need parks. And also", False),  # the cleaning would cut the half sentence
        ("Is this the right question to ask here?", True),
    ],
)
def test_a_target_is_a_statement_the_app_would_accept(text: str, expected: bool) -> None:
    assert is_statement(text) is expected
