"""Secrets kept out of what we write: ``redact`` for one text, ``RedactingFilter`` for every
log record. Apart from sync/http.py (which uses both) so that the command line can set up its
logging without importing an HTTP stack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from sync.text import one_line


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


class RedactingFilter(logging.Filter):
    """Makes a log record fit to write: every known secret becomes ``***``, in the message and in
    the traceback of ``exc_info`` (which -vv logs), and the message is one line, so that a card
    name holding a line break cannot forge a line of the log."""

    def __init__(self, secrets: Callable[[], Iterable[str]]) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = list(self._secrets())
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format
            message = f"{record.msg} {record.args}"
        record.msg, record.args = one_line(redact(message, secrets)), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return True
