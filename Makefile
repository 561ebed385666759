# The two commands of the Quick start: `make site` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: site test test-fast docs lint bench mutate mutate-hand clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,lint,browser,zensical,properdocs]"
	# bytecode now, as pip writes it for a regular install: an editable install under
	# PYTHONDONTWRITEBYTECODE would otherwise compile every module on every run
	$(BIN)/python -m compileall -q generator/phasedocs
	touch $(STAMP)

## site: install, generate the documents from phases/ and build the site into site/
site: $(STAMP)
	$(BIN)/phasedocs generate --out docs
	$(BIN)/phasedocs build --site-dir site

## test: the whole test suite: lint, format, types, then pytest
test: $(STAMP)
	$(BIN)/ruff check generator tests bench
	$(BIN)/ruff format --check generator tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto --dist worksteal

## test-fast: the developer's lane: lint, format, types, then every test but the browser,
## packaging, fuzz and scale ones (their markers in pyproject.toml); `make test` runs them all.
## Both run pytest on every core (pytest-xdist, -n auto; worksteal: an idle worker takes queued tests from a busy one)
test-fast: $(STAMP)
	$(BIN)/ruff check generator tests bench
	$(BIN)/ruff format --check generator tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto --dist worksteal -m "not (browser or packaging or fuzz or scale)"

## mutate: mutation testing (mutmut) of input, facts, render and output; prints the score (hours;
## SAMPLE=600 tests a random sample of 600 mutants and prints an estimate with its 95% interval)
mutate: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[mutate]"
	$(BIN)/python tests/mutate.py $(if $(SAMPLE),--sample $(SAMPLE))

## mutate-hand: every hand-made mutation of tests/mutations.py (bugs that once passed the suite)
## applied in turn with the tests it names; fails when one survives or no longer applies.
## About 9 CPU-seconds a mutation (a sample of 13), some 15 minutes for the 101: not part of
## `make test`, whose tests/test_hand_mutations.py checks on every run that each pattern still applies
mutate-hand: $(STAMP)
	$(BIN)/python tests/mutations.py

## bench: performance figures as ratios, printed and written to bench/out/
bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .venv-lowest .mutate site docs bench/out .pytest_cache .ruff_cache .hypothesis
