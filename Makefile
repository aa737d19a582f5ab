# The verbs a maintainer uses. Each target installs what it needs into .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
UPSTREAM ?= ../shared/telnyx-openapi/spec3.yml

.PHONY: setup spec release generate generate-all test-all-areas check golden coverage test lint typecheck unit build clean bench-runtime bench-generate

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

spec: $(STAMP)  ## re-derive spec/ai-assistants.openapi.yaml from Telnyx's public spec
	$(BIN)/telnyx-codegen curate --upstream $(UPSTREAM)

release: $(STAMP)  ## curate upstream, diff, bump the version, regenerate, prepend the changelog
	$(BIN)/telnyx-codegen release --upstream $(UPSTREAM)

generate: $(STAMP)  ## regenerate generated/ from the curated spec
	$(BIN)/telnyx-codegen generate

generate-all: $(STAMP)  ## the whole upstream spec (1,156 operations) into build/all, not generated/
	$(BIN)/telnyx-codegen generate --all-areas --upstream $(UPSTREAM)

test-all-areas: generate-all  ## the whole-spec package imports and one operation of every area is called
	$(BIN)/python tests/all_areas_smoke.py
	$(BIN)/black --check --quiet --line-length 100 --target-version py310 build/all/sdk

check: $(STAMP)  ## fail with a diff when generated/ is stale
	$(BIN)/telnyx-codegen check

lint: $(STAMP)
	$(BIN)/ruff check generator tests generated bench
	$(BIN)/black --check --quiet --line-length 100 --target-version py310 generated tests/golden/*/expected

typecheck: $(STAMP)
	$(BIN)/mypy generator
	cd generated && ../$(BIN)/mypy --strict telnyx_ai

# Prism, the mock server of the contract tests, pinned in package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

unit: $(STAMP) node_modules/.installed
	$(BIN)/pytest -q

coverage: $(STAMP) node_modules/.installed  ## line coverage of generator/ and of the generated runtime
	$(BIN)/pytest -q --cov=generator --cov=telnyx_ai --cov-report=term-missing:skip-covered

golden: $(STAMP)  ## rewrite the expected trees of tests/golden/ (review them with git diff)
	$(BIN)/python tests/test_golden.py

test: check lint typecheck unit  ## the whole suite

build: $(STAMP)  ## wheel and sdist of generated/, twine check, install in a fresh venv, smoke test
	rm -rf build/dist build/smoke-venv build/src
	cp -r generated build/src  # built from a copy: setuptools leaves an egg-info where it builds
	rm -rf build/src/*.egg-info build/src/.mypy_cache build/src/build
	$(BIN)/python -m build --outdir build/dist build/src
	$(BIN)/twine check --strict build/dist/*
	$(PYTHON) -m venv build/smoke-venv
	build/smoke-venv/bin/python -m pip install --quiet --disable-pip-version-check build/dist/*.whl
	cd build && smoke-venv/bin/python ../tests/wheel_smoke.py

clean:
	rm -rf $(VENV) build .mypy_cache .pytest_cache .ruff_cache

BENCH_VENV := build/bench-venv
$(BENCH_VENV)/.installed:
	@mkdir -p build
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check "httpx>=0.27,<0.29" "pydantic>=2.7,<3" respx telnyx==4.189.0
	@touch $@

build/bench-gen-venv/.installed:
	@mkdir -p build
	$(PYTHON) -m venv build/bench-gen-venv
	build/bench-gen-venv/bin/python -m pip install --quiet --disable-pip-version-check openapi-python-client==0.29.1
	@touch $@

bench-generate: $(STAMP) build/bench-gen-venv/.installed  ## generation speed against openapi-python-client
	@test -f build/all/telnyx.openapi.yaml || $(MAKE) generate-all
	$(BIN)/python bench/generate.py

bench-runtime: $(BENCH_VENV)/.installed  ## runtime speed against bare httpx and the official SDK
	$(BENCH_VENV)/bin/python bench/runtime.py
