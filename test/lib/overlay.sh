# shellcheck shell=bash
# overlay.sh: owns the helpers that the shell tests of dpdk-hnv on the
# figure-8 namespace topology (test/interop/test_kernel_vxlan.sh,
# test/vhost/test_vhost_user.sh) share: the TAP-style results (ok, not_ok,
# check, bail, summary, indent), the preconditions (need_root_and_tools,
# need_hnv_inputs), stopping processes (stop_pid, stop_hnv), the topology
# and dpdk-hnv start (topology_up, hnv_ready), the EXIT trap of the
# interop tests and its log dump (overlay_cleanup, show_hnv_log), the packet
# captures (start_capture, stop_captures, read_capture), the tenant checks
# (ping_ok, tcp_hash_ok, neigh_is, arp_stayed_local, never_sees), the
# namespaces of the tests with topologies of their own (ns_add, ns_del,
# vm_up), DPDK telemetry (telemetry) and dpdk-hnv's printed counters
# (counter_block, counter, counter_ge). What is specific to one test stays
# in that test.
#
# Sourced, not run: "$(dirname "$0")/../lib/overlay.sh", after `set -euo
# pipefail`. It sets PASS, FAIL, SUMMARY_DONE (summary has run) and
# CAP_PIDS (running captures) and owns them. The test sets, before it calls
# the helpers that read them:
#   WORK            the work directory ("" until made): logs, captures
#                   (VM.txt), leak reports
#   SUMMARY_LOGS    array of commands summary runs first when a check failed
#                   (e.g. functions that print logs; may be empty)
#   HNV_KEEP_LOGS   1: summary says the work directory is kept (environment)
#   HNV_BIN, HNV_POLICY  dpdk-hnv and its policy file (need_hnv_inputs)
#   STOP_POLLS      stop_pid waits STOP_POLLS x 0.2 s after each signal
#   TOPO            scripts/topology.sh; topology_up sets TOPO_UP=1
#   HNV_PID         dpdk-hnv's pid ("" once reaped); READY_TIMEOUT seconds
#   CAPTURE_TIMEOUT seconds each tcpdump may run at the most;
#                   CAPTURE_SNAPLEN bytes it keeps of a frame (default 256)
#   PING_INTERVAL   ping_ok's seconds between echo requests
#   PY              python3; TELEMETRY_SOCK dpdk-hnv's dpdk_telemetry.v2
#   COUNTER_FROM    sed address where counter's block of $WORK/hnv.out
#                   starts (1: all of it; a /regex/: from that line)
#   CLEANED         0 until overlay_cleanup has run; CLEANUP_EXTRA an
#                   optional command it runs after stopping dpdk-hnv and the
#                   captures, before the topology goes down

PASS=0
FAIL=0
SUMMARY_DONE=0
CAP_PIDS=()

# ---------------------------------------------------------------- results
ok() {
	echo "ok - $*"
	PASS=$((PASS + 1))
}
not_ok() {
	echo "not ok - $*"
	FAIL=$((FAIL + 1))
}
check() { # check DESCRIPTION COMMAND...
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
# shellcheck disable=SC2034 # SUMMARY_DONE is read by the test
summary() {
	local c
	if [ "$FAIL" -ne 0 ]; then
		for c in "${SUMMARY_LOGS[@]}"; do
			"$c"
		done
	fi
	if [ -n "$WORK" ] && { [ "$FAIL" -ne 0 ] || [ "${HNV_KEEP_LOGS:-0}" = 1 ]; }; then
		echo "# logs and captures kept in $WORK"
	fi
	SUMMARY_DONE=1
	echo "$PASS passed, $FAIL failed"
}
indent() { sed 's/^/    # /'; }

# Preconditions: a failure here ends the test at once (nothing can run).
bail() {
	not_ok "$*"
	summary
	exit 1
}
# need_root_and_tools TOOL...: bail unless root and every TOOL is found.
need_root_and_tools() {
	local tool
	[ "$(id -u)" -eq 0 ] || bail "must run as root (network namespaces)"
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || bail "required tool '$tool' not found"
	done
}
# need_hnv_inputs: bail unless HNV_BIN is an executable file and HNV_POLICY
# is readable; makes HNV_BIN absolute.
need_hnv_inputs() {
	if [ ! -f "$HNV_BIN" ] || [ ! -x "$HNV_BIN" ]; then
		bail "dpdk-hnv binary '$HNV_BIN' not found or not executable (set HNV_BIN)"
	fi
	[ -r "$HNV_POLICY" ] || bail "policy file '$HNV_POLICY' not found"
	HNV_BIN=$(cd "$(dirname "$HNV_BIN")" && pwd)/$(basename "$HNV_BIN")
}

# ---------------------------------------------------------------- processes
# stop_pid PID [FIRST_SIGNAL]: signal, escalate to TERM then KILL, reap.
stop_pid() {
	local pid=$1 first=${2:-TERM} sig
	for sig in "$first" TERM KILL; do
		kill -0 "$pid" 2>/dev/null || break
		kill -s "$sig" "$pid" 2>/dev/null || true
		for _ in $(seq 1 "$STOP_POLLS"); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
	done
	wait "$pid" 2>/dev/null || true
}

# stop_hnv SIGNAL THEN: send dpdk-hnv SIGNAL, give it 10 s to exit, else
# stop_pid it starting with THEN. Sets hnv_rc (its status, or "timeout")
# and clears HNV_PID.
# shellcheck disable=SC2034 # hnv_rc is read by the test
stop_hnv() {
	hnv_rc=0
	kill -s "$1" "$HNV_PID" 2>/dev/null || true
	for _ in $(seq 1 50); do
		kill -0 "$HNV_PID" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$HNV_PID" 2>/dev/null; then
		hnv_rc=timeout
		stop_pid "$HNV_PID" "$2"
	else
		wait "$HNV_PID" || hnv_rc=$?
	fi
	HNV_PID=""
}

# ---------------------------------------------------------------- start
# topology_up: the namespace topology, from a clean slate so neighbour
# caches and fdbs are fresh; bails if it cannot be built.
# shellcheck disable=SC2034 # TOPO_UP is read by the test
topology_up() {
	timeout 30 "$TOPO" down >/dev/null 2>&1 || true
	TOPO_UP=1
	if ! timeout 60 "$TOPO" up >"$WORK/topology.log" 2>&1; then
		indent <"$WORK/topology.log"
		bail "topology up"
	fi
	ok "topology up"
}

# hnv_ready FILE...: wait up to READY_TIMEOUT s for dpdk-hnv (HNV_PID) to
# print 'dpdk-hnv: forwarding' into one of FILE; if it does not, report
# "not ok" (and reap it, clearing HNV_PID, if it exited) and fail.
hnv_ready() {
	local deadline=$((SECONDS + READY_TIMEOUT)) rc
	while [ "$SECONDS" -lt "$deadline" ]; do
		grep -qs 'dpdk-hnv: forwarding' "$@" && return 0
		kill -0 "$HNV_PID" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$HNV_PID" 2>/dev/null; then
		not_ok "dpdk-hnv ready (no 'dpdk-hnv: forwarding' within ${READY_TIMEOUT}s)"
	else
		rc=0
		wait "$HNV_PID" || rc=$?
		HNV_PID=""
		not_ok "dpdk-hnv ready (exited with status $rc before forwarding)"
	fi
	return 1
}

# ---------------------------------------------------------------- captures
# start_capture NS IFACE FILE FILTER...: tcpdump in the background, written
# packet-by-packet (-U) to FILE; returns once tcpdump is listening.
start_capture() {
	local ns=$1 ifc=$2 file=$3
	shift 3
	ip netns exec "$ns" timeout "$CAPTURE_TIMEOUT" tcpdump -i "$ifc" -nn -U -Z root \
		-s "${CAPTURE_SNAPLEN:-256}" -w "$file" "$@" 2>"$file.err" &
	CAP_PIDS+=("$!")
	for _ in $(seq 1 50); do
		grep -qs 'listening on' "$file.err" && return 0
		sleep 0.1
	done
	echo "    # tcpdump in $ns on $ifc did not start:" >&2
	indent <"$file.err" >&2 || true
	return 1
}
stop_captures() {
	local p
	sleep 1 # let the last frames reach the capture files
	for p in "${CAP_PIDS[@]}"; do
		stop_pid "$p" TERM
	done
	CAP_PIDS=()
}
# read_capture FILE: the capture as text, with link-level headers.
read_capture() { tcpdump -r "$1" -e -nn 2>/dev/null || true; }

# ---------------------------------------------------------------- namespaces
# For the tests that build a small topology of their own (not topology.sh).
# ns_add NS...: fresh namespaces, loopback up.
ns_add() {
	local n
	for n in "$@"; do
		ip netns add "$n"
		ip -n "$n" link set lo up
	done
}
# ns_del NS...: delete them; never fails.
ns_del() {
	local n
	for n in "$@"; do
		ip netns del "$n" 2>/dev/null || true
	done
}
# vm_up NS MAC IP MTU: the VM of namespace NS on its eth0, IP/24. A veth
# leaves TCP/UDP checksums to an offload that packet sockets, and so the
# switches, never see: the VM computes its own.
vm_up() {
	ip -n "$1" link set eth0 address "$2" mtu "$4" up
	ip -n "$1" addr add "$3/24" dev eth0
	ip netns exec "$1" ethtool -K eth0 tx off >/dev/null
}

# ---------------------------------------------------------------- tenants
# ping_ok NS DEST: 5 echo requests; the first may be lost while dpdk-hnv
# resolves its PA next hop, so at least 3 replies are required.
ping_ok() {
	local ns=$1 dst=$2 out rx
	out=$(timeout 20 ip netns exec "$ns" ping -n -c 5 -i "$PING_INTERVAL" -W 2 "$dst" 2>&1) ||
		true
	rx=$(sed -n 's/.* \([0-9][0-9]*\) \(packets \)\{0,1\}received.*/\1/p' \
		<<<"$out")
	rx=${rx:-0}
	if [ "$rx" -ge 3 ]; then
		return 0
	fi
	echo "    # $ns ping $dst: $rx of 5 replies" >&2
	indent <<<"$out" >&2
	return 1
}

# tcp_hash_ok SERVER_NS SERVER_IP CLIENT_NS: 1 MB of TCP from the client to
# a server that answers with its SHA-256; true if the client agrees. Logs in
# $WORK/tcp-NS.out.
tcp_hash_ok() {
	local sns=$1 sip=$2 cns=$3 port=5001 out
	ip netns exec "$sns" timeout 30 "$PY" -c '
import hashlib, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1)
print("listening", flush=True)
c, _ = s.accept(); h = hashlib.sha256(); n = 0
while n < 1 << 20:
    b = c.recv(65536)
    if not b: break
    h.update(b); n += len(b)
c.sendall(h.hexdigest().encode()); c.close()
' "$sip" "$port" >"$WORK/tcp-$sns.out" 2>&1 &
	local spid=$!
	for _ in $(seq 1 50); do
		grep -qs listening "$WORK/tcp-$sns.out" && break
		sleep 0.1
	done
	out=$(ip netns exec "$cns" timeout 30 "$PY" -c '
import hashlib, os, socket, sys
data = os.urandom(1 << 20)
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
c.sendall(data)
got = c.recv(64).decode()
print("ok" if got == hashlib.sha256(data).hexdigest() else "mismatch " + got)
' "$sip" "$port" 2>&1) || true
	wait "$spid" 2>/dev/null || true
	echo "$out" >"$WORK/tcp-$cns.out"
	[ "$out" = ok ]
}

# neigh_is NS IP MAC: the VM's neighbour entry for IP has lladdr MAC.
neigh_is() {
	local out
	out=$(ip -n "$1" neigh show "$2" dev eth0 2>&1 || true)
	if grep -qi "lladdr $3" <<<"$out"; then
		return 0
	fi
	echo "    # $1: ip neigh show $2 dev eth0: ${out:-<none>}" >&2
	return 1
}

# arp_stayed_local IP: no ARP request of IP was encapsulated in the underlay
# capture ($WORK/underlay.txt), which must have seen VXLAN traffic at all,
# or the absence would prove nothing.
arp_stayed_local() {
	local f=$WORK/underlay.txt n
	n=$(grep -c 'VXLAN' "$f" || true)
	if [ "$n" -eq 0 ]; then
		echo "    # underlay capture saw no VXLAN packets" >&2
		return 1
	fi
	# "who-has T tell S" (broadcast) or "who-has T (MAC) tell S" (probe)
	if grep -E "Request who-has [0-9.]+ (\([0-9a-f:]+\) )?tell ${1//./\\.}([ ,]|\$)" \
		"$f" >"$WORK/leaked-arp.txt"; then
		echo "    # encapsulated ARP requests from $1:" >&2
		head -n 5 "$WORK/leaked-arp.txt" | indent >&2
		return 1
	fi
	return 0
}

# never_sees VM PATTERN LABEL: the VM's capture ($WORK/VM.txt) has frames,
# none with PATTERN.
never_sees() {
	local f=$WORK/$1.txt
	if [ ! -s "$f" ]; then
		echo "    # capture in $1 is empty" >&2
		return 1
	fi
	if grep -i -- "$2" "$f" >"$WORK/$1.leak.txt"; then
		echo "    # $1 saw $3 frames:" >&2
		head -n 5 "$WORK/$1.leak.txt" | indent >&2
		return 1
	fi
	return 0
}

# ---------------------------------------------------------------- counters
# telemetry COMMAND: print the JSON value of one dpdk-hnv telemetry command.
telemetry() {
	"$PY" - "$TELEMETRY_SOCK" "$1" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.recv(1024)
s.send(sys.argv[2].encode())
print(json.dumps(list(json.loads(s.recv(65536)).values())[0]))
PY
}

# counter_block: dpdk-hnv's stdout ($WORK/hnv.out) from COUNTER_FROM on.
counter_block() { sed -n "${COUNTER_FROM},\$p" "$WORK/hnv.out"; }
# counter PORT FIELD: FIELD of the last "port PORT:" line of counter_block.
counter() {
	counter_block | grep -E "^[[:space:]]*port $1:" | tail -n 1 |
		sed -n "s/.*[[:space:]]$2[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p"
}
counter_ge() { # PORT FIELD MIN
	local v
	v=$(counter "$1" "$2")
	if [ -n "$v" ] && [ "$v" -ge "$3" ]; then
		return 0
	fi
	echo "    # port $1 $2 = ${v:-<missing>}, want >= $3" >&2
	return 1
}

# ---------------------------------------------------------------- cleanup
# show_hnv_log: the tails of dpdk-hnv's stdout and stderr (a SUMMARY_LOGS
# entry).
show_hnv_log() {
	[ -n "$WORK" ] || return 0
	echo "    # --- dpdk-hnv stdout ($WORK/hnv.out) ---"
	tail -n 40 "$WORK/hnv.out" 2>/dev/null | indent || true
	echo "    # --- dpdk-hnv stderr ($WORK/hnv.err) ---"
	tail -n 40 "$WORK/hnv.err" 2>/dev/null | indent || true
}

# overlay_cleanup: the EXIT trap of an interop test: stop dpdk-hnv and the
# captures, run CLEANUP_EXTRA, take the topology down, and remove the work
# directory unless a check failed or HNV_KEEP_LOGS=1. Runs once.
overlay_cleanup() {
	local rc=$? p
	[ "$CLEANED" -eq 0 ] || return 0
	CLEANED=1
	trap - INT TERM
	if [ -n "$HNV_PID" ]; then
		stop_pid "$HNV_PID" INT
		HNV_PID=""
	fi
	for p in "${CAP_PIDS[@]}"; do
		stop_pid "$p" TERM
	done
	[ -z "${CLEANUP_EXTRA:-}" ] || "$CLEANUP_EXTRA"
	if [ "$TOPO_UP" -eq 1 ]; then
		timeout 30 "$TOPO" down >/dev/null 2>&1 || true
	fi
	if [ -n "$WORK" ]; then
		if [ "$FAIL" -eq 0 ] && [ "$rc" -eq 0 ] &&
			[ "${HNV_KEEP_LOGS:-0}" != 1 ]; then
			rm -rf "$WORK"
		elif [ "$SUMMARY_DONE" -eq 0 ]; then
			# Ended before its summary (a command failed under set -e):
			# show what summary would have.
			for p in "${SUMMARY_LOGS[@]}"; do
				"$p"
			done
			echo "# logs and captures kept in $WORK"
		fi
	fi
}
