"""IPv6 PAs: VXLAN and NVGRE over IPv6 outer headers, next hops by ND.

Proves, byte for byte: the first packet to an unresolved IPv6 next hop
becomes a Neighbor Solicitation from our PA to the gateway's
solicited-node group (tagged with the PA VLAN; the packet counted
nexthop_unresolved); the gateway's advertisement resolves it; VXLAN then
leaves over IPv6 with the flow label and UDP checksum, NVGRE with its key;
a neighbour's solicitation for our PA is answered (and teaches us its
MAC); tunnels from the mapped PA decapsulate; a wrong or zero UDP
checksum, an unknown sender PA, a PA not ours and an ND message for
another address are dropped under their names.
"""
from hnvpkt import inner_hash, nd_advert, nd_solicit, nvgre6, vxlan6
from scapy.all import ICMP, IP, UDP, Ether, Raw

POLICY = "policy.json"
BINARY = False

VLAN = 30
HOST_MAC, GW_MAC, H3_MAC = "02:00:00:02:00:20", "02:00:00:02:00:01", "02:00:00:02:00:30"
PA, GW6, PA1, PA3 = "2001:db8:2::20", "2001:db8:2::1", "2001:db8:1::10", "2001:db8:2::30"
WEB, SQL, H3VM = "02:50:01:00:00:12", "02:50:01:00:00:11", "02:50:01:00:00:13"
APP, APPR = "02:60:01:00:00:12", "02:60:01:00:00:11"


def ping(src_mac, dst_mac, src, dst, n=24):
    return Ether(src=src_mac, dst=dst_mac) / IP(src=src, dst=dst) / ICMP() / Raw(b"p" * n)


def build(s):
    p1 = ping(WEB, SQL, "10.1.1.12", "10.1.1.11")
    s.send("web", p1)
    s.drop("web", "nexthop_unresolved")
    s.expect("uplink", nd_solicit(HOST_MAC, PA, GW6, vlan=VLAN))
    s.send("uplink", nd_advert(GW_MAC, GW6, HOST_MAC, PA, vlan=VLAN))
    s.send("web", p1)
    s.expect("uplink", vxlan6(p1, HOST_MAC, GW_MAC, PA, PA1, 5001, vlan=VLAN))
    # Another flow, another flow label and source port.
    p2 = Ether(src=WEB, dst=SQL) / IP(src="10.1.1.12", dst="10.1.1.11") / UDP(
        sport=4000, dport=53) / Raw(b"q" * 30)
    assert inner_hash(bytes(p1)) != inner_hash(bytes(p2))
    s.send("web", p2)
    s.expect("uplink", vxlan6(p2, HOST_MAC, GW_MAC, PA, PA1, 5001, vlan=VLAN))
    # NVGRE over IPv6, the same next hop.
    pa = ping(APP, APPR, "10.6.1.12", "10.6.1.11")
    s.send("app", pa)
    s.expect("uplink", nvgre6(pa, HOST_MAC, GW_MAC, PA, PA1, 6001, vlan=VLAN))

    # Host 3 solicits our PA: answered from our MAC, and host 3 learned.
    s.send("uplink", nd_solicit(H3_MAC, PA3, PA, vlan=VLAN))
    s.expect("uplink", nd_advert(HOST_MAC, PA, H3_MAC, PA3, vlan=VLAN))
    p3 = ping(WEB, H3VM, "10.1.1.12", "10.1.1.13")
    s.send("web", p3)
    s.expect("uplink", vxlan6(p3, HOST_MAC, H3_MAC, PA, PA3, 5001, vlan=VLAN))

    # Inbound from host 1, both encapsulations.
    r1 = ping(SQL, WEB, "10.1.1.11", "10.1.1.12")
    s.send("uplink", vxlan6(r1, GW_MAC, HOST_MAC, PA1, PA, 5001, vlan=VLAN))
    s.expect("web", r1)
    ra = ping(APPR, APP, "10.6.1.11", "10.6.1.12")
    s.send("uplink", nvgre6(ra, GW_MAC, HOST_MAC, PA1, PA, 6001, vlan=VLAN))
    s.expect("app", ra)

    # A wrong UDP checksum, and none (0, which IPv6 does not allow).
    bad = vxlan6(r1, GW_MAC, HOST_MAC, PA1, PA, 5001, vlan=VLAN)
    b = bytearray(bytes(bad))
    off = 14 + 4 + 40 + 6
    good = int.from_bytes(b[off:off + 2], "big")
    b[off:off + 2] = (good ^ 0x0101).to_bytes(2, "big")
    s.send("uplink", Ether(bytes(b)))
    s.drop("uplink", "tunnel_bad_cksum")
    b[off:off + 2] = b"\0\0"
    s.send("uplink", Ether(bytes(b)))
    s.drop("uplink", "tunnel_bad_ip")

    # From a PA no mapping names, to a PA not ours.
    s.send("uplink", vxlan6(r1, GW_MAC, HOST_MAC, "2001:db8:7::1", PA, 5001, vlan=VLAN))
    s.drop("uplink", "spoofed_pa")
    s.send("uplink", vxlan6(r1, GW_MAC, HOST_MAC, PA1, "2001:db8:2::99", 5001, vlan=VLAN))
    s.drop("uplink", "not_our_pa")
    # ND for someone else's address, from someone we do not know.
    s.send("uplink", nd_solicit("02:00:00:02:00:99", "2001:db8:2::99", "2001:db8:2::98",
                                vlan=VLAN))
    s.drop("uplink", "nd_not_for_us")
