"""Jumbo frames: 9000-byte packets over a 9100-byte underlay, both ways.

The IPv6 scenario's hosts with an uplink of MTU 9100. A VM's IP packet may
have 9050 bytes over VXLAN (9100 less outer IPv4 20, UDP 8, VXLAN 8 and
the inner Ethernet header 14). Proves, byte for byte: 9000-byte IPv4 and
IPv6 packets to the remote SQL VM are encapsulated whole, and the same
sizes from it are decapsulated whole, padding past the outer IPv4 length
cut; a routed 9000-byte packet to the local app VM has its MACs and TTL
rewritten; one of 9051 bytes with DF gets "fragmentation needed" saying
9050, without DF it is fragmented into 9024 bytes of data and the rest.
The RAs advertise 9000, the largest MTU we tell a VM.
"""
from hnvpkt import (C_SQL, C_WEB, GW_MAC, HOST_MAC, PA1, PA2, ROUTER_MAC, inner_hash,
                    router_advert, vxlan)
from scapy.all import ICMP, IP, TCP, UDP, Ether, IPv6, Raw, fragment

POLICY = "policy.json"
BINARY = True

WEB, SQL, GW, APP = "10.1.1.12", "10.1.1.11", "10.1.1.1", "10.1.2.12"
WEB6, SQL6 = "fd00:1:1::12", "fd00:1:1::11"
C_APP = "02:50:02:00:00:12"
INNER_MTU = 9050
PAYLOAD = bytes(range(256)) * 40


def udp4(size, df, sport=7000, src_mac=C_WEB, dst_mac=C_SQL, src=WEB, dst=SQL, ttl=64):
    """A UDP packet of @size bytes of IP."""
    return (Ether(src=src_mac, dst=dst_mac)
            / IP(src=src, dst=dst, id=0x4242, ttl=ttl, flags="DF" if df else 0)
            / UDP(sport=sport, dport=9) / Raw(PAYLOAD[:size - 28]))


def to_sql(inner, sport=None):
    return vxlan(inner, HOST_MAC, GW_MAC, PA2, PA1, 5001, sport=sport)


def from_sql(inner):
    return vxlan(inner, GW_MAC, HOST_MAC, PA1, PA2, 5001, sport=50001)


def ra(prefix):
    """The router's periodic advertisement: 9000, the most a VM is told."""
    return router_advert(prefix, 9000)


def build(s):
    vm = "contoso-web"
    s.periodic("contoso-web", ra("fd00:1:1::"))
    s.periodic("fabrikam-web", ra("fd00:1:1::"))
    s.periodic("contoso-app", ra("fd00:1:2::"))

    # 9000 bytes out, IPv4 and IPv6, and back.
    out4 = udp4(9000, True)
    s.send(vm, out4)
    s.expect("uplink", to_sql(out4))
    out6 = (Ether(src=C_WEB, dst=C_SQL) / IPv6(src=WEB6, dst=SQL6)
            / UDP(sport=7100, dport=9) / Raw(PAYLOAD[:9000 - 48]))
    s.send(vm, out6)
    s.expect("uplink", to_sql(out6))
    in4 = udp4(9000, True, sport=9, src_mac=C_SQL, dst_mac=C_WEB, src=SQL, dst=WEB)
    s.send("uplink", from_sql(in4))
    s.expect(vm, in4)
    in6 = (Ether(src=C_SQL, dst=C_WEB) / IPv6(src=SQL6, dst=WEB6)
           / TCP(sport=9, dport=7101, flags="A") / Raw(PAYLOAD[:9000 - 60]))
    s.send("uplink", from_sql(in6))
    s.expect(vm, in6)
    # Padding past the outer IPv4 length: not the VM's.
    s.send("uplink", Ether(bytes(from_sql(in4)) + b"\xee" * 200))
    s.expect(vm, in4)

    # Routed to the local app VM: new MACs, TTL - 1, checksum patched.
    r = udp4(9000, True, sport=7200, dst_mac=ROUTER_MAC, dst=APP)
    s.send(vm, r)
    fwd = r.copy()
    fwd[Ether].src, fwd[Ether].dst = ROUTER_MAC, C_APP
    fwd[IP].ttl -= 1
    del fwd[IP].chksum
    s.expect("contoso-app", Ether(bytes(fwd)))

    # One byte more than fits, with DF: the VM is told 9050.
    big = udp4(INNER_MTU + 1, True, sport=7300)
    s.send(vm, big)
    s.drop(vm, "too_big")
    s.expect(vm, Ether(src=ROUTER_MAC, dst=C_WEB)
             / IP(src=GW, dst=WEB, id=0, ttl=64)
             / ICMP(type=3, code=4, nexthopmtu=INNER_MTU) / Raw(bytes(big[IP])[:548]))

    # Without DF: fragmented (9024 bytes of data, a multiple of 8), each
    # fragment encapsulated with the flow's entropy.
    p = udp4(INNER_MTU + 1, False, sport=7301)
    sport = 49152 + (inner_hash(bytes(p)) & 0x3FFF)
    s.send(vm, p)
    for fr in fragment(p[IP], fragsize=9024):
        s.expect("uplink", to_sql(Ether(src=C_WEB, dst=C_SQL) / fr, sport=sport))
