import sys

from consensus_desktop.cli.main import main

sys.exit(main())
