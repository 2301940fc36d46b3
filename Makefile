# Two commands set everything up on a fresh machine with Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := config/example/otg.toml

.PHONY: demo test lint bench docs clean

$(BIN)/otg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

demo: $(BIN)/otg
	$(BIN)/otg --config $(DEMO) check
	$(BIN)/otg --config $(DEMO) boards
	$(BIN)/otg --config $(DEMO) sync
	$(BIN)/otg --config $(DEMO) roundup --from 2026-11-12 --to 2026-11-25 --output demo-out/roundup-2026-11-25.md
	$(BIN)/otg --config $(DEMO) status

test: $(BIN)/otg   # the suite builds the docs too: `mkdocs build --strict` (tests/docs/)
	$(BIN)/ruff check .
	$(BIN)/pytest -q

lint: $(BIN)/otg
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

docs: $(BIN)/otg
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict
	@echo "The documentation is in site-docs/ (open site-docs/index.html, or: $(BIN)/mkdocs serve)"

bench: $(BIN)/otg  # quick; `make bench BENCH=--full` for the big sizes
	$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) demo-out site-docs .pytest_cache .ruff_cache *.egg-info
