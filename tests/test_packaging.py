"""The wheel is complete: built from the repository, installed into a fresh virtualenv outside it,
`otg init`, `otg check`, `otg sync` and `otg roundup` work from a temporary folder.

Offline and quick: the wheel is built without build isolation (setuptools comes with the test
extras), installed with ``--no-deps --no-index``, and the new environment borrows this one's
third-party libraries through a ``.pth`` line. A path in a ``.pth`` file is only added to
``sys.path``: the ``.pth`` files *there* (this environment's editable install of the repository)
are not run, so every module of otg-sync comes from the wheel, as the test checks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ANYWHERE = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.db", "*.db-*")
AT_THE_TOP = {  # the repository's own folders and what its commands leave there
    ".venv", ".git", "build", "dist", ".pytest_cache", ".ruff_cache", ".hypothesis", "demo-out",
    "out", "site", "tests", "bench",
}  # fmt: skip


def not_shipped(folder: str, names: list[str]) -> set[str]:
    ignored = set(ANYWHERE(folder, names))
    return ignored | (AT_THE_TOP & set(names) if Path(folder) == ROOT else set())


def _run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Path]:
    """(the fresh environment's bin folder, the environment to run it in, the wheel)."""
    try:
        import setuptools
    except ImportError:  # pragma: no cover - the test extras install it
        pytest.skip("setuptools is not installed (pip install -e '.[test]')")
    if int(setuptools.__version__.split(".")[0]) < 68:
        pytest.skip(f"setuptools {setuptools.__version__} is older than pyproject.toml asks")
    base = tmp_path_factory.mktemp("wheel")
    source, dist, venv = base / "src", base / "dist", base / "venv"
    shutil.copytree(ROOT, source, ignore=not_shipped)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTG_", "PYTHON", "PIP_"))}
    env |= {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "HOME": str(base)}
    pip = [sys.executable, "-m", "pip"]
    build = _run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, source],
        base,
        env,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = dist.glob("otg_sync-*.whl")
    made = _run([sys.executable, "-m", "venv", "--without-pip", venv], base, env)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    put = _run([*pip, "--python", python, "install", "--no-deps", "--no-index", wheel], base, env)
    assert put.returncode == 0, put.stderr[-2000:]
    found = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], base, env
    )
    libraries = sysconfig.get_path("purelib")  # this environment's: the dependencies
    (Path(found.stdout.strip()) / "otg_test_dependencies.pth").write_text(libraries + "\n")
    return venv / "bin", env, wheel


def test_the_wheel_holds_the_package_data(installed: tuple[Path, dict[str, str], Path]) -> None:
    names = set(zipfile.ZipFile(installed[2]).namelist())
    for name in (
        "config/templates/roundup.md.j2",
        "config/templates/starter.toml",
        "config/example/otg.toml",
        "config/example/medium-feed.xml",
        "config/example/boards/events.json",
        "cli.py",
        "cli_support.py",
    ):
        assert name in names


def test_otg_works_from_the_installed_wheel(
    installed: tuple[Path, dict[str, str], Path], tmp_path: Path
) -> None:
    bin_, env, _ = installed
    otg = bin_ / "otg"
    where = _run(
        [bin_ / "python", "-c", "import cli, config, sync; print(cli.__file__)"], tmp_path, env
    )
    assert where.stdout.startswith(str(bin_.parent)), where.stdout + where.stderr  # not the repo's

    starter = _run([otg, "init"], tmp_path, env)
    assert starter.returncode == 0, starter.stderr
    assert "[boards.microactions]" in (tmp_path / "otg.toml").read_text(encoding="utf-8")

    demo = tmp_path / "demo"
    demo.mkdir()
    made = _run([otg, "init", "--example"], demo, env)
    assert made.returncode == 0, made.stderr
    assert (demo / "boards" / "events.json").is_file()

    check = _run([otg, "check"], demo, env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert 'ok  board events: events, export of "OneTeamGov Spinoff Events"' in check.stdout

    synced = _run([otg, "sync"], demo, env)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert "BEGIN:VEVENT" in (demo / "out" / "events.ics").read_text(encoding="utf-8")
    assert list((demo / "out" / "drafts").glob("*.md"))

    roundup = _run([otg, "roundup", "--from", "2026-11-12", "--to", "2026-11-25"], demo, env)
    assert roundup.returncode == 0, roundup.stdout + roundup.stderr
    assert roundup.stdout.startswith("# ")  # the bundled template's heading
    assert "## Microactions" in roundup.stdout

    status = _run([bin_ / "python", "-m", "cli", "status"], demo, env)
    assert status.returncode == 0, status.stdout + status.stderr
    assert status.stdout.startswith("sync ")
    assert (demo / "otg-state.db").is_file()
    assert not list(tmp_path.glob("**/demo-out"))  # nothing outside the folder it was told
