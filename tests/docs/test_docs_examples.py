"""Every `$ otg ...` example in the README and the docs runs against the demo boards, and prints
what the page says it prints (allowing dates, times, paths and pids). How a page is read is in
``tests/docs/examples.py``."""

from __future__ import annotations

import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config import EXAMPLE
from tests.conftest import ROOT
from tests.docs.examples import NOW, Step, mask, matches, steps

ALL_PAGES = sorted(
    path.relative_to(ROOT).as_posix() for path in [ROOT / "README.md", *ROOT.glob("docs/**/*.md")]
)
PAGES = sorted(
    page
    for page in ALL_PAGES
    if any(step.kind == "otg" for step in steps((ROOT / page).read_text(encoding="utf-8")))
)
OTG = Path(sys.executable).with_name("otg")
BASH = shutil.which("bash") or "/bin/bash"
HINT = (
    "An example that cannot run on the demo boards (config/example/otg.toml) is shown as output "
    "only, without its `$ ` line; one that needs a step first can take it from an "
    "<!-- otg-docs: run|file|now ... --> comment (see tests/docs/examples.py)."
)
SECRETS = ("TRELLO_API_KEY", "TRELLO_TOKEN", "MEDIUM_TOKEN", "CALDAV_PASSWORD", "OTG_CONFIG")


def test_the_readme_and_the_guides_have_examples():
    assert "README.md" in PAGES and "docs/tutorial.md" in PAGES


def test_a_page_is_read_as_a_reader_reads_it():
    page = (
        "<!-- otg-docs: now 2026-11-25T09:00:00Z -->\n"
        "```\n$ export OTG_CONFIG=x.toml\n$ otg status\nok\n...\n$ echo hi\nhi\n```\n"
    )
    found = [(s.kind, s.text, s.expected) for s in steps(page)]
    assert found == [
        ("now", "2026-11-25T09:00:00Z", []),
        ("export", "OTG_CONFIG=x.toml", []),
        ("otg", "otg status", ["ok", "..."]),
        ("shell", "echo hi", ["hi"]),
    ]
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"]) and not matches(["a"], ["a", "b"])
    assert mask("ok  state: /srv/x/otg-state.db at 2026-11-21T15:01:00+00:00, pid 42") == (
        "ok  state: <path> at <time>, pid <pid>"
    )


@pytest.mark.parametrize("page", ALL_PAGES)
def test_no_example_is_left_unrun(page):
    """A `$ otg` line outside a fenced block (an indented code block, say) would not be run."""
    text = (ROOT / page).read_text(encoding="utf-8")
    shown = len(re.findall(r"^\s*\$ otg\b", text, re.MULTILINE))
    assert shown == sum(step.kind == "otg" for step in steps(text))


@pytest.mark.parametrize("page", PAGES)
def test_every_example_prints_what_the_page_says(page, tmp_path):
    folder = tmp_path / "otg-sync"
    shutil.copytree(EXAMPLE.parent, folder / "config" / "example")
    env = {k: v for k, v in os.environ.items() if k not in SECRETS and not k.startswith("OTG_")}
    env.update(OTG_NOW=NOW, HOME=str(tmp_path), COLUMNS="100", NO_COLOR="1", PYTHONUNBUFFERED="1")
    env["PATH"] = f"{OTG.parent}{os.pathsep}{env.get('PATH', '')}"
    problems = []
    for step in steps((ROOT / page).read_text(encoding="utf-8")):
        problem = run_step(step, folder, env)
        if problem:
            problems.append(f"{page}:{step.line}: {problem}")
    assert not problems, "\n\n".join([*problems, HINT])


def run_step(step: Step, folder: Path, env: dict[str, str]) -> str | None:
    """Do one step of the page's session; a problem in words, or None."""
    if step.kind == "now":
        env["OTG_NOW"] = step.text
    elif step.kind == "export":
        name, _, value = step.text.partition("=")
        env[name] = os.path.expandvars(value.strip("'\""))
    elif step.kind == "file":
        path = folder / step.text
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(step.expected) + "\n", encoding="utf-8")
    elif step.kind == "run":
        done = subprocess.run([BASH, "-c", step.text], cwd=folder, env=env, check=False)
        if done.returncode:
            return f"the hidden step `{step.text}` failed ({done.returncode})"
    else:
        return run_command(step, folder, env)
    return None


def run_command(step: Step, folder: Path, env: dict[str, str]) -> str | None:
    """Run a `$` line (otg itself, or a shell command) and compare what it prints."""
    if step.kind == "otg":
        command = [str(OTG), *shlex.split(step.text)[1:]]
    else:
        command = [BASH, "-c", step.text]
    done = subprocess.run(
        command,
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
        check=False,
    )
    if "Traceback (most recent call last)" in done.stdout:
        return f"`$ {step.text}` crashed:\n{done.stdout}"
    actual = mask(done.stdout, folder).splitlines()
    expected = mask("\n".join(step.expected)).splitlines()
    if matches(expected, actual):
        return None
    diff = "\n".join(difflib.unified_diff(expected, actual, "the page", "otg", lineterm=""))
    return f"`$ {step.text}` printed something else:\n{diff}"
