"""A small rated session built with the real store (shared by the fine-tuning tests)."""

from __future__ import annotations

from consensus_desktop.store.session_store import SessionStore


def rated_session(
    store: SessionStore, name: str, alpha: float | str, rehearsal: bool = False
) -> int:
    """Three people, one question, rated statements; returns the session id."""
    sid = store.create_session(name, {"alpha": alpha, "rehearsal": rehearsal})
    qid = store.add_question(sid, "Should we plant trees on the high street?")
    pids = [store.add_participant(sid, n) for n in ("Ann", "Ben", "Cai")]
    opinions = ("Yes, for shade in summer.", "No, the cost is too high.", "Only native trees.")
    for pid, text in zip(pids, opinions, strict=True):
        store.add_opinion(pid, qid, text)
    run = store.add_generation_run(sid, qid, round=0, kind="initial")
    texts = [
        "Plant native trees where shade is most needed.",  # mean 6.33, min 5
        "Plant a few native trees, within the budget.",  # mean 6, min 6
        "Plant no trees at all.",  # mean 2
    ]
    cids = store.add_candidates(run, [{"text": t} for t in texts])
    for pid, row in zip(pids, ((7, 6, 2), (5, 6, 1), (7, 6, 3)), strict=True):
        for cid, rating in zip(cids, row, strict=True):
            store.add_rating(cid, pid, rating)
    for pid, critique in zip(pids, ("Say who pays.", "", "Mention water."), strict=True):
        if critique:
            store.add_critique(pid, cids[0], critique)
    revision = store.add_generation_run(sid, qid, round=1, kind="revision")
    better, worse = store.add_candidates(
        revision,
        [
            {"text": "Plant native trees where shade is needed, paid from the parks budget."},
            {"text": "Plant trees."},
        ],
    )
    for pid, (a, b) in zip(pids, ((7, 3), (6, 2), (7, 3)), strict=True):
        store.add_rating(better, pid, a)
        store.add_rating(worse, pid, b)
    # a second question the room did not endorse: nothing reaches the threshold
    q2 = store.add_question(sid, "Should the market move?")
    for pid in pids:
        store.add_opinion(pid, q2, "I am not sure about it.")
    run2 = store.add_generation_run(sid, q2, round=0, kind="initial")
    [low] = store.add_candidates(run2, [{"text": "The market should move to the square."}])
    for pid, rating in zip(pids, (3, 5, 4), strict=True):
        store.add_rating(low, pid, rating)
    return sid
