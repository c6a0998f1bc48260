"""Entry point of the packaged app (PyInstaller runs this file)."""

import multiprocessing
import sys

from consensus_desktop.cli.main import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
