#!/usr/bin/env bash
# test.sh: the README's test command. Installs what is missing (setup.sh),
# builds, and runs every test suite through meson: unit (cmocka), replay
# (pcap scenarios through the pipeline and through the dpdk-hnv binary) and
# interop (Linux kernel VXLAN peer in network namespaces; needs root).
#   scripts/test.sh [meson test args...]   e.g. scripts/test.sh --suite unit
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "test.sh: run as root (the interop suite creates network namespaces)" >&2
	exit 1
fi
scripts/setup.sh

rc=0
meson test -C build --print-errorlogs --num-processes 1 "$@" || rc=$?

# One plain closing line for CI: counts from meson's JSON test log.
log=build/meson-logs/testlog.json
if [ -f "$log" ]; then
	/usr/bin/python3 - "$log" <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    r = json.loads(line).get("result")
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
fi
exit $rc
