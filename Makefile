# The developer loop. `make check` before every commit; .ci/run runs the same steps and every test.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: check fix test test-all venv

$(BIN)/pytest:
	python3 -m venv $(VENV) && $(BIN)/pip install -q -e '.[test]'

venv: $(BIN)/pytest

check: venv  ## format check, lint, types, import rules, fast tests (no end-to-end)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -q -m "not e2e"

fix: venv  ## apply ruff's formatting and safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: venv  ## every test, on SQLite
	$(BIN)/pytest -q

test-all: venv  ## every test, on SQLite and on the local PostgreSQL (as .ci/run)
	$(BIN)/pytest -q
	NEWSFLOW_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test $(BIN)/pytest -q
