"""Polis conversations as reward-model training data (CC BY 4.0, Computational Democracy Project).

A participant who wrote comments has an opinion (their comments, joined); every other comment they
voted on is a candidate statement; their vote (agree 1 / disagree -1) is the label. Passes, the
automatic self-votes of authors and moderated-out comments are left out.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ATTRIBUTION = (
    "Polis data from the Computational Democracy Project's openData (CC BY 4.0), "
    "https://github.com/compdemocracy/openData"
)
VALIDATION_PREFIX = "scoop-hivemind."


@dataclass
class Conversation:
    name: str
    topic: str
    comments: dict[int, str]  # comment id -> text
    authors: dict[int, int]  # comment id -> author id
    votes: dict[tuple[int, int], int] = field(default_factory=dict)  # (voter, comment) -> +-1
    passes: set[tuple[int, int]] = field(default_factory=set)  # (voter, comment): saw it, passed

    def opinions(self) -> dict[int, list[int]]:
        """participant -> ids of the comments they wrote (their opinion)."""
        out: dict[int, list[int]] = defaultdict(list)
        for cid, author in self.authors.items():
            out[author].append(cid)
        return dict(out)

    def pairs(self) -> list[tuple[int, int, int]]:
        """(participant, candidate comment, label 1 agree / 0 disagree) for participants with an
        opinion, excluding their own comments."""
        ops = self.opinions()
        return [
            (voter, cid, 1 if vote > 0 else 0)
            for (voter, cid), vote in sorted(self.votes.items())
            if voter in ops and self.authors.get(cid) != voter and cid in self.comments
        ]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_conversation(folder: Path) -> Conversation:
    summary: dict[str, str] = {}
    if (folder / "summary.csv").exists():  # key,value rows, no header
        with (folder / "summary.csv").open(newline="", encoding="utf-8") as fh:
            summary = {row[0]: row[1] for row in csv.reader(fh) if len(row) >= 2}
    comments: dict[int, str] = {}
    authors: dict[int, int] = {}
    for row in _read_csv(folder / "comments.csv"):
        if row.get("moderated") == "-1":
            continue
        cid = int(row["comment-id"])
        text = " ".join((row.get("comment-body") or "").split())
        if text:
            comments[cid] = text
            authors[cid] = int(row["author-id"])
    conv = Conversation(folder.name, summary.get("topic", folder.name), comments, authors)
    if (folder / "votes.csv").exists():
        latest: dict[tuple[int, int], tuple[int, int]] = {}
        for row in _read_csv(folder / "votes.csv"):
            key = (int(row["voter-id"]), int(row["comment-id"]))
            stamp = int(row["timestamp"])
            if key not in latest or stamp >= latest[key][0]:
                latest[key] = (stamp, int(row["vote"]))
        conv.votes = {k: v for k, (_, v) in latest.items() if v != 0}
        conv.passes = {k for k, (_, v) in latest.items() if v == 0}
    else:
        for row in _read_csv(folder / "participants-votes.csv"):
            voter = int(row["participant"])
            for column, value in row.items():
                if not column.isdigit() or value in ("", None):
                    continue
                if float(value) == 0:
                    conv.passes.add((voter, int(column)))
                else:
                    conv.votes[(voter, int(column))] = 1 if float(value) > 0 else -1
    return conv


def load_all(root: Path) -> list[Conversation]:
    return [load_conversation(p) for p in sorted(root.iterdir()) if (p / "comments.csv").exists()]


def split(conversations: list[Conversation]) -> tuple[list[Conversation], list[Conversation]]:
    """Train on everything but the scoop-hivemind conversations, validate on those (whole)."""
    val = [c for c in conversations if c.name.startswith(VALIDATION_PREFIX)]
    train = [c for c in conversations if not c.name.startswith(VALIDATION_PREFIX)]
    return train, val
