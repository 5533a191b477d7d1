# polyc — build, demo, test and benchmark.
# `make demo` and `make test` work on a fresh Debian machine as root: they
# install libisl-dev and libgmp-dev first when missing.

SWIFT        ?= swift
SWIFT_FLAGS  ?=
DEBUG_BIN     = .build/debug/polyc
RELEASE_BIN   = .build/release/polyc
DEMO_KERNEL  ?= Kernels/polybench/gemm.loop
APT_PACKAGES  = libisl-dev libgmp-dev pkg-config

.PHONY: all deps deps-polly build release demo test test-full test-asan test-polly fuzz bench bench-npu clean

all: build

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build $(SWIFT_FLAGS)

release: deps
	$(SWIFT) build -c release $(SWIFT_FLAGS)

demo: build
	@echo "== $(DEMO_KERNEL): the polyhedral model (--emit scop)"
	@$(DEBUG_BIN) $(DEMO_KERNEL) --config Configs/identity.json --emit scop
	@echo "== dependences (--emit deps)"
	@$(DEBUG_BIN) $(DEMO_KERNEL) --config Configs/identity.json --emit deps
	@echo "== C for the original schedule (--emit c)"
	@$(DEBUG_BIN) $(DEMO_KERNEL) --config Configs/identity.json --emit c

# Examples/Client is a separate package that depends on the PolycKit product
# only: building it proves the public API suffices; its tests schedule SCoPs
# given as isl strings.
test: deps
	$(SWIFT) build $(SWIFT_FLAGS) --package-path Examples/Client
	./Examples/Client/.build/debug/EmbedExample
	$(SWIFT) test $(SWIFT_FLAGS) --package-path Examples/Client
	$(SWIFT) test $(SWIFT_FLAGS)

# The kernel x strategy sweeps over all 30 kernels (the default runs them on
# a representative subset; the original schedule is always checked on all 30).
test-full: deps
	POLYC_FULL_TESTS=1 $(SWIFT) test $(SWIFT_FLAGS)

# Runs the whole test suite under AddressSanitizer/LeakSanitizer.
test-asan: deps
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan.supp \
	  $(SWIFT) test --sanitize=address --disable-xctest --scratch-path .build-asan

# Random affine programs through every preset (docs/testing.md): N programs
# from seed FUZZ_SEED, and FUZZ_INPUTS mutated kernels, strategy files and
# hardware files per parser.
N           ?= 200
FUZZ_SEED   ?= 1
FUZZ_INPUTS ?= 100000
# The random programs run the release polyc (its 120 s limit is then a
# user's compile time); the input fuzzer runs the debug one (assertions on).
fuzz: release
	POLYC_FUZZ_PROGRAMS=$(N) POLYC_FUZZ_FIRST_SEED=$(FUZZ_SEED) POLYC_FUZZ_INPUTS=$(FUZZ_INPUTS) \
	  POLYC_FUZZ_POLYC=$(CURDIR)/$(RELEASE_BIN) \
	  $(SWIFT) test $(SWIFT_FLAGS) --filter 'RandomProgramTests|InputFuzzTests'

# The JSCoP round trip with real Polly (docs/jscop.md): polyc's programs and
# Polly 19's PolyBench exports (JSCOP_DIR, skipped when absent) exported,
# scheduled by `polyc jscop`, re-imported into Polly, run and compared; then
# Polly's own schedule against polyc's, timed. Installs clang-19 and Polly.
POLLY_APT_PACKAGES = clang-19 libpolly-19-dev libomp-19-dev python3
JSCOP_DIR ?= ../shared/jscop-polly19
deps-polly:
	@missing=""; for p in $(POLLY_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

test-polly: deps deps-polly
	$(SWIFT) build $(SWIFT_FLAGS) --product polyc
	scripts/polly-roundtrip.sh $(DEBUG_BIN) $(JSCOP_DIR)

# The MEDIUM PolyBench campaign (docs/bench.md): all 30 kernels, strategies identity, pluto, isl,
# cpu; results in bench-results/. More options: make bench BENCH_FLAGS="--peers polly --threads 2"
BENCH_FLAGS ?=
bench: release
	$(RELEASE_BIN) bench --dataset MEDIUM --out bench-results $(BENCH_FLAGS)

# The NPU benchmark (docs/npu.md): matmul 512^3, conv 56x56x64->64 and matmul 49000x64x64,
# each compiled under several strategies through the NPU backend and simulated (release build).
bench-npu: release
	$(RELEASE_BIN) npu --bench

clean:
	rm -rf .build .build-*
