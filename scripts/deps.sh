#!/bin/sh
# Installs what auwatchd needs to build and test, and only what is missing:
# FFmpeg's libraries and their development files, pkg-config, npm,
# Slurm and MUNGE (for the cluster test, on Debian/Ubuntu), and ONNX
# Runtime's shared library (taken from the onnxruntime-node npm package,
# verified by sha256) into lib/.
#
# On Debian x86-64 it also installs the arm64 build and test path that
# `make test` and `make test-arm64` use: a cross compiler, user-mode QEMU,
# an arm64 sysroot with the same FFmpeg packages (lib/linux-arm64/sysroot)
# and ONNX Runtime's linux/arm64 library (lib/linux-arm64/). Set
# AUWATCHD_ARM64=0 to leave it out.
set -eu

ORT_VERSION=1.24.1
ORT_SHA256_LINUX_X64=53ef1ac028dd1b05554b8da28d9159eb3876f99868193d2aaa6e67f0243c23d4
ORT_SHA256_LINUX_ARM64=7954e8bdedb497f830c6a679e818d98399b7f4d81ade1126c3e0be74d28111ab
ORT_SHA256_DARWIN_ARM64=7ad6507ad64d3b02aebfae6380c024ff188939cd8a7a493ec18028e034c8275c

APT_PACKAGES="pkg-config ffmpeg libavformat-dev libavcodec-dev libavutil-dev libswscale-dev
xvfb dbus libnotify-bin systemd chromium"

# A one-node Slurm for the cluster test, which runs munged, slurmctld and
# slurmd as its own child processes with a configuration of its own.
SLURM_APT_PACKAGES="slurmctld slurmd slurm-client munge"

# The arm64 path: the cross compiler and QEMU run on the host; the arm64
# libraries go into a sysroot made by mmdebstrap rather than through Debian
# multiarch, because installing the arm64 -dev packages beside the amd64
# ones makes apt remove the amd64 ones (their dependencies are not all
# co-installable) and upgrade many amd64 packages to the arm64 versions.
ARM64_APT_PACKAGES="gcc-aarch64-linux-gnu qemu-user-static mmdebstrap"
ARM64_SYSROOT=lib/linux-arm64/sysroot
ARM64_SYSROOT_PACKAGES="libc6-dev $(echo "$APT_PACKAGES" | tr ' ' '\n' | grep -e '^libav' -e '^libsw' | tr '\n' ' ')"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

sha256_of() {
	if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
	else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# apt_install installs packages with apt, waiting for another apt or dpkg
# run (another user of the machine) to let go of its lock.
apt_install() {
	echo "deps: installing with apt:$*"
	for try in 1 2 3 4 5; do
		if as_root apt-get -o DPkg::Lock::Timeout=300 update -qq &&
			DEBIAN_FRONTEND=noninteractive as_root apt-get -o DPkg::Lock::Timeout=300 \
				install -y -qq --no-install-recommends "$@"; then
			return
		fi
		echo "deps: apt failed (try $try of 5); trying again in 20 s" >&2
		sleep 20
	done
	echo "deps: apt failed five times" >&2
	exit 1
}

missing_debian() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
	done
	echo "$missing"
}

install_debian() {
	missing=""
	for p in $APT_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
	done
	command -v npm >/dev/null 2>&1 || missing="$missing npm"
	if [ -n "$missing" ]; then
		# shellcheck disable=SC2086
		apt_install $missing
	fi
	install_slurm
}

# install_slurm installs the Slurm packages the cluster test runs. Where
# systemd runs, Debian enables and starts their services on installation;
# the test needs none of them, so the services of the packages installed
# here are stopped and disabled again (those of a Slurm installed before
# are left alone).
install_slurm() {
	missing=$(missing_debian $SLURM_APT_PACKAGES)
	[ -n "$missing" ] || return 0
	# shellcheck disable=SC2086
	apt_install $missing
	[ -d /run/systemd/system ] || return 0
	for p in $missing; do
		case "$p" in
			munge | slurmctld | slurmd) as_root systemctl disable --now "$p" >/dev/null 2>&1 || true ;;
		esac
	done
}

# arm64_wanted says whether to install the arm64 path: on Debian x86-64,
# unless AUWATCHD_ARM64=0.
arm64_wanted() {
	[ "${AUWATCHD_ARM64:-1}" != 0 ] && [ "$(uname -s)/$(uname -m)" = Linux/x86_64 ] &&
		[ -r /etc/os-release ] && . /etc/os-release && [ "${ID:-}" = debian ]
}

install_arm64_tools() {
	missing=$(missing_debian $ARM64_APT_PACKAGES)
	if [ -n "$missing" ]; then
		# shellcheck disable=SC2086
		apt_install $missing
	fi
}

# install_arm64_sysroot makes the arm64 sysroot: the packages and their
# dependencies unpacked (mmdebstrap's extract variant, so no arm64 program
# runs), from the release the host runs. A stamp records the package list;
# a sysroot without it, or with another list, is made again.
install_arm64_sysroot() {
	. /etc/os-release
	stamp="$VERSION_CODENAME: $ARM64_SYSROOT_PACKAGES"
	if [ -f "$ARM64_SYSROOT/.auwatchd-sysroot" ] && [ "$(cat "$ARM64_SYSROOT/.auwatchd-sysroot")" = "$stamp" ]; then
		return
	fi
	echo "deps: making the arm64 sysroot $ARM64_SYSROOT with mmdebstrap ($VERSION_CODENAME):$ARM64_SYSROOT_PACKAGES"
	as_root rm -rf "$ARM64_SYSROOT" "$ARM64_SYSROOT.partial"
	mkdir -p "$(dirname "$ARM64_SYSROOT")"
	as_root mmdebstrap --quiet --variant=extract --architectures=arm64 \
		--include="$(echo $ARM64_SYSROOT_PACKAGES | tr ' ' ',')" \
		"$VERSION_CODENAME" "$ARM64_SYSROOT.partial"
	echo "$stamp" | as_root tee "$ARM64_SYSROOT.partial/.auwatchd-sysroot" >/dev/null
	as_root mv "$ARM64_SYSROOT.partial" "$ARM64_SYSROOT"
}

# install_macos installs FFmpeg's libraries as Homebrew's ffmpeg.
install_macos() {
	command -v brew >/dev/null 2>&1 || { echo "deps: Homebrew is required on macOS: https://brew.sh" >&2; exit 1; }
	for p in ffmpeg pkg-config node; do
		brew list --versions "$p" >/dev/null 2>&1 || { echo "deps: installing with Homebrew: $p"; brew install "$p"; }
	done
	# The report tests render pages in a headless Chrome or Chromium.
	if [ ! -d "/Applications/Google Chrome.app" ] && [ ! -d /Applications/Chromium.app ]; then
		echo "deps: installing with Homebrew: google-chrome (for the report tests)"
		brew install --cask google-chrome
	fi
}

# install_onnxruntime installs ONNX Runtime's library for this system, and
# with arm64 its linux/arm64 build into lib/linux-arm64/ too.
install_onnxruntime() {
	case "$(uname -s)/$(uname -m)" in
		Linux/x86_64) fetch_onnxruntime linux/x64/libonnxruntime.so.1 lib/libonnxruntime.so.1 $ORT_SHA256_LINUX_X64 ;;
		Linux/aarch64) fetch_onnxruntime linux/arm64/libonnxruntime.so.1 lib/libonnxruntime.so.1 $ORT_SHA256_LINUX_ARM64 ;;
		Darwin/arm64) fetch_onnxruntime darwin/arm64/libonnxruntime.$ORT_VERSION.dylib lib/libonnxruntime.dylib $ORT_SHA256_DARWIN_ARM64 ;;
		*) echo "deps: no ONNX Runtime $ORT_VERSION build for $(uname -s)/$(uname -m)" >&2; exit 1 ;;
	esac
	if [ "${1:-}" = arm64 ]; then
		fetch_onnxruntime linux/arm64/libonnxruntime.so.1 lib/linux-arm64/libonnxruntime.so.1 $ORT_SHA256_LINUX_ARM64
	fi
}

# fetch_onnxruntime SRC DST SHA256 installs the file SRC of the npm package's
# bin/napi-v6/ as DST unless DST already has that sha256. The package is
# fetched once per run.
ort_tmp=""
fetch_onnxruntime() {
	src=$1 dst=$2 sum=$3
	if [ -f "$dst" ] && [ "$(sha256_of "$dst")" = "$sum" ]; then
		return
	fi
	echo "deps: fetching ONNX Runtime $ORT_VERSION (npm package onnxruntime-node, no install scripts) into $dst"
	if [ -z "$ort_tmp" ]; then
		ort_tmp=$(mktemp -d)
		trap 'rm -rf "$ort_tmp"' EXIT
		(cd "$ort_tmp" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null)
	fi
	tar -xzf "$ort_tmp/onnxruntime-node-$ORT_VERSION.tgz" -C "$ort_tmp" "package/bin/napi-v6/$src"
	got=$(sha256_of "$ort_tmp/package/bin/napi-v6/$src")
	if [ "$got" != "$sum" ]; then
		echo "deps: ONNX Runtime library $src has sha256 $got, want $sum; refusing to install it" >&2
		exit 1
	fi
	mkdir -p "$(dirname "$dst")"
	mv "$ort_tmp/package/bin/napi-v6/$src" "$dst.partial"
	mv "$dst.partial" "$dst"
}

case "$(uname -s)" in
	Linux)
		if command -v dpkg-query >/dev/null 2>&1; then install_debian
		else echo "deps: not a Debian/Ubuntu system; install FFmpeg (with its libraries' pkg-config files) and npm yourself" >&2; fi ;;
	Darwin) install_macos ;;
	*) echo "deps: unsupported system $(uname -s)" >&2; exit 1 ;;
esac
if arm64_wanted; then
	install_arm64_tools
	install_arm64_sysroot
	install_onnxruntime arm64
else
	install_onnxruntime
fi
echo "deps: all present"
