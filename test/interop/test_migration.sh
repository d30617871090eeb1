#!/usr/bin/env bash
# test_migration.sh: owns the interop test of live migration (R23: when a
# CA's mapping moves to another PA, traffic to it follows at the next policy
# apply) against the Linux kernel's VXLAN as the independent peer. On the
# figure-8 topology (scripts/topology.sh) it builds a third host of its own,
# hnv-mig-host3 (kernel VTEP, PA 192.168.2.30 on host 2's underlay segment:
# hnv-router's rt-h2 goes into a bridge, br-pa2, for it), and two VMs of
# Contoso's VSID 5001 that move: mig-vm1 (10.1.1.21) from host 1 (PA A
# 192.168.1.10, behind the gateway) to host 3 (PA B, on-link: a next hop
# that dpdk-hnv has to resolve when the new mapping applies), and mig-vm2
# (10.1.1.22) from dpdk-hnv's host 2 to host 1.
# Each move is done as a host agent would: stop the VM at the source (its
# port goes down and leaves the source's bridge), start it at the
# destination (the same VM namespace, MAC and CA, its port in the
# destination's bridge), fix the kernel VTEPs' fdb entries, and replace
# dpdk-hnv's policy file by an atomic rename. Continuous pings (every 0.1 s)
# from host 2's VMs run through both moves. Checks:
#   1. the pings to mig-vm1 resume from host 3, lose only what is sent in
#      the switch-over window, and the underlay carries them to PA B (host
#      3) and, after the reload, no longer to PA A (host 1);
#   2. the pings to CAs that stay (contoso-sql in the same VSID, fabrikam-sql
#      in another) lose nothing;
#   3. mig-vm2 leaves host 2 (its VM NIC and port go from the policy, a
#      mapping to host 1's PA comes in): dpdk-hnv says it reloaded and
#      removed the port, and contoso-web's pings, hairpinned before, leave
#      dpdk-hnv as VXLAN to PA 192.168.1.10 and are answered from there.
# Run as root; exits 0 only if every check passes; the last line is
# "N passed, M failed". It uses the namespaces of the other interop tests
# (and mig-vm1, mig-vm2, hnv-mig-host3 of its own), so it must never run
# beside another of them.
#
# Environment: HNV_BIN (default build/app/dpdk-hnv),
#              HNV_POLICY (default config/figure8-host2.json: the policy
#                that the test's own policies extend),
#              HNV_READY_TIMEOUT (seconds, default 30),
#              HNV_KEEP_LOGS=1 keeps the work directory even on success.
# Needs: iproute2, iputils-ping, tcpdump, ethtool, coreutils (timeout),
#        python3.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/overlay.sh
. "$(dirname "$0")/../lib/overlay.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
HNV_BIN=${HNV_BIN:-build/app/dpdk-hnv}
HNV_POLICY=${HNV_POLICY:-config/figure8-host2.json}
READY_TIMEOUT=${HNV_READY_TIMEOUT:-30}
TOPO="$ROOT/scripts/topology.sh"

HNV_PID=""
WORK=""
TOPO_UP=0
CLEANED=0
# Read by the helpers of test/lib/overlay.sh (see its header).
PY=/usr/bin/python3
SUMMARY_LOGS=(show_hnv_log)
STOP_POLLS=20
CAPTURE_TIMEOUT=150
PING_INTERVAL=0.3
TELEMETRY_SOCK=/var/run/dpdk/hnv-migration/dpdk_telemetry.v2

# This test's own namespaces (the topology's are scripts/topology.sh's).
readonly NS_HOST3=hnv-mig-host3
readonly NS_VM1=mig-vm1
readonly NS_VM2=mig-vm2
readonly MIG_NS=("$NS_VM1" "$NS_VM2" "$NS_HOST3")
readonly PA1=192.168.1.10 PA2=192.168.2.20 PA3=192.168.2.30
readonly VM1_IP=10.1.1.21 VM1_MAC=02:50:01:00:00:21
readonly VM2_IP=10.1.1.22 VM2_MAC=02:50:01:00:00:22
readonly WEB_MAC=02:50:01:00:00:12 SQL_MAC=02:50:01:00:00:11
# Continuous pings: one echo request every PING_EVERY s, for at most
# PING_DEADLINE s (they are stopped long before).
readonly PING_EVERY=0.1 PING_DEADLINE=120
# The switch-over window of a move runs from the VM's stop at the source to
# the moment dpdk-hnv's reload line is seen; a lost echo request must have
# been sent in it, widened by WINDOW_BEFORE s before and WINDOW_AFTER s
# after (a request in flight as the VM stops, a reply in flight as the
# program changes).
readonly WINDOW_BEFORE=0.1 WINDOW_AFTER=0.3
RELOAD_TIMEOUT=10
PING_PIDS=()
RELOADS=0


ns_exists() {
	local list
	list=$(ip netns list 2>/dev/null | awk '{print $1}')
	grep -qxF -- "$1" <<<"$list"
}

# mig_down: delete this test's namespaces (a leftover of an interrupted run
# included); deleting hnv-mig-host3 takes hnv-router's rt-h3 with it.
# (CLEANUP_EXTRA) stop the pings, then mig_down.
stop_pings_and_mig_down() {
	local p
	for p in "${PING_PIDS[@]}"; do
		stop_pid "$p" INT
	done
	mig_down
}
CLEANUP_EXTRA=stop_pings_and_mig_down

mig_down() {
	local ns p
	for ns in "${MIG_NS[@]}"; do
		ns_exists "$ns" || continue
		for p in $(ip netns pids "$ns" 2>/dev/null || true); do
			kill -KILL "$p" 2>/dev/null || true
		done
		ip netns del "$ns" 2>/dev/null || echo "# warning: could not delete namespace $ns"
	done
}

trap overlay_cleanup EXIT
trap 'echo "# interrupted"; exit 130' INT
trap 'echo "# terminated"; exit 143' TERM

need_root_and_tools ip bridge ping tcpdump ethtool timeout "$PY"
need_hnv_inputs
WORK=$(mktemp -d /tmp/hnv-migration.XXXXXX)

# ---------------------------------------------------------------- topology
# Offloads off and MTUs as scripts/topology.sh sets them (see there why).
# The helpers below chain their commands with &&: they run as conditions
# (if !, ||), where errexit does not stop a failed step, so each one's
# status is that of its first failure.
no_offload() { ip netns exec "$1" ethtool -K "$2" tx off rx off gso off gro off >/dev/null; }
ns_new() {
	ip netns add "$1" &&
		ip netns exec "$1" sysctl -q -w net.ipv6.conf.default.disable_ipv6=1 \
			net.ipv6.conf.all.disable_ipv6=1 >/dev/null &&
		ip -n "$1" link set dev lo up
}

# vm_new NS MAC IP HOST_NS PORT: a VM namespace whose eth0 is peered with
# PORT in HOST_NS. A migrated VM keeps its state, its neighbour cache among
# it; its NIC does not see the carrier drop that moving PORT causes here, so
# the VM does not flush its neighbours on carrier loss (where the kernel has
# the switch, arp_evict_nocarrier).
vm_new() {
	local ns=$1 mac=$2 ip4=$3 hns=$4 port=$5
	ns_new "$ns" &&
		ip -n "$hns" link add name "$port" type veth peer name eth0 netns "$ns" &&
		ip -n "$ns" link set dev eth0 address "$mac" mtu 1450 &&
		no_offload "$ns" eth0 &&
		no_offload "$hns" "$port" &&
		ip -n "$hns" link set dev "$port" mtu 1450 &&
		{ ip netns exec "$ns" sysctl -q -w net.ipv4.conf.eth0.arp_evict_nocarrier=0 \
			>/dev/null 2>&1 || true; } &&
		ip -n "$ns" addr add "$ip4/24" dev eth0 &&
		ip -n "$ns" link set dev eth0 up &&
		ip -n "$ns" route replace default via 10.1.1.1 dev eth0
}

# The fdb of a kernel host's vxlan5001 as its host agent keeps it (learning
# is off, as on host 1): kvtep_remote NS MAC PA puts MAC behind the VTEP,
# tunnelled to PA; kvtep_local NS MAC PORT puts it on a local bridge port.
kvtep_remote() {
	bridge -n "$1" fdb replace "$2" dev vxlan5001 master static &&
		bridge -n "$1" fdb replace "$2" dev vxlan5001 dst "$3" self permanent
}
kvtep_local() {
	{ bridge -n "$1" fdb del "$2" dev vxlan5001 self 2>/dev/null || true; } &&
		bridge -n "$1" fdb replace "$2" dev "$3" master static
}

# pa2_segment: host 2's underlay link becomes a segment that other hosts
# can join: hnv-router's rt-h2 goes into a bridge, br-pa2, that takes over
# its address and MAC (dpdk-hnv's gateway does not change).
pa2_segment() {
	local r=hnv-router mac
	mac=$(ip netns exec "$r" cat /sys/class/net/rt-h2/address) &&
		ip -n "$r" link add name br-pa2 type bridge mcast_snooping 0 &&
		ip -n "$r" link set dev br-pa2 address "$mac" &&
		ip -n "$r" addr del 192.168.2.1/24 dev rt-h2 &&
		ip -n "$r" link set dev rt-h2 master br-pa2 &&
		ip -n "$r" addr add 192.168.2.1/24 dev br-pa2 &&
		ip -n "$r" link set dev br-pa2 up
}

# host3_up: the second kernel VXLAN host, PA 192.168.2.30 on host 2's
# segment (br-pa2 in hnv-router, through rt-h3), so PA B is a next hop of
# dpdk-hnv's own that the apply makes it resolve. br5001 holds vxlan5001
# (no snooping, no learning on the VTEP port). Broadcasts are replicated to
# hosts 1 and 2; the VSID's VMs elsewhere have static entries.
host3_up() {
	local h=$NS_HOST3
	ns_new "$h" &&
		ip -n hnv-router link add name rt-h3 type veth peer name h3-up netns "$h" &&
		no_offload hnv-router rt-h3 &&
		no_offload "$h" h3-up &&
		ip -n hnv-router link set dev rt-h3 master br-pa2 up &&
		ip -n "$h" addr add "$PA3/24" dev h3-up &&
		ip -n "$h" link set dev h3-up up &&
		ip -n "$h" route replace default via 192.168.2.1 dev h3-up &&
		ip -n "$h" link add name vxlan5001 type vxlan id 5001 dstport 4789 \
			local "$PA3" dev h3-up &&
		ip -n "$h" link add name br5001 type bridge mcast_snooping 0 &&
		ip -n "$h" link set dev vxlan5001 mtu 1450 master br5001 &&
		ip -n "$h" link set dev br5001 mtu 1450 &&
		bridge -n "$h" link set dev vxlan5001 learning off &&
		bridge -n "$h" fdb append 00:00:00:00:00:00 dev vxlan5001 dst "$PA2" &&
		bridge -n "$h" fdb append 00:00:00:00:00:00 dev vxlan5001 dst "$PA1" &&
		kvtep_remote "$h" "$WEB_MAC" "$PA2" &&
		kvtep_remote "$h" "$VM2_MAC" "$PA2" &&
		kvtep_remote "$h" "$SQL_MAC" "$PA1" &&
		kvtep_remote "$h" "$VM1_MAC" "$PA1" &&
		ip -n "$h" link set dev vxlan5001 up &&
		ip -n "$h" link set dev br5001 up
}

# mig_up: host 3, mig-vm1 in host 1's br5001 (port mvm1-port), mig-vm2 on
# host 2 (port mvm2-port, dpdk-hnv's net_af_packet3).
mig_up() {
	pa2_segment &&
		host3_up &&
		vm_new "$NS_VM1" "$VM1_MAC" "$VM1_IP" hnv-host1 mvm1-port &&
		ip -n hnv-host1 link set dev mvm1-port master br5001 up &&
		kvtep_local hnv-host1 "$VM1_MAC" mvm1-port &&
		kvtep_remote hnv-host1 "$VM2_MAC" "$PA2" &&
		vm_new "$NS_VM2" "$VM2_MAC" "$VM2_IP" hnv-host2 mvm2-port &&
		ip -n hnv-host2 link set dev mvm2-port up
}

# vm_move PORT FROM_NS TO_NS: the VM behind PORT stops at FROM_NS (its port
# goes down and leaves FROM_NS) and starts at TO_NS (in br5001 there).
vm_move() {
	ip -n "$2" link set dev "$1" down &&
		ip -n "$2" link set dev "$1" netns "$3" &&
		ip -n "$3" link set dev "$1" mtu 1450 master br5001 up
}

# ---------------------------------------------------------------- policy
POLDIR=$WORK/policy
POLICY=$POLDIR/host2.json
# write_policy VM1_PA VM2_LOCAL: HNV_POLICY plus mig-vm1's mapping at
# VM1_PA, and mig-vm2 as a VM NIC on port mig-vm2 (VM2_LOCAL=1) or as a
# mapping at host 1's PA (0). Written next to the policy and renamed onto
# it, so dpdk-hnv never reads half a file.
write_policy() {
	"$PY" - "$HNV_POLICY" "$1" "$2" >"$POLICY.tmp" <<'PY' && mv -f "$POLICY.tmp" "$POLICY"
import json, sys
pol = json.load(open(sys.argv[1]))
vm1_pa, vm2_local = sys.argv[2], sys.argv[3] == "1"
pol["mappings"].append({"vsid": 5001, "ca": "10.1.1.21", "mac": "02:50:01:00:00:21", "pa": vm1_pa})
if vm2_local:
    pol["ports"].append({"name": "mig-vm2", "device": "net_af_packet3"})
    pol["vm_nics"].append({"name": "mig-vm2", "mac": "02:50:01:00:00:22", "ip": "10.1.1.22",
                           "vsid": 5001, "port": "mig-vm2"})
else:
    pol["mappings"].append({"vsid": 5001, "ca": "10.1.1.22", "mac": "02:50:01:00:00:22",
                            "pa": "192.168.1.10"})
json.dump(pol, sys.stdout, indent="\t")
print()
PY
}

# count_lines FILE PATTERN: lines of FILE with the fixed string PATTERN.
count_lines() { grep -cF -- "$2" "$1" 2>/dev/null || true; }

# wait_reload: wait up to RELOAD_TIMEOUT s for dpdk-hnv's next "policy
# reloaded" line (the RELOADS+1-th); fails at once if it says it did not
# reload. Sets T_RELOAD (when the line was seen).
wait_reload() {
	local deadline=$((SECONDS + RELOAD_TIMEOUT)) want=$((RELOADS + 1))
	local refused
	refused=$(count_lines "$WORK/hnv.err" 'dpdk-hnv: policy not reloaded')
	while [ "$SECONDS" -le "$deadline" ]; do
		if [ "$(count_lines "$WORK/hnv.out" "dpdk-hnv: policy reloaded from $POLICY")" -ge "$want" ]; then
			T_RELOAD=$EPOCHREALTIME
			RELOADS=$want
			return 0
		fi
		if [ "$(count_lines "$WORK/hnv.err" 'dpdk-hnv: policy not reloaded')" -gt "$refused" ]; then
			grep -F 'dpdk-hnv: policy not reloaded' "$WORK/hnv.err" | tail -n 1 | indent >&2
			break
		fi
		kill -0 "$HNV_PID" 2>/dev/null || { echo "    # dpdk-hnv exited" >&2; break; }
		sleep 0.02
	done
	T_RELOAD=$EPOCHREALTIME
	echo "    # no 'dpdk-hnv: policy reloaded from $POLICY' (reload $want)" >&2
	return 1
}

# wait_line FILE PATTERN: FILE gets a line with PATTERN within RELOAD_TIMEOUT s.
wait_line() {
	local deadline=$((SECONDS + RELOAD_TIMEOUT))
	while [ "$SECONDS" -le "$deadline" ]; do
		grep -qF -- "$2" "$1" && return 0
		sleep 0.05
	done
	echo "    # no '$2' in $1" >&2
	return 1
}

# ---------------------------------------------------------------- pings
# ping_start NAME NS DEST: a continuous ping, timestamped (-D), reporting
# unanswered requests (-O), into $WORK/ping-NAME.txt.
ping_start() {
	ip netns exec "$2" ping -n -D -O -i "$PING_EVERY" -W 1 -w "$PING_DEADLINE" "$3" \
		>"$WORK/ping-$1.txt" 2>&1 &
	PING_PIDS+=("$!")
}
ping_stop_all() {
	local p
	for p in "${PING_PIDS[@]}"; do
		stop_pid "$p" INT
	done
	PING_PIDS=()
}

# ping_report NAME [T_STOP T_RELOAD T_UNTIL]: analyse a continuous ping into
# $WORK/ping-NAME.rep (shell assignments): sent, replied, lost (the
# requests without a reply; the last one, in flight when ping stopped, is
# not counted), and for a move from T_STOP to T_RELOAD: outside (lost
# requests sent outside the switch-over window), window_ms, after (replies
# to requests sent after T_RELOAD, up to T_UNTIL: before the next move) and
# resume_ms (from T_RELOAD to the first of them). A request's send time is its reply's time less the round
# trip, or for a lost one, interpolated between its answered neighbours.
ping_report() {
	"$PY" - "$WORK/ping-$1.txt" "${2:-0}" "${3:-0}" "${4:-0}" "$WINDOW_BEFORE" \
		"$WINDOW_AFTER" "$PING_EVERY" >"$WORK/ping-$1.rep" <<'PY'
import re, sys
path, t_stop, t_rel, t_until, before, after, every = sys.argv[1], *map(float, sys.argv[2:])
sent_at, seen = {}, set()
for line in open(path):
    m = re.match(r"\[(\d+\.\d+)\] (.*)icmp_seq=(\d+)", line)
    if not m:
        continue
    ts, text, seq = float(m.group(1)), m.group(2), int(m.group(3))
    seen.add(seq)
    r = re.search(r"bytes from .* time=([0-9.]+) ms", line)
    if r and seq not in sent_at:
        sent_at[seq] = ts - float(r.group(1)) / 1000
top = max(seen) if seen else 0
lost = [s for s in range(1, top + 1) if s not in sent_at]

def when(s):
    lo = max((k for k in sent_at if k < s), default=None)
    hi = min((k for k in sent_at if k > s), default=None)
    if lo is not None and hi is not None:
        return sent_at[lo] + (s - lo) * (sent_at[hi] - sent_at[lo]) / (hi - lo)
    if lo is not None:
        return sent_at[lo] + (s - lo) * every
    if hi is not None:
        return sent_at[hi] - (hi - s) * every
    return 0.0

out = [s for s in lost if not (t_stop - before <= when(s) <= t_rel + after)] if t_stop else lost
later = sorted(t for t in sent_at.values() if t_rel < t <= t_until) if t_stop else []
print(f"sent={top}")
print(f"replied={len(sent_at)}")
print(f"lost={len(lost)}")
print(f"outside={len(out)}")
print(f"window_ms={int((t_rel - t_stop) * 1000) if t_stop else 0}")
print(f"after={len(later)}")
print(f"resume_ms={int((later[0] - t_rel) * 1000) if later else -1}")
print("lost_at='" + " ".join(f"{s}@{(when(s) - t_stop) * 1000:+.0f}ms" for s in lost[:40]) + "'")
PY
}
# rep NAME KEY: one value of ping_report's analysis.
rep() { sed -n "s/^$2=//p" "$WORK/ping-$1.rep" | tr -d "'"; }
ping_summary() { # NAME
	echo "sent $(rep "$1" sent), replied $(rep "$1" replied), lost $(rep "$1" lost)"
}
# no_loss NAME MIN: at least MIN replies, no request lost.
no_loss() {
	local r l
	r=$(rep "$1" replied)
	l=$(rep "$1" lost)
	if [ -n "$r" ] && [ "$r" -ge "$2" ] && [ "$l" = 0 ]; then
		return 0
	fi
	echo "    # ping $1: $(ping_summary "$1") (want >= $2 replies, 0 lost): $(rep "$1" lost_at)" >&2
	return 1
}
# loss_in_window NAME: every lost request of NAME was sent in its move's
# switch-over window.
loss_in_window() {
	if [ "$(rep "$1" outside)" = 0 ]; then
		return 0
	fi
	echo "    # ping $1: $(rep "$1" outside) lost outside the window of $(rep "$1" window_ms) ms" \
		"(relative to the stop): $(rep "$1" lost_at)" >&2
	return 1
}
# resumed NAME MIN: at least MIN replies to requests sent after the reload.
resumed() {
	local a
	a=$(rep "$1" after)
	if [ -n "$a" ] && [ "$a" -ge "$2" ]; then
		return 0
	fi
	echo "    # ping $1: ${a:-no} replies after the reload (want >= $2)" >&2
	return 1
}

# ---------------------------------------------------------------- underlay
# vx_count FILE SRC DST INNER T_FROM T_TO: how many VXLAN (VNI 5001) packets
# from SRC to DST of the capture FILE (a pcap) carry an inner frame matching
# the regex INNER and were captured within [T_FROM, T_TO] (epoch seconds).
vx_count() {
	tcpdump -tt -nn -r "$1" 2>/dev/null | "$PY" -c '
import re, sys
src, dst, inner, t0, t1 = sys.argv[1], sys.argv[2], re.compile(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
n, cur = 0, None
def done(c):
    return c is not None and t0 <= c[0] <= t1 and inner.search(c[1]) is not None
for line in sys.stdin:
    m = re.match(r"(\d+\.\d+) IP (\S+)\.\d+ > (\S+)\.4789: VXLAN.*vni 5001\b(.*)", line)
    if m:
        n += done(cur)
        cur = (float(m.group(1)), m.group(4)) if (m.group(2), m.group(3)) == (src, dst) else None
    elif re.match(r"\d+\.\d+ ", line):
        n += done(cur)
        cur = None
    elif cur is not None:
        cur = (cur[0], cur[1] + " " + line.strip())
n += done(cur)
print(n)
' "$2" "$3" "$4" "$5" "$6"
}
# vx_seen FILE SRC DST INNER T_FROM T_TO MIN MAX LABEL: vx_count is within
# [MIN, MAX].
vx_seen() {
	local n
	n=$(vx_count "$1" "$2" "$3" "$4" "$5" "$6")
	if [ "$n" -ge "$7" ] && [ "$n" -le "$8" ]; then
		return 0
	fi
	echo "    # $9: $n VXLAN packets $2 > $3 matching '$4' (want $7..$8)" >&2
	return 1
}

# ---------------------------------------------------------------- run
topology_up
mig_down
if ! mig_up >"$WORK/mig-up.log" 2>&1; then
	indent <"$WORK/mig-up.log"
	bail "migration hosts up"
fi
ok "migration hosts up: $NS_HOST3 (PA $PA3), $NS_VM1 on host 1, $NS_VM2 on host 2"

mkdir -p "$POLDIR"
write_policy "$PA1" 1
ip netns exec hnv-host2 stdbuf -oL -eL "$HNV_BIN" -l 0-1 --no-huge -m 1024 \
	--no-pci --file-prefix hnv-migration \
	--vdev net_af_packet0,iface=h2-up \
	--vdev net_af_packet1,iface=h2-cweb \
	--vdev net_af_packet2,iface=h2-fweb \
	--vdev net_af_packet3,iface=mvm2-port \
	-- --policy "$POLICY" >"$WORK/hnv.out" 2>"$WORK/hnv.err" &
HNV_PID=$!
if ! hnv_ready "$WORK/hnv.out" "$WORK/hnv.err"; then
	summary
	exit 1
fi
ok "dpdk-hnv ready"

# Every path resolved (neighbours, PA next hop) before the clock starts.
check "0. contoso-web pings mig-vm1 $VM1_IP (on host 1)" ping_ok contoso-web "$VM1_IP"
check "0. contoso-web pings contoso-sql 10.1.1.11 (host 1)" ping_ok contoso-web 10.1.1.11
check "0. fabrikam-web pings fabrikam-sql 10.1.1.11 (host 1, VSID 6001)" \
	ping_ok fabrikam-web 10.1.1.11
check "0. contoso-web pings mig-vm2 $VM2_IP (on host 2: hairpin)" ping_ok contoso-web "$VM2_IP"

caps_ok=1
start_capture hnv-host1 h1-up "$WORK/host1.pcap" udp port 4789 || caps_ok=0
start_capture "$NS_HOST3" h3-up "$WORK/host3.pcap" udp port 4789 || caps_ok=0
# What leaves and enters dpdk-hnv, from the router's side of its uplink.
start_capture hnv-router rt-h2 "$WORK/host2.pcap" udp port 4789 || caps_ok=0
check "packet captures started" [ "$caps_ok" -eq 1 ]

ping_start vm1 contoso-web "$VM1_IP"
ping_start sql contoso-web 10.1.1.11
ping_start fsql fabrikam-web 10.1.1.11
ping_start vm2 contoso-web "$VM2_IP"
T_START=$EPOCHREALTIME
sleep 2

# ---------------------------------------------------------------- move 1
# mig-vm1: host 1 (PA A) -> host 3 (PA B).
T_STOP1=$EPOCHREALTIME
move1_ok=1
{
	vm_move mvm1-port hnv-host1 "$NS_HOST3" &&
		kvtep_local "$NS_HOST3" "$VM1_MAC" mvm1-port &&
		kvtep_remote hnv-host1 "$VM1_MAC" "$PA3" &&
		write_policy "$PA3" 1
} >"$WORK/move1.log" 2>&1 || move1_ok=0
check "1. mig-vm1 moved to $NS_HOST3, kernel fdbs updated, policy renamed into place" \
	[ "$move1_ok" -eq 1 ]
check "1. dpdk-hnv: 'policy reloaded from $POLICY' (mig-vm1 now at PA $PA3)" wait_reload
T_RELOAD1=$T_RELOAD
sleep 3

# ---------------------------------------------------------------- move 2
# mig-vm2 leaves dpdk-hnv's host for host 1: its VM NIC and port go from the
# policy, a mapping to PA 192.168.1.10 comes in, in one file.
T_STOP2=$EPOCHREALTIME
move2_ok=1
{
	vm_move mvm2-port hnv-host2 hnv-host1 &&
		kvtep_local hnv-host1 "$VM2_MAC" mvm2-port &&
		kvtep_remote "$NS_HOST3" "$VM2_MAC" "$PA1" &&
		write_policy "$PA3" 0
} >"$WORK/move2.log" 2>&1 || move2_ok=0
check "3. mig-vm2 moved to host 1, kernel fdbs updated, policy renamed into place" \
	[ "$move2_ok" -eq 1 ]
check "3. dpdk-hnv: 'policy reloaded from $POLICY' (mig-vm2's NIC gone, mapped to PA $PA1)" \
	wait_reload
T_RELOAD2=$T_RELOAD
check "3. dpdk-hnv: 'port mig-vm2 removed'" wait_line "$WORK/hnv.out" 'dpdk-hnv: port mig-vm2 removed'
sleep 3
ping_stop_all
T_END=$EPOCHREALTIME
stop_captures
indent <"$WORK/move1.log"
indent <"$WORK/move2.log"

# ---------------------------------------------------------------- results
ping_report vm1 "$T_STOP1" "$T_RELOAD1" "$T_STOP2"
ping_report vm2 "$T_STOP2" "$T_RELOAD2" "$T_END"
ping_report sql
ping_report fsql
echo "    # mig-vm1: $(ping_summary vm1); switch-over window $(rep vm1 window_ms) ms;" \
	"lost: $(rep vm1 lost_at); first reply $(rep vm1 resume_ms) ms after the reload"
echo "    # mig-vm2: $(ping_summary vm2); switch-over window $(rep vm2 window_ms) ms;" \
	"lost: $(rep vm2 lost_at); first reply $(rep vm2 resume_ms) ms after the reload"

# Regexes of vx_count's inner frames: any packet of CA, contoso-web's echo
# requests to CA, CA's echo replies to contoso-web.
re_ca() { printf "%s\n" "\\b${1//./\\.}\\b"; }
echo_req() { echo "10\\.1\\.1\\.12 > ${1//./\\.}: ICMP echo request"; }
echo_rep() { echo "${1//./\\.} > 10\\.1\\.1\\.12: ICMP echo reply"; }

# 1. The remote VM's traffic follows it to PA B at the reload.
check "1. contoso-web -> mig-vm1: replies resume from host 3 ($(rep vm1 after) after the reload)" \
	resumed vm1 20
check "1. contoso-web -> mig-vm1: loss only in the switch-over window ($(rep vm1 lost) lost, window $(rep vm1 window_ms) ms)" \
	loss_in_window vm1
check "1. host 3's underlay: echo requests to $VM1_IP in VXLAN $PA2 > $PA3 (PA B), after the reload" \
	vx_seen "$WORK/host3.pcap" "$PA2" "$PA3" "$(echo_req "$VM1_IP")" "$T_RELOAD1" "$T_STOP2" 20 100000 "host 3"
check "1. host 3's underlay: echo replies from $VM1_IP in VXLAN $PA3 > $PA2" \
	vx_seen "$WORK/host3.pcap" "$PA3" "$PA2" "$(echo_rep "$VM1_IP")" "$T_RELOAD1" "$T_STOP2" 20 100000 "host 3"
check "1. host 3's underlay: nothing to $VM1_IP before the move" \
	vx_seen "$WORK/host3.pcap" "$PA2" "$PA3" "$(re_ca "$VM1_IP")" 0 "$T_STOP1" 0 0 "host 3"
check "1. host 1's underlay: echo requests to $VM1_IP (PA A) before the move" \
	vx_seen "$WORK/host1.pcap" "$PA2" "$PA1" "$(echo_req "$VM1_IP")" 0 "$T_STOP1" 10 100000 "host 1"
check "1. host 1's underlay: no echo request to $VM1_IP (PA A) once dpdk-hnv said it reloaded" \
	vx_seen "$WORK/host1.pcap" "$PA2" "$PA1" "$(echo_req "$VM1_IP")" "$T_RELOAD1" "$T_END" 0 0 "host 1"

# 2. The CAs that stay lose nothing, through both moves.
check "2. contoso-web -> contoso-sql (same VSID, stays on host 1): no loss ($(ping_summary sql))" \
	no_loss sql 60
check "2. fabrikam-web -> fabrikam-sql (VSID 6001, stays): no loss ($(ping_summary fsql))" \
	no_loss fsql 60
vm2_before() { # the local VM's pings lost nothing before it moved
	"$PY" - "$WORK/ping-vm2.txt" "$T_STOP2" <<'PY'
import re, sys
sent, rep = set(), set()
for line in open(sys.argv[1]):
    m = re.match(r"\[(\d+\.\d+)\] .*icmp_seq=(\d+)", line)
    if m and float(m.group(1)) < float(sys.argv[2]) - 0.2:
        sent.add(int(m.group(2)))
        if "bytes from" in line:
            rep.add(int(m.group(2)))
miss = sorted(s for s in range(1, max(sent) + 1) if s not in rep) if sent else ["none sent"]
if miss or len(rep) < 40:
    print(f"    # mig-vm2 before its move: {len(rep)} replies, missing {miss[:20]}", file=sys.stderr)
    sys.exit(1)
PY
}
check "2. contoso-web -> mig-vm2 (local, same VSID) lost nothing during mig-vm1's move" vm2_before

# 3. The local VM that left is reached at host 1, through the overlay.
check "3. contoso-web -> mig-vm2: replies resume from host 1 ($(rep vm2 after) after the reload)" \
	resumed vm2 20
check "3. contoso-web -> mig-vm2: loss only in the switch-over window ($(rep vm2 lost) lost, window $(rep vm2 window_ms) ms)" \
	loss_in_window vm2
check "3. before the move no packet to $VM2_IP crossed the underlay (hairpin on host 2)" \
	vx_seen "$WORK/host2.pcap" "$PA2" "$PA1" "$(re_ca "$VM2_IP")" 0 "$T_STOP2" 0 0 "host 2 uplink"
check "3. after the reload contoso-web's echo requests to $VM2_IP leave dpdk-hnv as VXLAN $PA2 > $PA1" \
	vx_seen "$WORK/host2.pcap" "$PA2" "$PA1" "$(echo_req "$VM2_IP")" "$T_RELOAD2" "$T_END" 20 100000 "host 2 uplink"
check "3. mig-vm2's echo replies reach dpdk-hnv as VXLAN $PA1 > $PA2" \
	vx_seen "$WORK/host2.pcap" "$PA1" "$PA2" "$(echo_rep "$VM2_IP")" "$T_RELOAD2" "$T_END" 20 100000 "host 2 uplink"
check "3. host 1's underlay got them: echo requests to $VM2_IP from $PA2" \
	vx_seen "$WORK/host1.pcap" "$PA2" "$PA1" "$(echo_req "$VM2_IP")" "$T_RELOAD2" "$T_END" 20 100000 "host 1"
check "no 'policy not reloaded' from dpdk-hnv" \
	[ "$(count_lines "$WORK/hnv.err" 'policy not reloaded')" = 0 ]
echo "    # $(($(date +%s) - ${T_START%.*})) s of pings; dpdk-hnv's drops:" \
	"$(telemetry /hnv/drops | "$PY" -c 'import json, sys
print(", ".join(f"{k} {v}" for k, v in json.load(sys.stdin).items() if v) or "none")' ||
		echo unavailable)"

stop_hnv INT TERM
check "dpdk-hnv exited 0 on SIGINT (got: $hnv_rc)" [ "$hnv_rc" = 0 ]
summary
[ "$FAIL" -eq 0 ]
