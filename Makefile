# Every target creates .venv on first use and installs the locked dependencies.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
TESTS ?= connector_assets_tests
# Test files run in parallel processes: most of a test's time is spent waiting on servers and subprocesses.
WORKERS ?= 4
# `make demo VERBOSE=1` / `make dev VERBOSE=1`: Dagster's event log on the terminal instead of a file.
VERBOSE_FLAG := $(if $(VERBOSE),--verbose,)

.PHONY: install demo dev test chaos lint bench lock clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip install -q -p $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install -q -p $(BIN)/python --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@mkdir -p $(DAGSTER_HOME)
	$(BIN)/connector demo $(VERBOSE_FLAG) $(if $(ERP),--erp $(ERP))

dev: $(STAMP)
	@mkdir -p $(DAGSTER_HOME)
	$(BIN)/connector dev $(VERBOSE_FLAG)

test: $(STAMP)
	$(BIN)/pytest $(TESTS) -m "not chaos" -n $(WORKERS) --dist loadfile --durations=15 $(PYTEST_ARGS)

chaos: $(STAMP)
	$(BIN)/pytest $(TESTS) -m chaos --durations=15 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy connector_assets bench

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH)

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11

clean:
	rm -rf $(VENV) .dagster_home .demo
