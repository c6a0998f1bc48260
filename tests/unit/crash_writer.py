"""Helper for test_crash_safety: writes entries forever, printing each id once it is saved."""

import sys
from pathlib import Path

from consensus_desktop.store.session_store import SessionStore

store = SessionStore(Path(sys.argv[1]))
sid = store.create_session(f"crash {sys.argv[2]}")
qid = store.add_question(sid, "Q?")
pid = store.add_participant(sid, "P")
print(f"session {sid}", flush=True)
i = 0
while True:
    oid = store.add_opinion(pid, qid, f"opinion {i} " + "x" * (i % 50))
    print(f"opinion {oid}", flush=True)
    rid = store.add_baseline_rating(pid, qid, 1 + i % 7)
    print(f"baseline {rid}", flush=True)
    i += 1
