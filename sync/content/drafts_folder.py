"""The drafts-folder target: one Markdown file (with front matter) and one Medium-ready HTML file
per draft, for an editor to polish and paste into Medium.

This is the default target, because Medium stopped issuing API tokens in 2025. File names are a
slug of the title plus the card's short link: ASCII letters, digits and hyphens only, so a card
named ``../../etc/passwd`` cannot write outside the folder. Files are written atomically (a
temporary file, then one rename), and a file that an editor has since changed is never
overwritten: the state records a hash of each file otg-sync wrote, so a new version
(``--new-version``) replaces files still as otg-sync left them, and goes beside hand-edited ones
(``<stem>-v2.md``; see ``place_version``).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from config.medium import MediumConfig
from sync.content.draft import Draft
from sync.errors import OtgError, file_fix


class DraftsError(OtgError):
    """A draft file cannot be written."""


@dataclass(frozen=True)
class DraftFiles:
    markdown: Path
    html: Path


@dataclass(frozen=True)
class Placement:
    """Where a card's draft goes: its files (``suffix`` after the stem, or none), and the
    hand-edited files under its own name (``kept``) that it goes beside."""

    files: DraftFiles
    suffix: str = ""
    kept: tuple[Path, ...] = ()


def files_for(folder: Path, draft: Draft, suffix: str = "") -> DraftFiles:
    """The two files of a draft, checked to be directly inside ``folder``. ``suffix`` (such as
    ``-v2``) goes after the stem, for a new version written beside hand-edited files."""
    stem = draft.file_stem + suffix
    files = DraftFiles(folder / f"{stem}.md", folder / f"{stem}.html")
    for path in (files.markdown, files.html):
        if path.parent != folder or path.name.startswith(".") or "/" in stem or "\\" in stem:
            raise DraftsError(
                f'the draft of "{draft.title}" would be written outside {folder}',
                "report this: draft file names should be safe slugs",
            )
    return files


#: What YAML may not hold literally in a scalar (C1 controls, non-characters, surrogates) or
#: reads as a line break (NEL, U+2028, U+2029): written as \\u escapes, which JSON shares.
_NOT_YAML = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]")


def _yaml(value: str | list[str]) -> str:
    """A YAML scalar or flow list: JSON strings are valid YAML double-quoted scalars, once the
    characters YAML refuses are escaped too."""
    text = json.dumps(value, ensure_ascii=False)
    return _NOT_YAML.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def markdown_file(draft: Draft, cfg: MediumConfig) -> str:
    """Front matter (title, tags, card link, canonical URL, licence), then the Markdown body."""
    front = [
        "---",
        f"title: {_yaml(draft.title)}",
        f"tags: {_yaml(list(draft.tags))}",
        f"card: {_yaml(draft.card_url)}",
        f"canonical_url: {_yaml(draft.canonical_url)}",
        f"license: {_yaml(cfg.license)}",
        "---",
        "",
        "",
    ]
    return "\n".join(front) + draft.markdown


def html_file(draft: Draft) -> str:
    """A small HTML page of the draft: open it in a browser, copy, paste into Medium's editor."""
    head = [
        '<meta charset="utf-8">',
        f"<title>{html.escape(draft.title)}</title>",
    ]
    if draft.canonical_url:
        head.append(f'<link rel="canonical" href="{html.escape(draft.canonical_url)}">')
    if draft.tags:
        head.append(f'<meta name="keywords" content="{html.escape(", ".join(draft.tags))}">')
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n'
        + "\n".join(head)
        + "\n</head>\n<body>\n<article>\n"
        + draft.html()
        + "\n</article>\n</body>\n</html>\n"
    )


def missing_files(output_dir: Path, file: str) -> tuple[str, ...]:
    """Which files of a draft in the drafts folder are no longer there: ``file`` is its
    Markdown file as the record names it (``drafts/<stem>.md``, inside ``output_dir``), and the
    HTML file goes beside it. An editor who pasted the draft into Medium may well remove them."""
    names = (file, str(Path(file).with_suffix(".html")))
    return tuple(name for name in names if not (output_dir / name).exists())


def _contents(files: DraftFiles, draft: Draft, cfg: MediumConfig) -> dict[Path, str]:
    return {files.markdown: markdown_file(draft, cfg), files.html: html_file(draft)}


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise unwritable(path, exc) from None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digests(placement: Placement, draft: Draft, cfg: MediumConfig) -> dict[str, str]:
    """The hash of each file as otg-sync writes it, by file name: kept in the draft's record,
    so that a later version can tell its own untouched files from hand-edited ones."""
    contents = _contents(placement.files, draft, cfg)
    return {path.name: _digest(text.encode("utf-8")) for path, text in contents.items()}


def place_version(
    folder: Path, draft: Draft, cfg: MediumConfig, *, version: int, written: dict[str, str]
) -> Placement:
    """Where version ``version`` of a card's draft goes. Reads, never writes.

    Its own file names, unless a file there has other content that otg-sync did not write
    (``written``: the hashes of the files it wrote for this card): that file was edited by hand
    since, or otg-sync cannot tell it was not. A first version then stops there (a
    ``DraftsError``); a new version, asked for with ``--new-version``, goes beside it as
    ``<stem>-v<version>``, so that the hand edits and the fresh draft are both there to compare.
    """
    files = files_for(folder, draft)
    found = {
        path: current
        for path in (files.markdown, files.html)
        if (current := _read(path)) is not None
    }
    # rendered only when there is a file to compare with: a dry run over a new folder renders
    # no draft (python-markdown is most of a draft's cost)
    contents = _contents(files, draft, cfg) if found else {}
    kept = tuple(
        path
        for path, current in found.items()
        if current != contents[path].encode("utf-8") and written.get(path.name) != _digest(current)
    )
    if not kept:
        return Placement(files)
    if version <= 1:
        raise _in_the_way(kept[0])
    suffix = f"-v{version}"
    return Placement(files_for(folder, draft, suffix), suffix, kept)


def write_placed(
    folder: Path, draft: Draft, cfg: MediumConfig, placement: Placement, *, durable: bool = True
) -> bool:
    """Write a card's draft where ``place_version`` put it; whether anything was written.

    otg-sync's own untouched files are replaced; a hand-edited file never is. Beside edited files
    (``-v2``), a file with other content already there stops the write too (a ``DraftsError``).
    ``durable=False``: the files are complete and in place, but on disk only once their batch
    is made durable (``sync/content/durable.py``)."""
    return write_draft(
        folder, draft, cfg, replace=not placement.kept, suffix=placement.suffix, durable=durable
    )[1]


def write_draft(
    folder: Path,
    draft: Draft,
    cfg: MediumConfig,
    *,
    replace: bool = False,
    suffix: str = "",
    durable: bool = True,
) -> tuple[DraftFiles, bool]:
    """Write a draft's two files; returns them and whether anything was written.

    An existing file with the same content is left alone (a rerun after a crash writes
    nothing). One with other content was edited by hand, or belongs to an older version: it is
    replaced only when ``replace`` (the caller checked it is otg-sync's own, or a new version of
    a roundup was asked for).
    """
    files = files_for(folder, draft, suffix)
    to_write: list[tuple[Path, str]] = []
    for path, text in _contents(files, draft, cfg).items():
        current = _read(path)
        if current == text.encode("utf-8"):
            continue
        if current is not None and not replace:
            raise _in_the_way(path)
        to_write.append((path, text))
    for path, text in to_write:  # only once both files were checked
        _atomic_write(path, text, durable=durable)
    return files, bool(to_write)


def _in_the_way(path: Path) -> DraftsError:
    return DraftsError(
        f"{path} already exists with other content (edited by hand?), so it is left as it is",
        "move it aside (keeping your edits elsewhere) and sync again",
    )


def _atomic_write(path: Path, text: str, *, durable: bool = True) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                if durable:  # else once for the batch: sync/content/durable.py
                    os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise unwritable(path, exc) from None


def unwritable(path: Path, exc: OSError) -> DraftsError:
    return DraftsError(
        f"cannot write the draft {path}: {exc.strerror or exc}",
        file_fix(exc, "medium.drafts_dir / output_dir in the config"),
    )


def beside_note(drafts_dir: str, placement: Placement) -> str:
    """What the report adds for hand-edited files that a new version was written beside."""
    if not placement.kept:
        return ""
    names = " and ".join(f"{drafts_dir}/{path.name}" for path in placement.kept)
    left = "they are" if len(placement.kept) > 1 else "it is"
    return f" (beside {names}: edited by hand since, so left as {left})"
