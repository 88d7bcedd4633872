# Portico — build, test and benchmark entry points.
#
# `make test` and `make demo` install the Debian packages they need when run as
# root (a fresh CI machine); otherwise they print the exact apt-get command.

SWIFT        ?= swift
DEBIAN_PKGS  := libssl-dev libsqlite3-dev liblz4-dev publicsuffix openssl curl haproxy nginx python3 pkg-config
SWIFT_FLAGS  ?=

.PHONY: all build test bench bench-longlink deps clean

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

build: deps
	$(SWIFT) build $(SWIFT_FLAGS)

test: deps
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	# Bounded: a hung test must fail the run, not hold CI for its whole time limit.
	timeout --kill-after=10 900 stdbuf -oL -eL $(SWIFT) test --skip-build $(SWIFT_FLAGS)

bench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

# One stream through a 50 ms each way, 200 Mbit/s emulated link, release build.
bench-longlink: deps
	PORTICO_BENCH=1 $(SWIFT) test -c release -Xswiftc -enable-testing --filter LongLink

clean:
	rm -rf .build Benchmarks/.build
