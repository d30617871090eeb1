"""ACLs on a port and on a VSID, stateful (R9, R21).

Contoso's web VM may open TCP 1433 to its SQL VM and ping it, nothing else
out, and accepts no new inbound connection; Fabrikam's VSID refuses inbound
SSH. Proves: allowed flows pass; the replies of an allowed connection pass
although inbound rules deny new connections (stateful ACL); a new inbound
connection, a denied outbound port and a denied VSID-wide port are dropped
as acl_deny on the port they arrived on; a "deny all" covers IPv6 too.
Order matters (a reply must follow
its request), so this runs through the pipeline only.
"""
from hnvpkt import C_SQL, C_WEB, F_SQL, F_WEB, GW_MAC, HOST_MAC, PA1, PA2, SQL, WEB, ll6, vxlan
from scapy.all import ICMP, IP, TCP, UDP, Ether, IPv6, Raw

POLICY = "policy.json"
BINARY = False


def out_(web, sql, l4):
    return Ether(src=web, dst=sql) / IP(src=WEB, dst=SQL) / l4


def in_(web, sql, l4, vni):
    inner = Ether(src=sql, dst=web) / IP(src=SQL, dst=WEB) / l4
    return inner, vxlan(inner, GW_MAC, HOST_MAC, PA1, PA2, vni, sport=50001)


def build(s):
    # Allowed out: TCP to SQL 1433; the SYN-ACK comes back although
    # 'deny-in' refuses new inbound connections.
    syn = out_(C_WEB, C_SQL, TCP(sport=40000, dport=1433, flags="S"))
    s.send("contoso-web", syn)
    s.expect("uplink", vxlan(syn, HOST_MAC, GW_MAC, PA2, PA1, 5001))
    inner, pkt = in_(C_WEB, C_SQL, TCP(sport=1433, dport=40000, flags="SA"), 5001)
    s.send("uplink", pkt)
    s.expect("contoso-web", inner)
    ack = out_(C_WEB, C_SQL, TCP(sport=40000, dport=1433, flags="A") / Raw(b"select 1"))
    s.send("contoso-web", ack)
    s.expect("uplink", vxlan(ack, HOST_MAC, GW_MAC, PA2, PA1, 5001))

    # A new inbound connection to the web VM: denied.
    _, pkt = in_(C_WEB, C_SQL, TCP(sport=50000, dport=80, flags="S"), 5001)
    s.send("uplink", pkt)
    s.drop("uplink", "acl_deny")
    # ... and again: the cached drop flow counts it the same way.
    s.send("uplink", pkt)
    s.drop("uplink", "acl_deny")

    # An unsolicited packet that looks like a reply is refused and its drop
    # cached; when the web VM then opens that very connection, the allowed
    # flow's reply entry replaces the cached drop.
    _, pkt = in_(C_WEB, C_SQL, TCP(sport=1433, dport=40010, flags="SA"), 5001)
    s.send("uplink", pkt)
    s.drop("uplink", "acl_deny")
    syn = out_(C_WEB, C_SQL, TCP(sport=40010, dport=1433, flags="S"))
    s.send("contoso-web", syn)
    s.expect("uplink", vxlan(syn, HOST_MAC, GW_MAC, PA2, PA1, 5001))
    inner, pkt = in_(C_WEB, C_SQL, TCP(sport=1433, dport=40010, flags="SA"), 5001)
    s.send("uplink", pkt)
    s.expect("contoso-web", inner)

    # Out to a port the ACL does not allow, and UDP: denied by 'deny-out'.
    s.send("contoso-web", out_(C_WEB, C_SQL, TCP(sport=40001, dport=22, flags="S")))
    s.drop("contoso-web", "acl_deny")
    s.send("contoso-web", out_(C_WEB, C_SQL, UDP(sport=5353, dport=53) / Raw(b"q")))
    s.drop("contoso-web", "acl_deny")

    # Ping is allowed out; the echo reply comes back (stateful).
    echo = out_(C_WEB, C_SQL, ICMP(id=9, seq=1) / Raw(b"p" * 32))
    s.send("contoso-web", echo)
    s.expect("uplink", vxlan(echo, HOST_MAC, GW_MAC, PA2, PA1, 5001))
    inner, pkt = in_(C_WEB, C_SQL, ICMP(type=0, id=9, seq=1) / Raw(b"p" * 32), 5001)
    s.send("uplink", pkt)
    s.expect("contoso-web", inner)

    # Fabrikam: the VSID ACL refuses inbound SSH, anything else is allowed.
    _, pkt = in_(F_WEB, F_SQL, TCP(sport=50002, dport=22, flags="S"), 6001)
    s.send("uplink", pkt)
    s.drop("uplink", "acl_deny")
    inner, pkt = in_(F_WEB, F_SQL, TCP(sport=50003, dport=80, flags="S"), 6001)
    s.send("uplink", pkt)
    s.expect("fabrikam-web", inner)
    # Fabrikam's web VM may still send anything out (no port ACL there).
    udp = out_(F_WEB, F_SQL, UDP(sport=5353, dport=53) / Raw(b"q"))
    s.send("fabrikam-web", udp)
    s.expect("uplink", vxlan(udp, HOST_MAC, GW_MAC, PA2, PA1, 6001))

    # IPv6: "deny all" of Contoso's port ACL refuses it as well; Fabrikam's
    # VSID ACL only names IPv4 ports, so IPv6 passes there.
    v6 = Ether(src=C_WEB, dst=C_SQL) / IPv6(src=ll6(C_WEB), dst=ll6(C_SQL)) / UDP(sport=1, dport=2)
    s.send("contoso-web", v6)
    s.drop("contoso-web", "acl_deny")
    v6 = Ether(src=F_WEB, dst=F_SQL) / IPv6(src=ll6(F_WEB), dst=ll6(F_SQL)) / UDP(sport=1, dport=2)
    s.send("fabrikam-web", v6)
    s.expect("uplink", vxlan(v6, HOST_MAC, GW_MAC, PA2, PA1, 6001))
