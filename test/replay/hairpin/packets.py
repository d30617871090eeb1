"""Two VMs of one VSID on this host talk without encapsulation (R14).

vm1 and vm2 are Contoso (VSID 5001); vm3 is Fabrikam (VSID 6001) with the
same IP as vm2. Proves the ARP proxy answers for local VMs, frames are
switched port to port unchanged, nothing goes to the uplink, and vm1 can
neither resolve nor reach vm3 (R22).
"""
from hnvpkt import arp_reply, arp_request
from scapy.all import ICMP, IP, TCP, Ether, Raw

POLICY = "policy.json"
BINARY = True

VM1, VM2, VM3 = "02:50:01:00:00:21", "02:50:01:00:00:22", "02:60:01:00:00:22"


def build(s):
    s.send("vm1", arp_request(VM1, "10.1.1.21", "10.1.1.22"))
    s.expect("vm1", arp_reply(VM1, "10.1.1.21", VM2, "10.1.1.22"))
    s.send("vm3", arp_request(VM3, "10.1.1.22", "10.1.1.21"))    # vm1 is not in 6001
    s.drop("vm3", "arp_no_entry")
    for i in range(3):
        ping = Ether(src=VM1, dst=VM2) / IP(src="10.1.1.21", dst="10.1.1.22") / ICMP(seq=i) / Raw(b"h" * 40)
        s.send("vm1", ping)
        s.expect("vm2", ping)
        pong = Ether(src=VM2, dst=VM1) / IP(src="10.1.1.22", dst="10.1.1.21") / ICMP(type=0, seq=i) / Raw(b"h" * 40)
        s.send("vm2", pong)
        s.expect("vm1", pong)
    big = Ether(src=VM1, dst=VM2) / IP(src="10.1.1.21", dst="10.1.1.22") / TCP(dport=80) / Raw(b"b" * 1400)
    s.send("vm1", big)
    s.expect("vm2", big)
    s.send("vm1", Ether(src=VM1, dst=VM3) / IP(src="10.1.1.21", dst="10.1.1.22") / ICMP())
    s.drop("vm1", "unknown_dst")
