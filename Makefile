# refarch — every habit has one command; CI runs the same ones (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    ?= .venv
PY      := $(VENV)/bin/python
PYTEST  := $(VENV)/bin/pytest
REFARCH := $(VENV)/bin/refarch
# pytest-xdist workers; CI machines have 2 cores
WORKERS ?= 2

.PHONY: help setup lint check test demo docs bench bundle clean

help:  ## list the commands
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-7s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml constraints.txt
	@command -v python3 >/dev/null || { echo "error: python3 (3.11+) is required" >&2; exit 2; }
	@python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "error: Python 3.11+ is required, found $$(python3 --version)" >&2; exit 2; }
	@[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $@

# checkov in a venv of its own: it pins packaging<24 and ships its own `hcl2` module,
# both of which clash with the project venv (deploy/checkov-requirements.txt says more)
$(VENV)-checkov/.installed: deploy/checkov-requirements.txt
	@[ -x $(VENV)-checkov/bin/python ] || python3 -m venv $(VENV)-checkov
	$(VENV)-checkov/bin/python -m pip install -q --upgrade pip
	$(VENV)-checkov/bin/python -m pip install -q -r deploy/checkov-requirements.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: ## install everything: Debian packages, Python venv, pinned npm linters
	./scripts/install-system-deps.sh
	@$(MAKE) --no-print-directory $(VENV)/.installed $(VENV)-checkov/.installed node_modules/.installed

lint: setup ## the fast static checks (seconds): ruff, ruff format, mypy --strict, import contracts, stale diagrams
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(REFARCH) docs diagrams --check

check: lint ## lint, then check the specs (incl. Spectral, Redocly, sqlfluff, PostgreSQL)
	$(REFARCH) specs check
	npx --no-install spectral lint --fail-severity=error specs/openapi/*/v1.yaml
	npx --no-install redocly lint --format=stylish specs/openapi/*/v1.yaml
	$(REFARCH) specs bundle --check

test: lint ## the fast static checks, then the whole test suite (parallel, real PostgreSQL, real browser)
	$(PYTEST) -n $(WORKERS) --dist loadgroup --durations=15

demo: setup ## run the platform end to end on embedded PostgreSQL and show every part working
	$(PY) scripts/demo.py

docs: setup ## check the diagrams are fresh, generate the reference pages, build the site into site/
	$(REFARCH) docs diagrams --check
	$(REFARCH) docs build --out site

bench: setup ## measure the reference implementation against minimal apps, and the event pipeline against raw nats-py (prints ratios)
	$(PY) -m bench.run
	$(PY) -m bench.events

bundle: setup ## rebuild the single-file specs for client generators in specs/bundles/ (commit them)
	$(REFARCH) specs bundle

clean: ## remove build output (keeps the venv and the embedded database)
	rm -rf site reports .hypothesis .schemathesis
