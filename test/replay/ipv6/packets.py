"""IPv6 customer addresses (beyond the document's IPv4).

Contoso's 5001 (fd00:1:1::/64) and 5002 (fd00:1:2::/64), Fabrikam's 6001
with the very same addresses; contoso-app refuses SSH from 5001. Proves,
byte for byte: Neighbor Solicitations answered from the policy (the
router's gateway and link-local addresses with the R flag, a VM's IPv6 CA
and link-local address), none for an unknown target or the sender's own
address (DAD), tenants kept apart; a Router Solicitation answered with the
subnet's prefix (on-link, no autoconfiguration), MTU and the router as
default router; a VM's RA refused; IPv6 anti-spoofing; MLD not tracked;
IPv6 switched and routed (hairpin and remote, hop limit - 1), hop limit
expiry answered with ICMPv6 time exceeded from the gateway; the router's
addresses answer pings; routed IPv6 from the overlay accepted; an IPv6 ACL
on a routed flow; an IPv6 multicast replicated with the destination
rewritten. Also run through dpdk-hnv.
"""
from hnvpkt import (C_SQL, C_WEB, F_SQL, F_WEB, GW_MAC, HOST_MAC, PA1, PA2, ROUTER_MAC, ll6,
                    router_advert, vxlan)
from scapy.all import (UDP, TCP, Ether, ICMPv6DestUnreach, ICMPv6EchoReply, ICMPv6EchoRequest,
                       ICMPv6MLReport2, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6ND_RS,
                       ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr, ICMPv6TimeExceeded, IPv6, Raw)

POLICY = "policy.json"
BINARY = True

C_APP, C_DB = "02:50:02:00:00:12", "02:50:02:00:00:11"
WEB6, SQL6, GW6 = "fd00:1:1::12", "fd00:1:1::11", "fd00:1:1::1"
APP6, DB6 = "fd00:1:2::12", "fd00:1:2::11"


def sol_node(ip):
    b = bytearray(16)
    b[0], b[1], b[11], b[12] = 0xff, 0x02, 0x01, 0xff
    from ipaddress import IPv6Address
    a = IPv6Address(ip).packed
    b[13:16] = a[13:16]
    return str(IPv6Address(bytes(b))), "33:33:" + ":".join("%02x" % x for x in b[12:16])


def ns(mac, src, target):
    dst, dmac = sol_node(target)
    return (Ether(src=mac, dst=dmac) / IPv6(src=src, dst=dst, hlim=255)
            / ICMPv6ND_NS(tgt=target) / ICMPv6NDOptSrcLLAddr(lladdr=mac))


def na(to_mac, to_ip, target, mac, router):
    return (Ether(src=mac, dst=to_mac) / IPv6(src=target, dst=to_ip, hlim=255)
            / ICMPv6ND_NA(R=int(router), S=1, O=1, tgt=target) / ICMPv6NDOptDstLLAddr(lladdr=mac))


def routed(pkt, dst_mac):
    out = Ether(bytes(pkt))
    out[Ether].src, out[Ether].dst = ROUTER_MAC, dst_mac
    out[IPv6].hlim -= 1
    return Ether(bytes(out))


def ra(prefix, dst_mac="33:33:00:00:00:01", dst="ff02::1"):
    return router_advert(prefix, 1450, dst_mac, dst)


def build(s):
    # The router advertises on every IPv6 VM port by itself, too.
    s.periodic("contoso-web", ra("fd00:1:1::"))
    s.periodic("fabrikam-web", ra("fd00:1:1::"))
    s.periodic("contoso-app", ra("fd00:1:2::"))
    web_ll = ll6(C_WEB)
    # ND: the router's addresses, a VM's CA and link-local address.
    s.send("contoso-web", ns(C_WEB, web_ll, GW6))
    s.expect("contoso-web", na(C_WEB, web_ll, GW6, ROUTER_MAC, True))
    s.send("contoso-web", ns(C_WEB, WEB6, ll6(ROUTER_MAC)))
    s.expect("contoso-web", na(C_WEB, WEB6, ll6(ROUTER_MAC), ROUTER_MAC, True))
    s.send("contoso-web", ns(C_WEB, WEB6, SQL6))
    s.expect("contoso-web", na(C_WEB, WEB6, SQL6, C_SQL, False))
    s.send("contoso-web", ns(C_WEB, web_ll, ll6(C_SQL)))
    s.expect("contoso-web", na(C_WEB, web_ll, ll6(C_SQL), C_SQL, False))
    # Unknown target: no answer. DAD of its own address: absorbed.
    s.send("contoso-web", ns(C_WEB, WEB6, "fd00:1:1::99"))
    s.drop("contoso-web", "nd_no_entry")
    dad = ns(C_WEB, "::", WEB6)
    del dad[ICMPv6NDOptSrcLLAddr]
    s.send("contoso-web", Ether(bytes(dad)))
    # Fabrikam, same address: its own VM's MAC.
    s.send("fabrikam-web", ns(F_WEB, WEB6, SQL6))
    s.expect("fabrikam-web", na(F_WEB, WEB6, SQL6, F_SQL, False))

    # RS -> RA; a VM's RA is refused.
    s.send("contoso-web", Ether(src=C_WEB, dst="33:33:00:00:00:02") / IPv6(src=web_ll, dst="ff02::2", hlim=255)
           / ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=C_WEB))
    s.expect("contoso-web", ra("fd00:1:1::", dst_mac=C_WEB, dst=web_ll))
    s.send("contoso-web", Ether(src=C_WEB, dst="33:33:00:00:00:01") / IPv6(src=web_ll, dst="ff02::1", hlim=255)
           / ICMPv6ND_RA())
    s.drop("contoso-web", "nd_rogue_ra")

    # A VM's unsolicited NA (to all nodes) is absorbed; a solicited one, to
    # a neighbor that asked over the overlay, is switched.
    s.send("contoso-web", Ether(src=C_WEB, dst="33:33:00:00:00:01") / IPv6(src=web_ll, dst="ff02::1", hlim=255)
           / ICMPv6ND_NA(R=0, S=0, O=1, tgt=WEB6) / ICMPv6NDOptDstLLAddr(lladdr=C_WEB))
    sna = (Ether(src=C_WEB, dst=C_SQL) / IPv6(src=WEB6, dst=SQL6, hlim=255)
           / ICMPv6ND_NA(R=0, S=1, O=1, tgt=WEB6) / ICMPv6NDOptDstLLAddr(lladdr=C_WEB))
    s.send("contoso-web", sna)
    s.expect("uplink", vxlan(sna, HOST_MAC, GW_MAC, PA2, PA1, 5001))

    # Anti-spoofing; MLD.
    s.send("contoso-web", Ether(src=C_WEB, dst=C_SQL) / IPv6(src="fd00:1:1::99", dst=SQL6) / UDP())
    s.drop("contoso-web", "spoofed_ip")
    s.send("contoso-web", Ether(src=C_WEB, dst="33:33:00:00:00:16") / IPv6(src=web_ll, dst="ff02::16", hlim=1)
           / ICMPv6MLReport2())
    s.drop("contoso-web", "flood_unsupported")

    # Switched within the subnet, from its CA and from its link-local address.
    for src in (WEB6, web_ll):
        u = Ether(src=C_WEB, dst=C_SQL) / IPv6(src=src, dst=SQL6) / UDP(sport=5000, dport=53) / Raw(b"q" * 20)
        s.send("contoso-web", u)
        s.expect("uplink", vxlan(u, HOST_MAC, GW_MAC, PA2, PA1, 5001))

    # Routed: hairpin and remote.
    r1 = Ether(src=C_WEB, dst=ROUTER_MAC) / IPv6(src=WEB6, dst=APP6, hlim=64) / UDP(sport=5001, dport=9) / Raw(b"r" * 30)
    s.send("contoso-web", r1)
    s.expect("contoso-app", routed(r1, C_APP))
    r2 = Ether(src=C_WEB, dst=ROUTER_MAC) / IPv6(src=WEB6, dst=DB6, hlim=64) / TCP(sport=40000, dport=5432, flags="S")
    s.send("contoso-web", r2)
    s.expect("uplink", vxlan(routed(r2, C_DB), HOST_MAC, GW_MAC, PA2, PA1, 5002))
    # Hop limit 1: ICMPv6 time exceeded from the gateway.
    late = Ether(src=C_WEB, dst=ROUTER_MAC) / IPv6(src=WEB6, dst=APP6, hlim=1) / UDP(sport=33434, dport=33435) / Raw(b"t" * 10)
    s.send("contoso-web", late)
    s.drop("contoso-web", "ttl_exceeded")
    s.expect("contoso-web", Ether(src=ROUTER_MAC, dst=C_WEB) / IPv6(src=GW6, dst=WEB6, hlim=64)
             / ICMPv6TimeExceeded(code=0) / Raw(bytes(late[IPv6])))
    # ... never for an ICMPv6 error.
    err = Ether(src=C_WEB, dst=ROUTER_MAC) / IPv6(src=WEB6, dst=APP6, hlim=1) / ICMPv6DestUnreach() / Raw(b"e" * 48)
    s.send("contoso-web", err)
    s.drop("contoso-web", "ttl_exceeded")
    # Pings of the router: its gateway, another subnet's, its link-local.
    for src, dst in ((WEB6, GW6), (WEB6, "fd00:1:2::1"), (web_ll, ll6(ROUTER_MAC))):
        req = Ether(src=C_WEB, dst=ROUTER_MAC) / IPv6(src=src, dst=dst, hlim=64) / ICMPv6EchoRequest(id=7, seq=1, data=b"p" * 16)
        s.send("contoso-web", req)
        s.expect("contoso-web", Ether(src=ROUTER_MAC, dst=C_WEB) / IPv6(src=dst, dst=src, hlim=64)
                 / ICMPv6EchoReply(id=7, seq=1, data=b"p" * 16))
    # A link-local source is never routed.
    s.send("contoso-web", Ether(src=C_WEB, dst=ROUTER_MAC) / IPv6(src=web_ll, dst=APP6) / UDP(sport=1, dport=2))
    s.drop("contoso-web", "no_route")

    # Routed from the overlay (host 1 routed it): accepted from its PA only.
    ans = Ether(src=ROUTER_MAC, dst=C_WEB) / IPv6(src=DB6, dst=WEB6, hlim=63) / TCP(sport=5432, dport=40000, flags="SA")
    s.send("uplink", vxlan(ans, GW_MAC, HOST_MAC, PA1, PA2, 5001, sport=50000))
    s.expect("contoso-web", ans)
    s.send("uplink", vxlan(ans, GW_MAC, HOST_MAC, "192.168.2.99", PA2, 5001, sport=50000))
    s.drop("uplink", "spoofed_pa")

    # IPv6 ACL on a routed flow: no SSH from 5001, the rest passes.
    ssh = Ether(src=C_WEB, dst=ROUTER_MAC) / IPv6(src=WEB6, dst=APP6) / TCP(sport=41000, dport=22, flags="S")
    s.send("contoso-web", ssh)
    s.drop("contoso-web", "acl_deny")
    web = Ether(src=C_WEB, dst=ROUTER_MAC) / IPv6(src=WEB6, dst=APP6) / TCP(sport=41001, dport=80, flags="S")
    s.send("contoso-web", web)
    s.expect("contoso-app", routed(web, C_APP))

    # IPv6 multicast: one copy to Contoso's other VM, destination rewritten.
    mc = Ether(src=C_WEB, dst="33:33:00:00:00:fb") / IPv6(src=WEB6, dst="ff02::fb", hlim=255) / UDP(sport=5353, dport=5353) / Raw(b"m" * 12)
    s.send("contoso-web", mc)
    copy = Ether(bytes(mc))
    copy[Ether].dst = C_SQL
    copy[IPv6].dst = SQL6
    del copy[UDP].chksum
    s.expect("uplink", vxlan(Ether(bytes(copy)), HOST_MAC, GW_MAC, PA2, PA1, 5001))
