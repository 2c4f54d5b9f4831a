# The two commands of the README, and the checks CI runs.
#   make demo    a three-member network on this machine
#   make test    the test suite (starts its own PostgreSQL)

VENV := .venv
PYTHON ?= python3

.PHONY: demo test check

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev,fast]'
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/fulfillment-network demo

test: $(VENV)/.installed
	$(VENV)/bin/pytest

check: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
