#!/usr/bin/env bash
# demo.sh: owns the interactive figure-8 demo (the README's run command).
# Installs/builds via scripts/setup.sh, builds the namespace topology with
# scripts/topology.sh (figure 8 plus a second subnet per tenant), then runs
# dpdk-hnv in hnv-host2 on its five af_packet ports with --stats 5 so its
# counters stay on screen. The tenants route between their subnets through
# the distributed router, and the second subnet's VMs on host 2 take their
# addresses from dpdk-hnv's DHCP (busybox udhcpc). Ctrl-C (or any exit)
# stops dpdk-hnv and tears the topology down.
#
#   scripts/demo.sh          (as root)
#   scripts/demo.sh --qemu   the web VMs of host 2 are QEMU guests on
#                            vhost-user ports instead of namespaces: a menu
#                            hands their consoles to the user
#                            (scripts/demo_consoles.py); dpdk-hnv's counters
#                            go to /run/hnv-demo/hnv.log
#
# Environment: HNV_BIN (default build/app/dpdk-hnv),
#              HNV_POLICY (default config/figure8-routed-host2.json;
#              config/figure8-host2.json with --qemu).
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: must run as root (it creates network namespaces)" >&2
	exit 1
fi
QEMU=0
case "${1:-}" in
"") ;;
--qemu) QEMU=1 ;;
*)
	echo "usage: $0 [--qemu]" >&2
	exit 2
	;;
esac

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
HNV_BIN=${HNV_BIN:-build/app/dpdk-hnv}
if [ "$QEMU" -eq 1 ]; then
	HNV_POLICY=${HNV_POLICY:-config/figure8-host2.json}
else
	HNV_POLICY=${HNV_POLICY:-config/figure8-routed-host2.json}
fi
TOPO="$ROOT/scripts/topology.sh"

HNV_PID=""
RUN=/run/hnv-demo
IMAGE=${HNV_GUEST_IMAGE:-/var/tmp/hnv-guest-image}
TOPO_UP=0
CLEANED=0

# Stop dpdk-hnv (SIGINT, then SIGTERM, then SIGKILL) and wait for it.
# shellcheck disable=SC2317 # reached through the EXIT trap
stop_hnv() {
	local sig
	[ -n "$HNV_PID" ] || return 0
	for sig in INT TERM KILL; do
		kill -0 "$HNV_PID" 2>/dev/null || break
		kill -s "$sig" "$HNV_PID" 2>/dev/null || true
		for _ in $(seq 1 25); do
			kill -0 "$HNV_PID" 2>/dev/null || break
			sleep 0.2
		done
	done
	wait "$HNV_PID" 2>/dev/null || true
	HNV_PID=""
}

# shellcheck disable=SC2317 # reached through the EXIT trap
cleanup() {
	[ "$CLEANED" -eq 0 ] || return 0
	CLEANED=1
	trap - INT TERM
	stop_hnv
	if [ "$TOPO_UP" -eq 1 ]; then
		echo "demo: tearing down the topology"
		"$TOPO" down || true
	fi
}
trap cleanup EXIT
trap 'echo; echo "demo: stopping"; exit 130' INT
trap 'exit 143' TERM

echo "demo: scripts/setup.sh (packages + build)"
"$ROOT/scripts/setup.sh"

if [ ! -x "$HNV_BIN" ]; then
	echo "demo: $HNV_BIN not found or not executable (did the build fail?)" >&2
	exit 1
fi
if [ ! -r "$HNV_POLICY" ]; then
	echo "demo: policy file $HNV_POLICY not found" >&2
	exit 1
fi
HNV_BIN=$(cd "$(dirname "$HNV_BIN")" && pwd)/$(basename "$HNV_BIN")

TOPO_UP=1
"$TOPO" up

if [ "$QEMU" -eq 1 ]; then
	echo "demo: the guest image (test/qemu/build-guest.sh $IMAGE)"
	"$ROOT/test/qemu/build-guest.sh" "$IMAGE"
	rm -rf "$RUN"
	mkdir -p "$RUN"
	# The web VMs' ports become vhost-user ports that dpdk-hnv creates.
	/usr/bin/python3 - "$HNV_POLICY" "$RUN" <<'PY'
import json, sys
pol = json.load(open(sys.argv[1]))
for p in pol["ports"]:
    if p["name"] in ("contoso-web", "fabrikam-web"):
        p.pop("device")
        p["vhost_user"] = {"socket": "%s/%s.sock" % (sys.argv[2], p["name"]), "queues": 1}
json.dump(pol, open(sys.argv[2] + "/policy.json", "w"), indent=1)
PY
	echo "demo: dpdk-hnv in hnv-host2, counters every 5 s in $RUN/hnv.log"
	ip netns exec hnv-host2 "$HNV_BIN" -l 0-1 --no-huge -m 1024 --no-pci \
		--file-prefix hnv-demo --log-level=lib.vhost.config:notice \
		--vdev net_af_packet0,iface=h2-up \
		-- --policy "$RUN/policy.json" --stats 5 >"$RUN/hnv.log" 2>&1 &
	HNV_PID=$!
	for _ in $(seq 1 100); do
		grep -qs 'dpdk-hnv: forwarding' "$RUN/hnv.log" && break
		kill -0 "$HNV_PID" 2>/dev/null || break
		sleep 0.2
	done
	if ! grep -qs 'dpdk-hnv: forwarding' "$RUN/hnv.log"; then
		echo "demo: dpdk-hnv did not start:" >&2
		tail -n 20 "$RUN/hnv.log" >&2
		exit 1
	fi
	cat <<EOF

=====================================================================
 dpdk-hnv figure-8 demo with QEMU guests: host 2 (namespace hnv-host2)
 The web VMs contoso-web and fabrikam-web are QEMU guests (10.1.1.12)
 on dpdk-hnv's vhost-user sockets in $RUN. Pick a console and try
   ping 10.1.1.11        (the tenant's SQL VM on the kernel VXLAN host)
 From another terminal: ip netns exec contoso-sql ping 10.1.1.12, and
 tail -f $RUN/hnv.log for dpdk-hnv's counters.
=====================================================================

EOF
	rc=0
	/usr/bin/python3 "$ROOT/scripts/demo_consoles.py" "$RUN" "$IMAGE" || rc=$?
	exit "$rc"
fi

cat <<EOF

=====================================================================
 dpdk-hnv figure-8 demo: host 2 (namespace hnv-host2, PA 192.168.2.20)
 Host 1 is the Linux kernel VXLAN VTEP in hnv-host1 (PA 192.168.1.10).
 Contoso and Fabrikam use the same addresses in two subnets each:
   10.1.1.0/24 (VSID 5001 / 6001): .11 sql on host 1, .12 web on host 2
   10.1.2.0/24 (VSID 5002 / 6002): .11 db on host 1,  .12 app on host 2
 The app VMs get their address by DHCP from dpdk-hnv (busybox udhcpc;
 ip netns exec contoso-app ip addr). In another terminal, try:

   ip netns exec contoso-web ping 10.1.1.11     same subnet, over VXLAN
   ip netns exec contoso-web ping 10.1.2.12     routed, hairpin on host 2
   ip netns exec contoso-web ping 10.1.2.11     routed, then VXLAN VNI 5002
   ip netns exec contoso-db ping 10.1.1.12      routed by host 1's router
   ip netns exec contoso-app ping -b 10.1.2.255 broadcast: one unicast
                                                copy per VM of the subnet
   ip netns exec fabrikam-web ping 10.1.2.11    the same, Fabrikam's own
   ip netns exec contoso-web ping -t 1 10.1.2.11  TTL exceeded from 10.1.1.1

 and watch the per-port counters below (printed every 5 s).
 Stop with Ctrl-C: dpdk-hnv exits and the topology is torn down.
=====================================================================

EOF

VDEVS=()
for port in $(/usr/bin/python3 -c 'import json,sys
for p in json.load(open(sys.argv[1]))["ports"]: print(p["device"])' "$HNV_POLICY"); do
	case $port in
	net_af_packet0) VDEVS+=(--vdev "$port,iface=h2-up") ;;
	net_af_packet1) VDEVS+=(--vdev "$port,iface=h2-cweb") ;;
	net_af_packet2) VDEVS+=(--vdev "$port,iface=h2-fweb") ;;
	net_af_packet3) VDEVS+=(--vdev "$port,iface=h2-capp") ;;
	net_af_packet4) VDEVS+=(--vdev "$port,iface=h2-fapp") ;;
	esac
done
ip netns exec hnv-host2 "$HNV_BIN" -l 0-1 --no-huge -m 1024 --no-pci \
	--file-prefix hnv-demo "${VDEVS[@]}" \
	-- --policy "$HNV_POLICY" --stats 5 &
HNV_PID=$!

# The app VMs forget their static addresses and ask dpdk-hnv; udhcpc keeps
# asking until dpdk-hnv answers (it is starting up meanwhile).
if [[ " ${VDEVS[*]} " == *iface=h2-capp* ]]; then
	mkdir -p "$RUN"
	cat >"$RUN/udhcpc.sh" <<'SH'
#!/bin/sh
# udhcpc's event script for the demo's VMs: configure eth0 from the lease.
case "$1" in
bound | renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/$mask" dev "$interface"
	[ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu"
	ip route replace default via "$router" dev "$interface"
	echo "demo: $DEMO_VM $interface: $ip/$mask via $router (DHCP)"
	;;
esac
SH
	chmod +x "$RUN/udhcpc.sh"
	for vm in contoso-app fabrikam-app; do
		ip -n "$vm" addr flush dev eth0
		ip netns exec "$vm" env DEMO_VM="$vm" busybox udhcpc -i eth0 -f -q -n -t 15 -T 2 -O mtu \
			-s "$RUN/udhcpc.sh" >"$RUN/$vm.udhcpc" 2>&1 &
	done
fi

# `wait` returns early when a trapped signal arrives, so Ctrl-C is handled
# at once by the INT trap (which stops dpdk-hnv and tears down).
rc=0
wait "$HNV_PID" || rc=$?
HNV_PID=""
echo "demo: dpdk-hnv exited with status $rc"
exit "$rc"
