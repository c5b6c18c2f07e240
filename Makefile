# The two commands a newcomer needs: `make demo` and `make test`. Everything else is plumbing.
PYTHON ?= python3.11
VENV := .venv
UV := .tools/bin/uv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install lint format messages clean

# uv is bootstrapped with pip into a private folder, so nothing is installed system-wide.
$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

$(VENV)/.installed: pyproject.toml $(UV)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	$(UV) pip install --quiet --python $(PY) -e ".[dev]"
	touch $@

install: $(VENV)/.installed

## Start Refuge on SQLite with a demo population and print where to sign in.
demo: install
	$(VENV)/bin/refuge demo --serve $(HOST):$(PORT)

## Run the whole test suite (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL).
test: install
	scripts/ensure-browser
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Recompile translations after editing refuge/locale/*/LC_MESSAGES/django.po.
messages: install
	$(PY) scripts/compile_messages.py

clean:
	rm -rf $(VENV) .tools var .pytest_cache
