# Two commands set everything up on a fresh machine with Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := config/example/otg.toml

.PHONY: demo test lint bench clean

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

test: $(BIN)/otg
	$(BIN)/ruff check .
	$(BIN)/pytest -q

lint: $(BIN)/otg
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(BIN)/otg  # quick; `make bench BENCH=--full` for the big sizes
	$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) demo-out .pytest_cache .ruff_cache *.egg-info
