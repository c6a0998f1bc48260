"""Command line: `consensus-desktop` (the app), `run`, `session …`."""
