"""Write SHA256SUMS beside the installers (the format `sha256sum -c SHA256SUMS` checks).

python build_scripts/installers/checksums.py DIR
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from common import BuildError, main_guard, write_sha256sums


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the folder of consensus-desktop-* installers")
    args = parser.parse_args()
    if not args.folder.is_dir():
        raise BuildError(f"{args.folder} is not a folder.")
    sums = write_sha256sums(args.folder)
    print(sums.read_text(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main_guard(main))
