"""The DHCPv4 responder: a stock client configures itself from the policy.

Figure 8 from host 2 with DHCP on Contoso's VSID 5001 (lease 3600 s, two DNS
servers, domain contoso.example) and none on Fabrikam's 6001. Proves, byte
for byte: DISCOVER -> OFFER and REQUEST -> ACK of the VM NIC's CA with mask,
gateway (also the server identifier), broadcast address, lease and renewal
times, DNS, domain and the overlay MTU (1450 under VXLAN), from the router
MAC; the client identifier echoed; a broadcast-flag DISCOVER answered to
the broadcast address; a REQUEST for another address NAKed; a renewal from
the CA answered unicast; RELEASE and a REQUEST for another server absorbed;
a client that is not the port's NIC and a VSID without DHCP get nothing;
no DHCP message leaves the host (the uplink sends nothing). Also run
through dpdk-hnv.
"""
from hnvpkt import C_WEB, F_WEB, ROUTER_MAC
from scapy.all import BOOTP, DHCP, IP, UDP, Ether, Raw

POLICY = "policy.json"
BINARY = True

GW, WEB = "10.1.1.1", "10.1.1.12"


def chaddr(mac):
    return bytes.fromhex(mac.replace(":", "")) + b"\0" * 10


def client(mac, msg, xid, opts=(), src="0.0.0.0", dst="255.255.255.255", ciaddr="0.0.0.0",
           flags=0):
    return (Ether(src=mac, dst="ff:ff:ff:ff:ff:ff" if dst.endswith("255") else ROUTER_MAC)
            / IP(src=src, dst=dst) / UDP(sport=68, dport=67)
            / BOOTP(op=1, xid=xid, flags=flags, ciaddr=ciaddr, chaddr=chaddr(mac))
            / DHCP(options=[("message-type", msg)] + list(opts) + ["end"]))


def server(msg, xid, yiaddr=WEB, dst=WEB, dst_mac=C_WEB, ciaddr="0.0.0.0", flags=0,
           lease=True, extra=()):
    opts = [("message-type", msg), ("server_id", GW)]
    if lease:
        opts += [("lease_time", 3600), ("renewal_time", 1800), ("rebinding_time", 3150)]
    if msg != "nak":
        opts += [("subnet_mask", "255.255.255.0"), ("router", GW),
                 ("name_server", "10.1.1.53", "10.9.9.9"), ("domain", b"contoso.example"),
                 ("interface-mtu", 1450), ("broadcast_address", "10.1.1.255")]
    opts += list(extra) + ["end"]
    bootp = (BOOTP(op=2, xid=xid, flags=flags, ciaddr=ciaddr, yiaddr=yiaddr, chaddr=chaddr(C_WEB))
             / DHCP(options=opts))
    pad = 300 - len(bytes(bootp))
    return (Ether(src=ROUTER_MAC, dst=dst_mac)
            / IP(src=GW, dst=dst, ttl=64, id=0, flags=0) / UDP(sport=67, dport=68)
            / bootp / Raw(b"\0" * pad))


def build(s):
    vm = "contoso-web"
    s.send(vm, client(C_WEB, "discover", 0x1001))
    s.expect(vm, server("offer", 0x1001))
    cid = ("client_id", b"\x01" + chaddr(C_WEB)[:6])
    s.send(vm, client(C_WEB, "request", 0x1001, [("requested_addr", WEB), ("server_id", GW), cid]))
    s.expect(vm, server("ack", 0x1001, extra=[cid]))
    # A client that asks for broadcast replies gets them.
    s.send(vm, client(C_WEB, "discover", 0x1002, flags=0x8000))
    s.expect(vm, server("offer", 0x1002, dst="255.255.255.255", dst_mac="ff:ff:ff:ff:ff:ff",
                        flags=0x8000))
    # Another address: NAK, to the broadcast address.
    s.send(vm, client(C_WEB, "request", 0x1003, [("requested_addr", "10.1.1.99")]))
    s.expect(vm, server("nak", 0x1003, yiaddr="0.0.0.0", dst="255.255.255.255", lease=False))
    # Renewal from its address, unicast to the server.
    s.send(vm, client(C_WEB, "request", 0x1004, src=WEB, dst=GW, ciaddr=WEB))
    s.expect(vm, server("ack", 0x1004, ciaddr=WEB))
    # Absorbed: another server's offer taken, and a release.
    s.send(vm, client(C_WEB, "request", 0x1005, [("requested_addr", WEB), ("server_id", "10.1.1.200")]))
    s.send(vm, client(C_WEB, "release", 0x1006, [("server_id", GW)], src=WEB, dst=GW, ciaddr=WEB))
    # Not the NIC's own hardware address.
    other = client(C_WEB, "discover", 0x1007)
    other[BOOTP].chaddr = chaddr("02:50:01:00:00:99")
    s.send(vm, other)
    s.drop(vm, "dhcp_unknown_client")
    # Fabrikam's VSID has no DHCP: nothing answers, nothing is replicated.
    s.send("fabrikam-web", client(F_WEB, "discover", 0x2001))
    s.drop("fabrikam-web", "dhcp_disabled")
