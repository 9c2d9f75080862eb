# Thin wrapper over CMake presets, as DuckDB does. Every target that builds first makes
# sure the Debian packages (scripts/setup) and the dashboard's npm packages (scripts/web)
# are there.
.PHONY: setup build debug test run bench format format-check clean

JOBS ?= $(shell nproc)
export CCACHE_DIR ?= $(HOME)/.ccache
# Relative paths in the cache key: a fresh clone in another folder (as CI makes) reuses
# the objects another checkout compiled.
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_NOHASHDIR ?= true

setup:
	@bash scripts/setup
	@bash scripts/web

build: setup
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

debug: setup
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)

format:
	@bash scripts/format

format-check:
	@bash scripts/format --check

# Unit and end-to-end tests under ASan+UBSan, the libFuzzer targets for a bounded time
# (scripts/fuzz), the acceptance run and the crash/fault/scale-out suite (scripts/fire,
# short form) on the release binary, then the dashboard in headless Chromium against a
# live `walletflow run`.
test: setup format-check debug build
	@ctest --preset debug -j $(JOBS) --timeout 600
	@bash scripts/fuzz
	@bash scripts/acceptance build/release/walletflow
	@bash scripts/fire build/release/walletflow
	@WALLETFLOW_BIN=build/release/walletflow node --test web/tests/

run: build
	@build/release/walletflow run $(ARGS)

bench: build
	@build/release/walletflow bench --scenario engine --json
	@build/release/walletflow bench --scenario embedded --json
	@build/release/bench/wf_microbench --benchmark_min_time=0.2

clean:
	@rm -rf build
