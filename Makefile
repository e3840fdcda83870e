# bookcross — `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help run test lint venv bench faults clean

help: ## show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP) ## create the virtual environment and install bookcross with its dev tools

run: $(STAMP) ## start the whole network in the foreground (embedded SQLite + Redis unless configured)
	$(BIN)/bookcross up

test: $(STAMP) ## run every test: lint, unit, integration (PostgreSQL and SQLite), contract, end-to-end
	$(BIN)/ruff check .
	$(BIN)/python -m shared.testing.prepare
	$(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: $(STAMP) ## ruff (lint and import order), as make test runs it
	$(BIN)/ruff check .

bench: $(STAMP) ## run the benchmarks under bench/ (prints figures for the README; fails if a target is missed)
	@failed=""; for b in bus intake scans memory allocation notify token_check reports assistant; do \
		$(BIN)/python bench/$$b.py || failed="$$failed $$b"; \
	done; if [ -n "$$failed" ]; then echo "targets missed by:$$failed"; exit 1; fi

faults: $(STAMP) ## the fault run: faults injected into a running network, a table of what it kept (~30 min)
	$(BIN)/python bench/faults.py
	$(BIN)/python bench/faults.py --embedded

clean: ## remove the virtual environment and local data
	rm -rf $(VENV) var
