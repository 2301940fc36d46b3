"""Named errors that carry their fix.

Every error a user can cause or meet derives from ``OtgError``. Each one knows how to say, in one
line, what is wrong and what to do about it; the CLI turns them into messages in one place and
never shows a traceback for them.
"""

from __future__ import annotations

import errno


class OtgError(Exception):
    """Something the user can fix. ``str()`` is the one-line message; ``fix`` says how."""

    exit_code = 1

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} — {self.fix}" if self.fix else self.message


class ConfigError(OtgError):
    """The configuration cannot be used. Holds every problem found, not just the first."""

    exit_code = 2

    def __init__(self, problems: list[str], path: str = "") -> None:
        self.problems = problems
        self.path = path
        where = f" in {path}" if path else ""
        if len(problems) == 1:
            super().__init__(f"config{where}: 1 problem: {problems[0]}")
        else:  # one line each, so that every problem can be read and fixed
            super().__init__(
                f"config{where}: {len(problems)} problems:\n"
                + "\n".join(f"  - {p}" for p in problems)
            )


class EnvFileError(ConfigError):
    """A `.env` file that cannot be read: one line naming the file, never quoting it (it holds
    the secrets)."""

    def __init__(self, path: str, message: str, fix: str) -> None:
        self.problems = [f"{message} — {fix}"]
        self.path = path
        OtgError.__init__(self, message, fix)


class UsageError(OtgError):
    """A command-line option or argument is wrong."""

    exit_code = 2


class StateError(OtgError):
    """The state database cannot be used (written by a newer version, corrupt, locked).

    A run that meets one mid-way stops there, whatever item it was on: what cannot be recorded
    must not be done, and everything done before was recorded as it succeeded (or is found again
    by the next run, as after a crash)."""

    exit_code = 2


class StateWriteError(StateError):
    """The state database stopped taking writes: a full disk, a read-only file or mount."""

    exit_code = 1


class SourceError(OtgError):
    """A board could not be read: a broken export, a missing board, a refused token."""


class UnknownList(SourceError):
    """The config maps a list name that the board does not have."""

    def __init__(self, name: str, board: str, known: list[str]) -> None:
        known_text = ", ".join(f'"{k}"' for k in known) or "none"
        super().__init__(
            f'board "{board}": the config maps list "{name}", but the board has no such list',
            f"use one of {known_text} under [boards.<name>.lists]",
        )


class ListCollision(SourceError):
    """Two entries of a board's list mapping fold to the same list name with different states,
    and neither is the list's exact name: which one is meant cannot be told. A config error."""

    exit_code = 2

    def __init__(self, list_name: str, entries: dict[str, str]) -> None:
        both = " and ".join(f'"{name}" = "{state}"' for name, state in entries.items())
        super().__init__(
            f'list "{list_name}" matches {both} in [boards.<name>.lists] once case, emoji and '
            "punctuation are set aside",
            f'add an entry with its exact name ("{list_name}" = ...), or remove one of them',
        )


class AuthError(SourceError):
    """Credentials were refused."""


class RemoteError(OtgError):
    """A remote service failed in a way a retry did not cure (5xx, timeouts, rate limits)."""


class NotSent(RemoteError):
    """A request that surely never reached the service: no connection could be made to it, or a
    stop ended the wait before it. A write that fails so made nothing and may be sent again."""


class Stopped(NotSent):
    """A signal asked the run to stop while it waited to send a request (a backoff, the rate
    limit, the run lock): the request was not sent."""


def file_fix(exc: OSError, setting: str) -> str:
    """The fix for a file that cannot be written, by what the system said: ``setting`` names the
    config key(s) that choose the place, e.g. "output_dir"."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"free some space on its disk, or set {setting} to somewhere with room"
    if exc.errno in (errno.EISDIR, errno.ENOTDIR, errno.EEXIST):
        return f"something else is in the way at that path: move it, or set {setting}"
    return f"make the folder writable by the user otg-sync runs as, or set {setting}"
