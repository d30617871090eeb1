"""Stateful ACLs on routed flows (R9 with R5), on the router scenario's host.

contoso-app takes ICMP but no inbound TCP: a connection the web VM opens
to it through the router is refused, but the answer to a connection
contoso-app opened itself comes back through the router (the reply entry
of a routed flow is the routed reply). A reply must follow its request, so
this runs through the pipeline only.
"""
from hnvpkt import C_WEB, ROUTER_MAC
from scapy.all import ICMP, IP, TCP, Ether

POLICY = "../router/policy.json"
BINARY = False

C_APP = "02:50:02:00:00:12"
WEB, APP = "10.1.1.12", "10.1.2.12"


def routed(pkt, dst_mac):
    out = Ether(bytes(pkt))
    out[Ether].src = ROUTER_MAC
    out[Ether].dst = dst_mac
    out[IP].ttl -= 1
    del out[IP].chksum
    return Ether(bytes(out))


def to_router(src_mac, src, dst, l4, ttl=64):
    return Ether(src=src_mac, dst=ROUTER_MAC) / IP(src=src, dst=dst, ttl=ttl, id=7) / l4


def build(s):
    # Inbound TCP through the router: refused by contoso-app's ACL, twice
    # (the second time from the cached drop).
    for _ in range(2):
        s.send("contoso-web", to_router(C_WEB, WEB, APP, TCP(sport=42000, dport=8080, flags="S")))
        s.drop("contoso-web", "acl_deny")
    # ICMP is allowed in.
    ping = to_router(C_WEB, WEB, APP, ICMP(id=4))
    s.send("contoso-web", ping)
    s.expect("contoso-app", routed(ping, C_APP))
    # contoso-app's own connection: its answer comes back, routed.
    out = to_router(C_APP, APP, WEB, TCP(sport=43000, dport=80, flags="S"))
    s.send("contoso-app", out)
    s.expect("contoso-web", routed(out, C_WEB))
    for flags in ("SA", "A"):
        back = to_router(C_WEB, WEB, APP, TCP(sport=80, dport=43000, flags=flags))
        s.send("contoso-web", back)
        s.expect("contoso-app", routed(back, C_APP))
    # An unsolicited SYN-ACK that matches no connection of contoso-app's.
    s.send("contoso-web", to_router(C_WEB, WEB, APP, TCP(sport=80, dport=43999, flags="SA")))
    s.drop("contoso-web", "acl_deny")
