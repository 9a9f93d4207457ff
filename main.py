"""Account Radar entry point: the window by default, the command line when given a command."""

from __future__ import annotations

import sys


def main() -> int:
    from app.cli.main import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    if getattr(sys, "frozen", False):
        # The frozen build may fork worker processes (joblib); freeze_support does nothing
        # elsewhere, so a command from a checkout does not pay for importing multiprocessing.
        import multiprocessing

        multiprocessing.freeze_support()
    code = main()
    from app.cli.imports import end_process

    end_process(code)  # after an import: no interpreter teardown (returns otherwise)
    sys.exit(code)
