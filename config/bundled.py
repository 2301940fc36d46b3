"""The files shipped inside the package, and `otg init --example` writing the demo out.

The starter config, the bundled example with its demo boards and Medium feed, and the default
roundup template are package data (pyproject.toml's ``package-data``), found beside this
module: the same from a clone, an editable install, a wheel or pipx, which all install packages
as files (``importlib.resources`` would say the same, for 2 ms more on every command).
"""

from __future__ import annotations

from pathlib import Path

from sync.errors import UsageError


def resource(*parts: str) -> Path:
    """A file shipped in the ``config`` package. pip and pipx install packages as files, so it is
    a path on disk (the roundup template's folder is a Jinja2 loader's search path)."""
    return Path(__file__).parent.joinpath(*parts)


STARTER = resource("templates", "starter.toml")
EXAMPLE = resource("example", "otg.toml")
ROUNDUP_TEMPLATE = resource("templates", "roundup.md.j2")

#: What `otg init --example` writes beside the config: the demo boards and the saved Medium feed.
EXAMPLE_FILES = (
    "boards/microactions.json",
    "boards/events.json",
    "boards/content.json",
    "medium-feed.xml",
)
#: The bundled example keeps its state and output in the repository's demo-out/; written out by
#: `otg init --example`, they go beside the config instead.
_EXAMPLE_PLACES = {
    'state_db = "../../demo-out/otg-state.db"': 'state_db = "otg-state.db"',
    'output_dir = "../../demo-out"': 'output_dir = "out"',
}


def write_example(target: Path, *, force: bool, alone: bool = True) -> list[str]:
    """`otg init --example`: the example config at ``target``, its demo boards and Medium feed
    beside it, and its state and output beside it too; the lines to tell the user. Nothing is
    overwritten without ``force``."""
    if not alone:
        raise UsageError("--example goes alone", "leave out --from: the example has its boards")
    text = EXAMPLE.read_text(encoding="utf-8")
    for old, new in _EXAMPLE_PLACES.items():
        text = text.replace(old, new)
    writes = {target: text.encode("utf-8")}
    for name in EXAMPLE_FILES:
        writes[target.parent / name] = resource("example", *name.split("/")).read_bytes()
    existing = [path for path in writes if path.exists()]
    if existing and not force:
        raise UsageError(f"{existing[0]} already exists", "pass --force to overwrite it")
    for path, data in writes.items():
        try:
            if path.parent != target.parent:  # boards/ beside the config, not the config's own
                path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
        except OSError as exc:
            raise UsageError(
                f"cannot write {path}: {exc.strerror or exc}",
                "create its folder, or pick another path",
            ) from None
    return [
        f"Wrote {target} and the demo boards beside it (Trello exports: everything works offline).",
        f"Try `otg --config {target} check`, then `sync`, `roundup` and `status`.",
    ]
