# clvfit — build, test, demo and benchmark. `make demo` and `make test` set up everything they
# need on a fresh Debian machine with the Swift toolchain (apt packages, datasets).
# `make help` lists the targets (the `## ` comments below).

SWIFT        ?= swift
# chromium and a font: the test suite renders the HTML report in headless Chromium (report-check).
APT_PACKAGES := liblapack-dev libopenblas-dev chromium fonts-dejavu-core
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN  := .build/release
# `make install`: where the binary and the man pages go ($(DESTDIR)$(PREFIX)/bin, …/share/man/man1).
PREFIX       ?= /usr/local
DESTDIR      ?=
MAN_DIR      := .build/man
# The man pages' date: the last commit's (so that the pages of one commit are the same bytes).
MAN_DATE     := $(shell git log -1 --format=%cs 2>/dev/null || date +%F)

.PHONY: all help setup setup-postgres setup-engines datasets build release test report-check demo bench bench-peers man install fuzz fuzz-build fuzz-merge clean

all: build

## help: list the targets.
help:
	@awk '/^## [a-z-]+:/ { sub(/^## /, ""); print; next } /^## / { sub(/^## /, "      "); print }' $(firstword $(MAKEFILE_LIST))

## setup: install the Debian packages clvfit links against (LAPACK, OpenBLAS), and the headless
## browser the report test uses (Chromium), when missing.
setup:
	@command -v $(SWIFT) >/dev/null || { echo "error: the Swift toolchain ('$(SWIFT)') is not on PATH; install Swift 6 first." >&2; exit 1; }
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

## setup-postgres: install PostgreSQL (Debian package 'postgresql') when its server programs are
## missing. The SQL push-down test starts a throwaway server of its own (scripts/pg-throwaway.sh:
## temporary directory, Unix socket only) and stops it; nothing here starts or configures one.
setup-postgres:
	@bash scripts/pg-throwaway.sh check 2>/dev/null || { \
	  echo "Installing postgresql"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql; \
	}

## setup-engines: a venv (.build/engines-venv) with the SQL engines the dialect tests run the emitted
## SQL on: DuckDB and PySpark (Spark SQL in local mode, on the machine's Java 17+), pinned in
## scripts/engines-requirements.txt. About a minute to install on 2 cores; made again when the pins change.
ENGINES_VENV := .build/engines-venv
setup-engines: $(ENGINES_VENV)/.installed
$(ENGINES_VENV)/.installed: scripts/engines-requirements.txt
	@command -v java >/dev/null || { echo "Installing default-jre-headless (Spark needs Java)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq default-jre-headless; }
	rm -rf $(ENGINES_VENV) && python3 -m venv $(ENGINES_VENV)
	$(ENGINES_VENV)/bin/pip install --quiet -r scripts/engines-requirements.txt
	touch $@

## datasets: fetch CDNOW and the donations data (from the lifetimes 0.11.3 wheel on PyPI), verify, convert.
datasets:
	@bash datasets/fetch.sh

## build: debug build of the library and the tool.
build: setup
	$(SWIFT) build

## release: optimised build of the tool and the benchmark runner.
release: setup
	$(SWIFT) build -c release --product clvfit
	$(SWIFT) build -c release --product clvfit-bench

## test: the whole suite (Swift Testing; XCTest disabled so the closing line counts the real tests),
## the SQL push-down tests against a real PostgreSQL, DuckDB and Spark SQL included.
## CLVFIT_REQUIRE_BROWSER=1: the report's browser test must run (it fails if Chromium is missing).
test: setup setup-postgres setup-engines datasets
	$(SWIFT) build --build-tests
	CLVFIT_REQUIRE_BROWSER=1 CLVFIT_REQUIRE_ENGINES=1 $(SWIFT) test --skip-build --disable-xctest

## report-check: only the HTML report tests (evaluate --report and clvfit report), the headless-Chromium
## rendering among them (also part of `make test`). CLVFIT_UPDATE_DOCS=1 rewrites docs/report.png.
report-check: setup datasets
	$(SWIFT) build --build-tests
	CLVFIT_REQUIRE_BROWSER=1 $(SWIFT) test --skip-build --disable-xctest --filter "ReportEndToEndTests|ReportHTMLTests|EvaluationReportTests|SVGChartTests|TrackingCurveTests|CustomerBaseReport"

## demo: summarize → train → score → evaluate → report on the CDNOW sample, printing each result.
demo: release datasets
	@bash scripts/demo.sh $(RELEASE_BIN)/clvfit

## bench: timings, throughput and peak memory in release mode.
bench: release datasets
	$(RELEASE_BIN)/clvfit-bench

## bench-peers: clvfit against lifetimes 0.11.3 side by side (fits, 12-month CLV, intervals) on
## summaries simulated from BG/NBD and from Pareto/NBD (100,000 and 1,000,000 customers) and on
## CDNOW; sets up lifetimes in .build/peers-venv from scripts/lifetimes-requirements.txt. Took
## 17 minutes here, 10 of them lifetimes' two 1M Pareto/NBD fits; SIZES=100k takes about 3.
## Also DuckDB (make setup-engines) against clvfit summarize on the 10M-row log, sorted and
## shuffled. WORKLOADS=summarize (or fits, clv) runs only those pairs.
PEERS_VENV := .build/peers-venv
SIZES      ?= 100k,1m
WORKLOADS  ?= fits,clv,summarize
bench-peers: release datasets setup-engines
	@test -x $(PEERS_VENV)/bin/python || { python3 -m venv $(PEERS_VENV) && $(PEERS_VENV)/bin/pip install --quiet -r scripts/lifetimes-requirements.txt; }
	$(PEERS_VENV)/bin/python scripts/bench_peers.py --clvfit $(RELEASE_BIN)/clvfit --bench $(RELEASE_BIN)/clvfit-bench \
		--work .build/bench --sizes $(SIZES) --workloads $(WORKLOADS) --duckdb-python $(ENGINES_VENV)/bin/python

## man: generate the man pages into .build/man/ (clvfit.1, and clvfit.summarize.1, clvfit.train.1,
## clvfit.score.1, clvfit.evaluate.1: `man clvfit.score`) with swift-argument-parser's
## generate-manual plugin, from the commands' own definitions, so that they say what --help says.
## The plugin builds its tool and the package (release) first; no network, nothing written
## outside .build/.
MAN_PLUGIN_OUT := .build/plugins/GenerateManual/outputs/clvfit
man: setup
	rm -rf $(MAN_PLUGIN_OUT) $(MAN_DIR)
	$(SWIFT) package generate-manual --multi-page --date $(MAN_DATE)
	mkdir -p $(MAN_DIR) && cp $(MAN_PLUGIN_OUT)/*.1 $(MAN_DIR)/
	@echo "Man pages in $(MAN_DIR)/: $$(cd $(MAN_DIR) && echo *.1)"

## install: install the release binary into $(PREFIX)/bin and the man pages into
## $(PREFIX)/share/man/man1 (PREFIX=/usr/local by default; DESTDIR is prepended, for packaging).
install: man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(RELEASE_BIN)/clvfit $(DESTDIR)$(PREFIX)/bin/clvfit
	install -m 644 $(MAN_DIR)/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/

## fuzz: libFuzzer (with AddressSanitizer) on each reader for FUZZ_SECONDS (default 60) per target
## (FUZZ_TARGETS to choose); fails on any crash. See docs/fuzzing.md.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= transaction-log summary model-file date number
FUZZ_SCRATCH := .build-fuzz
FUZZ_BIN     := $(FUZZ_SCRATCH)/release/clvfit-fuzz
# Every Swift module instrumented (coverage for libFuzzer, ASan); the driver's libFuzzer main
# (CLVFIT_LIBFUZZER). lld: gold fails on the libFuzzer link ("internal error in format_file_lineno").
FUZZ_FLAGS   := -Xswiftc -sanitize=fuzzer,address -Xswiftc -DCLVFIT_LIBFUZZER -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld

fuzz: fuzz-build
	@bash scripts/fuzz.sh run $(FUZZ_BIN) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

## fuzz-build: the fuzzing build of the driver only, in its own scratch folder (.build-fuzz).
fuzz-build: setup
	$(SWIFT) build -c release --scratch-path $(FUZZ_SCRATCH) --product clvfit-fuzz $(FUZZ_FLAGS)

## fuzz-merge: minimise Tests/Fuzz/corpus/ with the new entries of the last `make fuzz` (libFuzzer -merge=1).
fuzz-merge: fuzz-build
	@bash scripts/fuzz.sh merge $(FUZZ_BIN) $(FUZZ_TARGETS)

## clean: remove the build directories.
clean:
	rm -rf .build .build-fuzz
