"""Account Radar entry point: the window by default, the command line when given a command."""

from __future__ import annotations

import multiprocessing
import sys


def main() -> int:
    from app.cli.main import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    multiprocessing.freeze_support()  # the frozen build may fork worker processes (joblib)
    sys.exit(main())
