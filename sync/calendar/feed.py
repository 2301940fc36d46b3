"""The iCalendar feed target: one `.ics` file, written atomically and only when it changes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sync.errors import OtgError, file_fix


class FeedError(OtgError):
    """The feed file cannot be written."""


def write_if_changed(path: Path, content: bytes, *, dry_run: bool = False) -> bool:
    """Write ``content`` to ``path`` unless it already holds exactly that. True if written
    (or, in a dry run, if it would be). Missing folders are created. A reader never sees a
    half-written file: the content goes to a temporary file in the same folder, which then
    replaces the feed in one rename."""
    try:
        if path.read_bytes() == content:
            return False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise FeedError(
            f"cannot write the feed {path}: {exc.strerror}",
            file_fix(exc, "calendar.feed / output_dir in the config"),
        ) from None
    if dry_run:
        return True
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)  # a feed is for publishing
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise FeedError(
            f"cannot write the feed {path}: {exc.strerror}",
            file_fix(exc, "calendar.feed / output_dir in the config"),
        ) from None
    return True
