# The verbs a maintainer uses. Each target installs what it needs into .venv by itself:
# Python 3.10+ and make are all a machine needs (Node.js for Prism comes from a wheel).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Telnyx's public spec: the copy beside the project where there is one, else (empty) the
# `upstream` URL of spec/curation.yaml. `make release UPSTREAM=` always fetches that URL.
UPSTREAM ?= $(wildcard ../shared/telnyx-openapi/spec3.yml)
UPSTREAM_OPTION = $(if $(UPSTREAM),--upstream $(UPSTREAM))
# pytest-xdist workers: one per core
WORKERS ?= auto

.PHONY: setup spec release generate generate-all test-all-areas build-all contract-all check golden coverage test test-deep lint typecheck unit build publish clean bench-runtime bench-generate surface-report

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { echo "setup: $(PYTHON) is older than Python 3.10; run make PYTHON=python3.X"; exit 1; }
	@test -x $(BIN)/python || { echo "setup: creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	@echo "setup: installing the generator, its test tools and Node.js (a wheel) into $(VENV); the first time takes about a minute"
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar off -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@
	@echo "setup: done"

spec: $(STAMP)  ## re-derive spec/ai-assistants.openapi.yaml from Telnyx's public spec
	$(BIN)/telnyx-codegen curate $(UPSTREAM_OPTION)

release: $(STAMP)  ## curate upstream, diff, bump the version, regenerate, prepend the changelog
	$(BIN)/telnyx-codegen release $(UPSTREAM_OPTION)

generate: $(STAMP)  ## regenerate generated/ from the curated spec
	$(BIN)/telnyx-codegen generate

generate-all: $(STAMP)  ## the whole upstream spec (1,156 operations) into build/all, not generated/
	$(BIN)/telnyx-codegen generate --all-areas $(UPSTREAM_OPTION)

# The spec-driven respx test over every operation of the whole spec (tests/support/target.py:
# TELNYX_CODEGEN_SURFACE=all), sync and async, one worker per core: it owns the machine.
ALL_AREAS := TELNYX_CODEGEN_SURFACE=all
test-all-areas: generate-all  ## the whole-spec package: one operation of every area, every operation against respx, the surface against the official SDK's
	$(BIN)/python tests/smoke/all_areas_smoke.py
	$(ALL_AREAS) $(BIN)/pytest -q -n $(WORKERS) -p no:cacheprovider tests/spec_driven/test_operations.py tests/spec_driven/test_surface.py
	$(FORMAT_CHECK) build/all/sdk

contract-all: generate-all node_modules/.installed  ## the Prism contract test over the whole spec (not in make test)
	$(ALL_AREAS) $(BIN)/pytest -q -n $(WORKERS) -p no:cacheprovider tests/contract/test_contract.py

# Generated code is checked by the formatter that writes it, with the settings it writes
# with (generator/rendering.py, format_files); Markdown is left as the templates wrote it.
FORMAT_CHECK := $(BIN)/ruff format --check --quiet --isolated --exclude '*.md' --line-length 100 --target-version py310

check: $(STAMP)  ## fail with a diff when generated/ is stale
	$(BIN)/telnyx-codegen check

# Hand-written code, the runtime (generator/runtime/) among it, is linted with long lines
# refused and checked by the formatter; a runtime module that the generator's formatter
# would change makes `make check` fail, since generated/ holds it as it is.
lint: $(STAMP)
	$(BIN)/ruff check generator tests generated bench
	$(BIN)/ruff format --check --quiet generator tests bench --exclude 'tests/golden/*/expected'
	$(FORMAT_CHECK) generated tests/golden/*/expected
	$(BIN)/actionlint -shellcheck $(BIN)/shellcheck .github/workflows/*.yml

typecheck: $(STAMP)
	$(BIN)/mypy generator
	$(BIN)/mypy --strict generator/runtime  # its .pyi stubs stand for the generated modules
	cd generated && ../$(BIN)/mypy --strict telnyx_ai

# Prism, the mock server of the contract tests, pinned in package-lock.json, installed by
# the npm of the Node.js wheel in .venv (its bin/ first on PATH, for npm's own scripts).
node_modules/.installed: package.json package-lock.json | $(STAMP)
	@echo "setup: installing Prism into node_modules (npm ci with the Node.js of $(VENV))"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/npm ci --no-audit --no-fund --loglevel=error
	@touch $@

unit: $(STAMP) node_modules/.installed
	$(BIN)/pytest -q -n $(WORKERS)

test-deep: $(STAMP) node_modules/.installed  ## the property tests and the fuzzer with large example budgets
	TELNYX_CODEGEN_TIER=deep $(BIN)/pytest -q -n $(WORKERS) tests/spec_driven/test_models_property.py tests/spec_driven/test_fuzz_responses.py tests/units/test_fuzz_generator.py

coverage: $(STAMP) node_modules/.installed  ## line coverage of generator/ and of the generated runtime
	$(BIN)/pytest -q -n $(WORKERS) --cov=generator --cov=telnyx_ai --cov-report=term-missing:skip-covered

golden: $(STAMP)  ## rewrite the expected trees of tests/golden/ (review them with git diff)
	$(BIN)/python tests/golden/test_golden.py

test: check lint typecheck unit  ## the whole suite

# $(call build_and_smoke,PROJECT,DIST,VENV,PACKAGE): reproducible wheel and sdist of PROJECT
# into DIST, checked by twine; the wheel installed into a fresh VENV and smoke-tested
# (tests/smoke/wheel_smoke.py PACKAGE) without its extras, then with them.
define build_and_smoke
	$(BIN)/telnyx-codegen build --out $(1) --dist $(2)
	rm -rf $(3)
	$(PYTHON) -m venv $(3)
	$(3)/bin/python -m pip install --quiet --disable-pip-version-check $(2)/*.whl
	cd build && $(CURDIR)/$(3)/bin/python ../tests/smoke/wheel_smoke.py $(4)
	$(3)/bin/python -m pip install --quiet --disable-pip-version-check "$$(ls $(2)/*.whl)[streaming,webhooks]"
	cd build && $(CURDIR)/$(3)/bin/python ../tests/smoke/wheel_smoke.py $(4)
endef

build: $(STAMP)  ## reproducible wheel and sdist of generated/, twine check, install in a fresh venv, smoke test
	$(call build_and_smoke,generated,build/dist,build/smoke-venv,telnyx_ai)

# The whole-spec package has no release history of its own: spec/CHANGELOG-all.md is its
# changelog (its date makes the archives reproducible, as generated/CHANGELOG.md does).
build-all: generate-all  ## `make build` for the whole-spec package: telnyx-all into build/all/dist
	cp spec/CHANGELOG-all.md build/all/sdk/CHANGELOG.md
	$(call build_and_smoke,build/all/sdk,build/all/dist,build/all/smoke-venv,telnyx_all)

publish: build  ## upload build/dist to $$TELNYX_CODEGEN_INDEX_URL (credentials: TWINE_USERNAME, TWINE_PASSWORD)
	$(BIN)/telnyx-codegen publish --dist build/dist --changelog generated/CHANGELOG.md

clean:
	rm -rf $(VENV) build .mypy_cache .pytest_cache .ruff_cache

BENCH_VENV := build/bench-venv
$(BENCH_VENV)/.installed: Makefile
	@mkdir -p build
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check "httpx>=0.27,<0.29" "pydantic>=2.7,<3" "httpx-sse>=0.4.3,<1" respx telnyx==4.189.0
	@touch $@

build/bench-gen-venv/.installed:
	@mkdir -p build
	$(PYTHON) -m venv build/bench-gen-venv
	build/bench-gen-venv/bin/python -m pip install --quiet --disable-pip-version-check openapi-python-client==0.29.1
	@touch $@

bench-generate: $(STAMP) build/bench-gen-venv/.installed  ## generation speed against openapi-python-client
	@test -f build/all/telnyx.openapi.yaml || $(MAKE) generate-all
	$(BIN)/python bench/generate.py

surface-report: generate-all  ## the whole-spec package's call paths and arguments against the official SDK's
	$(BIN)/python bench/surface.py

bench-runtime: $(BENCH_VENV)/.installed  ## runtime speed against bare httpx and the official SDK
	$(BENCH_VENV)/bin/python bench/runtime.py
