#!/usr/bin/env bash
# test_kernel_vxlan.sh: owns the interop test of dpdk-hnv against the Linux
# kernel VXLAN VTEP (figure 8, R4/R8/R10/R13/R22). It builds the namespace
# topology (scripts/topology.sh), runs dpdk-hnv in hnv-host2 on af_packet
# ports, and checks both tenants' pings in both directions, the ARP proxy,
# tenant isolation and the final counters. Run as root; exits 0 only if every
# check passes; the last line is "N passed, M failed".
#
# Environment: HNV_BIN (default build/app/dpdk-hnv),
#              HNV_POLICY (default config/figure8-host2.json),
#              HNV_READY_TIMEOUT (seconds, default 30),
#              HNV_KEEP_LOGS=1 keeps the work directory even on success.
# Needs: iproute2, iputils-ping, tcpdump, ethtool, coreutils (timeout).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
HNV_BIN=${HNV_BIN:-build/app/dpdk-hnv}
HNV_POLICY=${HNV_POLICY:-config/figure8-host2.json}
READY_TIMEOUT=${HNV_READY_TIMEOUT:-30}
TOPO="$ROOT/scripts/topology.sh"

PASS=0
FAIL=0
HNV_PID=""
CAP_PIDS=()
WORK=""
TOPO_UP=0
CLEANED=0

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
SUMMARY_DONE=0
summary() {
	if [ -n "$WORK" ] && { [ "$FAIL" -ne 0 ] || [ "${HNV_KEEP_LOGS:-0}" = 1 ]; }; then
		echo "# logs and captures kept in $WORK"
	fi
	SUMMARY_DONE=1
	echo "$PASS passed, $FAIL failed"
}
indent() { sed 's/^/    # /'; }

show_hnv_log() {
	[ -n "$WORK" ] || return 0
	echo "    # --- dpdk-hnv stdout ($WORK/hnv.out) ---"
	tail -n 40 "$WORK/hnv.out" 2>/dev/null | indent || true
	echo "    # --- dpdk-hnv stderr ($WORK/hnv.err) ---"
	tail -n 40 "$WORK/hnv.err" 2>/dev/null | indent || true
}

# stop_pid PID [FIRST_SIGNAL]: signal, escalate to TERM then KILL, reap.
stop_pid() {
	local pid=$1 first=${2:-TERM} sig
	for sig in "$first" TERM KILL; do
		kill -0 "$pid" 2>/dev/null || break
		kill -s "$sig" "$pid" 2>/dev/null || true
		for _ in $(seq 1 20); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
	done
	wait "$pid" 2>/dev/null || true
}

cleanup() {
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
	if [ "$TOPO_UP" -eq 1 ]; then
		timeout 30 "$TOPO" down >/dev/null 2>&1 || true
	fi
	if [ -n "$WORK" ]; then
		if [ "$FAIL" -eq 0 ] && [ "$rc" -eq 0 ] &&
			[ "${HNV_KEEP_LOGS:-0}" != 1 ]; then
			rm -rf "$WORK"
		elif [ "$SUMMARY_DONE" -eq 0 ]; then
			echo "# logs and captures kept in $WORK"
		fi
	fi
}
trap cleanup EXIT
trap 'echo "# interrupted"; exit 130' INT
trap 'echo "# terminated"; exit 143' TERM

# Preconditions: a failure here ends the test at once (nothing can run).
bail() {
	not_ok "$*"
	summary
	exit 1
}

[ "$(id -u)" -eq 0 ] || bail "must run as root (network namespaces)"
for tool in ip bridge ping tcpdump ethtool timeout; do
	command -v "$tool" >/dev/null 2>&1 || bail "required tool '$tool' not found"
done
if [ ! -f "$HNV_BIN" ] || [ ! -x "$HNV_BIN" ]; then
	bail "dpdk-hnv binary '$HNV_BIN' not found or not executable (set HNV_BIN)"
fi
[ -r "$HNV_POLICY" ] || bail "policy file '$HNV_POLICY' not found"
HNV_BIN=$(cd "$(dirname "$HNV_BIN")" && pwd)/$(basename "$HNV_BIN")

WORK=$(mktemp -d /tmp/hnv-interop.XXXXXX)

# ---------------------------------------------------------------- topology
# Start from a clean slate so neighbour caches and fdbs are fresh.
timeout 30 "$TOPO" down >/dev/null 2>&1 || true
TOPO_UP=1
if ! timeout 60 "$TOPO" up >"$WORK/topology.log" 2>&1; then
	indent <"$WORK/topology.log"
	bail "topology up"
fi
ok "topology up"

# ---------------------------------------------------------------- dpdk-hnv
# stdbuf keeps stdout line-buffered into the log (readiness line, counters).
ip netns exec hnv-host2 stdbuf -oL -eL "$HNV_BIN" -l 0-1 --no-huge -m 1024 \
	--no-pci --file-prefix hnv-interop \
	--vdev net_af_packet0,iface=h2-up \
	--vdev net_af_packet1,iface=h2-cweb \
	--vdev net_af_packet2,iface=h2-fweb \
	-- --policy "$HNV_POLICY" >"$WORK/hnv.out" 2>"$WORK/hnv.err" &
HNV_PID=$!

ready=0
deadline=$((SECONDS + READY_TIMEOUT))
while [ "$SECONDS" -lt "$deadline" ]; do
	if grep -qs 'dpdk-hnv: forwarding' "$WORK/hnv.out" "$WORK/hnv.err"; then
		ready=1
		break
	fi
	kill -0 "$HNV_PID" 2>/dev/null || break
	sleep 0.2
done
if [ "$ready" -ne 1 ]; then
	if kill -0 "$HNV_PID" 2>/dev/null; then
		not_ok "dpdk-hnv ready (no 'dpdk-hnv: forwarding' within ${READY_TIMEOUT}s)"
	else
		rc=0
		wait "$HNV_PID" || rc=$?
		HNV_PID=""
		not_ok "dpdk-hnv ready (exited with status $rc before forwarding)"
	fi
	show_hnv_log
	summary
	exit 1
fi
ok "dpdk-hnv ready"

# ---------------------------------------------------------------- captures
# start_capture NS IFACE FILE FILTER...: tcpdump in the background, written
# packet-by-packet (-U) to FILE; returns once tcpdump is listening.
start_capture() {
	local ns=$1 ifc=$2 file=$3
	shift 3
	ip netns exec "$ns" timeout 110 tcpdump -i "$ifc" -nn -U -Z root \
		-s 256 -w "$file" "$@" 2>"$file.err" &
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

caps_ok=1
start_capture hnv-host1 h1-up "$WORK/underlay.pcap" udp port 4789 || caps_ok=0
start_capture contoso-web eth0 "$WORK/contoso-web.pcap" || caps_ok=0
start_capture fabrikam-web eth0 "$WORK/fabrikam-web.pcap" || caps_ok=0
start_capture contoso-sql eth0 "$WORK/contoso-sql.pcap" || caps_ok=0
start_capture fabrikam-sql eth0 "$WORK/fabrikam-sql.pcap" || caps_ok=0
check "packet captures started" [ "$caps_ok" -eq 1 ]

# ---------------------------------------------------------------- pings
# ping_ok NS DEST: 5 echo requests; the first may be lost while dpdk-hnv
# resolves its PA next hop, so at least 3 replies are required.
ping_ok() {
	local ns=$1 dst=$2 out rx
	out=$(timeout 20 ip netns exec "$ns" ping -n -c 5 -i 0.5 -W 2 "$dst" 2>&1) ||
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

check "a. contoso-web pings 10.1.1.11 (VSID 5001, web -> sql)" \
	ping_ok contoso-web 10.1.1.11
check "b. fabrikam-web pings 10.1.1.11 (VSID 6001, web -> sql)" \
	ping_ok fabrikam-web 10.1.1.11
check "c. contoso-sql pings 10.1.1.12 (VSID 5001, sql -> web)" \
	ping_ok contoso-sql 10.1.1.12
check "c. fabrikam-sql pings 10.1.1.12 (VSID 6001, sql -> web)" \
	ping_ok fabrikam-sql 10.1.1.12

# ---------------------------------------------------------------- ARP proxy
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
check "d. contoso-web resolved 10.1.1.11 to 02:50:01:00:00:11" \
	neigh_is contoso-web 10.1.1.11 02:50:01:00:00:11
check "d. fabrikam-web resolved 10.1.1.11 to 02:60:01:00:00:11" \
	neigh_is fabrikam-web 10.1.1.11 02:60:01:00:00:11

stop_captures
read_capture "$WORK/underlay.pcap" >"$WORK/underlay.txt"
for vm in contoso-web fabrikam-web contoso-sql fabrikam-sql; do
	read_capture "$WORK/$vm.pcap" >"$WORK/$vm.txt"
done

# The web VMs' ARP requests must be answered on host 2 and never be
# encapsulated. (The capture must have seen VXLAN traffic at all, or the
# absence would prove nothing.)
web_arp_stayed_local() {
	local f=$WORK/underlay.txt n
	n=$(grep -c 'VXLAN' "$f" || true)
	if [ "$n" -eq 0 ]; then
		echo "    # underlay capture saw no VXLAN packets" >&2
		return 1
	fi
	# "who-has T tell S" (broadcast) or "who-has T (MAC) tell S" (probe)
	if grep -E 'Request who-has [0-9.]+ (\([0-9a-f:]+\) )?tell 10\.1\.1\.12([ ,]|$)' \
		"$f" >"$WORK/leaked-arp.txt"; then
		echo "    # encapsulated ARP requests from 10.1.1.12:" >&2
		head -n 5 "$WORK/leaked-arp.txt" | indent >&2
		return 1
	fi
	return 0
}
check "d. no ARP request from 10.1.1.12 crossed the overlay (answered by dpdk-hnv)" \
	web_arp_stayed_local

# ---------------------------------------------------------------- isolation
# never_sees VM PATTERN LABEL: the VM's capture has frames, none with PATTERN.
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
check "e. fabrikam-web never saw a Contoso MAC (02:50:01:*)" \
	never_sees fabrikam-web '02:50:01:' Contoso
check "e. contoso-web never saw a Fabrikam MAC (02:60:01:*)" \
	never_sees contoso-web '02:60:01:' Fabrikam
check "e. fabrikam-sql never saw a Contoso MAC (02:50:01:*)" \
	never_sees fabrikam-sql '02:50:01:' Contoso
check "e. contoso-sql never saw a Fabrikam MAC (02:60:01:*)" \
	never_sees contoso-sql '02:60:01:' Fabrikam

# ---------------------------------------------------------------- telemetry
# The same counters, live, over DPDK telemetry (app/telemetry.c).
telemetry() { # telemetry COMMAND: print the JSON value of one command
	/usr/bin/python3 - "$1" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect("/var/run/dpdk/hnv-interop/dpdk_telemetry.v2")
s.recv(1024)
s.send(sys.argv[1].encode())
print(json.dumps(list(json.loads(s.recv(65536)).values())[0]))
PY
}
tel_cmp() { # tel_cmp COMMAND FIELD OP VALUE: OP is test(1)'s -ge, -eq, ...
	local v
	v=$(telemetry "$1" | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])") ||
		return 1
	[ "$v" "$3" "$4" ] || { echo "    # $1 $2 = $v, want $3 $4"; return 1; }
}
check "g. telemetry: /hnv/port,contoso-web rx_packets > 0" tel_cmp /hnv/port,contoso-web rx_packets -ge 1
check "g. telemetry: /hnv/uft hits > 0 (the pings took the fast path)" tel_cmp /hnv/uft hits -ge 1
# Host 1 sends only its tenants' frames (its bridges do not snoop, see
# topology.sh), so anti-spoofing must refuse none: a refusal is a false positive.
check "g. telemetry: /hnv/drops spoofed_pa = 0 (host 1 sends only tenant frames)" tel_cmp /hnv/drops spoofed_pa -eq 0

# ---------------------------------------------------------------- counters
hnv_rc=0
kill -s INT "$HNV_PID" 2>/dev/null || true
for _ in $(seq 1 50); do
	kill -0 "$HNV_PID" 2>/dev/null || break
	sleep 0.2
done
if kill -0 "$HNV_PID" 2>/dev/null; then
	hnv_rc=timeout
	stop_pid "$HNV_PID" TERM
else
	wait "$HNV_PID" || hnv_rc=$?
fi
HNV_PID=""

if [ "$hnv_rc" = 0 ]; then
	ok "f. dpdk-hnv exited 0 on SIGINT"
else
	not_ok "f. dpdk-hnv exited 0 on SIGINT (got: $hnv_rc)"
	show_hnv_log
fi

echo "    # final counters:"
grep -E '^[[:space:]]*(port [^ ]+:|drop )' "$WORK/hnv.out" | tail -n 12 | indent || true

# counter PORT FIELD: FIELD of the last "port PORT:" line of stdout.
counter() {
	grep -E "^[[:space:]]*port $1:" "$WORK/hnv.out" | tail -n 1 |
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
check "f. port contoso-web: arp-replies >= 1" counter_ge contoso-web arp-replies 1
check "f. port fabrikam-web: arp-replies >= 1" counter_ge fabrikam-web arp-replies 1
check "f. port uplink: rx-packets > 0" counter_ge uplink rx-packets 1

summary
[ "$FAIL" -eq 0 ]
