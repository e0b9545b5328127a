# auwatchd — the two commands of the README are `make run` and `make test`;
# every other target is a step they take.

GO ?= go

# Debian's per-module OpenCV packages ship no opencv4.pc; use ours when the
# system has none (macOS Homebrew and libopencv-dev do have one).
ifeq ($(shell pkg-config --exists opencv4 2>/dev/null && echo yes),)
export PKG_CONFIG_PATH := $(CURDIR)/scripts/pkgconfig$(if $(PKG_CONFIG_PATH),:$(PKG_CONFIG_PATH))
endif

WEIGHTS_FROM := $(if $(AUWATCHD_WEIGHTS_FROM),-from $(abspath $(AUWATCHD_WEIGHTS_FROM)))
TESTDATA_FROM := $(if $(AUWATCHD_TESTDATA_FROM),-from $(abspath $(AUWATCHD_TESTDATA_FROM)))

.PHONY: run test deps weights testdata build app bench vet clean

# `make run` starts the daemon on the watched folders (~/AUWatch when none is set).
run: deps weights build
	./bin/auwatchd run

# The packages whose goroutines share data run again under the race detector:
# the daemon's workers and supervisors, the watcher, the store, CLNF's worker
# pool, and the engine's overlapped stages and worker pool through a few short
# tests (under -race a frame costs ten times as much).
RACE_PACKAGES = ./internal/daemon ./watcher ./store ./pipeline/clnf
RACE_PIPELINE_TESTS = TestCancelLeavesNoOutput|TestTrackMustMatchTheVideo|TestFaceLeavesAndReturns|TestPool

test: deps weights testdata vet
	$(GO) test ./...
	$(GO) test -race $(RACE_PACKAGES)
	$(GO) test -race -run '$(RACE_PIPELINE_TESTS)' ./pipeline

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

# `make app` builds bin/auwatchd.app on macOS: a menu-bar app (no Dock icon)
# carrying the ONNX Runtime library and the models.
APP := bin/auwatchd.app
APP_VERSION ?= $(shell git describe --tags --abbrev=0 2>/dev/null | sed 's/^v//' | grep . || echo 0.0.0)

ifeq ($(shell uname -s),Darwin)
app: deps weights build
	rm -rf $(APP) bin/auwatchd.iconset
	mkdir -p $(APP)/Contents/MacOS $(APP)/Contents/Resources $(APP)/Contents/Frameworks
	cp bin/auwatchd $(APP)/Contents/MacOS/auwatchd
	sed 's/@VERSION@/$(APP_VERSION)/g' app/Info.plist > $(APP)/Contents/Info.plist
	$(GO) run ./app/iconset -o bin/auwatchd.iconset
	iconutil -c icns -o $(APP)/Contents/Resources/auwatchd.icns bin/auwatchd.iconset
	cp lib/libonnxruntime.dylib $(APP)/Contents/Frameworks/libonnxruntime.dylib
	cp -R models $(APP)/Contents/Resources/models
	codesign --force --deep --sign - $(APP)
else
app:
	@echo "make app builds auwatchd.app, which is macOS-only; nothing to build on $$(uname -s)."
endif

# Whole-pipeline speed on the sample videos, in the default and the fast
# mode; peak memory for a 10-second and a 10-minute video (default.wmv cut
# and looped), each in a process of its own; then the Go benchmarks of each
# stage.
BENCH_VIDEOS = testdata/videos/default.wmv testdata/videos/changeLighting.wmv testdata/videos/2015-10-15-15-14.avi \
	testdata/videos/subj01_timepoint01.mp4 testdata/videos/subj02_timepoint01.mp4
BENCH_SHORT = testdata/bench/default-10s.wmv
BENCH_LONG = testdata/bench/default-10min.wmv

bench: deps weights testdata build $(BENCH_SHORT) $(BENCH_LONG)
	./bin/auwatchd bench $(BENCH_VIDEOS)
	./bin/auwatchd bench --fast $(BENCH_VIDEOS)
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
