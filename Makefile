# The two commands of the Quick start: `make site` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: site test docs lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,browser]"
	# bytecode now, as pip writes it for a regular install: an editable install under
	# PYTHONDONTWRITEBYTECODE would otherwise compile every module on every run
	$(BIN)/python -m compileall -q generator
	touch $(STAMP)

## site: install, generate the documents from phases/ and build the site into site/
site: $(STAMP)
	$(BIN)/phasedocs generate --out docs
	$(BIN)/phasedocs build --site-dir site

## test: the whole test suite (lint included)
test: $(STAMP)
	$(BIN)/ruff check generator tests bench
	$(BIN)/python -m pytest

## bench: performance figures as ratios, printed and written to bench/out/
bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) site docs bench/out .pytest_cache .ruff_cache .hypothesis
