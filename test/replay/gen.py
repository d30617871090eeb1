#!/usr/bin/python3
"""gen.py SCENARIO_DIR OUT_DIR: write a replay scenario's pcaps.

Reads SCENARIO_DIR/packets.py (which names its policy and defines build(s))
and writes OUT_DIR/in-<port>.pcap, expected-<port>.pcap, expected-drops.txt,
ports.txt and policy.json (the policy path used), plus 'binary' when the
scenario also runs through the dpdk-hnv binary with net_pcap ports.
"""
import importlib.util
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hnvpkt  # noqa: E402


def main():
    src, out = sys.argv[1], sys.argv[2]
    spec = importlib.util.spec_from_file_location("packets", os.path.join(src, "packets.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    policy_path = os.path.normpath(os.path.join(src, getattr(mod, "POLICY", "policy.json")))
    s = hnvpkt.Scenario(hnvpkt.load_policy(policy_path))
    mod.build(s)
    if os.path.isdir(out):
        shutil.rmtree(out)
    s.write(out)
    shutil.copy(policy_path, os.path.join(out, "policy.json"))
    if getattr(mod, "BINARY", False):
        open(os.path.join(out, "binary"), "w").close()


if __name__ == "__main__":
    main()
