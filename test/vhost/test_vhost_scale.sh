#!/usr/bin/env bash
# test_vhost_scale.sh: owns the test of many vhost-user VM NICs on one
# dpdk-hnv, and of a client-mode port across a restart of dpdk-hnv. No
# namespaces: the uplink is net_null and the VMs are dpdk-testpmd processes
# with a net_virtio_user port.
#
#   1000 VM NICs in 10 VSIDs (vm0000..vm0999), each a vhost-user port:
#   vm0999 in client mode (its "QEMU", a testpmd rxonly with a
#   virtio-user server socket, is there first), the others in server mode
#   (dpdk-hnv makes 999 sockets). VM A on vm0001 (testpmd txonly) sends UDP
#   to VM B on vm0999, in the same VSID: a hairpin between switch ports 2
#   and 1000.
#
# Then two workers: a guest's two queues spread over them, and both sending
# through the one ring of a guest with one queue pair, B receiving exactly
# what dpdk-hnv sent.
#
# Checks: 999 sockets and 1001 switch ports (telemetry), B's guest connects
# by itself, A's frames reach B; a reload removes 400 ports (their sockets
# go, the hairpin keeps flowing), another adds them back; dpdk-hnv is
# stopped (SIGTERM, exit 0, no socket left) and started again under the
# running B, which it reconnects to and delivers to once A is back. About
# 30 s. Run as root; exits 0 only if every check passes; the last line is
# "N passed, M failed".
#
# Environment: HNV_BIN (default build/app/dpdk-hnv), HNV_TESTPMD (default
#              /usr/bin/dpdk-testpmd), HNV_READY_TIMEOUT (s, default 60),
#              HNV_SCALE_PORTS (VM NICs, default 1000), HNV_KEEP_LOGS=1.
# Needs: python3, coreutils (timeout, stdbuf), dpdk-dev (dpdk-testpmd).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/overlay.sh
. "$(dirname "$0")/../lib/overlay.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
HNV_BIN=${HNV_BIN:-build/app/dpdk-hnv}
TESTPMD=${HNV_TESTPMD:-/usr/bin/dpdk-testpmd}
READY_TIMEOUT=${HNV_READY_TIMEOUT:-60}
N=${HNV_SCALE_PORTS:-1000}
PY=/usr/bin/python3

FP=hnv-vscale-$$
RUNDIR=/var/run/dpdk
HNV_PID=""
A_PID=""
B_PID=""
WORK=""
CLEANED=0
SUMMARY_LOGS=(show_logs)
STOP_POLLS=25
TELEMETRY_SOCK=$RUNDIR/$FP/dpdk_telemetry.v2
HNV_RUN=0

show_logs() {
	local f
	[ -n "$WORK" ] || return 0
	for f in "$WORK/hnv$HNV_RUN.out" "$WORK/hnv$HNV_RUN.err" "$WORK"/vm-*.out; do
		[ -f "$f" ] || continue
		echo "    # --- $f ---"
		grep -v '^VHOST_CONFIG' "$f" | tail -n 20 | indent || true
	done
}

cleanup() {
	local rc=$? p
	[ "$CLEANED" -eq 0 ] || return 0
	CLEANED=1
	trap - INT TERM
	for p in "$HNV_PID" "$A_PID" "$B_PID"; do
		[ -z "$p" ] || stop_pid "$p" TERM
	done
	rm -rf "${RUNDIR:?}/$FP" "$RUNDIR/$FP"-*
	if [ -n "$WORK" ]; then
		if [ "$FAIL" -eq 0 ] && [ "$rc" -eq 0 ] && [ "${HNV_KEEP_LOGS:-0}" != 1 ]; then
			rm -rf "$WORK"
		elif [ "$SUMMARY_DONE" -eq 0 ]; then
			show_logs
			echo "# logs kept in $WORK"
		fi
	fi
}
trap cleanup EXIT
trap 'echo "# interrupted"; exit 130' INT
trap 'echo "# terminated"; exit 143' TERM

need_root_and_tools timeout stdbuf "$PY"
[ -x "$TESTPMD" ] || bail "'$TESTPMD' not found (Debian package dpdk-dev; set HNV_TESTPMD)"
[ -x "$HNV_BIN" ] || bail "dpdk-hnv binary '$HNV_BIN' not found (set HNV_BIN)"
HNV_BIN=$(cd "$(dirname "$HNV_BIN")" && pwd)/$(basename "$HNV_BIN")
WORK=$(mktemp -d /tmp/hnv-vscale.XXXXXX)

# ---------------------------------------------------------------- policy
# make_policy OUT [FIRST LAST]: the N VM NICs (test/vhost/scale_policy.py),
# without vm(FIRST..LAST); vm(N-1) in client mode.
make_policy() {
	"$PY" test/vhost/scale_policy.py "$WORK" "$N" "$@" --client $((N - 1))
}
make_policy "$WORK/policy-all.json"
make_policy "$WORK/policy-less.json" 500 899
cp "$WORK/policy-all.json" "$WORK/policy.json"
LAST=$((N - 1))
B_NAME=$(printf 'vm%04d' "$LAST")
B_MAC=$(printf '02:50:00:00:%02x:%02x' $((LAST >> 8)) $((LAST & 255)))
B_IP="10.$((LAST / 100)).0.$((LAST % 100 + 10))"
# A is in B's VSID.
A_IDX=$((LAST / 100 * 100 + 1))
A_NAME=$(printf 'vm%04d' "$A_IDX")
A_MAC=$(printf '02:50:00:00:%02x:%02x' $((A_IDX >> 8)) $((A_IDX & 255)))
A_IP="10.$((A_IDX / 100)).0.$((A_IDX % 100 + 10))"

# ---------------------------------------------------------------- helpers
mkfifo "$WORK/stdin"
exec 3<>"$WORK/stdin" # testpmd's stdin: open, never EOF
# start_vm NAME MODE VDEV_ARGS PIDVAR [READY]: a testpmd on a virtio-user
# port, its pid in PIDVAR; returns once it prints READY (default: that it
# forwards). MODE: txonly (to B) or rxonly.
start_vm() {
	local name=$1 mode=$2 args=$3 out=$WORK/vm-$1.out extra=() ready=${5:-Press enter to exit}
	[ "$mode" = txonly ] && extra=(--tx-ip="$A_IP,$B_IP" --eth-peer="0,$B_MAC" --txpkts=64)
	# VM_QUEUES: the testpmd's queue pairs (the virtio-user queues= too).
	extra+=(--rxq="${VM_QUEUES:-1}" --txq="${VM_QUEUES:-1}")
	stdbuf -oL -eL "$TESTPMD" -l 0-1 --main-lcore 1 --no-pci --no-huge -m 512 \
		--file-prefix "$FP-$name" --vdev "net_virtio_user0,$args" \
		-- --forward-mode="$mode" --auto-start --disable-link-check --nb-cores=1 --total-num-mbufs=4096 \
		"${extra[@]}" <&3 >"$out" 2>&1 &
	local pid=$! deadline=$((SECONDS + 20))
	eval "${4}=$pid"
	while [ "$SECONDS" -lt "$deadline" ]; do
		grep -qs "$ready" "$out" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "    # testpmd $name did not start ('$ready')" >&2
	return 1
}
# start_hnv: dpdk-hnv on policy.json (EAL lcores HNV_LCORES, default 0-1:
# one worker); returns once it forwards.
start_hnv() {
	HNV_RUN=$((HNV_RUN + 1))
	stdbuf -oL -eL "$HNV_BIN" --lcores "${HNV_LCORES:-0-1}" --no-huge -m 1024 --no-pci --file-prefix "$FP" \
		--vdev net_null0,no-rx=1 -- --policy "$WORK/policy.json" --flows 65536 \
		>"$WORK/hnv$HNV_RUN.out" 2>"$WORK/hnv$HNV_RUN.err" &
	HNV_PID=$!
	hnv_ready "$WORK/hnv$HNV_RUN.out"
}
# wait_line PATTERN SECONDS [FILE]: FILE (default: the output of this run
# of dpdk-hnv) has a line matching PATTERN within SECONDS.
wait_line() {
	local deadline=$((SECONDS + $2))
	until grep -qE "$1" "${3:-$WORK/hnv$HNV_RUN.out}"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}
field() { # field COMMAND FIELD
	telemetry "$1" | "$PY" -c "import json,sys; v=json.load(sys.stdin); print((v or {}).get('$2', 0))"
}
sockets() { find "$WORK" -maxdepth 1 -name 'vm*.sock' -type s | wc -l; }
# b_grows: frames from A keep arriving at B's port (its tx-packets grow).
b_grows() {
	local t0 t1
	t0=$(field "/hnv/port,$B_NAME" tx_packets)
	sleep 1
	t1=$(field "/hnv/port,$B_NAME" tx_packets)
	echo "    # port $B_NAME: tx_packets $t0 -> $t1"
	[ "$t1" -gt $((t0 + 1000)) ]
}
RELOADS=0
reload_to() {
	local deadline=$((SECONDS + 30))
	RELOADS=$((RELOADS + 1))
	cp "$1" "$WORK/policy.json.new"
	mv "$WORK/policy.json.new" "$WORK/policy.json"
	until [ "$(grep -c '^dpdk-hnv: policy reloaded' "$WORK/hnv$HNV_RUN.out")" -ge "$RELOADS" ]; do
		[ "$SECONDS" -lt "$deadline" ] && ! grep -qs 'policy not reloaded' "$WORK/hnv$HNV_RUN.err" ||
			return 1
		sleep 0.1
	done
}

# ---------------------------------------------------------------- start
# A virtio-user server waits for its client before it forwards.
check "B's QEMU stand-in (virtio-user server, rxonly) listens on $B_NAME.sock" \
	start_vm B rxonly "path=$WORK/$B_NAME.sock,server=1,queues=1,mac=$B_MAC" B_PID \
	'waiting for client connection'

t0=$SECONDS
if ! start_hnv; then
	summary
	exit 1
fi
echo "    # dpdk-hnv forwarding $((SECONDS - t0)) s after start, $N VM NICs"
check "dpdk-hnv serves $((N - 1)) server sockets" eval '[ "$(sockets)" -eq '$((N))' ]'
check "telemetry lists $((N + 1)) switch ports" eval '[ "$(field /hnv/ports total)" -eq '$((N + 1))' ]'
check "client-mode port $B_NAME connects to its guest by itself" \
	eval 'wait_line "^dpdk-hnv: port $B_NAME: guest connected" 15 &&
		wait_line "Press enter to exit" 20 "$WORK/vm-B.out"' 
check "VM A on $A_NAME (txonly to B) attaches" \
	eval 'start_vm A txonly "path=$WORK/$A_NAME.sock,queues=1,mac=$A_MAC" A_PID && wait_line "^dpdk-hnv: port $A_NAME: guest connected" 10'
check "A's frames reach B (hairpin between switch ports 2 and $N)" b_grows
rss() { awk '/VmRSS/ {print $2}' "/proc/$HNV_PID/status"; }
echo "    # dpdk-hnv VmRSS $(rss) kB with $N vhost-user ports"

# ---------------------------------------------------------------- reloads
check "reload removes vm0500..vm0899: 400 sockets go" \
	eval 'reload_to "$WORK/policy-less.json" && [ "$(sockets)" -eq '$((N - 400))' ] && [ "$(field /hnv/ports total)" -eq '$((N - 399))' ]'
check "A's frames still reach B after the removal" b_grows
check "reload adds them back: their sockets return" \
	eval 'reload_to "$WORK/policy-all.json" && [ "$(sockets)" -eq '$((N))' ]'
check "A's frames still reach B after the addition" b_grows
check "no reload failed" eval '! grep -q "policy not reloaded" "$WORK/hnv$HNV_RUN.err"'

# ---------------------------------------------------------------- restart
stop_hnv TERM KILL
check "dpdk-hnv exits 0 on SIGTERM (got $hnv_rc)" [ "$hnv_rc" = 0 ]
check "no server socket left behind" eval '[ "$(sockets)" -eq 1 ]' # B's own
stop_pid "$A_PID" TERM
A_PID=""
RELOADS=0
if ! start_hnv; then
	summary
	exit 1
fi
check "restarted dpdk-hnv reconnects to the running B ($B_NAME, client mode)" \
	wait_line "^dpdk-hnv: port $B_NAME: guest connected" 20
check "A again: its frames reach B through the new dpdk-hnv" \
	eval 'start_vm A2 txonly "path=$WORK/$A_NAME.sock,queues=1,mac=$A_MAC" A_PID && wait_line "^dpdk-hnv: port $A_NAME: guest connected" 10 && b_grows'
stop_hnv TERM KILL
check "dpdk-hnv exits 0 again (got $hnv_rc)" [ "$hnv_rc" = 0 ]
stop_pid "$A_PID" TERM
stop_pid "$B_PID" TERM
A_PID=""
B_PID=""

# ---------------------------------------------------------------- multiqueue
# Two workers (three lcores on this machine's two CPUs), two ports of two
# queue pairs: A (vm0000) sends on both of its queues, which go to the two
# workers; B (vm0001) enables one queue pair only, so both workers send to
# B through its one ring (rte_vhost's ring lock serializes them). B must
# receive exactly what dpdk-hnv says it sent: a torn ring would lose or
# repeat frames, or stop.
"$PY" test/vhost/scale_policy.py "$WORK" 2 "$WORK/policy.json" --queues 2
A_NAME=vm0000 A_MAC=02:50:00:00:00:00 A_IP=10.0.0.10
B_NAME=vm0001 B_MAC=02:50:00:00:00:01 B_IP=10.0.0.11
RELOADS=0
# Lcores 1 and 2 are the workers, on CPUs 0 and 1.
if ! HNV_LCORES=0@0,1@0,2@1 start_hnv; then
	summary
	exit 1
fi
check "2 workers: B (one queue pair) attaches" \
	eval 'start_vm MB rxonly "path=$WORK/$B_NAME.sock,queues=1,mac=$B_MAC" B_PID && wait_line "^dpdk-hnv: port $B_NAME: guest connected" 15'
check "2 workers: A (two queue pairs, txonly to B) attaches" \
	eval 'VM_QUEUES=2 start_vm MA txonly "path=$WORK/$A_NAME.sock,queues=2,mac=$A_MAC" A_PID && wait_line "^dpdk-hnv: port $A_NAME: guest connected" 15'
# queues_busy PORT DIR N: the port's first N queues of DIR (rxq, txq) all
# moved packets, and it has N of them.
queues_busy() {
	local j
	j=$(telemetry "/hnv/link,$1") || return 1
	"$PY" -c "import json,sys; q=json.load(sys.stdin)['$2_packets']; print('    # $1 $2_packets', q); sys.exit(0 if len(q) == $3 and all(q) else 1)" <<<"$j"
}
sleep 2
check "2 workers: both of A's queues are polled and carry frames" queues_busy "$A_NAME" rxq 2
# Each worker polls one of A's queues (ports.c deals every port's queues to
# the workers with the fewest) and sends what it reads on to B: both
# workers transmit into B's one ring.
check "2 workers: B enabled one ring, and every frame to B went through it" queues_busy "$B_NAME" txq 1
exact_delivery() {
	local sent got
	stop_pid "$A_PID" INT
	A_PID=""
	sleep 1
	sent=$(field "/hnv/port,$B_NAME" tx_packets)
	stop_pid "$B_PID" INT
	B_PID=""
	got=$(sed -n 's/.*Accumulated forward statistics.*//; s/^ *RX-packets: *\([0-9]*\).*/\1/p' "$WORK/vm-MB.out" | tail -n 1)
	echo "    # dpdk-hnv sent $sent frames to B, B received ${got:-?}"
	[ -n "$got" ] && [ "$sent" -gt 10000 ] && [ "$got" -eq "$sent" ]
}
check "2 workers: B received exactly the frames dpdk-hnv sent it (no torn ring)" exact_delivery
stop_hnv TERM KILL
check "2 workers: dpdk-hnv exits 0 (got $hnv_rc)" [ "$hnv_rc" = 0 ]

summary
[ "$FAIL" -eq 0 ]
