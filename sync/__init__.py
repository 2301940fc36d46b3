"""otg-sync: keeps One Team Government's Trello boards, Medium drafts and calendar in step."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``__version__``, looked up when asked for: importlib.metadata costs every command some
    30 ms to import, and only ``otg --version`` needs it."""
    if name != "__version__":
        raise AttributeError(f"module 'sync' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("otg-sync")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"
