"""Exit codes and the error every command raises for a request it cannot carry out.

The commands import these at module level (standard library only beneath), and the
parser in :mod:`app.cli.main` imports the commands by name: nothing imports back.
"""

from __future__ import annotations

from models.errors import UserFacingError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class CommandError(UserFacingError):
    """A command that cannot do what was asked; the message is shown as one line."""
