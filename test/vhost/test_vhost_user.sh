#!/usr/bin/env bash
# test_vhost_user.sh: owns the test of a VM NIC on a vhost-user port. The VM
# is a real kernel network stack: the contoso-web namespace of the figure-8
# topology (scripts/topology.sh). Its veth peer h2-cweb, in hnv-host2, is not
# given to dpdk-hnv; dpdk-testpmd plays the VM's virtio NIC instead, in io
# mode between net_af_packet0 (h2-cweb) and net_virtio_user0, which connects
# to the vhost-user socket dpdk-hnv serves for its contoso-web port:
#
#   contoso-web eth0 -> veth -> testpmd (af_packet <-> virtio-user)
#     -> vhost-user socket -> dpdk-hnv port contoso-web -> VXLAN -> host 1
#
# The uplink and fabrikam-web stay af_packet, as in test/interop; the
# vhost-user port is the policy's ("vhost_user": dpdk-hnv creates it and its
# socket). Checks: the vhost link is down until the VM attaches and up after,
# pings both ways, the ARP proxy, tenant isolation, a 4 MiB TCP transfer
# verified by SHA-256, the VM's NIC killed (SIGKILL) in the middle of a TCP
# stream and started again (link down, port_down drops, link up, ping, the
# stream completes intact), ports added and removed by four reloads while
# contoso-web pings every 10 ms without losing one (fabrikam-web removed
# and added back; a second vhost-user VM NIC, contoso-app, added, pinged
# from host 1 and removed), and a clean stop on SIGTERM with final counters.
# About 30 s. Run as root; exits 0 only if every check passes; the last line
# is "N passed, M failed".
#
# Environment: HNV_BIN (default build/app/dpdk-hnv),
#              HNV_POLICY (default config/figure8-host2.json; its
#                contoso-web port is replaced by the vhost-user one),
#              HNV_TESTPMD (default /usr/bin/dpdk-testpmd, Debian dpdk-dev),
#              HNV_READY_TIMEOUT (seconds, default 30),
#              HNV_KEEP_LOGS=1 keeps the work directory even on success.
# Needs: iproute2, iputils-ping, tcpdump, ethtool, coreutils (timeout,
#        sha256sum, stdbuf), python3 (TCP ends, telemetry), dpdk-dev.
set -euo pipefail
# Before the cd: $0 may be relative.
# shellcheck source-path=SCRIPTDIR source=../lib/overlay.sh
. "$(dirname "$0")/../lib/overlay.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
HNV_BIN=${HNV_BIN:-build/app/dpdk-hnv}
HNV_POLICY=${HNV_POLICY:-config/figure8-host2.json}
TESTPMD=${HNV_TESTPMD:-/usr/bin/dpdk-testpmd}
READY_TIMEOUT=${HNV_READY_TIMEOUT:-30}
TOPO="$ROOT/scripts/topology.sh"
PY=/usr/bin/python3

# EAL file prefixes of this invocation only (one per DPDK process); EAL
# leaves their runtime directories behind, so they are removed at the end.
FP=hnv-vhost-$$
RUNDIR=/var/run/dpdk
TCP_BYTES=$((4 * 1024 * 1024))
TCP_PORT=5001
STREAM_BYTES=$((8 * 1024 * 1024))
STREAM_PORT=5002

HNV_PID=""
VM_PID=""
VM_N=0
SRV_PID=""
CLI_PID=""
APP_PID=""
PING_PID=""
WORK=""
TOPO_UP=0
CLEANED=0
SOCK=""
# Read by the helpers of test/lib/overlay.sh (see its header).
SUMMARY_LOGS=(show_hnv_log show_vm_log)
STOP_POLLS=25
CAPTURE_TIMEOUT=60
PING_INTERVAL=0.3
TELEMETRY_SOCK=$RUNDIR/$FP/dpdk_telemetry.v2
COUNTER_FROM='/dpdk-hnv: stopping; final counters:/'

show_log() { # show_log LABEL FILE...: the tails of a process's output
	local label=$1 f
	shift
	for f in "$@"; do
		echo "    # --- $label ($f) ---"
		tail -n 30 "$f" 2>/dev/null | indent || true
	done
}
show_vm_log() { # the latest testpmd run
	[ -n "$WORK" ] && [ "$VM_N" -ge 1 ] || return 0
	show_log "testpmd vm$VM_N" "$WORK/vm$VM_N.out" "$WORK/vm$VM_N.err"
}

# (CLEANUP_EXTRA of overlay_cleanup) the VM, the TCP ends and the ping,
# and dpdk-hnv's runtime directory.
stop_vm_and_helpers() {
	local p
	if [ -n "$VM_PID" ]; then
		stop_pid "$VM_PID" TERM
		VM_PID=""
	fi
	for p in "$CLI_PID" "$SRV_PID" "$APP_PID" "$PING_PID"; do
		[ -z "$p" ] || stop_pid "$p" TERM
	done
	rm -rf "${RUNDIR:?}/$FP" "$RUNDIR/$FP"-*
}
CLEANUP_EXTRA=stop_vm_and_helpers
trap overlay_cleanup EXIT
trap 'echo "# interrupted"; exit 130' INT
trap 'echo "# terminated"; exit 143' TERM

need_root_and_tools ip bridge ping tcpdump ethtool timeout stdbuf sha256sum "$PY"
[ -x "$TESTPMD" ] || bail "'$TESTPMD' not found (Debian package dpdk-dev; set HNV_TESTPMD)"
need_hnv_inputs

WORK=$(mktemp -d /tmp/hnv-vhost.XXXXXX)
SOCK=$WORK/contoso-web.sock

# ---------------------------------------------------------------- helpers
# TCP ends. The server takes one connection, says "receiving" at its first
# data, reads to EOF and answers (and prints) "BYTES SHA256"; the client
# sends a file (optionally CHUNK bytes at a time, PAUSE seconds apart) and
# prints that answer.
cat >"$WORK/tcp_server.py" <<'PY'
import hashlib, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
s.settimeout(30)
print("listening", flush=True)
c, _ = s.accept()
c.settimeout(30)
h, n = hashlib.sha256(), 0
while True:
    b = c.recv(65536)
    if not b:
        break
    if n == 0:
        print("receiving", flush=True)
    h.update(b)
    n += len(b)
ans = "%d %s" % (n, h.hexdigest())
c.sendall((ans + "\n").encode())
c.close()
print(ans, flush=True)
PY
cat >"$WORK/tcp_client.py" <<'PY'
import socket, sys, time
data = open(sys.argv[3], "rb").read()
chunk = int(sys.argv[4]) if len(sys.argv) > 4 else len(data)
pause = float(sys.argv[5]) if len(sys.argv) > 5 else 0
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
for i in range(0, len(data), chunk):
    s.sendall(data[i:i + chunk])
    time.sleep(pause)
s.shutdown(socket.SHUT_WR)
print(s.makefile().readline().strip(), flush=True)
PY

json_field() { # json_field FIELD < JSON (a missing field prints 0)
	"$PY" -c "import json,sys; print(json.load(sys.stdin).get('$1', 0))"
}
tel_field() { # tel_field COMMAND FIELD
	telemetry "$1" | json_field "$2"
}

# ---------------------------------------------------------------- topology
topology_up

# ---------------------------------------------------------------- policy
# The contoso-web port of the base policy becomes a vhost-user port that
# dpdk-hnv creates itself (server mode: it makes the socket); the other
# ports keep their af_packet devices.
VHOST_PORT='{"name": "contoso-web", "vhost_user": {"socket": "'"$SOCK"'", "mode": "server", "queues": 1}}'
VDEVS=(--vdev "net_af_packet0,iface=h2-up" --vdev "net_af_packet2,iface=h2-fweb")
if ! "$PY" - "$HNV_POLICY" "$VHOST_PORT" >"$WORK/policy.json" 2>"$WORK/policy.err" <<'PY'; then
import json, sys
pol = json.load(open(sys.argv[1]))
new = json.loads(sys.argv[2])
names = [p["name"] for p in pol["ports"]]
pol["ports"][names.index(new["name"])] = new
json.dump(pol, sys.stdout, indent=1)
PY
	indent <"$WORK/policy.err"
	bail "policy with a vhost_user port for contoso-web"
fi

# ---------------------------------------------------------------- dpdk-hnv
# stdbuf keeps stdout line-buffered into the log (readiness line, counters).
ip netns exec hnv-host2 stdbuf -oL -eL "$HNV_BIN" -l 0-1 --no-huge -m 1024 \
	--no-pci --file-prefix "$FP" "${VDEVS[@]}" \
	-- --policy "$WORK/policy.json" >"$WORK/hnv.out" 2>"$WORK/hnv.err" &
HNV_PID=$!

if ! hnv_ready "$WORK/hnv.out"; then
	summary
	exit 1
fi
# The socket is in this run's fresh work directory: dpdk-hnv made it.
if [ -S "$SOCK" ]; then
	ok "dpdk-hnv ready, serving the vhost-user socket of contoso-web"
else
	not_ok "dpdk-hnv ready, serving the vhost-user socket of contoso-web (no socket at $SOCK)"
	summary
	exit 1
fi

# A port's link as dpdk-hnv reports it (telemetry /hnv/link,PORT: for a
# vhost-user port, UP while a guest is connected).
link_status() { tel_field "/hnv/link,${2:-contoso-web}" status 2>/dev/null || echo "?"; }
# wait_link STATE SECONDS [PORT]: until the vhost port's link is STATE.
wait_link() {
	local want=$1 deadline=$((SECONDS + $2)) st
	while :; do
		st=$(link_status "$want" "${3:-contoso-web}")
		[ "$st" = "$want" ] && return 0
		[ "$SECONDS" -lt "$deadline" ] || break
		sleep 0.2
	done
	echo "    # port ${3:-contoso-web}: link is $st, want $want" >&2
	return 1
}
check "contoso-web's vhost port link is DOWN while no VM is attached" wait_link DOWN 0

# ---------------------------------------------------------------- the VM NIC
# start_vm: dpdk-testpmd in hnv-host2 as the VM's NIC, forwarding between
# h2-cweb and a virtio-user port on dpdk-hnv's socket. Its stdin is the
# FIFO opened read-write by the shell that runs it: never EOF, never a
# reader left behind. Returns once testpmd says it forwards, or fails.
start_vm() {
	VM_N=$((VM_N + 1))
	local out=$WORK/vm$VM_N.out err=$WORK/vm$VM_N.err
	[ -p "$WORK/vm.stdin" ] || mkfifo "$WORK/vm.stdin"
	ip netns exec hnv-host2 stdbuf -oL -eL "$TESTPMD" -l 0-1 --main-lcore 1 \
		--no-pci --no-huge -m 512 --file-prefix "$FP-vm$VM_N" \
		--vdev net_af_packet0,iface=h2-cweb \
		--vdev "net_virtio_user0,path=$SOCK,queues=1" \
		-- --forward-mode=io --auto-start --nb-cores=1 --total-num-mbufs=8192 \
		0<>"$WORK/vm.stdin" >"$out" 2>"$err" &
	VM_PID=$!
	local deadline=$((SECONDS + 20))
	while [ "$SECONDS" -lt "$deadline" ]; do
		grep -qs 'Press enter to exit' "$out" && return 0
		kill -0 "$VM_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "    # testpmd vm$VM_N did not start forwarding" >&2
	show_vm_log >&2
	return 1
}
vm_attached() { start_vm && wait_link UP 10; }
check "VM NIC attached: testpmd forwards, dpdk-hnv's contoso-web link UP" vm_attached
# What the guest negotiated is visible: virtio 1.0 and mergeable buffers,
# and none of the guest offloads dpdk-hnv does not complete yet.
features_shown() {
	local names
	names=$(tel_field /hnv/link,contoso-web feature_names) || return 1
	echo "    # contoso-web negotiated: $names"
	grep -qw version_1 <<<"$names" && grep -qw mrg_rxbuf <<<"$names" &&
		! grep -qwE 'csum|host_tso4|host_tso6' <<<"$names"
}
check "the guest's negotiated virtio features are in /hnv/link (version_1, mrg_rxbuf, no csum/host_tso)" \
	features_shown

# ---------------------------------------------------------------- captures
caps_ok=1
start_capture hnv-host1 h1-up "$WORK/underlay.pcap" udp port 4789 || caps_ok=0
for vm in contoso-web fabrikam-web contoso-sql fabrikam-sql; do
	start_capture "$vm" eth0 "$WORK/$vm.pcap" || caps_ok=0
done
check "packet captures started" [ "$caps_ok" -eq 1 ]

# ---------------------------------------------------------------- pings
check "a. contoso-web (vhost-user) pings contoso-sql 10.1.1.11 over the overlay" \
	ping_ok contoso-web 10.1.1.11
check "a. contoso-sql pings contoso-web (vhost-user) 10.1.1.12" \
	ping_ok contoso-sql 10.1.1.12
check "b. fabrikam-web (af_packet) pings fabrikam-sql 10.1.1.11" \
	ping_ok fabrikam-web 10.1.1.11

# ---------------------------------------------------------------- ARP proxy
check "c. contoso-web resolved 10.1.1.11 to 02:50:01:00:00:11" \
	neigh_is contoso-web 10.1.1.11 02:50:01:00:00:11

stop_captures
for f in underlay contoso-web fabrikam-web contoso-sql fabrikam-sql; do
	read_capture "$WORK/$f.pcap" >"$WORK/$f.txt"
done

# The VM's "who-has 10.1.1.11" reached contoso-web's capture as a reply
# from the CA MAC, and no ARP request of 10.1.1.12 was encapsulated (the
# underlay capture must have seen VXLAN at all, or the absence proves
# nothing): dpdk-hnv answered it through the vhost-user port.
arp_answered_locally() {
	if ! grep -qE 'Reply 10\.1\.1\.11 is-at 02:50:01:00:00:11' "$WORK/contoso-web.txt"; then
		echo "    # contoso-web saw no ARP reply 10.1.1.11 is-at 02:50:01:00:00:11" >&2
		grep -i arp "$WORK/contoso-web.txt" | head -n 5 | indent >&2 || true
		return 1
	fi
	arp_stayed_local 10.1.1.12
}
check "c. the ARP for 10.1.1.11 was answered by dpdk-hnv (none crossed the overlay)" \
	arp_answered_locally

# ---------------------------------------------------------------- isolation
check "d. fabrikam-sql and fabrikam-web never saw a Contoso MAC (02:50:01:*)" \
	eval 'never_sees fabrikam-sql 02:50:01: Contoso && never_sees fabrikam-web 02:50:01: Contoso'
check "d. contoso-web never saw a Fabrikam MAC (02:60:01:*)" \
	never_sees contoso-web '02:60:01:' Fabrikam

# ---------------------------------------------------------------- TCP
# start_tcp_server PORT OUT [NS IP]: the receiver (default in contoso-sql),
# up and listening.
start_tcp_server() {
	local deadline=$((SECONDS + 10))
	ip netns exec "${3:-contoso-sql}" timeout 60 "$PY" "$WORK/tcp_server.py" \
		"${4:-10.1.1.11}" "$1" >"$2" 2>&1 &
	SRV_PID=$!
	until grep -qs '^listening' "$2"; do
		if ! kill -0 "$SRV_PID" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
			echo "    # TCP server did not start:" >&2
			indent <"$2" >&2
			return 1
		fi
		sleep 0.1
	done
}
# tcp_result GOT WANT NAME: the receiver's "BYTES SHA256" is the sender's.
tcp_result() {
	[ "$1" = "$2" ] && return 0
	echo "    # sent: $2" >&2
	echo "    # receiver answered: ${1:-<nothing>}" >&2
	indent <"$WORK/$3.client.err" >&2
	indent <"$WORK/$3.server.out" >&2
	return 1
}

# 4 MiB from contoso-web to contoso-sql (about 3000 full-size frames through
# the vhost-user port), compared by SHA-256 at the receiver.
head -c "$TCP_BYTES" /dev/urandom >"$WORK/tcp.data"
want="$TCP_BYTES $(sha256sum "$WORK/tcp.data" | cut -d' ' -f1)"
tcp_transfer() {
	local rx0 rx1 got min=$((TCP_BYTES / 1500))
	rx0=$(tel_field /hnv/port,contoso-web rx_packets) || return 1
	start_tcp_server "$TCP_PORT" "$WORK/tcp.server.out" || return 1
	got=$(timeout 40 ip netns exec contoso-web "$PY" "$WORK/tcp_client.py" \
		10.1.1.11 "$TCP_PORT" "$WORK/tcp.data" 2>"$WORK/tcp.client.err") || true
	stop_pid "$SRV_PID" TERM
	SRV_PID=""
	rx1=$(tel_field /hnv/port,contoso-web rx_packets) || return 1
	tcp_result "$got" "$want" tcp || return 1
	echo "    # $((rx1 - rx0)) frames received on the vhost-user port during the transfer"
	if [ $((rx1 - rx0)) -lt "$min" ]; then
		echo "    # fewer than $min frames: the data did not take the vhost-user port" >&2
		return 1
	fi
}
check "e. TCP: 4 MiB from contoso-web to contoso-sql arrive intact (SHA-256)" tcp_transfer

# The other way: 4 MiB into the VM, so dpdk-hnv fills the guest's ring
# (its transmit side; a guest slower than the switch shows as tx-retries,
# then tx_full).
tcp_into_vm() {
	local tx0 tx1 got min=$((TCP_BYTES / 1500))
	tx0=$(tel_field /hnv/port,contoso-web tx_packets) || return 1
	start_tcp_server "$TCP_PORT" "$WORK/tcp-in.server.out" contoso-web 10.1.1.12 ||
		return 1
	got=$(timeout 40 ip netns exec contoso-sql "$PY" "$WORK/tcp_client.py" \
		10.1.1.12 "$TCP_PORT" "$WORK/tcp.data" 2>"$WORK/tcp-in.client.err") || true
	stop_pid "$SRV_PID" TERM
	SRV_PID=""
	tx1=$(tel_field /hnv/port,contoso-web tx_packets) || return 1
	tcp_result "$got" "$want" tcp-in || return 1
	echo "    # $((tx1 - tx0)) frames sent into the vhost-user port during the transfer"
	if [ $((tx1 - tx0)) -lt "$min" ]; then
		echo "    # fewer than $min frames: the data did not take the vhost-user port" >&2
		return 1
	fi
}
check "e. TCP: 4 MiB from contoso-sql into contoso-web arrive intact (SHA-256)" tcp_into_vm

# ---------------------------------------------------------------- reconnect
# The VM's NIC dies (SIGKILL: no orderly virtio reset) in the middle of a
# TCP stream, paced to last a few seconds, and comes back on the same
# socket. The connection lives in the two kernels, so it must survive:
# dpdk-hnv sees the link go down, takes the next VM NIC, and forwards the
# retransmissions.
head -c "$STREAM_BYTES" /dev/urandom >"$WORK/stream.data"
want_stream="$STREAM_BYTES $(sha256sum "$WORK/stream.data" | cut -d' ' -f1)"
stream_ok=0
if start_tcp_server "$STREAM_PORT" "$WORK/stream.server.out"; then
	stream_ok=1
	# 64 KiB every 20 ms: about 3 MB/s.
	timeout 60 ip netns exec contoso-web "$PY" "$WORK/tcp_client.py" \
		10.1.1.11 "$STREAM_PORT" "$WORK/stream.data" 65536 0.02 \
		>"$WORK/stream.client.out" 2>"$WORK/stream.client.err" &
	CLI_PID=$!
	# Mid-stream: once the receiver has said it has data.
	deadline=$((SECONDS + 10))
	until grep -qs '^receiving' "$WORK/stream.server.out" || [ "$SECONDS" -ge "$deadline" ]; do
		sleep 0.1
	done
	sleep 0.5
fi
stream_running() {
	[ "$stream_ok" -eq 1 ] && kill -0 "$CLI_PID" 2>/dev/null &&
		grep -qs '^receiving' "$WORK/stream.server.out"
}
check "f. a paced TCP stream is running when the VM is killed" stream_running
kill -KILL "$VM_PID" 2>/dev/null || true
wait "$VM_PID" 2>/dev/null || true
VM_PID=""
check "f. VM killed: contoso-web's vhost port link goes DOWN" wait_link DOWN 10
# Frames for the VM while it is away (contoso-sql pings it; no reply can
# come): dpdk-hnv follows the link and drops them as
# port_down, without trying the guest's ring (tx_full). Telemetry, before
# and after.
away_drops() {
	local pd0 tf0 pd1 tf1 j
	j=$(telemetry /hnv/port,contoso-web) || return 1
	pd0=$(json_field drop_port_down <<<"$j")
	tf0=$(json_field drop_tx_full <<<"$j")
	timeout 10 ip netns exec contoso-sql ping -n -c 10 -i 0.05 -W 1 10.1.1.12 \
		>"$WORK/away-ping.out" 2>&1 || true
	j=$(telemetry /hnv/port,contoso-web) || return 1
	pd1=$(json_field drop_port_down <<<"$j")
	tf1=$(json_field drop_tx_full <<<"$j")
	echo "    # while away: port_down +$((pd1 - pd0)), tx_full +$((tf1 - tf0))"
	if [ $((pd1 - pd0)) -lt 5 ] || [ "$tf1" -ne "$tf0" ]; then
		echo "    # want port_down +5 or more and tx_full +0" >&2
		indent <"$WORK/away-ping.out" >&2
		return 1
	fi
}
check "f. while the VM is away, frames for it are dropped as port_down, not tx_full" \
	away_drops
check "f. VM restarted: testpmd attaches again, link UP" vm_attached
check "f. contoso-web pings contoso-sql again after the reconnect" \
	ping_ok contoso-web 10.1.1.11
stream_done() {
	local got
	[ "$stream_ok" -eq 1 ] || return 1
	wait "$CLI_PID" 2>/dev/null || true
	CLI_PID=""
	stop_pid "$SRV_PID" TERM
	SRV_PID=""
	got=$(cat "$WORK/stream.client.out")
	tcp_result "$got" "$want_stream" stream
}
check "f. the TCP stream survived the reconnect: $((STREAM_BYTES / 1048576)) MiB intact (SHA-256)" \
	stream_done

# ---------------------------------------------------------------- reloads
# Ports come and go with the policy while other VMs' traffic runs. A ping
# from contoso-web (vhost-user) to contoso-sql every 10 ms spans four
# reloads: fabrikam-web (af_packet) removed, added back, a second vhost-user
# VM NIC contoso-app (a testpmd answering ARP and ping, icmpecho mode)
# added, then removed. Not one of those pings may be lost.
APP_SOCK=$WORK/contoso-app.sock
APP_PORT='{"name": "contoso-app", "vhost_user": {"socket": "'"$APP_SOCK"'", "queues": 1}}'
APP_NIC='{"name": "contoso-app", "mac": "02:50:01:00:00:13", "ip": "10.1.1.13", "vsid": 5001, "port": "contoso-app"}'
cp "$WORK/policy.json" "$WORK/policy-base.json"
# edit_policy OUT [-PORT]... [+PORT_JSON NIC_JSON]...: the base policy
# without the named ports (and their VM NICs), with the given ones added.
edit_policy() {
	local out=$1
	shift
	"$PY" - "$WORK/policy-base.json" "$@" >"$out" <<'PY'
import json, sys
pol = json.load(open(sys.argv[1]))
args = sys.argv[2:]
while args:
    a = args.pop(0)
    if a.startswith("-"):
        pol["ports"] = [p for p in pol["ports"] if p["name"] != a[1:]]
        pol["vm_nics"] = [v for v in pol["vm_nics"] if v["port"] != a[1:]]
    else:
        pol["ports"].append(json.loads(a[1:]))
        pol["vm_nics"].append(json.loads(args.pop(0)))
json.dump(pol, sys.stdout, indent=1)
PY
}
RELOADS=0
# reload_to FILE: make FILE the policy (a rename, as editors do) and wait
# for dpdk-hnv to say it reloaded (its Nth "policy reloaded" line).
reload_to() {
	local deadline=$((SECONDS + 10))
	RELOADS=$((RELOADS + 1))
	cp "$1" "$WORK/policy.json.new"
	mv "$WORK/policy.json.new" "$WORK/policy.json"
	until [ "$(grep -c '^dpdk-hnv: policy reloaded' "$WORK/hnv.out")" -ge "$RELOADS" ]; do
		if [ "$SECONDS" -ge "$deadline" ] || grep -qs 'policy not reloaded' "$WORK/hnv.err"; then
			echo "    # no reload $RELOADS:" >&2
			tail -n 5 "$WORK/hnv.err" | indent >&2
			return 1
		fi
		sleep 0.05
	done
}
edit_policy "$WORK/p-nofweb.json" -fabrikam-web
edit_policy "$WORK/p-app.json" "+$APP_PORT" "$APP_NIC"

ip netns exec contoso-web ping -n -i 0.01 -w 90 10.1.1.11 \
	>"$WORK/reload-ping.out" 2>&1 &
PING_PID=$!
sleep 1

check "h. reload removes fabrikam-web: 'port fabrikam-web removed'" \
	eval 'reload_to "$WORK/p-nofweb.json" && grep -q "^dpdk-hnv: port fabrikam-web removed" "$WORK/hnv.out"'
removed_port_counted() {
	local j
	j=$(telemetry /hnv/port,fabrikam-web) || return 1
	[ "$(json_field removed <<<"$j")" = 1 ] && [ "$(json_field rx_packets <<<"$j")" -gt 0 ]
}
check "h. the removed port's counters stay readable (/hnv/port,fabrikam-web: removed 1, rx_packets > 0)" \
	removed_port_counted
check "h. fabrikam-web is cut off while its port is gone" \
	eval '! ip netns exec fabrikam-web ping -n -c 2 -i 0.2 -W 1 10.1.1.11 >/dev/null 2>&1'
check "h. reload adds fabrikam-web back: 'port fabrikam-web added'" \
	eval 'reload_to "$WORK/policy-base.json" && grep -q "^dpdk-hnv: port fabrikam-web added" "$WORK/hnv.out"'
check "h. fabrikam-web pings fabrikam-sql again" ping_ok fabrikam-web 10.1.1.11

check "h. reload adds the vhost-user VM NIC contoso-app: its socket appears" \
	eval 'reload_to "$WORK/p-app.json" && [ -S "$APP_SOCK" ]'
start_app_vm() {
	ip netns exec hnv-host2 stdbuf -oL -eL "$TESTPMD" -l 0-1 --main-lcore 1 \
		--no-pci --no-huge -m 512 --file-prefix "$FP-app" \
		--vdev "net_virtio_user0,path=$APP_SOCK,queues=1,mac=02:50:01:00:00:13" \
		-- --forward-mode=icmpecho --auto-start --nb-cores=1 --total-num-mbufs=4096 \
		0<>"$WORK/vm.stdin" >"$WORK/app.out" 2>"$WORK/app.err" &
	APP_PID=$!
	# Forwarding, so its receive ring has buffers: before that, frames
	# for it (the first ARP request) find the ring full.
	local deadline=$((SECONDS + 20))
	until grep -qs 'Press enter to exit' "$WORK/app.out"; do
		if ! kill -0 "$APP_PID" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
			echo "    # testpmd contoso-app did not start forwarding" >&2
			return 1
		fi
		sleep 0.1
	done
	wait_link UP 15 contoso-app
}
check "h. a VM attaches to contoso-app: link UP" start_app_vm
check "h. contoso-sql pings the new VM NIC contoso-app 10.1.1.13" ping_ok contoso-sql 10.1.1.13
check "h. reload removes contoso-app: its socket is gone" \
	eval 'reload_to "$WORK/policy-base.json" && [ ! -e "$APP_SOCK" ]'
[ -z "$APP_PID" ] || stop_pid "$APP_PID" TERM
APP_PID=""
check "h. /hnv/link no longer knows contoso-app" eval '[ "$(telemetry /hnv/link,contoso-app)" = null ]'

# Every echo up to the last one answered came back: the replies carry
# sequence numbers 1..N without a gap (the one in flight when ping is
# stopped is not a loss).
no_ping_lost() {
	local n last
	sleep 0.5
	kill -INT "$PING_PID" 2>/dev/null || true
	wait "$PING_PID" 2>/dev/null || true
	PING_PID=""
	n=$(grep -c 'icmp_seq=' "$WORK/reload-ping.out" || true)
	last=$(grep -o 'icmp_seq=[0-9]*' "$WORK/reload-ping.out" | cut -d= -f2 | sort -n | tail -n 1)
	echo "    # $n replies, last icmp_seq ${last:-none}"
	[ -n "$last" ] && [ "$n" -eq "$last" ] && [ "$n" -ge 200 ]
}
check "h. contoso-web's pings every 10 ms across the four reloads: none lost" no_ping_lost
check "h. no reload failed" eval '! grep -q "policy not reloaded" "$WORK/hnv.err"'

# ---------------------------------------------------------------- shutdown
# SIGTERM with the VM still attached (test/interop covers SIGINT).
stop_hnv TERM KILL
if [ "$hnv_rc" = 0 ]; then
	ok "g. dpdk-hnv exited 0 on SIGTERM with the VM attached"
else
	not_ok "g. dpdk-hnv exited 0 on SIGTERM with the VM attached (got: $hnv_rc)"
fi
check "g. dpdk-hnv removed its vhost-user socket at exit" eval "[ ! -e '$SOCK' ]"

echo "    # final counters:"
counter_block |
	grep -E '^[[:space:]]*(port [^ ]+:|drop |uft:)' | indent || true

# counter PORT FIELD reads the final counter block (COUNTER_FROM on).
# drop_count PORT REASON: the "  drop REASON: N" line under PORT, or 0.
drop_count() {
	counter_block | awk -v p="port $1:" -v r="drop $2:" '
		index($0, "port ") == 1 { inport = (index($0, p) == 1) }
		inport && index($0, "  " r) == 1 { print $3; found = 1 }
		END { if (!found) print 0 }'
}
# A guest that does not drain its ring in time makes dpdk-hnv's transmits
# to it fail (tx_full, after the tx-retries): the TCP transfer into the VM
# overruns testpmd's 256-descriptor ring now and then, and TCP recovers.
# What was sent while the VM was away is port_down. A storm (a stuck queue,
# a guest that is gone) fails most frames; allow up to 10% of those sent.
tx_full_small() {
	local v tx
	v=$(drop_count contoso-web tx_full)
	tx=$(counter contoso-web tx-packets)
	echo "    # port contoso-web: tx-packets $tx, tx_full $v," \
		"tx-retries $(counter contoso-web tx-retries)," \
		"port_down $(drop_count contoso-web port_down)"
	if [ -z "$tx" ] || [ $((v * 10)) -gt "$tx" ]; then
		echo "    # tx_full storm: $v of ${tx:-?} frames" >&2
		return 1
	fi
}
check "g. port contoso-web: arp-replies >= 1 (the proxy answered over vhost-user)" \
	counter_ge contoso-web arp-replies 1
check "g. port contoso-web: rx-packets >= $((TCP_BYTES / 1500)) (the TCP transfer)" \
	counter_ge contoso-web rx-packets $((TCP_BYTES / 1500))
check "g. port contoso-web: no tx_full storm (at most 10% of the frames sent to it)" tx_full_small

summary
[ "$FAIL" -eq 0 ]
