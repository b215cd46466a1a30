# Two commands do everything on a fresh machine: `make serve` and `make test`.
# Both create .venv and install the project with the pinned versions in constraints.txt.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Backstage TechDocs' pins (constraints-techdocs.txt) conflict with ours: their own
# environment, for tests/test_techdocs.py, which makes it when it is missing or out of date.
TECHDOCS_VENV := .venv-techdocs
TECHDOCS_INSTALLED := $(TECHDOCS_VENV)/.installed

.PHONY: install techdocs-env serve build test lint schema screenshot clean

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

install: $(INSTALLED)

$(TECHDOCS_INSTALLED): pyproject.toml constraints-techdocs.txt
	rm -rf $(TECHDOCS_VENV)
	$(PYTHON) -m venv $(TECHDOCS_VENV)
	$(TECHDOCS_VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints-techdocs.txt mkdocs-techdocs-core -e .
	touch $@

techdocs-env: $(TECHDOCS_INSTALLED)

serve: $(INSTALLED)  ## the example library with live reload on http://127.0.0.1:8000
	$(BIN)/mkdocs serve --livereload --dirty --dev-addr 127.0.0.1:8000

build: $(INSTALLED)
	$(BIN)/mkdocs build --strict

test: $(INSTALLED) $(TECHDOCS_INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/kb lint --strict
	$(BIN)/python -m pytest -n auto --dist loadfile

schema: $(INSTALLED)  ## regenerate the JSON Schema and the docs' field tables
	$(BIN)/kb schema > schema/postmortem.schema.json
	$(BIN)/kb schema --format markdown > docs/reference/fields.md

screenshot: $(INSTALLED)  ## docs/images/library.png for the README (needs chromium)
	$(BIN)/python scripts/screenshot.py

clean:
	rm -rf $(VENV) $(TECHDOCS_VENV) site .pytest_cache .kb-cache
