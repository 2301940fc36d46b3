"""The iCalendar feed target: one `.ics` file, written atomically and only when it changes."""

from __future__ import annotations

from pathlib import Path

from sync.errors import OtgError, file_fix
from sync.files import publish_if_changed


class FeedError(OtgError):
    """The feed file cannot be written."""


def write_if_changed(path: Path, content: bytes, *, dry_run: bool = False) -> bool:
    """Write ``content`` to ``path`` unless it already holds exactly that. True if written
    (or, in a dry run, if it would be). Missing folders are created. A reader never sees a
    half-written file: the content goes to a temporary file in the same folder, which then
    replaces the feed in one rename."""

    def unwritable(exc: OSError) -> FeedError:
        return FeedError(
            f"cannot write the feed {path}: {exc.strerror}",
            file_fix(exc, "calendar.feed / output_dir in the config"),
        )

    return publish_if_changed(path, content, dry_run=dry_run, durable=True, unwritable=unwritable)
