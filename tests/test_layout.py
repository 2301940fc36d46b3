"""The layout stays findable: every module of sync/ and jobs/ is on the architecture page, opens
with a docstring that says what it holds, and points at no file outside the project."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT

PAGE = ROOT / "docs" / "architecture.md"
MODULES = sorted(
    path.relative_to(ROOT).as_posix()
    for package in ("sync", "jobs")
    for path in (ROOT / package).rglob("*.py")
    if path.name != "__init__.py"
)


@pytest.mark.parametrize("module", MODULES)
def test_every_module_is_on_the_architecture_page(module):
    assert f"`{module}`" in PAGE.read_text(encoding="utf-8"), f"{module} is not in {PAGE.name}"


@pytest.mark.parametrize("module", MODULES)
def test_every_module_says_what_it_holds(module):
    doc = ast.get_docstring(ast.parse((ROOT / module).read_text(encoding="utf-8")))
    assert doc and len(doc.split("\n\n")[0]) > 20, f"{module} has no opening docstring"
    assert "ARCHITECTURE.md" not in doc, f"{module} points at a file outside the project"
