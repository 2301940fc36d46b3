"""A crash is a crash: a job that raises records its end (crashed, with its one line), `otg
status` says why, and `otg check` tries the roundup template before a run does."""

from __future__ import annotations

import json

import pytest

import cli
import jobs.roundup
from tests.conftest import DEMO_BOARDS
from tests.roundup.demo import demo_config

BROKEN = """# {{ title }}
{% if microactions.total %}
{{ microaction.total }} done
{% endif %}
"""


@pytest.fixture
def demo(write_config):
    return write_config(demo_config(DEMO_BOARDS))


def invoke(runner, *args):
    return runner.invoke(cli.main, list(args), catch_exceptions=False)


def roundup_run(runner, demo) -> dict:
    status = invoke(runner, "--config", str(demo), "status", "--json")
    return next(j for j in json.loads(status.output)["jobs"] if j["job"] == "roundup")["last_run"]


def test_a_template_error_ends_the_run_as_crashed_with_the_templates_line(runner, demo):
    (demo.parent / "broken.md.j2").write_text(BROKEN, encoding="utf-8")
    result = invoke(
        runner, "--config", str(demo), "roundup", "--target", "drafts",
        "--to", "2026-11-25", "--template", str(demo.parent / "broken.md.j2"),
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.output.startswith("error: ")
    assert "broken.md.j2, line 3: 'microaction' is undefined" in result.output
    run = roundup_run(runner, demo)
    assert run["status"] == "crashed"  # not "killed": the process said why before it ended
    assert run["finished_at"]
    assert "broken.md.j2, line 3: 'microaction' is undefined" in run["error"]
    text = invoke(runner, "--config", str(demo), "status").output
    assert "roundup      crashed" in text
    assert "why: " in text and "line 3: 'microaction' is undefined" in text


def test_a_missing_template_is_a_crash_too(runner, demo):
    missing = demo.parent / "nowhere.md.j2"
    result = invoke(runner, "--config", str(demo), "roundup", "--target", "drafts",
                    "--template", str(missing))  # fmt: skip
    assert result.exit_code == 2
    run = roundup_run(runner, demo)
    assert run["status"] == "crashed"
    assert run["error"].startswith(f"no roundup template at {missing}")


def test_a_bug_is_recorded_as_unexpected(runner, demo, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(jobs.roundup, "gather", broken)
    result = invoke(runner, "--config", str(demo), "roundup", "--target", "drafts")
    assert result.exit_code == 1
    assert "error: unexpected RuntimeError: a bug" in result.output
    assert roundup_run(runner, demo)["error"] == "unexpected RuntimeError: a bug"


def test_check_tries_the_roundup_template_on_a_sample(runner, demo):
    check = invoke(runner, "--config", str(demo), "check")
    assert check.exit_code == 0
    assert "ok  roundup template: the bundled template renders" in check.output
    (demo.parent / "broken.md.j2").write_text(BROKEN, encoding="utf-8")
    with demo.open("a", encoding="utf-8") as config:
        config.write('\n[roundup]\ntemplate = "broken.md.j2"\n')
    check = invoke(runner, "--config", str(demo), "check")
    assert check.exit_code == 1
    assert (
        f"FAIL roundup template: {demo.parent / 'broken.md.j2'}, line 3: 'microaction' is undefined"
    ) in check.output


def test_check_tries_the_empty_fortnight_too(runner, demo):
    (demo.parent / "quiet.md.j2").write_text(
        "{% if empty %}{{ nothing.here }}{% endif %}\n", encoding="utf-8"
    )
    with demo.open("a", encoding="utf-8") as config:
        config.write('\n[roundup]\ntemplate = "quiet.md.j2"\n')
    check = invoke(runner, "--config", str(demo), "check")
    assert check.exit_code == 1
    assert "line 1: 'nothing' is undefined" in check.output
