# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_PROCESSES ?= 2

.PHONY: run dev test test-fast lint format bench test-deps clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

## Install, migrate, load demo data on first run, serve web + worker + scheduler on :8000
run: $(STAMP)
	$(BIN)/relaydesk serve

## Same, with Django's autoreloading development server
dev: $(STAMP)
	$(BIN)/relaydesk serve --dev

## Install, then the whole suite: unit, integration, browser (PostgreSQL when DATABASE_URL is set)
test: $(STAMP) test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(TEST_PROCESSES)

## The suite without the browser tests
test-fast: $(STAMP)
	$(BIN)/pytest -n $(TEST_PROCESSES) -m "not browser"

# Debian's chromium for the browser tests, dovecot for the IMAP/POP3 tests.
test-deps:
	@scripts/ensure-chromium
	@scripts/ensure-dovecot

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Seed 100,000 tickets into var/bench and measure the desk over HTTP
bench: $(STAMP)
	$(BIN)/python bench/seed.py --tickets 100000
	$(BIN)/python bench/desk.py

clean:
	rm -rf $(VENV) build *.egg-info
