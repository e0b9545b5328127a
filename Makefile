# auwatchd — the two commands of the README are `make run` and `make test`;
# every other target is a step they take.

GO ?= go

WEIGHTS_FROM := $(if $(AUWATCHD_WEIGHTS_FROM),-from $(abspath $(AUWATCHD_WEIGHTS_FROM)))
TESTDATA_FROM := $(if $(AUWATCHD_TESTDATA_FROM),-from $(abspath $(AUWATCHD_TESTDATA_FROM)))

.PHONY: run test deps weights testdata build app bench vet clean \
	build-arm64 test-arm64 test-arm64-kernels test-arm64-short

# `make run` starts the daemon on the watched folders (~/AUWatch when none is set).
run: deps weights build
	./bin/auwatchd run

# The packages whose goroutines share data run again under the race detector:
# the daemon's workers and supervisors, the watcher, the store, CLNF's worker
# pool, and the engine's overlapped stages and worker pool through a few short
# tests (under -race a frame costs ten times as much).
RACE_PACKAGES = ./internal/daemon ./watcher ./store ./pipeline/clnf
RACE_PIPELINE_TESTS = TestCancelLeavesNoOutput|TestTrackMustMatchTheVideo|TestFaceLeavesAndReturns|TestPool

# On Debian x86-64, where `make deps` installs the arm64 path, the arm64
# build's kernel tests and one short video run too, under emulation (see
# test-arm64 below; AUWATCHD_ARM64=0 leaves them out).
ARM64_HOST := $(shell uname -s)/$(shell uname -m)/$(shell . /etc/os-release 2>/dev/null && echo $$ID)
ARM64_EMULATED := $(if $(filter Linux/x86_64/debian,$(ARM64_HOST)),$(if $(filter 0,$(AUWATCHD_ARM64)),,yes))

test: deps weights testdata vet
	$(GO) test ./...
	$(GO) test -race $(RACE_PACKAGES)
	$(GO) test -race -run '$(RACE_PIPELINE_TESTS)' ./pipeline
ifeq ($(ARM64_EMULATED),yes)
	$(MAKE) --no-print-directory test-arm64-kernels test-arm64-short
endif

deps:
	./scripts/deps.sh

weights:
	$(GO) run ./weights/fetch -manifest weights/manifest.tsv -dest models $(WEIGHTS_FROM)

testdata:
	$(GO) run ./weights/fetch -manifest testdata/manifest.tsv -dest testdata $(TESTDATA_FROM)

build:
	$(GO) build -o bin/auwatchd ./cmd/auwatchd

vet:
	$(GO) vet ./...

# The arm64 build and test path, on a Debian x86-64 machine (`make deps`
# installs it): cgo cross-compiles against the arm64 sysroot in
# lib/linux-arm64/sysroot, and the test binaries and auwatchd run under
# user-mode QEMU with that sysroot as their library root. Emulated timings
# say nothing about speed on a real arm64 processor.
#   test-arm64-kernels  every test of the kernels' packages, CLNF's golden
#                       fits among them, and of the decoder (every frame of
#                       every test video the same as on x86-64)
#   test-arm64-short    `auwatchd process` on changeLighting.wmv, agreement
#                       with OpenFace equal to the x86-64 build's within 0.005
#   test-arm64          the kernels, and the same end to end on default.wmv
#                       and subj01_timepoint01.mp4
ARM64_SYSROOT := $(CURDIR)/lib/linux-arm64/sysroot
ARM64_GO := GOOS=linux GOARCH=arm64 CGO_ENABLED=1 CC="aarch64-linux-gnu-gcc --sysroot=$(ARM64_SYSROOT)" \
	PKG_CONFIG_SYSROOT_DIR=$(ARM64_SYSROOT) PKG_CONFIG_PATH= \
	PKG_CONFIG_LIBDIR=$(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu/pkgconfig:$(ARM64_SYSROOT)/usr/share/pkgconfig \
	$(GO)
ARM64_EXEC := qemu-aarch64-static -L $(ARM64_SYSROOT)
ARM64_KERNEL_PACKAGES = ./internal/linalg/ ./pipeline/clnf/ ./pipeline/video/ ./pipeline/video/yuv/
# Emulated runs are slow; a test binary may take this long.
ARM64_TIMEOUT = 60m
ARM64_COMPARE = $(GO) test -count=1 -v -timeout $(ARM64_TIMEOUT) -run TestEmulatedProcessAgrees ./internal/crossarch/
ARM64_ENV = AUWATCHD_EMULATED_BINARY=$(CURDIR)/bin/linux-arm64/auwatchd AUWATCHD_EMULATOR='$(ARM64_EXEC)' \
	AUWATCHD_EMULATED_ONNXRUNTIME=$(CURDIR)/lib/linux-arm64/libonnxruntime.so.1

build-arm64:
	$(ARM64_GO) build -o bin/linux-arm64/auwatchd ./cmd/auwatchd

test-arm64-kernels:
	$(ARM64_GO) test -count=1 -timeout $(ARM64_TIMEOUT) -exec '$(ARM64_EXEC)' $(ARM64_KERNEL_PACKAGES)

test-arm64-short: build-arm64
	$(ARM64_ENV) AUWATCHD_EMULATED_VIDEOS=changeLighting.wmv $(ARM64_COMPARE)

test-arm64: deps weights testdata build-arm64 test-arm64-kernels
	$(ARM64_ENV) AUWATCHD_EMULATED_VIDEOS=default.wmv,subj01_timepoint01.mp4 $(ARM64_COMPARE)

# `make app` builds bin/auwatchd.app on macOS: a menu-bar app (no Dock icon)
# carrying the models, ONNX Runtime and its own copies of every library the
# binary loads from Homebrew (FFmpeg and what FFmpeg loads), rewritten to be
# loaded from the app alone and signed ad hoc (app/bundler; the plan is
# package app/bundle's, tested on every system).
APP := bin/auwatchd.app
APP_VERSION ?= $(shell git describe --tags --abbrev=0 2>/dev/null | sed 's/^v//' | grep . || echo 0.0.0)

ifeq ($(shell uname -s),Darwin)
app: deps weights build
	rm -rf $(APP) bin/auwatchd.iconset
	mkdir -p $(APP)/Contents/Resources
	sed 's/@VERSION@/$(APP_VERSION)/g' app/Info.plist > $(APP)/Contents/Info.plist
	$(GO) run ./app/iconset -o bin/auwatchd.iconset
	iconutil -c icns -o $(APP)/Contents/Resources/auwatchd.icns bin/auwatchd.iconset
	cp -R models $(APP)/Contents/Resources/models
	$(GO) run ./app/bundler -app $(APP) -exe bin/auwatchd -onnxruntime lib/libonnxruntime.dylib
else
app:
	@echo "make app needs macOS (install_name_tool, codesign, iconutil): it builds auwatchd.app, which runs on macOS 14 or later; nothing to build on $$(uname -s)."
endif

# Whole-pipeline speed on the sample videos, in the default and the
# every-frame mode; peak memory for a 10-second and a 10-minute video (default.wmv cut
# and looped), each in a process of its own; then the Go benchmarks of each
# stage.
BENCH_VIDEOS = testdata/videos/default.wmv testdata/videos/changeLighting.wmv testdata/videos/2015-10-15-15-14.avi \
	testdata/videos/subj01_timepoint01.mp4 testdata/videos/subj02_timepoint01.mp4
BENCH_SHORT = testdata/bench/default-10s.wmv
BENCH_LONG = testdata/bench/default-10min.wmv

bench: deps weights testdata build $(BENCH_SHORT) $(BENCH_LONG)
	./bin/auwatchd bench $(BENCH_VIDEOS)
	./bin/auwatchd bench --every-frame $(BENCH_VIDEOS)
	./bin/auwatchd bench $(BENCH_SHORT)
	./bin/auwatchd bench $(BENCH_LONG)
	$(GO) test -run '^$$' -bench . -benchmem ./...

$(BENCH_SHORT):
	mkdir -p $(dir $@)
	ffmpeg -loglevel error -y -i testdata/videos/default.wmv -t 10 -c copy $@

$(BENCH_LONG):
	mkdir -p $(dir $@)
	ffmpeg -loglevel error -y -stream_loop 31 -i testdata/videos/default.wmv -c copy $@

clean:
	rm -rf bin
