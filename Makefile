# TechNorth Skills: `make run` to serve the app, `make test` to check everything.
# Both set up what they need on a fresh machine (a .venv beside this file).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
export PORT  # the development public address is http://127.0.0.1:$(PORT)
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test lint install install-dev check-content clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps re-run the install whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(FLASK) db upgrade
	$(FLASK) content sync
	@echo ""
	@echo "TechNorth Skills is starting on http://127.0.0.1:$(PORT)"
	@echo "To create the first admin or trainer account, run in another terminal:"
	@echo "  $(FLASK) users create --role admin --email you@example.com --name 'Your Name'"
	@echo "  (use --role trainer for a trainer; you will be asked for a password)"
	@echo ""
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-content: install
	$(FLASK) content check

# The whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set; one
# pytest-xdist worker per core (TEST_WORKERS=0 runs in one process), each on its own database.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	env -u TEST_DATABASE_URL $(PYTEST)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL) =="; \
		$(PYTEST); \
	else \
		echo "TEST_DATABASE_URL is not set: the PostgreSQL run was skipped."; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
