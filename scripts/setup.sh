#!/usr/bin/env bash
# setup.sh: install every Debian 12 package dpdk-hnv needs to build, test and
# run its demo (QEMU and busybox for the real-guest tests, test/qemu; Open
# vSwitch as the NVGRE peer of test/interop/test_ovs_nvgre.sh), then
# build it. Idempotent. No hugepages are reserved: the
# demo and the tests run DPDK with --no-huge (see docs/operations.md).
#   scripts/setup.sh            install + build
#   scripts/setup.sh --deps     install only
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(
	build-essential pkg-config meson ninja-build
	libdpdk-dev dpdk-dev libjansson-dev libbsd-dev libcmocka-dev libpcap-dev
	libnuma-dev clang libclang-rt-14-dev
	iproute2 iputils-ping procps kmod ethtool tshark python3-scapy tcpdump
	openvswitch-switch
	qemu-system-x86 busybox-static cpio gzip xz-utils
)

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -q
	$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

[ "${1:-}" = "--deps" ] && exit 0

if [ ! -d build ]; then
	meson setup build --buildtype=debugoptimized
fi
ninja -C build
