#!/usr/bin/env bash
# test_tenants.sh: owns the interop test of tenant networks that behave like
# real networks, against real network stacks: the distributed router (R5,
# R6, R14 for routed VSIDs) and the DHCP responder, on figure 8 plus a
# second subnet per tenant (scripts/topology.sh). dpdk-hnv runs host 2 with four VM
# NICs on af_packet; host 1 is the kernel VTEP, and its side of each
# tenant's router is a routing namespace (contoso-rt1, fabrikam-rt1). Checks:
# routed pings between the subnets both ways, locally (hairpin) and across
# the overlay, in both tenants with the same addresses; TCP through the
# router; pings of the gateway addresses; TTL expiry answered with ICMP time
# exceeded from the gateway; isolation of the tenants on every routed path;
# the router's counters. Run as root; the last line is "N passed, M failed".
#
# Environment: HNV_BIN (default build/app/dpdk-hnv),
#              HNV_POLICY (default config/figure8-routed-host2.json),
#              HNV_READY_TIMEOUT (seconds, default 30),
#              HNV_KEEP_LOGS=1 keeps the work directory even on success.
# Needs: iproute2, iputils-ping, tcpdump, ethtool, coreutils (timeout),
#        busybox (udhcpc).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/overlay.sh
. "$(dirname "$0")/../lib/overlay.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
HNV_BIN=${HNV_BIN:-build/app/dpdk-hnv}
HNV_POLICY=${HNV_POLICY:-config/figure8-routed-host2.json}
READY_TIMEOUT=${HNV_READY_TIMEOUT:-30}
TOPO="$ROOT/scripts/topology.sh"

HNV_PID=""
WORK=""
TOPO_UP=0
CLEANED=0
PY=/usr/bin/python3
SUMMARY_LOGS=(show_hnv_log)
STOP_POLLS=20
CAPTURE_TIMEOUT=150
PING_INTERVAL=0.3
TELEMETRY_SOCK=/var/run/dpdk/hnv-tenants/dpdk_telemetry.v2
COUNTER_FROM=1
VMS=(contoso-web fabrikam-web contoso-app fabrikam-app contoso-sql fabrikam-sql
	contoso-db fabrikam-db)


trap overlay_cleanup EXIT
trap 'echo "# interrupted"; exit 130' INT
trap 'echo "# terminated"; exit 143' TERM

need_root_and_tools ip bridge ping tcpdump ethtool timeout busybox
need_hnv_inputs
WORK=$(mktemp -d /tmp/hnv-tenants.XXXXXX)

topology_up

ip netns exec hnv-host2 stdbuf -oL -eL "$HNV_BIN" -l 0-1 --no-huge -m 1024 \
	--no-pci --file-prefix hnv-tenants \
	--vdev net_af_packet0,iface=h2-up \
	--vdev net_af_packet1,iface=h2-cweb \
	--vdev net_af_packet2,iface=h2-fweb \
	--vdev net_af_packet3,iface=h2-capp \
	--vdev net_af_packet4,iface=h2-fapp \
	-- --policy "$HNV_POLICY" >"$WORK/hnv.out" 2>"$WORK/hnv.err" &
HNV_PID=$!
if ! hnv_ready "$WORK/hnv.out" "$WORK/hnv.err"; then
	summary
	exit 1
fi
ok "dpdk-hnv ready"

caps_ok=1
start_capture hnv-host1 h1-up "$WORK/underlay.pcap" udp port 4789 || caps_ok=0
for vm in "${VMS[@]}"; do
	start_capture "$vm" eth0 "$WORK/$vm.pcap" || caps_ok=0
done
check "packet captures started" [ "$caps_ok" -eq 1 ]

# ---------------------------------------------------------------- routed pings
for t in contoso fabrikam; do
	check "a. $t-web pings $t-app 10.1.2.12 (routed hairpin, VSID x001 -> x002)" \
		ping_ok "$t-web" 10.1.2.12
	check "a. $t-app pings $t-web 10.1.1.12 (routed hairpin, back)" \
		ping_ok "$t-app" 10.1.1.12
	check "b. $t-web pings $t-db 10.1.2.11 (routed here, VXLAN to host 1)" \
		ping_ok "$t-web" 10.1.2.11
	check "b. $t-db pings $t-web 10.1.1.12 (routed by host 1, accepted here)" \
		ping_ok "$t-db" 10.1.1.12
	check "b. $t-app pings $t-sql 10.1.1.11 (routed here from the second subnet)" \
		ping_ok "$t-app" 10.1.1.11
	check "c. $t-web pings its gateway 10.1.1.1 (the router answers)" \
		ping_ok "$t-web" 10.1.1.1
	check "c. $t-web pings the other subnet's gateway 10.1.2.1" \
		ping_ok "$t-web" 10.1.2.1
done

# ---------------------------------------------------------------- TTL
# ping -t 1: the router refuses to forward and says so from the gateway.
ttl_exceeded() { # NS DST
	local out
	out=$(timeout 10 ip netns exec "$1" ping -n -c 2 -i 0.3 -W 1 -t 1 "$2" 2>&1 || true)
	if grep -q "From 10.1.1.1 .*Time to live exceeded" <<<"$out"; then
		return 0
	fi
	indent <<<"$out" >&2
	return 1
}
check "d. contoso-web ping -t 1 10.1.2.11: time exceeded from 10.1.1.1" \
	ttl_exceeded contoso-web 10.1.2.11
check "d. fabrikam-web ping -t 1 10.1.2.12: time exceeded from 10.1.1.1" \
	ttl_exceeded fabrikam-web 10.1.2.12

# ---------------------------------------------------------------- TCP
# 2 MiB from contoso-db (host 1) to contoso-web through both routers,
# checked by SHA-256 on arrival.
tcp_routed() { # SERVER_NS CLIENT_NS SERVER_IP
	local port=5201 want got
	ip netns exec "$1" "$PY" - "$port" >"$WORK/tcp-server.out" 2>&1 <<'PY' &
import hashlib, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(1)
print("listening", flush=True)
s.settimeout(30)
c, _ = s.accept()
h = hashlib.sha256()
while True:
    b = c.recv(65536)
    if not b:
        break
    h.update(b)
print(h.hexdigest(), flush=True)
PY
	local spid=$!
	for _ in $(seq 1 50); do
		grep -qs listening "$WORK/tcp-server.out" && break
		sleep 0.1
	done
	want=$(ip netns exec "$2" "$PY" - "$3" "$port" <<'PY'
import hashlib, os, socket, sys
data = os.urandom(2 << 20)
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
s.sendall(data)
s.close()
print(hashlib.sha256(data).hexdigest())
PY
	) || true
	wait "$spid" || true
	got=$(tail -n 1 "$WORK/tcp-server.out")
	if [ -n "$want" ] && [ "$want" = "$got" ]; then
		return 0
	fi
	echo "    # sent ${want:-nothing}, received ${got:-nothing}" >&2
	return 1
}
check "e. 2 MiB TCP contoso-db -> contoso-web through both routers, SHA-256 intact" \
	tcp_routed contoso-web contoso-db 10.1.1.12

# ---------------------------------------------------------------- DHCP
# contoso-app and fabrikam-app forget their static addresses and ask.
dhcp_client() { # NS: udhcpc once, its script writes what it got to $WORK/NS.lease
	local ns=$1
	cat >"$WORK/udhcpc.sh" <<'SH'
#!/bin/sh
# udhcpc's event script: configure eth0 and write down the lease.
case "$1" in
bound | renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/$mask" dev "$interface"
	[ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu"
	ip route replace default via "$router" dev "$interface"
	printf 'ip=%s\nmask=%s\nrouter=%s\ndns=%s\ndomain=%s\nmtu=%s\nlease=%s\nserverid=%s\n' \
		"$ip" "$mask" "$router" "$dns" "$domain" "$mtu" "$lease" "$serverid" >"$LEASE_FILE"
	;;
esac
SH
	chmod +x "$WORK/udhcpc.sh"
	ip -n "$ns" addr flush dev eth0
	ip -n "$ns" route flush dev eth0 2>/dev/null || true
	timeout 20 ip netns exec "$ns" env LEASE_FILE="$WORK/$ns.lease" \
		busybox udhcpc -i eth0 -f -q -n -t 4 -T 2 -O mtu -s "$WORK/udhcpc.sh" \
		>"$WORK/$ns.udhcpc" 2>&1
}
lease_is() { # NS KEY VALUE
	if grep -qx "$2=$3" "$WORK/$1.lease" 2>/dev/null; then
		return 0
	fi
	echo "    # $1: want $2=$3; the lease:" >&2
	indent <"$WORK/$1.lease" >&2 2>/dev/null || true
	indent <"$WORK/$1.udhcpc" >&2 2>/dev/null || true
	return 1
}
for t in contoso fabrikam; do
	check "i. $t-app: udhcpc got a lease from dpdk-hnv" dhcp_client "$t-app"
	check "i. $t-app: address 10.1.2.12/24" lease_is "$t-app" ip 10.1.2.12
	check "i. $t-app: mask 24" lease_is "$t-app" mask 24
	check "i. $t-app: router 10.1.2.1 (the gateway, also the server)" lease_is "$t-app" router 10.1.2.1
	check "i. $t-app: server id 10.1.2.1" lease_is "$t-app" serverid 10.1.2.1
	check "i. $t-app: lease 3600 s" lease_is "$t-app" lease 3600
	check "i. $t-app: MTU 1450 (fits the VXLAN overlay)" lease_is "$t-app" mtu 1450
	check "i. $t-app pings its gateway 10.1.2.1 with the leased address" ping_ok "$t-app" 10.1.2.1
	check "i. $t-app pings $t-db 10.1.2.11 (remote, same subnet)" ping_ok "$t-app" 10.1.2.11
	check "i. $t-app pings $t-web 10.1.1.12 (routed)" ping_ok "$t-app" 10.1.1.12
done
check "i. contoso-app: DNS 10.1.2.53" lease_is contoso-app dns 10.1.2.53
check "i. contoso-app: domain contoso.example" lease_is contoso-app domain contoso.example
check "i. fabrikam-app: DNS 10.1.2.54 (its own tenant's)" lease_is fabrikam-app dns 10.1.2.54
check "i. fabrikam-app: domain fabrikam.example" lease_is fabrikam-app domain fabrikam.example

# ---------------------------------------------------------------- IPv6
# Three of Contoso's VMs turn IPv6 on (the topology keeps it off): the web
# and app VMs learn their router from its advertisement, ND is answered by
# dpdk-hnv, IPv6 is switched over VXLAN and routed between the subnets.
enable_v6() { # NS ADDR
	ip netns exec "$1" sysctl -q -w net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.eth0.disable_ipv6=0 \
		net.ipv6.conf.eth0.accept_ra=1 >/dev/null
	ip -n "$1" -6 addr add "$2/64" dev eth0 nodad
}
ra_default_route() { # NS: a default route learned from an RA, via the router's link-local address
	local out
	for _ in $(seq 1 50); do
		out=$(ip -n "$1" -6 route show default 2>/dev/null || true)
		grep -q "via fe80::5eff:fe00:101 .*proto ra" <<<"$out" && return 0
		sleep 0.2
	done
	echo "    # $1: ip -6 route show default: ${out:-<none>}" >&2
	return 1
}
ping6_ok() { # NS DEST
	local out
	out=$(timeout 20 ip netns exec "$1" ping -6 -n -c 5 -i "$PING_INTERVAL" -W 2 "$2" 2>&1) || true
	grep -qE " [3-5] received" <<<"$out" && return 0
	indent <<<"$out" >&2
	return 1
}
enable_v6 contoso-web fd00:1:1::12
enable_v6 contoso-app fd00:1:2::12
enable_v6 contoso-sql fd00:1:1::11
ip -n contoso-sql -6 route replace default via fd00:1:1::1 dev eth0 2>/dev/null || true
check "k. contoso-web learned its default router from the RA" ra_default_route contoso-web
check "k. contoso-app learned its default router from the RA" ra_default_route contoso-app
check "k. contoso-web ping -6 its gateway fd00:1:1::1" ping6_ok contoso-web fd00:1:1::1
check "k. contoso-web ping -6 contoso-sql fd00:1:1::11 (VXLAN to host 1)" \
	ping6_ok contoso-web fd00:1:1::11
check "k. contoso-web ping -6 contoso-app fd00:1:2::12 (routed)" ping6_ok contoso-web fd00:1:2::12
check "k. contoso-web resolved fd00:1:1::11 to 02:50:01:00:00:11 (ND proxy)" \
	neigh_is contoso-web fd00:1:1::11 02:50:01:00:00:11

stop_captures
for vm in "${VMS[@]}"; do
	read_capture "$WORK/$vm.pcap" >"$WORK/$vm.txt"
done
read_capture "$WORK/underlay.pcap" >"$WORK/underlay.txt"

# ---------------------------------------------------------------- isolation
for vm in contoso-web contoso-app contoso-db contoso-sql; do
	check "f. $vm never saw a Fabrikam MAC (02:60:*)" never_sees "$vm" '02:60:0' Fabrikam
done
for vm in fabrikam-web fabrikam-app fabrikam-db fabrikam-sql; do
	check "f. $vm never saw a Contoso MAC (02:50:*)" never_sees "$vm" '02:50:0' Contoso
done
# Routed frames reach a VM from the router MAC, not from the sender's.
routed_from_router() { # VM SENDER_MAC
	if grep -q "^.*$2 > " "$WORK/$1.txt"; then
		echo "    # $1 got frames straight from $2 (not routed)" >&2
		return 1
	fi
	grep -q "02:00:5e:00:01:01 > " "$WORK/$1.txt"
}
check "f. contoso-app got the routed frames from the router MAC, none from contoso-web" \
	routed_from_router contoso-app 02:50:01:00:00:12
# DHCP never leaves the host: no BOOTP in the overlay, and no other VM saw
# a DHCP message (the DISCOVERs are broadcasts, which unicast replication
# would otherwise copy to every VM of the VSID).
no_dhcp_in() { # FILE
	if grep -q "BOOTP/DHCP" "$1"; then
		grep "BOOTP/DHCP" "$1" | head -n 3 | indent >&2
		return 1
	fi
	return 0
}
check "j. the underlay carried no DHCP" no_dhcp_in "$WORK/underlay.txt"
# ND from host 2's VMs is answered on host 2: no solicitation of theirs in
# the overlay (host 1's own may cross, to be answered by the VM).
nd_stayed_local() {
	if grep -E "02:50:01:00:00:12 > .*neighbor solicitation" "$WORK/underlay.txt" >&2; then
		return 1
	fi
	grep -q "ICMP6" "$WORK/underlay.txt" || { echo "    # no ICMPv6 in the underlay" >&2; return 1; }
}
check "k. no Neighbor Solicitation of contoso-web crossed the overlay" nd_stayed_local
for vm in contoso-web contoso-db fabrikam-web fabrikam-db; do
	check "j. $vm saw no DHCP" no_dhcp_in "$WORK/$vm.txt"
done
replies_from_router() { # VM: DHCP replies reached it, every one from the router MAC
	local all
	all=$(grep "BOOTP/DHCP, Reply" "$WORK/$1.txt" || true)
	[ -n "$all" ] || { echo "    # $1 saw no DHCP reply" >&2; return 1; }
	if grep -v "^[^ ]* 02:00:5e:00:01:01 > " <<<"$all" | grep -q .; then
		grep -v "^[^ ]* 02:00:5e:00:01:01 > " <<<"$all" | head -n 3 | indent >&2
		return 1
	fi
}
check "j. contoso-app saw DHCP replies, all from the router MAC" replies_from_router contoso-app
check "j. fabrikam-app saw DHCP replies, all from the router MAC" replies_from_router fabrikam-app
# dpdk-hnv routes host 2's packets itself: the overlay carries them in the
# destination VSID, so host 1's router never sees them.
check "f. the underlay carried routed traffic in VNI 5002 (contoso-web -> contoso-db)" \
	grep -q "vni 5002" "$WORK/underlay.txt"

# ---------------------------------------------------------------- telemetry
tel_cmp() { # COMMAND FIELD OP VALUE
	local v
	v=$(telemetry "$1" | "$PY" -c "import json,sys; print(json.load(sys.stdin).get('$2', 0))") ||
		return 1
	test "$v" "$3" "$4" || { echo "    # $1 $2 = $v, want $3 $4"; return 1; }
}
check "g. telemetry: contoso-web icmp_sent >= 2 (echo replies, time exceeded)" \
	tel_cmp /hnv/port,contoso-web icmp_sent -ge 2
check "g. telemetry: contoso-web drop_ttl_exceeded >= 1" \
	tel_cmp /hnv/port,contoso-web drop_ttl_exceeded -ge 1
check "g. telemetry: /hnv/drops spoofed_pa = 0 (host 1's routed packets accepted)" \
	tel_cmp /hnv/drops spoofed_pa -eq 0
check "g. telemetry: /hnv/drops no_route = 0" tel_cmp /hnv/drops no_route -eq 0
check "g. telemetry: contoso-app dhcp_replies >= 2 (offer, ack)" \
	tel_cmp /hnv/port,contoso-app dhcp_replies -ge 2
check "g. telemetry: contoso-web nd_replies >= 2 (RA, NA)" \
	tel_cmp /hnv/port,contoso-web nd_replies -ge 2

stop_hnv INT TERM
check "h. dpdk-hnv exited 0 on SIGINT (got: $hnv_rc)" [ "$hnv_rc" = 0 ]
summary
[ "$FAIL" -eq 0 ]
