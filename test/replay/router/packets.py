"""The distributed router (R5, R6, R14) and extra routes, from host 2.

Figure 8 plus a second subnet per tenant: Contoso 10.1.2.0/24 (VSID 5002:
contoso-app here, a VM at host 1), a firewall subnet 10.1.9.0/24 whose
appliance (contoso-fw, ip_forwarding) is the next hop of the route
10.1.4.0/24 (VSID 5004, a VM at host 1), and a drop route 10.66.0.0/16;
Fabrikam 10.1.3.0/24 (VSID 6002, NVGRE, a VM at host 1). Proves, byte for
byte: a routed packet gets source MAC = router MAC, destination MAC = the
target's, TTL - 1 with the header checksum patched (scapy recomputes it
from scratch here), the destination VSID (VXLAN or NVGRE as that VSID is);
routed hairpin; routed packets from the overlay accepted only from the PA
that hosts their source; never across routing domains; TTL expiry answered
with an ICMP time exceeded from the gateway; pings of gateway addresses
answered; an extra route through an appliance VM and back out; a drop
route. Also run through dpdk-hnv (ACLs on routed flows, whose order
across ports matters, are in router_acl).
"""
from hnvpkt import (C_SQL, C_WEB, F_WEB, GW_MAC, HOST_MAC, PA1, PA2, ROUTER_MAC, arp_reply,
                    arp_request, ll6, nvgre, vxlan)
from scapy.all import ICMP, IP, TCP, UDP, Ether, IPv6, Raw

POLICY = "policy.json"
BINARY = True

C_APP, C_DB, C_FW, C_DB4 = "02:50:02:00:00:12", "02:50:02:00:00:11", "02:50:03:00:00:04", \
    "02:50:04:00:00:11"
F_DB = "02:60:02:00:00:11"
WEB, APP, DB, FW, DB4, F_DB_IP = "10.1.1.12", "10.1.2.12", "10.1.2.11", "10.1.9.4", "10.1.4.11", \
    "10.1.3.11"


def routed(pkt, dst_mac):
    """@pkt as the router forwards it: new MACs, TTL - 1, checksum redone."""
    out = Ether(bytes(pkt))
    out[Ether].src = ROUTER_MAC
    out[Ether].dst = dst_mac
    out[IP].ttl -= 1
    del out[IP].chksum
    return Ether(bytes(out))


def to_router(src_mac, src, dst, l4, ttl=64):
    return Ether(src=src_mac, dst=ROUTER_MAC) / IP(src=src, dst=dst, ttl=ttl, id=7) / l4


def build(s):
    # The gateway of each subnet answers with the router MAC (R6, R8).
    s.send("contoso-web", arp_request(C_WEB, WEB, "10.1.1.1"))
    s.expect("contoso-web", arp_reply(C_WEB, WEB, ROUTER_MAC, "10.1.1.1"))
    s.send("contoso-app", arp_request(C_APP, APP, "10.1.2.1"))
    s.expect("contoso-app", arp_reply(C_APP, APP, ROUTER_MAC, "10.1.2.1"))

    # Routed hairpin, both ways, twice (the second pair hits the UFT).
    for seq in range(2):
        ping = to_router(C_WEB, WEB, APP, ICMP(id=3, seq=seq) / Raw(b"r" * 40))
        s.send("contoso-web", ping)
        s.expect("contoso-app", routed(ping, C_APP))
        pong = to_router(C_APP, APP, WEB, ICMP(type=0, id=3, seq=seq) / Raw(b"r" * 40), ttl=128)
        s.send("contoso-app", pong)
        s.expect("contoso-web", routed(pong, C_WEB))

    # Routed to a remote VM of the other subnet: VXLAN with VNI 5002.
    for sport in (40000, 40001):
        syn = to_router(C_WEB, WEB, DB, TCP(sport=sport, dport=5432, flags="S"))
        s.send("contoso-web", syn)
        s.expect("uplink", vxlan(routed(syn, C_DB), HOST_MAC, GW_MAC, PA2, PA1, 5002))
    # Its answer, routed by host 1: VNI 5001, inner source the router MAC.
    ans = Ether(src=ROUTER_MAC, dst=C_WEB) / IP(src=DB, dst=WEB, ttl=63) / \
        TCP(sport=5432, dport=40000, flags="SA")
    s.send("uplink", vxlan(ans, GW_MAC, HOST_MAC, PA1, PA2, 5001, sport=50000))
    s.expect("contoso-web", ans)
    # The same from a PA that does not host 10.1.2.11, and a source that is
    # Fabrikam's only: refused.
    s.send("uplink", vxlan(ans, GW_MAC, HOST_MAC, "192.168.2.99", PA2, 5001, sport=50000))
    s.drop("uplink", "spoofed_pa")
    fake = Ether(src=ROUTER_MAC, dst=C_WEB) / IP(src=F_DB_IP, dst=WEB, ttl=63) / UDP(sport=1, dport=2)
    s.send("uplink", vxlan(fake, GW_MAC, HOST_MAC, PA1, PA2, 5001, sport=50000))
    s.drop("uplink", "spoofed_pa")

    # Fabrikam routes too, into its NVGRE VSID...
    f = to_router(F_WEB, WEB, F_DB_IP, UDP(sport=7000, dport=53) / Raw(b"q"))
    s.send("fabrikam-web", f)
    s.expect("uplink", nvgre(routed(f, F_DB), HOST_MAC, GW_MAC, PA2, PA1, 6002))
    # ... but never across routing domains, either way.
    s.send("fabrikam-web", to_router(F_WEB, WEB, DB, UDP(sport=7000, dport=53)))
    s.drop("fabrikam-web", "no_route")
    s.send("contoso-web", to_router(C_WEB, WEB, F_DB_IP, UDP(sport=7000, dport=53)))
    s.drop("contoso-web", "no_route")
    # An address of a subnet with no VM there, and IPv6 to the router MAC.
    s.send("contoso-web", to_router(C_WEB, WEB, "10.1.2.99", UDP(sport=7000, dport=53)))
    s.drop("contoso-web", "unknown_dst")
    # (this host gives its subnets no IPv6 prefix: nothing to route to)
    s.send("contoso-web", Ether(src=C_WEB, dst=ROUTER_MAC) / IPv6(src=ll6(C_WEB), dst="fd00::2"))
    s.drop("contoso-web", "no_route")

    # TTL 1: dropped, and the router says so from the sender's gateway.
    for ttl in (1, 0):
        late = to_router(C_WEB, WEB, APP, UDP(sport=33434, dport=33435) / Raw(b"t" * 20), ttl=ttl)
        s.send("contoso-web", late)
        s.drop("contoso-web", "ttl_exceeded")
        s.expect("contoso-web", Ether(src=ROUTER_MAC, dst=C_WEB)
                 / IP(src="10.1.1.1", dst=WEB, ttl=64, id=0, flags=0, proto=1)
                 / ICMP(type=11, code=0) / Raw(bytes(late[IP])))
    # ... but not for an ICMP error.
    err = to_router(C_WEB, WEB, APP, ICMP(type=3, code=1) / Raw(bytes(IP(src=APP, dst=WEB) / UDP())), ttl=1)
    s.send("contoso-web", err)
    s.drop("contoso-web", "ttl_exceeded")

    # Pings of the router's addresses: its own subnet's and another's.
    for gw in ("10.1.1.1", "10.1.2.1"):
        req = to_router(C_WEB, WEB, gw, ICMP(id=5, seq=1) / Raw(b"g" * 24))
        s.send("contoso-web", req)
        rep = Ether(src=ROUTER_MAC, dst=C_WEB) / IP(src=gw, dst=WEB, ttl=64, id=7) / \
            ICMP(type=0, id=5, seq=1) / Raw(b"g" * 24)
        s.expect("contoso-web", rep)
    s.send("contoso-web", to_router(C_WEB, WEB, "10.1.1.1", TCP(dport=22, flags="S")))
    s.drop("contoso-web", "to_router")

    # The extra route: 10.1.4.0/24 goes through the firewall appliance,
    # which forwards it (a foreign source is allowed: ip_forwarding); its
    # own packets follow the subnets out to host 1.
    x = to_router(C_WEB, WEB, DB4, TCP(sport=41000, dport=443, flags="S"))
    s.send("contoso-web", x)
    at_fw = routed(x, C_FW)
    s.expect("contoso-fw", at_fw)
    fwd = Ether(bytes(at_fw))
    fwd[Ether].src, fwd[Ether].dst = C_FW, ROUTER_MAC
    fwd = Ether(bytes(fwd))
    s.send("contoso-fw", fwd)
    s.expect("uplink", vxlan(routed(fwd, C_DB4), HOST_MAC, GW_MAC, PA2, PA1, 5004))
    # A VM without ip_forwarding may not do that.
    s.send("contoso-web", to_router(C_WEB, "10.1.1.99", DB4, TCP(sport=41000, dport=443)))
    s.drop("contoso-web", "spoofed_ip")
    # The drop route.
    s.send("contoso-web", to_router(C_WEB, WEB, "10.66.1.1", UDP(sport=1, dport=2)))
    s.drop("contoso-web", "route_drop")

    # L2 within a subnet is unchanged by all this (figure 8's web to SQL).
    l2 = Ether(src=C_WEB, dst=C_SQL) / IP(src=WEB, dst="10.1.1.11") / ICMP(id=1)
    s.send("contoso-web", l2)
    s.expect("uplink", vxlan(l2, HOST_MAC, GW_MAC, PA2, PA1, 5001))
