#!/usr/bin/env bash
# test_cli.sh: the dpdk-hnv command line as an operator meets it: --help,
# clear errors for missing/bad arguments, a bad policy (file, JSON path,
# problem), a policy path that is not a regular file, and an unknown device,
# the interactive shell, policy reload, and a clean stop on SIGTERM with
# final counters. Uses net_null ports; needs no root beyond what EAL
# --no-huge needs.
#
# Every run of the binary writes its own output file, and a check waits on
# and reads only that file: a run never sees the lines of an earlier one.
# A failed check prints the output of the run it checked.
set -uo pipefail
bin=${HNV_BIN:?}
src=${HNV_SRC:?}
tmp=$(mktemp -d)
pid=
# EAL file prefixes of this invocation only, so that a test run elsewhere on
# the machine at the same time cannot hold their lock; EAL leaves their
# runtime directories behind, so they are removed at the end.
fp=hnv-cli-$$
if [ "$(id -u)" -eq 0 ]; then rundir=/var/run/dpdk; else rundir=${XDG_RUNTIME_DIR:-/tmp}/dpdk; fi
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp" "$rundir/$fp"-*' EXIT
pass=0
fail=0

# shellcheck source-path=SCRIPTDIR source=../lib/cli.sh
. "$(dirname "$0")/../lib/cli.sh"

eal=(-l 0-1 --no-huge -m 256 --no-pci --log-level 'pmd.*:error')
# shellcheck disable=SC2054 # the commas are part of each --vdev argument
ports=(--vdev net_null0,no-rx=1 --vdev net_null1,no-rx=1 --vdev net_null2,no-rx=1)
# The figure 8 policy of host 2, on null devices.
sed -e 's/net_af_packet/net_null/' "$src/config/figure8-host2.json" >"$tmp/policy.json"

out=$(new_out help)
"$bin" --help >"$out" 2>&1
check "--help exits 0" "$out" test $? -eq 0
check "--help names --policy" "$out" grep -q -- "--policy FILE" "$out"

out=$(new_out no-policy)
"$bin" "${eal[@]}" --file-prefix "$fp-no-policy" -- >"$out" 2>&1
check "missing --policy fails" "$out" test $? -ne 0
check "missing --policy says so" "$out" grep -q -- "--policy FILE is required" "$out"

out=$(new_out bad-stats)
"$bin" "${eal[@]}" --file-prefix "$fp-bad-stats" -- --flows 65536 --policy "$tmp/policy.json" \
	--stats x >"$out" 2>&1
check "bad --stats value fails" "$out" test $? -ne 0
check "bad --stats value is named" "$out" grep -q "bad value 'x'" "$out"

sed -e 's/"vsid": 6001, "prefix"/"vsid": 99, "prefix"/' "$tmp/policy.json" >"$tmp/bad.json"
out=$(new_out bad-policy)
"$bin" "${eal[@]}" --file-prefix "$fp-bad-policy" "${ports[@]}" -- --policy "$tmp/bad.json" \
	>"$out" 2>&1
check "bad policy fails" "$out" test $? -ne 0
check "bad policy names file, JSON path and problem" "$out" \
	grep -q "bad.json: \$.routing_domains\[1\].subnets\[0\].vsid: .*4096" "$out"

out=$(new_out no-device)
"$bin" "${eal[@]}" --file-prefix "$fp-no-device" --vdev net_null0,no-rx=1 -- --flows 65536 \
	--policy "$tmp/policy.json" >"$out" 2>&1
check "missing device fails" "$out" test $? -ne 0
check "missing device is named with its policy port" "$out" \
	grep -q "\$.ports\[1\] 'contoso-web': no DPDK device named 'net_null1'" "$out"

# A FIFO at the policy path used to block start-up in fopen() for good;
# timeout (124, or 137 once -k kills it) would tell.
mkfifo "$tmp/fifo.json"
out=$(new_out fifo-start)
timeout -k 5 20 "$bin" "${eal[@]}" --file-prefix "$fp-fifo-start" "${ports[@]}" -- --flows 65536 \
	--policy "$tmp/fifo.json" >"$out" 2>&1
rc=$?
check "FIFO as --policy fails promptly" "$out" test $rc -ne 0 -a $rc -ne 124 -a $rc -ne 137
check "FIFO as --policy says it is not a regular file" "$out" \
	grep -q "dpdk-hnv: $tmp/fifo.json: not a regular file" "$out"

out=$(new_out shell)
printf 'show policy\nshow ports\nshow drops\nshow neighbors\nshow links\nhelp\nbogus\nshow uft\nshow rules contoso-web\ntrace contoso-web tcp 10.1.1.11 40000 1433\ntrace contoso-web udp 10.1.1.99 1 2\nshow flows\nquit\n' |
	timeout -k 5 30 "$bin" "${eal[@]}" --file-prefix "$fp-shell" "${ports[@]}" -- \
		--flows 65536 --policy "$tmp/policy.json" --interactive >"$out" 2>&1
check "shell: quit exits 0" "$out" test $? -eq 0
check "shell: show policy" "$out" \
	grep -q "host host2, 3 ports, 2 routing domains, 2 subnets, 2 VM NICs, 2 mappings" "$out"
check "shell: show policy: the underlay" "$out" \
	grep -q "^  underlay MTU 1500, VXLAN UDP port 4789, PA VLAN 0$" "$out"
check "shell: show ports" "$out" grep -q "^port contoso-web: rx-packets 0 tx-packets 0" "$out"
check "shell: show drops lists every reason" "$out" grep -q "^spoofed_pa  *0  inner source" "$out"
check "shell: show neighbors" "$out" grep -q "^next-hop 192.168.2.1: unresolved" "$out"
check "shell: show links" "$out" grep -Eq "^link contoso-web: up device net_null1 speed 10000 rxq 1: 0 txq 1: 0$" "$out"
check "shell: help" "$out" grep -q "show neighbors   PA next hops" "$out"
check "shell: unknown command" "$out" grep -q "Command not found" "$out"
check "shell: show uft" "$out" grep -q "^uft: flows 0 capacity 65536 hits 0" "$out"
check "shell: show rules lists layers in order" "$out" \
	bash -c "grep -E '^layer|^  ' '$out' | grep -A3 '^layer vnet' | grep -q 'vnet-in    in  decap'"
check "shell: trace walks vnet and pa-route to the SQL VM's PA" "$out" \
	grep -q "=> drop nexthop_unresolved\|=> encap vxlan vni 5001 to PA 192.168.1.10" "$out"
check "shell: trace of an unknown CA says why" "$out" grep -q "no CA 10.1.1.99 in VSID 5001" "$out"
check "shell: show flows" "$out" grep -q "^0 flows (capacity 65536)" "$out"

# Policy reload: a bad file is refused and the running policy stays; a good
# one is published; SIGHUP reloads too. "forwarding" is printed once the
# file is watched, so a change right after it is seen.
cp "$tmp/policy.json" "$tmp/live.json"
out=$(new_out reload)
start "$out" "${eal[@]}" --file-prefix "$fp-reload" "${ports[@]}" -- --flows 65536 \
	--policy "$tmp/live.json"
check "reload: starts" "$out" wait_for "$out" "dpdk-hnv: forwarding"
sed -e 's/"vsid": 5001, "ca": "10.1.1.11"/"vsid": 5001, "ca": "10.1.2.11"/' "$tmp/policy.json" \
	>"$tmp/live.json.new" && mv "$tmp/live.json.new" "$tmp/live.json"
check "reload: a bad policy is refused with file, JSON path and problem" "$out" \
	wait_for "$out" \
	"policy not reloaded, keeping the running one: .*live.json: \\\$.mappings\[0\].ca: .*outside"
sed -e 's/"pa": "192.168.1.10"/"pa": "192.168.1.11"/' "$tmp/policy.json" >"$tmp/live.json.new"
mv "$tmp/live.json.new" "$tmp/live.json"
check "reload: a changed file is published" "$out" wait_for "$out" "policy reloaded from"
kill -HUP "$pid"
check "reload: SIGHUP reloads" "$out" wait_for "$out" "policy reloaded from" 2
stop
check "reload: still exits 0" "$out" test $rc -eq 0

# Ports by reload, through the shell: a reload that drops fabrikam-web
# removes its port (its counters stay, marked removed, until "clear
# removed"); one that changes a kept port's device is refused, and so is
# one that gives a removed port's device to a new port.
/usr/bin/python3 - "$tmp/policy.json" "$tmp" <<'PY'
import json, sys
pol = json.load(open(sys.argv[1]))
less = dict(pol, ports=[p for p in pol["ports"] if p["name"] != "fabrikam-web"],
            vm_nics=[v for v in pol["vm_nics"] if v["port"] != "fabrikam-web"])
json.dump(less, open(sys.argv[2] + "/ports-less.json", "w"))
moved = json.loads(json.dumps(pol))
for p in moved["ports"]:
    if p["name"] == "contoso-web":
        p["device"] = "net_null2"
    elif p["name"] == "fabrikam-web":
        p["device"] = "net_null1"
json.dump(moved, open(sys.argv[2] + "/ports-moved.json", "w"))
renamed = json.loads(json.dumps(pol))
for o in renamed["ports"] + renamed["vm_nics"]:
    if o.get("port", o["name"]) == "fabrikam-web":
        o["port" if "port" in o else "name"] = "fabrikam-web2"
json.dump(renamed, open(sys.argv[2] + "/ports-renamed.json", "w"))
PY
cp "$tmp/policy.json" "$tmp/ports.json"
mkfifo "$tmp/shell.in"
exec 7<>"$tmp/shell.in"
out=$(new_out ports)
"$bin" "${eal[@]}" --file-prefix "$fp-ports" "${ports[@]}" -- --flows 65536 -i \
	--policy "$tmp/ports.json" <&7 >"$out" 2>&1 &
pid=$!
check "ports: starts" "$out" wait_for "$out" "dpdk-hnv: forwarding"
cp "$tmp/ports-moved.json" "$tmp/ports.json.new" && mv "$tmp/ports.json.new" "$tmp/ports.json"
check "ports: a port that changed its device is refused" "$out" wait_for "$out" \
	"policy not reloaded, keeping the running one: .*ports.json: \\\$.ports\[1\]: port 'contoso-web' changed its device"
cp "$tmp/ports-renamed.json" "$tmp/ports.json.new" && mv "$tmp/ports.json.new" "$tmp/ports.json"
check "ports: a new port that wants a removed port's device is refused" "$out" wait_for "$out" \
	"ports.json: \\\$.ports\[[0-9]\]: port 'fabrikam-web2' wants the device of port 'fabrikam-web', which this reload removes"
cp "$tmp/ports-less.json" "$tmp/ports.json.new" && mv "$tmp/ports.json.new" "$tmp/ports.json"
check "ports: a reload removes fabrikam-web" "$out" wait_for "$out" "^dpdk-hnv: port fabrikam-web removed"
echo "show ports" >&7
check "ports: show ports keeps the removed port's counters" "$out" \
	wait_for "$out" "^port fabrikam-web \(removed\): rx-packets 0"
echo "clear removed" >&7
check "ports: clear removed forgets it" "$out" wait_for "$out" "1 removed port forgotten"
echo "show ports" >&7
check "ports: show ports after clear" "$out" wait_for "$out" "^port contoso-web: rx-packets" 2
check "ports: ... without the removed port" "$out" \
	test "$(grep -c '^port fabrikam-web (removed)' "$out")" -eq 1
echo quit >&7
wait "$pid"
rc=$?
pid=
exec 7>&-
check "ports: quit exits 0" "$out" test $rc -eq 0

# A FIFO renamed over the running policy used to hang the control loop in
# fopen(), and SIGTERM no longer stopped the process. contoso-web's null
# device receives here, and --stats prints its counters every second: new
# counter blocks with a growing rx-packets after the refusal show that both
# the control loop and the workers go on.
cp "$tmp/policy.json" "$tmp/live2.json"
out=$(new_out fifo-reload)
start "$out" "${eal[@]}" --file-prefix "$fp-fifo-reload" --vdev net_null0,no-rx=1 --vdev net_null1 \
	--vdev net_null2,no-rx=1 -- --flows 65536 --stats 1 --policy "$tmp/live2.json"
check "FIFO reload: starts" "$out" wait_for "$out" "dpdk-hnv: forwarding"
mkfifo "$tmp/live2.fifo"
mv "$tmp/live2.fifo" "$tmp/live2.json"
check "FIFO reload: refused as not a regular file" "$out" wait_for "$out" \
	"policy not reloaded, keeping the running one: $tmp/live2.json: not a regular file"
# contoso-web's rx-packets in the counter blocks printed after the refusal.
rx_after() {
	sed -n '/not a regular file/,$p' "$out" |
		sed -n 's/^port contoso-web: rx-packets \([0-9]*\) .*/\1/p'
}
for _ in $(seq 100); do [ "$(rx_after | wc -l)" -ge 2 ] && break; sleep 0.1; done
check "FIFO reload: keeps forwarding" "$out" \
	test "$(rx_after | sed -n 2p)" -gt "$(rx_after | sed -n 1p)" 2>/dev/null
start_s=$SECONDS
stop
check "FIFO reload: SIGTERM exits 0" "$out" test $rc -eq 0
check "FIFO reload: SIGTERM stops it promptly" "$out" test $((SECONDS - start_s)) -le 5

# A plain stop. --stats shows when the resolver has sent its first ARP for
# the gateway (worker 0 does at once, then once a second), so the stop does
# not race it.
out=$(new_out sigterm)
start "$out" "${eal[@]}" --file-prefix "$fp-sigterm" "${ports[@]}" -- --flows 65536 --stats 1 \
	--policy "$tmp/policy.json"
check "SIGTERM: starts" "$out" wait_for "$out" "dpdk-hnv: forwarding"
check "next-hop resolution was attempted" "$out" \
	wait_for "$out" "^port uplink: .* arp-requests [1-9]"
stop
check "SIGTERM exits 0" "$out" test $rc -eq 0
check "SIGTERM prints final counters" "$out" grep -q "final counters" "$out"
check "the final counters count the ARP requests" "$out" \
	bash -c "sed -n '/final counters/,\$p' '$out' | grep -Eq '^port uplink: .* arp-requests [1-9]'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
