"""Helper for test_crash_safety: records big runs forever (`run --session`'s recording), printing
each once it is saved."""

import sys
from pathlib import Path

from run_results import synthetic_result

from consensus_desktop.session.recording import record_run

result = synthetic_result(int(sys.argv[2]), ("Ann", "Ben", "Cy", "Dee", "Eve", "Fay"))
print("ready", flush=True)
i = 0
while True:
    record_run("crash", result, Path(sys.argv[1]))
    i += 1
    print(f"recorded {i}", flush=True)
