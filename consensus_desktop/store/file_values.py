"""Every value of a session file from elsewhere, checked before the app uses it.

:mod:`consensus_desktop.store.foreign` makes sure a file has our schema; this module makes sure
its rows hold what our code wrote: each column's storage type as declared (SQLite stores whatever
it is given: a byte string in an INTEGER column, a word in a rating), JSON columns that parse to
the shape the app reads, ratings on the 1–7 scale, rankings that are rankings, and names and
labels free of control and bidi-override characters. :func:`first_problem` names the first
offending value by table, row and column, so the refusal is one sentence a user can act on.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import sqlite_utils

from consensus_desktop.labels import label_problem

# declared column type -> the Python types SQLite may hand back for it
_STORAGE: dict[str, tuple[type, ...]] = {
    "INTEGER": (int,),
    "TEXT": (str,),
    "FLOAT": (int, float),
    "REAL": (int, float),
}
LIKERT = range(1, 8)
_LIKERT_COLUMNS = {
    ("baseline_ratings", "rating"),
    ("ratings", "agreement"),
    ("ratings", "quality"),
}
_LABEL_COLUMNS = {("sessions", "name"), ("participants", "pseudonym")}
# never in any text the app stores (store_text removes them; a file holding them is refused):
# NUL, and the bidi embeddings, overrides and isolates that make text read other than it is
FORBIDDEN_IN_TEXT = frozenset("\x00\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_FORBIDDEN = re.compile("[" + "".join(sorted(FORBIDDEN_IN_TEXT)) + "]")
_RANGES: dict[tuple[str, str], tuple[float, float, str]] = {
    ("predictions", "agreement"): (1.0, 7.0, "a predicted agreement on the 1–7 scale"),
    ("baseline_ratings", "seconds_taken"): (0.0, 1e7, "a number of seconds"),
    ("ratings", "seconds_taken"): (0.0, 1e7, "a number of seconds"),
}
_INFINITE_ALLOWED = {("selections", "alpha"), ("generation_runs", "alpha")}  # α = ∞: Rawlsian

Check = Callable[[Any], str | None]  # a parsed JSON value -> what is wrong with it, or None


def store_text(text: str) -> str:
    """``text`` as the app stores it: without the characters no file of ours may hold."""
    return _FORBIDDEN.sub("", text)


def _object(value: Any) -> str | None:
    return None if isinstance(value, dict) else "is not a JSON object"


def _list_of(kind: type, nullable: bool = False) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, list):
            return "is not a JSON list"
        if any(
            not (v is None and nullable) and (not isinstance(v, kind) or isinstance(v, bool))
            for v in value
        ):
            return f"holds something other than {kind.__name__} values"
        return None

    return check


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ranking(value: Any) -> str | None:
    """candidate id (as text) -> rank: all 0 (no ranking) or a permutation of 1..n."""
    if not isinstance(value, dict):
        return "is not a JSON object"
    if not all(k.isdigit() and _int(v) for k, v in value.items()):
        return "is not a map of statement ids to ranks"
    ranks = sorted(value.values())
    if any(ranks) and ranks != list(range(1, len(ranks) + 1)):
        return "is not a ranking (each rank from 1 to the number of statements, once)"
    return None


def _positions(value: Any) -> str | None:
    """The order the opinions were shown in: participant positions, 0 first."""
    problem = _list_of(int)(value)
    if problem is None and any(i < 0 for i in value):
        return "holds a negative position"
    return problem


# The session settings the app reads (facilitation.Settings; a test keeps the two in step) and
# what each must hold. Keys the app does not know are kept and ignored.
def _alpha(value: Any) -> bool:
    if value == "inf":
        return True
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < math.inf


def _count(value: Any) -> bool:
    return _int(value) and value >= 0


def _clean_text(value: Any) -> bool:
    return isinstance(value, str) and label_problem(value) is None


SETTINGS_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "n_candidates": (_count, "a whole number"),
    "alpha": (_alpha, 'a number from 0 or "inf"'),
    "shortlist_k": (_count, "a whole number"),
    "critique_round": (lambda v: isinstance(v, bool), "true or false"),
    "max_tokens": (_count, "a whole number"),
    "seed": (_int, "a whole number"),
    "question_index": (_count, "a whole number"),
    "absent": (lambda v: _list_of(int)(v) is None, "a list of participant ids"),
    "intro": (lambda v: isinstance(v, str), "text"),
    "rehearsal": (lambda v: isinstance(v, bool), "true or false"),
    "assembly": (_clean_text, "a label without control characters"),
    "table_label": (_clean_text, "a label without control characters"),
}


def _settings(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "is not a JSON object"
    for key, (ok, what) in SETTINGS_RULES.items():
        if key in value and not ok(value[key]):
            return f"has {key} {_shown(value[key])}, which should be {what}"
    return None


_JSON_COLUMNS: dict[tuple[str, str], Check] = {
    ("sessions", "settings"): _settings,
    ("generation_runs", "sampling"): _object,
    ("generation_runs", "seeds"): _list_of(int, nullable=True),
    ("generation_runs", "shortened"): _list_of(str),
    ("candidates", "opinion_order"): _positions,
    ("rankings", "ranking"): _ranking,
    ("events", "payload"): _object,
}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _value_problem(table: str, column: str, declared: str, value: Any) -> str | None:
    if value is None:
        return None  # NOT NULL is the schema's to enforce
    if isinstance(value, bytes):
        return "holds binary data where the app writes " + (
            "text" if declared == "TEXT" else "a number"
        )
    kinds = _STORAGE.get(declared.upper())
    if kinds is not None and not isinstance(value, kinds):
        return f"holds {_shown(value)}, which is not {'text' if declared == 'TEXT' else 'a number'}"
    if (
        isinstance(value, float)
        and not math.isfinite(value)
        and not (value == math.inf and (table, column) in _INFINITE_ALLOWED)
    ):
        return f"holds {value}, which is not a finite number"
    if (table, column) in _LIKERT_COLUMNS and value not in LIKERT:
        return f"holds the rating {_shown(value)}, outside the 1–7 scale"
    if (table, column) in _LABEL_COLUMNS:
        problem = label_problem(value)
        if problem:
            return f"holds {problem}"
    if isinstance(value, str) and (found := _FORBIDDEN.search(value)):
        return f"holds the character U+{ord(found.group(0)):04X}, which hides or reorders text"
    if (table, column) in _LABEL_COLUMNS and not value.strip():
        return "is empty"
    if (table, column) in _RANGES:
        low, high, what = _RANGES[(table, column)]
        if not low <= value <= high:
            return f"holds {_shown(value)}, which is not {what}"
    check = _JSON_COLUMNS.get((table, column))
    if check is not None:
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            return "is not valid JSON"
        problem = check(parsed)
        if problem:
            return problem
    return None


def _rows(db: sqlite_utils.Database, table: str) -> Iterator[tuple[list[str], tuple[Any, ...]]]:
    cursor = db.conn.execute(f"SELECT * FROM [{table}] ORDER BY rowid")
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield names, row


def first_problem(db: sqlite_utils.Database, tables: list[str]) -> str | None:
    """The first value in ``tables`` of ``db`` the app did not write: "table T, row N: column C
    …", or None when every value is one the app could have written."""
    for table in tables:
        declared = {r[1]: str(r[2]) for r in db.conn.execute(f"PRAGMA table_info([{table}])")}
        for names, row in _rows(db, table):
            values = dict(zip(names, row, strict=True))
            for column, value in values.items():
                problem = _value_problem(table, column, declared.get(column, ""), value)
                if problem:
                    return f"table {table!r}, row {values.get('id', '?')}: {column} {problem}"
    if "participants" in tables:  # a person is known by their uuid across files
        twice = db.conn.execute(
            "SELECT uuid, min(id), max(id) FROM participants GROUP BY uuid HAVING count(*) > 1"
        ).fetchone()
        if twice:
            return f"table 'participants', rows {twice[1]} and {twice[2]}: the same uuid twice"
    return None
