"""What a screen's refresh costs: the SQL statements (sqlite3 trace callback) run when a session
of 8 candidates, 6 people and 2 rounds is opened at each step: none over 20."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from drive import ctrl_enter, settle

sys.path.insert(0, str(Path(__file__).parents[1] / "report"))
from sessions import OPINIONS, build

from consensus_desktop.store.session_store import SessionStore

PEOPLE = ["Ann", "Ben", "Cai", "Dee", "Eli", "Fay"]
EIGHT = [f"Statement {i}: we agree on the limits near schools, case {i}." for i in range(8)]


@pytest.mark.parametrize(
    "step", ["intro", "baseline", "opinions", "tradeoffs", "rating", "critique", "results"]
)
def test_a_screen_refresh_runs_at_most_20_statements(make_window, tmp_path, step) -> None:  # type: ignore[no-untyped-def]
    store = SessionStore(tmp_path / "library.sqlite")
    flow = build(
        store, "Cost", PEOPLE, [("Lower limits?", "We should.")], OPINIONS, EIGHT, critique=True
    )
    assert flow.rounds_done() == 2 and len(flow.round_candidates()) == 8
    store.set_step(flow.session_id, step)
    store.close()
    win = make_window()
    statements: list[str] = []
    win.ctx.store.db.conn.set_trace_callback(statements.append)
    settle()
    ctrl_enter(win)  # the start page opens the session at its step
    win.ctx.store.db.conn.set_trace_callback(None)
    assert win.current is win.screens[step]
    print(f"{step}: {len(statements)} statements")
    assert 0 < len(statements) <= 20, f"{len(statements)} statements:\n" + "\n".join(statements)
    win.close()
