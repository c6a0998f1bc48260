"""Helper for test_crash_safety: anonymises one session to the same file forever."""

import sys
from pathlib import Path

from consensus_desktop.store.exports import anonymise_session
from consensus_desktop.store.session_store import SessionStore

store = SessionStore(Path(sys.argv[1]))
sid = store.find_session("Named")
print("ready", flush=True)
while True:
    anonymise_session(store.db, sid, Path(sys.argv[2]), keep_text=True, force=True)
    print("written", flush=True)
