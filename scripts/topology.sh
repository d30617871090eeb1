#!/usr/bin/env bash
# topology.sh: owns the single-machine network-namespace build of the HNV
# figure-8 scenario (two tenants, Contoso VSID 5001 and Fabrikam VSID 6001,
# both using CAs 10.1.1.11 on host 1 and 10.1.1.12 on host 2), plus a second
# subnet per tenant (Contoso VSID 5002, Fabrikam VSID 6002, both 10.1.2.0/24:
# .11 on host 1, .12 on host 2) that the distributed router reaches.
#
#   scripts/topology.sh up       create (idempotent: only what is missing)
#   scripts/topology.sh down     delete everything `up` made (never fails)
#   scripts/topology.sh status   print namespaces, links and addresses
#
# Layout (all names fixed):
#   hnv-router    ip_forward=1; rt-h1 192.168.1.1/24, rt-h2 192.168.2.1/24
#   hnv-host1     the Linux kernel as remote HNV host 1 (PA 192.168.1.10):
#                 h1-up 192.168.1.10/24 (default via 192.168.1.1),
#                 vxlan5001 + h1-csql in br5001, vxlan6001 + h1-fsql in br6001,
#                 flood fdb entry 00:00:00:00:00:00 -> 192.168.2.20
#   hnv-host2     where dpdk-hnv runs (PA 192.168.2.20 lives in dpdk-hnv, no
#                 kernel IP here): h2-up (uplink), h2-cweb, h2-fweb
#   contoso-sql   eth0 10.1.1.11/24 02:50:01:00:00:11  (behind br5001, host 1)
#   fabrikam-sql  eth0 10.1.1.11/24 02:60:01:00:00:11  (behind br6001, host 1)
#   contoso-web   eth0 10.1.1.12/24 02:50:01:00:00:12  (peer h2-cweb, host 2)
#   fabrikam-web  eth0 10.1.1.12/24 02:60:01:00:00:12  (peer h2-fweb, host 2)
#   contoso-db    eth0 10.1.2.11/24 02:50:02:00:00:11  (behind br5002, host 1)
#   fabrikam-db   eth0 10.1.2.11/24 02:60:02:00:00:11  (behind br6002, host 1)
#   contoso-app   eth0 10.1.2.12/24 02:50:02:00:00:12  (peer h2-capp, host 2)
#   fabrikam-app  eth0 10.1.2.12/24 02:60:02:00:00:12  (peer h2-fapp, host 2)
#   contoso-rt1, fabrikam-rt1: host 1's side of each tenant's distributed
#                 router (the kernel VTEP has none): eth1 10.1.1.1/24 in
#                 br5001/br6001, eth2 10.1.2.1/24 in br5002/br6002, both with
#                 the router MAC 02:00:5e:00:01:01, ip_forward=1, and static
#                 neighbours for the tenant's CAs, as a router that knows its
#                 mappings from the policy would have: it never ARPs into the
#                 overlay. The bridges do not learn on their VXLAN ports (host
#                 2's routed packets carry the router MAC as their source, which
#                 must stay on the router's leg); they have static entries for
#                 host 2's VMs instead.
#
# Needs: iproute2 (ip, bridge), ethtool, procps (sysctl). Run as root.
set -euo pipefail

readonly NS_ROUTER=hnv-router
readonly NS_HOST1=hnv-host1
readonly NS_HOST2=hnv-host2
readonly ALL_NS=(hnv-router hnv-host1 hnv-host2
	contoso-sql fabrikam-sql contoso-web fabrikam-web
	contoso-db fabrikam-db contoso-app fabrikam-app contoso-rt1 fabrikam-rt1)
readonly ROUTER_MAC=02:00:5e:00:01:01

readonly HOST1_PA=192.168.1.10
readonly HOST2_PA=192.168.2.20
readonly VXLAN_PORT=4789
readonly OVERLAY_MTU=1450
readonly UNDERLAY_MTU=1500

log() { echo "topology: $*"; }
die() {
	echo "topology: error: $*" >&2
	exit 1
}

usage() {
	echo "usage: $0 up|down|status" >&2
	exit 2
}

ns_exists() {
	local list
	list=$(ip netns list 2>/dev/null | awk '{print $1}')
	grep -qxF -- "$1" <<<"$list"
}

link_exists() { # ns dev
	ip -n "$1" link show dev "$2" >/dev/null 2>&1
}

have_ipv6() { [ -d /proc/sys/net/ipv6 ]; }

# Turn IPv6 off for every current and future interface of a namespace, so no
# router solicitations, MLD reports or DAD probes pollute captures/counters.
ns_no_ipv6() {
	have_ipv6 || return 0
	ip netns exec "$1" sysctl -q -w net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv6.conf.all.disable_ipv6=1 >/dev/null
}

ensure_ns() {
	if ! ns_exists "$1"; then
		ip netns add "$1"
	fi
	ns_no_ipv6 "$1"
	ip -n "$1" link set dev lo up
}

# ensure_veth NS_A DEV_A NS_B DEV_B: veth pair with ends in two namespaces.
ensure_veth() {
	local nsa=$1 deva=$2 nsb=$3 devb=$4
	if link_exists "$nsa" "$deva" && link_exists "$nsb" "$devb"; then
		return 0
	fi
	# Half a pair (or a stale device of that name): start that pair afresh.
	ip -n "$nsa" link del dev "$deva" >/dev/null 2>&1 || true
	ip -n "$nsb" link del dev "$devb" >/dev/null 2>&1 || true
	ip -n "$nsa" link add name "$deva" type veth peer name "$devb" netns "$nsb"
}

# Offloads off on a veth end: af_packet (dpdk-hnv) must see real checksums
# and wire-sized frames, not CHECKSUM_PARTIAL or GSO super-packets.
no_offload() { # ns dev
	ip netns exec "$1" ethtool -K "$2" tx off rx off gso off gro off \
		>/dev/null
}

# setup_vm NS MAC IP: the VM side of a veth pair is always called eth0.
setup_vm() {
	local ns=$1 mac=$2 ip4=$3
	ip -n "$ns" link set dev eth0 address "$mac" mtu "$OVERLAY_MTU"
	no_offload "$ns" eth0
	ip -n "$ns" addr replace "$ip4/24" dev eth0
}

vm_up() { # ns [gateway]
	ip -n "$1" link set dev eth0 up
	ip -n "$1" route replace default via "${2:-10.1.1.1}" dev eth0
}

# setup_tenant_host1 VSID HOSTVETH MAC...: kernel VXLAN VTEP + bridge for one
# VSID; MAC... are the VSID's VMs on host 2 (static entries on the VTEP port).
setup_tenant_host1() {
	local vsid=$1 hveth=$2 vx="vxlan$1" br="br$1" fdb mac
	if ! link_exists "$NS_HOST1" "$vx"; then
		ip -n "$NS_HOST1" link add name "$vx" type vxlan id "$vsid" \
			dstport "$VXLAN_PORT" local "$HOST1_PA" dev h1-up
	fi
	if ! link_exists "$NS_HOST1" "$br"; then
		ip -n "$NS_HOST1" link add name "$br" type bridge
	fi
	ip -n "$NS_HOST1" link set dev "$vx" mtu "$OVERLAY_MTU"
	ip -n "$NS_HOST1" link set dev "$hveth" mtu "$OVERLAY_MTU"
	no_offload "$NS_HOST1" "$hveth"
	ip -n "$NS_HOST1" link set dev "$vx" master "$br"
	ip -n "$NS_HOST1" link set dev "$hveth" master "$br"
	ip -n "$NS_HOST1" link set dev "$br" mtu "$OVERLAY_MTU"
	# A snooping bridge sends IGMP reports of its own (from its own MAC, which
	# is no CA) into the overlay, and host 2 rightly drops them as spoofed.
	# A virtual switch keeps its own multicast out of its tenants' networks.
	ip -n "$NS_HOST1" link set dev "$br" type bridge mcast_snooping 0
	# Head-end replication list: flood BUM traffic to host 2's PA.
	fdb=$(bridge -n "$NS_HOST1" fdb show dev "$vx")
	if ! grep -qE "^00:00:00:00:00:00 dst $HOST2_PA( |$)" <<<"$fdb"; then
		bridge -n "$NS_HOST1" fdb append 00:00:00:00:00:00 dev "$vx" \
			dst "$HOST2_PA"
	fi
	# Host 2's VMs are known, not learned: what host 2 routes arrives with
	# the router MAC as its source, which belongs on the router's leg.
	bridge -n "$NS_HOST1" link set dev "$vx" learning off
	for mac in "${@:3}"; do
		bridge -n "$NS_HOST1" fdb replace "$mac" dev "$vx" master static
	done
}

# setup_router_host1 NS LEG1 LEG2 BR1 BR2: host 1's side of one tenant's
# distributed router: eth1 (10.1.1.1) in bridge BR1 through host 1's LEG1,
# eth2 (10.1.2.1) in BR2 through LEG2.
setup_router_host1() {
	local ns=$1 leg1=$2 leg2=$3 br1=$4 br2=$5 dev leg
	ensure_veth "$NS_HOST1" "$leg1" "$ns" eth1
	ensure_veth "$NS_HOST1" "$leg2" "$ns" eth2
	ip netns exec "$ns" sysctl -q -w net.ipv4.ip_forward=1 >/dev/null
	for dev in eth1 eth2; do
		ip -n "$ns" link set dev "$dev" address "$ROUTER_MAC" mtu "$OVERLAY_MTU"
		no_offload "$ns" "$dev"
	done
	for leg in "$leg1" "$leg2"; do
		ip -n "$NS_HOST1" link set dev "$leg" mtu "$OVERLAY_MTU"
		no_offload "$NS_HOST1" "$leg"
	done
	ip -n "$NS_HOST1" link set dev "$leg1" master "$br1"
	ip -n "$NS_HOST1" link set dev "$leg2" master "$br2"
	ip -n "$ns" addr replace 10.1.1.1/24 dev eth1
	ip -n "$ns" addr replace 10.1.2.1/24 dev eth2
}

# router_neigh NS MAC11 MAC12 MAC21 MAC22: the static neighbours of a
# host-1 router (10.1.1.11/.12 on eth1, 10.1.2.11/.12 on eth2).
router_neigh() {
	ip -n "$1" neigh replace 10.1.1.11 lladdr "$2" dev eth1 nud permanent
	ip -n "$1" neigh replace 10.1.1.12 lladdr "$3" dev eth1 nud permanent
	ip -n "$1" neigh replace 10.1.2.11 lladdr "$4" dev eth2 nud permanent
	ip -n "$1" neigh replace 10.1.2.12 lladdr "$5" dev eth2 nud permanent
}

cmd_up() {
	local ns
	for ns in "${ALL_NS[@]}"; do
		ensure_ns "$ns"
	done

	# Underlay: router between the two PA subnets.
	ensure_veth "$NS_ROUTER" rt-h1 "$NS_HOST1" h1-up
	ensure_veth "$NS_ROUTER" rt-h2 "$NS_HOST2" h2-up
	# VM NICs.
	ensure_veth "$NS_HOST1" h1-csql contoso-sql eth0
	ensure_veth "$NS_HOST1" h1-fsql fabrikam-sql eth0
	ensure_veth "$NS_HOST2" h2-cweb contoso-web eth0
	ensure_veth "$NS_HOST2" h2-fweb fabrikam-web eth0
	ensure_veth "$NS_HOST1" h1-cdb contoso-db eth0
	ensure_veth "$NS_HOST1" h1-fdb fabrikam-db eth0
	ensure_veth "$NS_HOST2" h2-capp contoso-app eth0
	ensure_veth "$NS_HOST2" h2-fapp fabrikam-app eth0

	# hnv-router
	ip netns exec "$NS_ROUTER" sysctl -q -w net.ipv4.ip_forward=1 >/dev/null
	no_offload "$NS_ROUTER" rt-h1
	no_offload "$NS_ROUTER" rt-h2
	ip -n "$NS_ROUTER" link set dev rt-h1 mtu "$UNDERLAY_MTU"
	ip -n "$NS_ROUTER" link set dev rt-h2 mtu "$UNDERLAY_MTU"
	ip -n "$NS_ROUTER" addr replace 192.168.1.1/24 dev rt-h1
	ip -n "$NS_ROUTER" addr replace 192.168.2.1/24 dev rt-h2

	# hnv-host1: kernel VTEPs for both tenants.
	no_offload "$NS_HOST1" h1-up
	ip -n "$NS_HOST1" link set dev h1-up mtu "$UNDERLAY_MTU"
	ip -n "$NS_HOST1" addr replace "$HOST1_PA/24" dev h1-up
	setup_tenant_host1 5001 h1-csql 02:50:01:00:00:12
	setup_tenant_host1 6001 h1-fsql 02:60:01:00:00:12
	setup_tenant_host1 5002 h1-cdb 02:50:02:00:00:12
	setup_tenant_host1 6002 h1-fdb 02:60:02:00:00:12
	setup_router_host1 contoso-rt1 h1-crt1 h1-crt2 br5001 br5002
	setup_router_host1 fabrikam-rt1 h1-frt1 h1-frt2 br6001 br6002

	# hnv-host2: no addresses; dpdk-hnv owns these ports via af_packet.
	no_offload "$NS_HOST2" h2-up
	no_offload "$NS_HOST2" h2-cweb
	no_offload "$NS_HOST2" h2-fweb
	no_offload "$NS_HOST2" h2-capp
	no_offload "$NS_HOST2" h2-fapp
	ip -n "$NS_HOST2" link set dev h2-up mtu "$UNDERLAY_MTU"
	for dev in h2-cweb h2-fweb h2-capp h2-fapp; do
		ip -n "$NS_HOST2" link set dev "$dev" mtu "$OVERLAY_MTU"
	done

	# VMs
	setup_vm contoso-sql 02:50:01:00:00:11 10.1.1.11
	setup_vm fabrikam-sql 02:60:01:00:00:11 10.1.1.11
	setup_vm contoso-web 02:50:01:00:00:12 10.1.1.12
	setup_vm fabrikam-web 02:60:01:00:00:12 10.1.1.12
	setup_vm contoso-db 02:50:02:00:00:11 10.1.2.11
	setup_vm fabrikam-db 02:60:02:00:00:11 10.1.2.11
	setup_vm contoso-app 02:50:02:00:00:12 10.1.2.12
	setup_vm fabrikam-app 02:60:02:00:00:12 10.1.2.12

	# IPv6 off again now that every device exists (covers devices that
	# existed before the default was set), then bring links up.
	for ns in "${ALL_NS[@]}"; do
		ns_no_ipv6 "$ns"
	done

	ip -n "$NS_ROUTER" link set dev rt-h1 up
	ip -n "$NS_ROUTER" link set dev rt-h2 up
	ip -n "$NS_HOST1" link set dev h1-up up
	for dev in h1-csql h1-fsql h1-cdb h1-fdb h1-crt1 h1-crt2 h1-frt1 h1-frt2 \
		vxlan5001 vxlan6001 vxlan5002 vxlan6002 br5001 br6001 br5002 br6002; do
		ip -n "$NS_HOST1" link set dev "$dev" up
	done
	for ns in contoso-rt1 fabrikam-rt1; do
		ip -n "$ns" link set dev eth1 up
		ip -n "$ns" link set dev eth2 up
	done
	router_neigh contoso-rt1 02:50:01:00:00:11 02:50:01:00:00:12 \
		02:50:02:00:00:11 02:50:02:00:00:12
	router_neigh fabrikam-rt1 02:60:01:00:00:11 02:60:01:00:00:12 \
		02:60:02:00:00:11 02:60:02:00:00:12
	ip -n "$NS_HOST1" route replace default via 192.168.1.1 dev h1-up
	ip -n "$NS_HOST2" link set dev h2-up up
	for dev in h2-cweb h2-fweb h2-capp h2-fapp; do
		ip -n "$NS_HOST2" link set dev "$dev" up
	done
	for ns in contoso-sql fabrikam-sql contoso-web fabrikam-web; do
		vm_up "$ns"
	done
	for ns in contoso-db fabrikam-db contoso-app fabrikam-app; do
		vm_up "$ns" 10.1.2.1
	done
	log "up: ${ALL_NS[*]}"
}

# Processes left inside a namespace keep it (and its devices) alive after
# `ip netns del`; stop them first. These are leftovers of demo/test runs.
kill_ns_pids() {
	local ns=$1 pids p
	pids=$(ip netns pids "$ns" 2>/dev/null || true)
	[ -n "$pids" ] || return 0
	log "stopping leftover processes in $ns: $(echo "$pids" | tr '\n' ' ')"
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		sleep 0.3
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		[ -n "$pids" ] || return 0
	done
	for p in $pids; do
		kill -KILL "$p" 2>/dev/null || true
	done
}

cmd_down() {
	local ns i
	# Delete in reverse order (VMs first, router last). Deleting a namespace
	# deletes its veth ends, and a veth end takes its peer with it.
	for ((i = ${#ALL_NS[@]} - 1; i >= 0; i--)); do
		ns=${ALL_NS[i]}
		if ns_exists "$ns"; then
			kill_ns_pids "$ns" || true
			ip netns del "$ns" 2>/dev/null ||
				log "warning: could not delete namespace $ns"
		fi
	done
	log "down"
	return 0
}

cmd_status() {
	local ns missing=0
	for ns in "${ALL_NS[@]}"; do
		if ! ns_exists "$ns"; then
			echo "== $ns: missing"
			missing=1
			continue
		fi
		echo "== $ns"
		ip -n "$ns" -br link show | sed 's/^/  link  /'
		ip -n "$ns" -br -4 addr show | sed 's/^/  addr  /'
		ip -n "$ns" -4 route show | sed 's/^/  route /'
		case $ns in
		"$NS_HOST1")
			bridge -n "$ns" fdb show dev vxlan5001 2>/dev/null |
				sed 's/^/  fdb5001 /' || true
			bridge -n "$ns" fdb show dev vxlan6001 2>/dev/null |
				sed 's/^/  fdb6001 /' || true
			bridge -n "$ns" fdb show dev vxlan5002 2>/dev/null |
				sed 's/^/  fdb5002 /' || true
			bridge -n "$ns" fdb show dev vxlan6002 2>/dev/null |
				sed 's/^/  fdb6002 /' || true
			;;
		esac
	done
	return "$missing"
}

[ $# -eq 1 ] || usage
case $1 in
up | down)
	[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces)"
	command -v ip >/dev/null || die "ip (iproute2) not found"
	;;
status) ;;
*) usage ;;
esac

case $1 in
up)
	command -v ethtool >/dev/null || die "ethtool not found (apt-get install ethtool)"
	command -v bridge >/dev/null || die "bridge (iproute2) not found"
	cmd_up
	;;
down) cmd_down ;;
status) cmd_status ;;
esac
