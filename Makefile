# Mediawatch — every target documents itself: `make help`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/venv/bin/uv)
STACK := bash infra/stack/stack.sh
BROKERS ?= 1
SECURE ?=
PYTEST_ARGS ?=
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.venv

# The local PostgreSQL's URL, unless the caller gave one.
db_env = export DATABASE_URL="$${DATABASE_URL:-$$(bash infra/stack/postgres.sh url)}"

.PHONY: help
help: ## List every target with a line of help
	@grep -hE '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  %-18s %s\n", $$1, $$2}'

$(CURDIR)/.tools/venv/bin/uv:
	@echo "uv not found: installing uv $(UV_VERSION) from PyPI into .tools/venv"
	python3 -m venv .tools/venv
	.tools/venv/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.PHONY: uv
uv: $(UV) ## Install uv into .tools/ when it is not on PATH

WEB := services/query-api/web

.PHONY: install
install: uv $(WEB)/node_modules/.package-lock.json ## Create .venv with every pinned package (uv.lock) and the dashboard's npm packages
	$(UV) sync --frozen --all-packages

# The dashboard's charting library, from the npm registry, pinned by package-lock.json.
$(WEB)/node_modules/.package-lock.json: $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error

.PHONY: up
up: ## Start the local stack: Kafka (BROKERS=1|3, SECURE=1: a SASL_SSL listener), PostgreSQL, ffmpeg, Prometheus
	$(STACK) up --brokers $(BROKERS) $(if $(SECURE),--secure)

.PHONY: down
down: ## Stop everything `make up` started
	$(STACK) down

.PHONY: status
status: ## Show each part of the local stack: state, address, version
	bash infra/stack/services.sh status
	$(STACK) status

.PHONY: topics
topics: install up ## Create the Kafka topics from their declaration
	$(UV) run mediawatch topics create

.PHONY: demo
demo: install up ## The main job: the whole system on the local stack, step by step
	$(UV) run mediawatch topics create
	bash infra/demo.sh

.PHONY: test
test: install up ## Set up everything and run the whole test suite
	$(db_env)
	rc=0; $(UV) run pytest $(PYTEST_ARGS) || rc=$$?
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi
	exit $$rc

.PHONY: test-unit
test-unit: install ## Fast tests only: no broker, no database
	$(UV) run pytest -m unit $(PYTEST_ARGS)

.PHONY: test-integration
test-integration: install up ## Tests against the real Kafka, PostgreSQL and ffmpeg
	$(db_env)
	$(UV) run pytest -m integration $(PYTEST_ARGS)

.PHONY: bench
bench: install up ## Benchmarks beside Kafka's own tools (QUICK=1: small sizes, a few minutes)
	$(db_env)
	$(UV) run python -m bench $(if $(QUICK),--quick,)

.PHONY: test-e2e
test-e2e: install up ## The dashboard in headless Chromium against real processes
	$(db_env)
	$(UV) run pytest -m e2e $(PYTEST_ARGS)

.PHONY: test-reliability
test-reliability: install up ## Fault injection: brokers killed and restarted in clusters of its own
	$(db_env)
	$(UV) run pytest -m reliability $(PYTEST_ARGS)

.PHONY: check
check: install ## Lint and type-check: ruff, ruff format --check, mypy (strict on src/)
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(MAKE) --no-print-directory typecheck

.PHONY: typecheck
typecheck: ## mypy --strict on src/, non-strict on tests/ and bench/ (needs `make install`)
	$(UV) run mypy libs/*/src services/*/src examples/*/src
	$(UV) run mypy --config-file infra/dev/mypy-tests.ini tests bench

.PHONY: fmt
fmt: install ## Format the code and apply safe lint fixes
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

.PHONY: clean
clean: down ## Stop the stack and delete its data, caches and the virtualenv
	rm -rf .stack .venv .tools .mypy_cache .ruff_cache .pytest_cache temp
