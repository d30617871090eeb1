"""PA next-hop resolution by ARP (R12).

No static next-hop MAC: host 1's PA 192.168.1.10 is reached through the
gateway 192.168.2.1, host 3's PA 192.168.2.30 is on our PA subnet and is its
own next hop. Proves: the first packet to an unresolved next hop becomes an
ARP request from our PA (and is counted nexthop_unresolved); a reply, or a
request from the neighbour for our PA, resolves it; later packets carry the
learned MAC. Order matters, so this runs through the pipeline only.
"""
from hnvpkt import arp_reply, arp_request, vxlan
from scapy.all import ICMP, IP, Ether, Raw

POLICY = "policy.json"
BINARY = False

HOST_MAC, GW_MAC, H3_MAC = "02:00:00:02:00:20", "02:00:00:02:00:01", "02:00:00:02:00:30"
WEB = "02:50:01:00:00:12"


def ping(dst_mac, dst_ip):
    return Ether(src=WEB, dst=dst_mac) / IP(src="10.1.1.12", dst=dst_ip) / ICMP() / Raw(b"p" * 24)


def padded(pkt):
    b = bytes(pkt)
    return Ether(b + b"\x00" * (60 - len(b)))


def build(s):
    p1 = ping("02:50:01:00:00:11", "10.1.1.11")
    s.send("web", p1)
    s.drop("web", "nexthop_unresolved")
    s.expect("uplink", padded(arp_request(HOST_MAC, "192.168.2.20", "192.168.2.1")))
    s.send("web", p1)                                   # within the second: no new request
    s.drop("web", "nexthop_unresolved")
    s.send("uplink", arp_reply(HOST_MAC, "192.168.2.20", GW_MAC, "192.168.2.1"))
    s.send("web", p1)
    s.expect("uplink", vxlan(p1, HOST_MAC, GW_MAC, "192.168.2.20", "192.168.1.10", 5001))

    p3 = ping("02:50:01:00:00:13", "10.1.1.13")
    s.send("web", p3)
    s.drop("web", "nexthop_unresolved")
    s.expect("uplink", padded(arp_request(HOST_MAC, "192.168.2.20", "192.168.2.30")))
    # Host 3 asks for our PA: we answer and learn its MAC from the request.
    s.send("uplink", arp_request(H3_MAC, "192.168.2.30", "192.168.2.20"))
    s.expect("uplink", arp_reply(H3_MAC, "192.168.2.30", HOST_MAC, "192.168.2.20"))
    s.send("web", p3)
    s.expect("uplink", vxlan(p3, HOST_MAC, H3_MAC, "192.168.2.20", "192.168.2.30", 5001))
