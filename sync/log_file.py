"""The `--log-file` handler: a rotated file (5 MiB, five kept) created readable by its owner only,
which says once, in one line, when it can no longer be written.

Apart from the CLI's plumbing (cli_support.py) because ``logging.handlers`` pulls in sockets,
pickle and threads: a command imports it only when a log file is asked for.
"""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from sync.private import create_private


class LogFile(RotatingFileHandler):
    """The --log-file: rotated at 5 MiB, five kept. If it cannot be written mid-run (a full
    disk), that is said once, in one line, and the run goes on without it; the logging module's
    default would print a traceback for every line."""

    def _open(self):  # type: ignore[no-untyped-def]
        create_private(Path(self.baseFilename))  # 0600, after each rotation too
        return super()._open()

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        reason = getattr(error, "strerror", None) or type(error).__name__
        self.setLevel(logging.CRITICAL + 1)  # nothing more is sent here
        sys.stderr.write(
            f"warning: cannot write the log file {self.baseFilename}: {reason}; "
            "this run logs no more to it\n"
        )


def open_log_file(path: str) -> LogFile:
    return LogFile(path, maxBytes=5 * 2**20, backupCount=5)
