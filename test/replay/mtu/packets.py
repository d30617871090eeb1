"""The underlay MTU: frames that would not fit once encapsulated.

The IPv6 scenario's hosts with an uplink of MTU 1400, so a VM's IP packets
may have 1350 bytes over VXLAN (1400 - outer IPv4 20, UDP 8, VXLAN 8 and
the inner Ethernet header 14). Proves, byte for byte: a packet of 1350
bytes is encapsulated; one of 1351 with DF is dropped as too_big and
answered with an ICMP "fragmentation needed" from the VM's gateway saying
1350 and quoting the first 548 bytes; without DF it is fragmented first
(fragments of 1328 bytes of data, a multiple of 8, and the rest), each
fragment encapsulated with the flow's entropy; an IPv6 packet of 1351
bytes gets an ICMPv6 "packet too big" saying 1350 and quoting 1232 bytes;
a routed packet whose TTL runs out gets a time exceeded, not a
"fragmentation needed"; an ICMP error too big gets no answer. Also run
through dpdk-hnv, which reads the MTU from the policy.
"""
from hnvpkt import (C_SQL, C_WEB, GW_MAC, HOST_MAC, PA1, PA2, ROUTER_MAC, inner_hash,
                    router_advert, vxlan)
from scapy.all import ICMP, IP, UDP, Ether, ICMPv6PacketTooBig, IPv6, Raw, fragment

POLICY = "policy.json"
BINARY = True

WEB, SQL, GW, DB = "10.1.1.12", "10.1.1.11", "10.1.1.1", "10.1.2.11"
WEB6, SQL6, GW6 = "fd00:1:1::12", "fd00:1:1::11", "fd00:1:1::1"
INNER_MTU = 1350


def udp4(size, df, sport=7000, dst_mac=C_SQL, dst=SQL, ttl=64):
    """A UDP packet from contoso-web of @size bytes of IP."""
    return (Ether(src=C_WEB, dst=dst_mac)
            / IP(src=WEB, dst=dst, id=0x4242, ttl=ttl, flags="DF" if df else 0)
            / UDP(sport=sport, dport=9) / Raw((bytes(range(256)) * 12)[:size - 28]))


def to_sql(inner, sport=None):
    return vxlan(inner, HOST_MAC, GW_MAC, PA2, PA1, 5001, sport=sport)


def ra(prefix):
    """The router's periodic advertisement: its MTU option is the inner MTU."""
    return router_advert(prefix, INNER_MTU)


def build(s):
    vm = "contoso-web"
    s.periodic("contoso-web", ra("fd00:1:1::"))
    s.periodic("fabrikam-web", ra("fd00:1:1::"))
    s.periodic("contoso-app", ra("fd00:1:2::"))
    # The largest that fits goes out whole, with DF or without.
    for df in (True, False):
        p = udp4(INNER_MTU, df)
        s.send(vm, p)
        s.expect("uplink", to_sql(p))

    # One byte more with DF: dropped, and the VM told the size that fits.
    big = udp4(INNER_MTU + 1, True)
    s.send(vm, big)
    s.drop(vm, "too_big")
    s.expect(vm, Ether(src=ROUTER_MAC, dst=C_WEB)
             / IP(src=GW, dst=WEB, id=0, ttl=64)
             / ICMP(type=3, code=4, nexthopmtu=INNER_MTU) / Raw(bytes(big[IP])[:548]))

    # Without DF: fragmented, then encapsulated, all with the flow's entropy.
    for size in (INNER_MTU + 1, 1900):
        p = udp4(size, False, sport=7001)
        sport = 49152 + (inner_hash(bytes(p)) & 0x3FFF)
        s.send(vm, p)
        for fr in fragment(p[IP], fragsize=1328):
            s.expect("uplink", to_sql(Ether(src=C_WEB, dst=C_SQL) / fr, sport=sport))

    # IPv6 never fragments on the way: "packet too big".
    big6 = (Ether(src=C_WEB, dst=C_SQL) / IPv6(src=WEB6, dst=SQL6)
            / UDP(sport=7002, dport=9) / Raw(b"6" * (INNER_MTU + 1 - 48)))
    s.send(vm, big6)
    s.drop(vm, "too_big")
    s.expect(vm, Ether(src=ROUTER_MAC, dst=C_WEB) / IPv6(src=GW6, dst=WEB6, hlim=64)
             / ICMPv6PacketTooBig(mtu=INNER_MTU) / Raw(bytes(big6[IPv6])[:1232]))
    fits6 = (Ether(src=C_WEB, dst=C_SQL) / IPv6(src=WEB6, dst=SQL6)
             / UDP(sport=7003, dport=9) / Raw(b"6" * (INNER_MTU - 48)))
    s.send(vm, fits6)
    s.expect("uplink", to_sql(fits6))

    # Routed with TTL 1 and too big: the TTL decides first (RFC 1812).
    r = udp4(1900, True, sport=7004, dst_mac=ROUTER_MAC, dst=DB, ttl=1)
    s.send(vm, r)
    s.drop(vm, "ttl_exceeded")
    s.expect(vm, Ether(src=ROUTER_MAC, dst=C_WEB)
             / IP(src=GW, dst=WEB, id=0, ttl=64)
             / ICMP(type=11, code=0) / Raw(bytes(r[IP])[:548]))

    # An ICMP error too big: dropped, never answered.
    err = (Ether(src=C_WEB, dst=C_SQL) / IP(src=WEB, dst=SQL, flags="DF")
           / ICMP(type=3, code=3) / Raw(b"e" * 1400))
    s.send(vm, err)
    s.drop(vm, "too_big")
