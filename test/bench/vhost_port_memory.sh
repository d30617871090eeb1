#!/usr/bin/env bash
# vhost_port_memory.sh: owns the measurement of what an idle vhost-user port
# costs dpdk-hnv in memory. Starts dpdk-hnv twice on the same machine, with
# 1 and with N idle server-mode vhost-user VM NICs (no guest connected; the
# policy of test/vhost/scale_policy.py on a net_null uplink), reads its
# VmRSS and DPDK's heap (telemetry /eal/heap_info,0) once it forwards, and
# prints both runs and the cost per port. A program, not a test: run it as
# root, `test/bench/vhost_port_memory.sh [N] [DPDK_HNV]` (default 1000 and
# build/app/dpdk-hnv).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:-1000}
HNV=${2:-$ROOT/build/app/dpdk-hnv}
PY=/usr/bin/python3
WORK=$(mktemp -d /tmp/hnv-vmem.XXXXXX)
PID=""
trap '[ -z "$PID" ] || kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK" /var/run/dpdk/hnv-vmem-$$' EXIT

# measure K: "RSS_KB HEAP_ALLOC_BYTES" of dpdk-hnv with K idle vhost-user ports.
measure() {
	local k=$1 out=$WORK/hnv$1.out deadline=$((SECONDS + 60))
	"$PY" "$ROOT/test/vhost/scale_policy.py" "$WORK" "$k" "$WORK/p$k.json"
	"$HNV" -l 0-1 --no-huge -m 1024 --no-pci --file-prefix "hnv-vmem-$$" \
		--vdev net_null0,no-rx=1 -- --policy "$WORK/p$k.json" --flows 65536 \
		>"$out" 2>"$WORK/hnv$k.err" &
	PID=$!
	until grep -qs 'dpdk-hnv: forwarding' "$out"; do
		kill -0 "$PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ] ||
			{ echo "dpdk-hnv did not start:" >&2; tail "$WORK/hnv$k.err" >&2; exit 1; }
		sleep 0.2
	done
	sleep 1
	local rss heap
	rss=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
	heap=$("$PY" - "/var/run/dpdk/hnv-vmem-$$/dpdk_telemetry.v2" <<'PYEOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1]); s.recv(1024)
s.send(b"/eal/heap_info,0")
print(list(json.loads(s.recv(65536)).values())[0]["Alloc_size"])
PYEOF
)
	kill "$PID"
	wait "$PID" 2>/dev/null || true
	PID=""
	echo "$rss $heap"
}
read -r rss1 heap1 < <(measure 1)
read -r rssn heapn < <(measure "$N")
printf '%-28s %12s %16s\n' "idle vhost-user ports" "VmRSS (kB)" "DPDK heap (B)"
printf '%-28s %12s %16s\n' 1 "$rss1" "$heap1"
printf '%-28s %12s %16s\n' "$N" "$rssn" "$heapn"
printf '%-28s %12s %16s\n' "per port (difference/$((N - 1)))" \
	"$(( (rssn - rss1) / (N - 1) ))" "$(( (heapn - heap1) / (N - 1) ))"
