#!/bin/sh
# Installs what auwatchd needs to build and test, and only what is missing:
# OpenCV (for gocv), FFmpeg, pkg-config, npm, and ONNX Runtime's shared library
# (taken from the onnxruntime-node npm package, verified by sha256) into lib/.
set -eu

ORT_VERSION=1.24.1
ORT_SHA256_LINUX_X64=53ef1ac028dd1b05554b8da28d9159eb3876f99868193d2aaa6e67f0243c23d4
ORT_SHA256_LINUX_ARM64=7954e8bdedb497f830c6a679e818d98399b7f4d81ade1126c3e0be74d28111ab
ORT_SHA256_DARWIN_ARM64=7ad6507ad64d3b02aebfae6380c024ff188939cd8a7a493ec18028e034c8275c

APT_PACKAGES="pkg-config ffmpeg libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
libopencv-videoio-dev libopencv-highgui-dev libopencv-video-dev libopencv-objdetect-dev
libopencv-calib3d-dev libopencv-features2d-dev libopencv-dnn-dev libopencv-photo-dev
libopencv-ml-dev libopencv-stitching-dev xvfb dbus libnotify-bin systemd"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

sha256_of() {
	if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
	else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

install_debian() {
	missing=""
	for p in $APT_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
	done
	command -v npm >/dev/null 2>&1 || missing="$missing npm"
	if [ -n "$missing" ]; then
		echo "deps: installing with apt:$missing"
		as_root apt-get update -qq
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends $missing
	fi
}

install_macos() {
	command -v brew >/dev/null 2>&1 || { echo "deps: Homebrew is required on macOS: https://brew.sh" >&2; exit 1; }
	for p in opencv pkg-config node; do
		brew list --versions "$p" >/dev/null 2>&1 || { echo "deps: installing with Homebrew: $p"; brew install "$p"; }
	done
}

install_onnxruntime() {
	case "$(uname -s)/$(uname -m)" in
		Linux/x86_64) src=linux/x64/libonnxruntime.so.1; dst=libonnxruntime.so.1; sum=$ORT_SHA256_LINUX_X64 ;;
		Linux/aarch64) src=linux/arm64/libonnxruntime.so.1; dst=libonnxruntime.so.1; sum=$ORT_SHA256_LINUX_ARM64 ;;
		Darwin/arm64) src=darwin/arm64/libonnxruntime.$ORT_VERSION.dylib; dst=libonnxruntime.dylib; sum=$ORT_SHA256_DARWIN_ARM64 ;;
		*) echo "deps: no ONNX Runtime $ORT_VERSION build for $(uname -s)/$(uname -m)" >&2; exit 1 ;;
	esac
	if [ -f "lib/$dst" ] && [ "$(sha256_of "lib/$dst")" = "$sum" ]; then
		return
	fi
	echo "deps: fetching ONNX Runtime $ORT_VERSION (npm package onnxruntime-node, no install scripts) into lib/$dst"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null)
	tar -xzf "$tmp/onnxruntime-node-$ORT_VERSION.tgz" -C "$tmp" "package/bin/napi-v6/$src"
	got=$(sha256_of "$tmp/package/bin/napi-v6/$src")
	if [ "$got" != "$sum" ]; then
		echo "deps: ONNX Runtime library has sha256 $got, want $sum; refusing to install it" >&2
		exit 1
	fi
	mkdir -p lib
	mv "$tmp/package/bin/napi-v6/$src" "lib/$dst.partial"
	mv "lib/$dst.partial" "lib/$dst"
}

case "$(uname -s)" in
	Linux)
		if command -v dpkg-query >/dev/null 2>&1; then install_debian
		else echo "deps: not a Debian/Ubuntu system; install OpenCV 4 (with pkg-config file), FFmpeg and npm yourself" >&2; fi ;;
	Darwin) install_macos ;;
	*) echo "deps: unsupported system $(uname -s)" >&2; exit 1 ;;
esac
install_onnxruntime
echo "deps: all present"
