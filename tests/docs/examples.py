"""The `$ otg ...` examples of a Markdown page, read as a reader reads them, and run in order.

A page is one session: a fresh folder holding a copy of the demo config (``config/example/``),
the clock fixed by ``OTG_NOW`` (``NOW`` unless the page says otherwise), and no secrets. In a
fenced block, a line ``$ otg ...`` is a command, and the lines after it (up to the next ``$`` line
or the block's end) are what it prints, stdout and stderr together in the order they were
written, as a terminal shows them.
``$ export NAME=VALUE`` sets a variable for the commands after it; any other ``$`` line is a
shell command (``$ rm ...``, ``$ head ...``), run by bash in the session's folder, its output
compared the same way.

A page may steer its session with comments a reader does not see:

- ``<!-- otg-docs: now 2026-11-25T09:00:00Z -->``: the clock from here on;
- ``<!-- otg-docs: run SHELL -->``: a step the text describes in words (``rm``, an edit);
- ``<!-- otg-docs: file PATH -->``: the next fenced block is that file's text.

Output is compared line by line after masking what differs from machine to machine: absolute
paths (``<path>``), ISO 8601 times (``<time>``) and process ids. A line ``...`` in the expected
output stands for any number of lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

NOW = "2026-11-21T15:01:00Z"
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})")
DIRECTIVE = re.compile(r"<!--\s*otg-docs:\s*(now|run|file)\s+(.*?)\s*-->")
PATH = re.compile(r"(?<![\w.:/~<])/[^\s:,;'\")`]+")
TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?")
PID = re.compile(r"\bpid \d+")


@dataclass
class Step:
    """One thing the session does, in page order."""

    kind: str  # "otg", "shell", "export", "now", "run", "file"
    text: str  # the command line, the variable, the instant, the shell step, the file's path
    line: int  # where it is on the page (1-based)
    expected: list[str] = field(default_factory=list)  # what "otg" prints; the file's text


def steps(markdown: str) -> list[Step]:
    """The page's examples and directives, in order."""
    found: list[Step] = []
    lines = markdown.splitlines()
    pending_file: Step | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        for kind, value in DIRECTIVE.findall(line):
            step = Step(kind, value, i + 1)
            found.append(step)
            if kind == "file":
                pending_file = step
        fence = FENCE.match(line)
        if not fence:
            i += 1
            continue
        indent, marker = fence.groups()
        block: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(marker):
            block.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
            i += 1
        start = i - len(block)
        if pending_file is not None:
            pending_file.expected = block
            pending_file = None
        else:
            found += _commands(block, start)
        i += 1
    return found


def _commands(block: list[str], start: int) -> list[Step]:
    found: list[Step] = []
    for offset, line in enumerate(block):
        if line.startswith("$ "):
            command = line[2:].strip()
            if command.startswith("export "):
                name = command.removeprefix("export ").strip()
                found.append(Step("export", name, start + offset))
            else:
                kind = "otg" if command.split()[:1] == ["otg"] else "shell"
                found.append(Step(kind, command, start + offset))
        elif found and found[-1].kind in ("otg", "shell"):
            found[-1].expected.append(line)
    return found


def mask(text: str, folder: Path | None = None) -> str:
    """What may differ between machines, masked; trailing spaces dropped."""
    if folder is not None:
        text = text.replace(str(folder), "/home/you/otg-sync")
    text = TIME.sub("<time>", text)
    text = PID.sub("pid <pid>", text)
    text = PATH.sub("<path>", text)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether the actual lines are the expected ones, a ``...`` line standing for any number."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head.strip() in ("...", "…"):
        return any(matches(rest, actual[k:]) for k in range(len(actual) + 1))
    return bool(actual) and actual[0] == head and matches(rest, actual[1:])
