"""Publishing a file: written only when its bytes change, atomically (a temporary file in the same
folder, then one rename, so a reader never sees half a file), readable by all, and optionally
flushed to disk before the rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def publish_if_changed(
    path: Path,
    content: bytes,
    *,
    dry_run: bool,
    durable: bool,
    unwritable: Callable[[OSError], Exception],
) -> bool:
    """Write ``content`` to ``path`` unless it already holds exactly that; True if written (or,
    in a dry run, if it would be). Missing folders are created. An ``OSError`` becomes the
    error ``unwritable`` makes of it, which names the file and the setting to change."""
    try:
        if path.read_bytes() == content:
            return False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise unwritable(exc) from None
    if dry_run:
        return True
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                if durable:
                    handle.flush()
                    os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)  # published: for everyone to read
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise unwritable(exc) from None
    return True
