"""The sessions the report must lay out cleanly (the tests and tests/report/look.py share them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sessions import LONG, NAMES_12, OPINIONS, RTL_CJK_NAMES, RTL_CJK_STATEMENTS, STATEMENTS, build

from consensus_desktop.report import ReportOptions
from consensus_desktop.store.session_store import SessionStore

SPEED = "Should we lower the speed limit on roads?"


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[SessionStore], int]  # returns the session id
    options: ReportOptions
    charts: int  # inline SVG charts expected in the HTML


def four(store: SessionStore) -> int:
    return build(
        store, "Table 4", NAMES_12[:4], [(SPEED, "We should lower the speed limit.")], OPINIONS
    ).session_id


def twelve(store: SessionStore) -> int:
    questions = [
        (SPEED, "We should lower the speed limit on roads."),
        (
            "Should the town centre be car-free on Saturdays?",
            "The centre should be car-free on Saturdays.",
        ),
    ]
    return build(store, "Table 12", NAMES_12, questions, OPINIONS, critique=True).session_id


def long_text(store: SessionStore) -> int:
    statements = [LONG, *STATEMENTS[1:4], LONG.replace("twenty", "fifteen")]
    question = SPEED[:-1] + ", and if so where, when, by how much, and who should decide? " * 3
    flow = build(
        store,
        "Long statements",
        NAMES_12[:5],
        [(question.strip(), LONG)],
        [LONG],
        statements,
        alpha=float("inf"),
    )
    return flow.session_id


def rtl_cjk(store: SessionStore) -> int:
    question = "هل يجب خفض حدود السرعة؟ 我们应该降低道路限速吗？"
    flow = build(
        store,
        "جلسة 会议",
        RTL_CJK_NAMES,
        [(question, RTL_CJK_STATEMENTS[0])],
        RTL_CJK_STATEMENTS,
        RTL_CJK_STATEMENTS,
    )
    return flow.session_id


def unrated(store: SessionStore) -> int:
    return build(store, "Not rated", NAMES_12[:3], [(SPEED, "")], OPINIONS, rate=False).session_id


CASES = [
    Case("four", four, ReportOptions(), 4),
    Case("twelve", twelve, ReportOptions(with_opinions=True), 2 * (2 + 2 * 2)),
    Case("long", long_text, ReportOptions(anonymise=True), 4),
    Case("rtl-cjk", rtl_cjk, ReportOptions(with_opinions=True), 4),
    Case("unrated", unrated, ReportOptions(), 3),
]
