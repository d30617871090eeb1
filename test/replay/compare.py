#!/usr/bin/python3
"""compare.py SCENARIO_OUT BINARY_OUT LOG: check a dpdk-hnv binary replay.

The binary polls its ports in turn, so the order between packets that come
from different input ports is not fixed: each port's output is compared with
the expected pcap as a multiset of exact byte strings. Frames the binary
sends by itself at times of its own (periodic.txt: the router's periodic
advertisements) must appear at least once and are then set aside. The drop
counters of the final block in LOG must equal expected-drops.txt exactly.
"""
import os
import re
import struct
import sys


def read_pcap(path):
    pkts = []
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return pkts
        endian = "<" if struct.unpack("<I", hdr[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                break
            _, _, caplen, _ = struct.unpack(endian + "IIII", rec)
            pkts.append(f.read(caplen))
    return pkts


def main():
    scen, binout, log = sys.argv[1:4]
    failures = 0
    ports = [line.split()[0] for line in open(f"{scen}/ports.txt") if line.strip()]
    periodic = {}
    if os.path.exists(f"{scen}/periodic.txt"):
        for line in open(f"{scen}/periodic.txt"):
            if line.strip():
                port, h = line.split()
                periodic.setdefault(port, set()).add(bytes.fromhex(h))
    for port in ports:
        exp = sorted(read_pcap(f"{scen}/expected-{port}.pcap"))
        got = sorted(read_pcap(f"{binout}/out-{port}.pcap"))
        for frame in periodic.get(port, ()):
            if frame not in got:
                failures += 1
                print(f"  binary port {port}: periodic frame never sent: {frame.hex()}")
            got = [p for p in got if p != frame]
        if exp != got:
            failures += 1
            missing = [p.hex() for p in exp if p not in got]
            extra = [p.hex() for p in got if p not in exp]
            print(f"  binary port {port}: expected {len(exp)} packets, sent {len(got)}")
            for h in missing[:3]:
                print(f"    missing: {h}")
            for h in extra[:3]:
                print(f"    unexpected: {h}")
    expected = {}
    for line in open(f"{scen}/expected-drops.txt"):
        if line.strip():
            port, reason, n = line.split()
            expected[(port, reason)] = int(n)
    actual, port, final = {}, None, False
    for line in open(log):
        if "final counters" in line:
            final = True
            continue
        if not final:
            continue
        m = re.match(r"port (\S+): ", line)
        if m:
            port = m.group(1)
            continue
        m = re.match(r"\s+drop (\S+): (\d+)", line)
        if m:
            actual[(port, m.group(1))] = int(m.group(2))
    if not final:
        print("  binary: no final counters in the log")
        failures += 1
    if actual != expected:
        failures += 1
        print(f"  binary drops: expected {sorted(expected.items())}, got {sorted(actual.items())}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
