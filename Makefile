# Portico — build, test and benchmark entry points.
#
# `make test` and `make demo` install the Debian packages they need when run as
# root (a fresh CI machine); otherwise they print the exact apt-get command.
# Building needs only BUILD_PKGS; the peers the tests run against (nginx,
# haproxy, ...) are installed by `make test` alone, never by `make install`.

SWIFT        ?= swift
BUILD_PKGS   := libssl-dev libsqlite3-dev liblz4-dev publicsuffix pkg-config
TEST_PKGS    := openssl curl haproxy nginx python3 lintian
DEBIAN_PKGS  := $(BUILD_PKGS) $(TEST_PKGS)
SWIFT_FLAGS  ?=

.PHONY: all build test test-packaging test-sanitize fuzz demo bench bench-longlink bench-e2e bench-bandwidth deps build-deps clean release install deb

all: build

deps:
	@missing=""; for p in $(DEBIAN_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "installing:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "missing Debian packages:$$missing"; \
			echo "run: sudo apt-get install -y$$missing"; \
			exit 1; \
		fi; \
	fi

build-deps:
	@$(MAKE) --no-print-directory deps DEBIAN_PKGS="$(BUILD_PKGS)"

build: build-deps
	$(SWIFT) build $(SWIFT_FLAGS)

# Tests stop every process they start by PID. As a safety net for a run that
# is killed or crashes, they all live under a per-run TMPDIR, and whatever is
# still running from it afterwards is killed before the directory goes.
# The output (agents' logs included) is long: the failures and the totals
# are repeated at the end, under "== summary". TEST_FILTER=regex runs only
# the tests whose names match.
test: deps
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	@run=$$(mktemp -d /tmp/pt.XXXXXX); log=$$(mktemp /tmp/pt-log.XXXXXX); \
	{ TMPDIR=$$run timeout --kill-after=10 900 stdbuf -oL -eL $(SWIFT) test --skip-build $(SWIFT_FLAGS) $(if $(TEST_FILTER),--filter '$(TEST_FILTER)') 2>&1; \
	  echo $$? >"$$log.status"; } | tee "$$log"; status=$$(cat "$$log.status"); \
	pkill -9 -f "$$run/" 2>/dev/null; sleep 0.2; rm -rf "$$run"; \
	echo "== summary"; \
	grep -E '^✘|^error:|Fatal error|Program crashed' "$$log" | grep -v 'Test run with' | head -n 60; \
	grep -E '^(✔|✘) Test run with' "$$log" | tail -n 1; \
	rm -f "$$log" "$$log.status"; \
	$(MAKE) --no-print-directory test-packaging && packaging=0 || packaging=$$?; \
	[ "$$packaging" -eq 0 ] || echo "make test: packaging check FAILED (output above)"; \
	[ "$$status" -eq 0 ] && echo "make test: tests passed" || echo "make test: tests FAILED (status $$status; full output above)"; \
	[ "$$status" -eq 0 ] && [ "$$packaging" -eq 0 ]

# `make install` into a temporary root and `make deb` from a debug build
# with the Swift runtime linked in (quicker than release, the same files),
# checked by scripts/check-packaging.sh; part of `make test`.
test-packaging: deps
	@root=$$(mktemp -d /tmp/pt-install.XXXXXX); out=$$(mktemp -d /tmp/pt-deb.XXXXXX); status=0; \
	{ $(MAKE) --no-print-directory install PACKAGE_CONFIG=debug DESTDIR=$$root PREFIX=/usr/local && \
	  $(MAKE) --no-print-directory deb PACKAGE_CONFIG=debug DEB_DIR=$$out DEB_COMPRESSION=gzip && \
	  scripts/check-packaging.sh $$root /usr/local $$out/portico_*.deb; } || status=$$?; \
	rm -rf $$root $$out; exit $$status

# The Wire and end-to-end suites under AddressSanitizer, then ThreadSanitizer,
# each in its own scratch path (.build-asan, .build-tsan) so that neither
# clobbers the normal build. Not part of `make test` (CI budget). Every
# process the tests start (the agents too) writes its reports to
# <scratch>/reports; the target fails if any appear, even when the tests
# pass. SANITIZERS=address runs one; SANITIZE_FILTER narrows the tests.
# Suppressions, each justified: Tests/tsan-suppressions.txt.
SANITIZERS      ?= address thread
SANITIZE_FILTER ?= WireTests|EndToEndTests
test-sanitize: deps
	@for s in $(SANITIZERS); do \
		case $$s in address) scratch=.build-asan ;; thread) scratch=.build-tsan ;; \
			*) echo "unknown sanitizer $$s (address or thread)"; exit 2 ;; esac; \
		reports=$(CURDIR)/$$scratch/reports; rm -rf "$$reports"; mkdir -p "$$reports"; \
		echo "== $$s: build in $$scratch"; \
		$(SWIFT) build --build-tests --sanitize=$$s --scratch-path $$scratch $(SWIFT_FLAGS) || exit 1; \
		run=$$(mktemp -d /tmp/pt.XXXXXX); status=0; \
		TMPDIR=$$run SWIFT_BACKTRACE=enable=no \
			ASAN_OPTIONS="detect_leaks=0:log_path=$$reports/asan" \
			TSAN_OPTIONS="suppressions=$(CURDIR)/Tests/tsan-suppressions.txt:log_path=$$reports/tsan" \
			timeout --kill-after=10 3600 stdbuf -oL -eL $(SWIFT) test --skip-build --sanitize=$$s \
			--scratch-path $$scratch $(SWIFT_FLAGS) --filter '$(SANITIZE_FILTER)' || status=$$?; \
		pkill -9 -f "$$run/" 2>/dev/null; sleep 0.2; rm -rf "$$run"; \
		if [ -n "$$(ls "$$reports")" ]; then cat "$$reports"/*; echo "$$s: reports above (files in $$reports)"; exit 1; fi; \
		[ $$status -eq 0 ] || { echo "$$s: tests failed (status $$status)"; exit $$status; }; \
		echo "== $$s: no reports"; \
	done

# libFuzzer targets for the parsers (Fuzz/), each run FUZZ_SECONDS; fails on
# any crash or broken invariant. Release build in .build-fuzz with coverage and
# ASan in every Swift module (Wire included). The sanitizers go in one
# -sanitize=fuzzer,address: SwiftPM emits `--sanitize` values as separate
# flags in no fixed order and the compiler keeps only the last, which left
# either coverage or ASan out of some builds. `--sanitize=fuzzer` stays so that
# SwiftPM links the targets with libFuzzer's main. FUZZ_TARGETS="FuzzLZ4 ..."
# runs some; FUZZ_RUNS=N also stops each after N executions.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
FUZZ_RUNS    ?=
FUZZ_BUILD   := $(SWIFT) build -c release --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address --scratch-path ../.build-fuzz
fuzz: deps
	cd Fuzz && $(FUZZ_BUILD)
	FUZZ_RUNS=$(FUZZ_RUNS) Fuzz/run.sh "$$(cd Fuzz && $(FUZZ_BUILD) --show-bin-path)" $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# `make install` (PREFIX=/usr/local, DESTDIR for staging) and `make deb`
# (dist/deb/portico_VERSION_ARCH.deb): a release build with the Swift runtime
# linked in (--static-swift-stdlib, in .build-static), so the binaries need
# only Debian's libssl3, libsqlite3 and liblz4; then scripts/install.sh puts
# binaries, systemd units, man pages (scripts/manpages.py, from the binaries'
# own help) and shell completions in
# place. PACKAGE_CONFIG=debug builds faster (the test suite's packaging check).
PREFIX         ?= /usr/local
DESTDIR        ?=
PACKAGE_CONFIG ?= release
DEB_DIR        ?= dist/deb
DEB_COMPRESSION ?= xz
PACKAGE_BUILD  := $(SWIFT) build -c $(PACKAGE_CONFIG) --static-swift-stdlib --scratch-path .build-static
PACKAGE_DATE   := $(shell git log -1 --format=%cs 2>/dev/null || date -u +%F)
PACKAGE_BIN    := .build-static/$(PACKAGE_CONFIG)
release: build-deps
	$(PACKAGE_BUILD) --product edgeagent
	$(PACKAGE_BUILD) --product homeagent

# Builds first when swift is on PATH; under sudo (whose PATH seldom has the
# toolchain) it installs what `make release` built as the user.
install:
	@if command -v $(SWIFT) >/dev/null 2>&1; then $(MAKE) --no-print-directory release; \
	elif [ -x $(PACKAGE_BIN)/edgeagent ] && [ -x $(PACKAGE_BIN)/homeagent ]; then \
		echo "install: $(SWIFT) is not on PATH; installing the binaries 'make release' built in $(PACKAGE_BIN)"; \
	else \
		echo "install: $(SWIFT) is not on PATH and nothing is built in $(PACKAGE_BIN): run 'make release' as yourself first, then 'sudo make install'"; \
		exit 1; \
	fi
	PORTICO_DATE=$(PACKAGE_DATE) scripts/install.sh "$(PACKAGE_BIN)" "$(DESTDIR)" "$(PREFIX)"

deb: release
	PORTICO_DATE=$(PACKAGE_DATE) DEB_COMPRESSION=$(DEB_COMPRESSION) scripts/make-deb.sh "$(PACKAGE_BIN)" $(DEB_DIR)

# An edge, a home and a demo web service on this machine; Ctrl-C stops them.
demo:
	@$(MAKE) --no-print-directory deps DEBIAN_PKGS="$(BUILD_PKGS) openssl curl python3"
	$(SWIFT) build $(SWIFT_FLAGS)
	scripts/demo.sh "$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)"

bench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

# One stream through a 50 ms each way, 200 Mbit/s emulated link, release build.
bench-longlink: deps
	PORTICO_BENCH=1 $(SWIFT) test -c release -Xswiftc -enable-testing --filter LongLink

# Portico vs an OpenSSH reverse tunnel behind HAProxy vs a stunnel pair, on
# loopback (release build; installs wrk, iperf3, openssh, stunnel4 as root).
bench-e2e: deps
	$(MAKE) --no-print-directory deps DEBIAN_PKGS="wrk iperf3 openssh-server openssh-client stunnel4 haproxy nginx python3"
	$(SWIFT) build -c release
	PORTICO_BIN="$$($(SWIFT) build -c release --show-bin-path)" Benchmarks/e2e/run.sh

# Per-home bandwidth limits end to end: accuracy, fairness, isolation, PING
# under saturation, live changes (release build; installs iperf3 as root).
bench-bandwidth: deps
	$(MAKE) --no-print-directory deps DEBIAN_PKGS="iperf3 curl python3"
	$(SWIFT) build -c release
	PORTICO_BIN="$$($(SWIFT) build -c release --show-bin-path)" Benchmarks/bandwidth/run.sh

clean:
	rm -rf .build .build-fuzz .build-asan .build-tsan Benchmarks/.build
