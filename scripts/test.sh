#!/usr/bin/env bash
# test.sh: the README's test command. Installs what is missing (setup.sh),
# builds, and runs every test suite through meson: unit (cmocka), replay
# (pcap scenarios through the pipeline and through the dpdk-hnv binary),
# app (the command line, shell and policy reload), interop (a Linux
# kernel VXLAN peer in network namespaces; needs root), vhost (a VM on
# a vhost-user port, behind dpdk-testpmd, in the same topology; a thousand
# vhost-user ports) and qemu (real QEMU guests on vhost-user ports). Then the unit,
# replay and app suites again in a build with AddressSanitizer and UBSan, where any
# sanitizer report fails the run, and a short libFuzzer regression over the
# seed corpus of every harness (test/fuzz).
#   scripts/test.sh [meson test args...]   e.g. scripts/test.sh --suite unit
#   HNV_NO_SANITIZE=1 scripts/test.sh      skips the sanitizer and fuzz passes
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "test.sh: run as root (the interop suite creates network namespaces)" >&2
	exit 1
fi
scripts/setup.sh

rc=0
logs=(build/meson-logs/testlog.json)
meson test -C build --print-errorlogs --num-processes 1 "$@" || rc=$?

if [ -z "${HNV_NO_SANITIZE:-}" ] && [ $# -eq 0 ]; then
	echo "== sanitizer build (address, undefined)"
	[ -d build-asan ] ||
		meson setup build-asan -Dsanitizers=address,undefined -Dbuildtype=debug >/dev/null
	ninja -C build-asan >/dev/null
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-asan --print-errorlogs --num-processes 1 \
		--suite unit --suite replay --suite app || rc=$?
	logs+=(build-asan/meson-logs/testlog.json)

	echo "== fuzz regression (libFuzzer, bounded runs from the seed corpus)"
	[ -d build-fuzz ] || CC=clang meson setup build-fuzz -Dfuzz=true \
		-Dsanitizers=address,undefined >/dev/null
	ninja -C build-fuzz >/dev/null
	meson test -C build-fuzz --print-errorlogs --num-processes 1 --suite fuzz || rc=$?
	logs+=(build-fuzz/meson-logs/testlog.json)
fi

# One plain closing line for CI: counts from meson's JSON test logs.
/usr/bin/python3 - "${logs[@]}" <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $rc
