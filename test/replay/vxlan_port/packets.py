"""VXLAN on a UDP port other than 4789 (host.vxlan_port 8472).

Figure 8 from host 2 with the VXLAN port set to 8472 (Linux's old default,
which some fabrics keep). Proves, byte for byte: VM -> remote is VXLAN to
UDP port 8472; a VXLAN packet to 8472 is decapsulated to its VM; one to
4789 is no tunnel of ours (not_tunnel); every VSID uses the port (Fabrikam
too). Also run through dpdk-hnv.
"""
from hnvpkt import C_SQL, C_WEB, F_SQL, F_WEB, GW_MAC, HOST_MAC, PA1, PA2, SQL, WEB, vxlan
from scapy.all import ICMP, IP, Ether, Raw

POLICY = "policy.json"
BINARY = True
PORT = 8472


def build(s):
    out = Ether(src=C_WEB, dst=C_SQL) / IP(src=WEB, dst=SQL) / ICMP(id=7, seq=1) / Raw(b"x" * 56)
    s.send("contoso-web", out)
    s.expect("uplink", vxlan(out, HOST_MAC, GW_MAC, PA2, PA1, 5001, dport=PORT))

    back = Ether(src=C_SQL, dst=C_WEB) / IP(src=SQL, dst=WEB) / ICMP(type=0, id=7, seq=1) / Raw(b"x" * 56)
    s.send("uplink", vxlan(back, GW_MAC, HOST_MAC, PA1, PA2, 5001, sport=50000, dport=PORT))
    s.expect("contoso-web", back)
    s.send("uplink", vxlan(back, GW_MAC, HOST_MAC, PA1, PA2, 5001, sport=50000))
    s.drop("uplink", "not_tunnel")

    # Fabrikam's VSID: the same port.
    fout = Ether(src=F_WEB, dst=F_SQL) / IP(src=WEB, dst=SQL) / ICMP(id=8, seq=1) / Raw(b"y" * 56)
    s.send("fabrikam-web", fout)
    s.expect("uplink", vxlan(fout, HOST_MAC, GW_MAC, PA2, PA1, 6001, dport=PORT))
