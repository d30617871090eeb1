"""NVGRE (RFC 7637) on a VLAN-tagged PA network (R10, R12).

VSID 7001 is configured for NVGRE and the PAs live on VLAN 20. Proves the
GRE header (K bit, protocol 0x6558, key = VSID << 8 | FlowID with the FlowID
from the inner flow hash), the 802.1Q tag on the outer header, and
decapsulation of tagged NVGRE; VXLAN for this VSID and untagged traffic are
refused.
"""
from hnvpkt import nvgre, vxlan
from scapy.all import ICMP, IP, UDP, Ether, Raw

POLICY = "policy.json"
BINARY = True

HOST_MAC, GW_MAC = "02:00:00:02:00:20", "02:00:00:02:00:01"
WEB, SQL = "02:70:01:00:00:12", "02:70:01:00:00:11"


def tag(pkt, vlan=20):
    """Insert an 802.1Q tag (PCP 0) after the outer Ethernet addresses."""
    b = bytes(pkt)
    return Ether(b[:12] + b"\x81\x00" + vlan.to_bytes(2, "big") + b[12:])


def build(s):
    for dport in (53, 54):
        inner = Ether(src=WEB, dst=SQL) / IP(src="10.7.1.12", dst="10.7.1.11") / UDP(sport=3333, dport=dport) / Raw(b"n" * 20)
        s.send("web", inner)
        s.expect("uplink", tag(nvgre(inner, HOST_MAC, GW_MAC, "192.168.2.20", "192.168.1.10", 7001)))
    back = Ether(src=SQL, dst=WEB) / IP(src="10.7.1.11", dst="10.7.1.12") / ICMP() / Raw(b"r" * 30)
    s.send("uplink", tag(nvgre(back, GW_MAC, HOST_MAC, "192.168.1.10", "192.168.2.20", 7001, flow_id=0x42)))
    s.expect("web", back)
    s.send("uplink", tag(vxlan(back, GW_MAC, HOST_MAC, "192.168.1.10", "192.168.2.20", 7001, sport=50000)))
    s.drop("uplink", "encap_mismatch")
    s.send("uplink", nvgre(back, GW_MAC, HOST_MAC, "192.168.1.10", "192.168.2.20", 7001, flow_id=1))
    s.drop("uplink", "wrong_vlan")
