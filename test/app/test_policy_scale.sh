#!/usr/bin/env bash
# test_policy_scale.sh: policy at cloud scale through the dpdk-hnv binary:
# a generated policy of a million mappings loads within a bound while the
# shell and telemetry keep answering; a newer file arriving mid-load
# supersedes the one in flight; a one-mapping change to the million is
# read and compiled incrementally; SIGTERM during a load exits at once;
# --state-dir keeps the last good policy and --policy-fallback starts from
# it when the file is broken; --check-policy validates without EAL or root.
# Uses net_null ports (test/scale/gen_policy.py writes the policies).
#
# Every run of the binary writes its own output file, and a check waits on
# and reads only that file (test/lib/cli.sh).
set -uo pipefail
bin=${HNV_BIN:?}
src=${HNV_SRC:?}
tmp=$(mktemp -d)
pid=
pass=0
fail=0
fp=hnv-scale-$$
if [ "$(id -u)" -eq 0 ]; then rundir=/var/run/dpdk; else rundir=${XDG_RUNTIME_DIR:-/tmp}/dpdk; fi
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp" "$rundir/$fp"-*' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/cli.sh
. "$(dirname "$0")/../lib/cli.sh"
# The bound a million mappings must load in here (the figure itself is
# bench_policy's): generous, for a slow or busy machine.
LOAD_BOUND_S=${HNV_LOAD_BOUND_S:-30}
BIG=1000000

gen() { /usr/bin/python3 "$src/test/scale/gen_policy.py" "$@" --tenants 2; }

# policy: the /hnv/policy telemetry of run FP as JSON, within 2 s.
policy_tel() {
	timeout 2 /usr/bin/python3 - "$rundir/$1/dpdk_telemetry.v2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.recv(1024)
s.send(b"/hnv/policy")
print(json.dumps(json.loads(s.recv(65536))["/hnv/policy"]))
PY
}

# until_loading FP: wait up to 10 s until telemetry says a load runs.
until_loading() {
	for _ in $(seq 100); do
		policy_tel "$1" 2>/dev/null | grep -q '"loading": 1' && return 0
		sleep 0.1
	done
	return 1
}

# install NAME: rename NAME over the watched policy file, as an agent does.
install() { cp "$tmp/$1" "$tmp/live.json.new" && mv "$tmp/live.json.new" "$tmp/live.json"; }

gen "$tmp/small.json" 10 2
gen "$tmp/small2.json" 20 2
gen "$tmp/big.json" $BIG 2
gen "$tmp/bigmove.json" $BIG 2 --move 7 172.31.0.9
# The host renamed: a change outside the mappings, which is loaded whole.
sed -e 's/"name": "scale"/"name": "scale2"/' "$tmp/big.json" >"$tmp/big2.json"
eal=(-l 0-1 --no-huge -m 3072 --no-pci --log-level 'pmd.*:error')
# shellcheck disable=SC2054 # the commas are part of each --vdev argument
ports=(--vdev net_null0,no-rx=1 --vdev net_null1,no-rx=1 --vdev net_null2,no-rx=1)

# --check-policy: no EAL, no root (run as nobody when we are root).
as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
chmod 755 "$tmp"
chmod 644 "$tmp/small.json"
out=$(new_out check-good)
"${as_user[@]}" "$bin" --check-policy "$tmp/small.json" >"$out" 2>&1
check "--check-policy: a good file exits 0" "$out" test $? -eq 0
check "--check-policy: ... and says what it holds" "$out" \
	grep -q "small.json: ok: 3 ports, 2 subnets, 2 VM NICs, 10 mappings" "$out"
sed -e 's/"ca": "10.0.1.3"/"ca": "11.0.1.3"/' "$tmp/small.json" >"$tmp/bad.json"
chmod 644 "$tmp/bad.json"
out=$(new_out check-bad)
"${as_user[@]}" "$bin" --check-policy "$tmp/bad.json" >"$out" 2>&1
check "--check-policy: a bad file exits 1" "$out" test $? -eq 1
check "--check-policy: ... with file, JSON path and problem" "$out" \
	grep -q "bad.json: \$.mappings\[6\].ca: 11.0.1.3 is outside subnet 10.0.0.0/8 of VSID 5001" "$out"

# A million mappings, while the shell and telemetry answer.
cp "$tmp/small.json" "$tmp/live.json"
mkfifo "$tmp/shell.in"
exec 7<>"$tmp/shell.in"
out=$(new_out big)
"$bin" "${eal[@]}" --file-prefix "$fp-big" "${ports[@]}" -- --flows 65536 -i \
	--policy "$tmp/live.json" --state-dir "$tmp/state" <&7 >"$out" 2>&1 &
pid=$!
check "big: starts" "$out" wait_for "$out" "dpdk-hnv: forwarding"
for _ in $(seq 100); do cmp -s "$tmp/state/last-good.json" "$tmp/small.json" && break; sleep 0.1; done
check "state: the first policy is kept as the last good one" "$out" \
	cmp "$tmp/state/last-good.json" "$tmp/small.json"
check "state: state.json says generation 1 from the file" "$out" \
	grep -q '"generation": 1' "$tmp/state/state.json"
t0=$(date +%s%N)
install big.json
check "big: telemetry says a load runs" "$out" until_loading "$fp-big"
t1=$(date +%s%N)
tel=$(policy_tel "$fp-big")
t2=$(date +%s%N)
echo "# telemetry answered in $(((t2 - t1) / 1000000)) ms during the load: $tel"
check "big: telemetry answers within a second during the load" "$out" \
	test $(((t2 - t1) / 1000000)) -lt 1000
echo "show policy" >&7
check "big: the shell answers during the load" "$out" \
	wait_for "$out" "generation 1, applied .* from $tmp/live.json; loading" 1 2
check "big: a million mappings reload" "$out" \
	wait_for "$out" "policy reloaded from $tmp/live.json \(generation 2" 1 "$LOAD_BOUND_S"
t3=$(date +%s%N)
echo "# a million mappings: rename to published in $(((t3 - t0) / 1000000)) ms;" \
	"$(grep -o 'generation 2: .*' "$out")"
check "big: ... within ${LOAD_BOUND_S} s" "$out" test $(((t3 - t0) / 1000000000)) -lt "$LOAD_BOUND_S"
echo "show policy" >&7
check "big: show policy has them" "$out" \
	wait_for "$out" "3 ports, 2 routing domains, 2 subnets, 2 VM NICs, $BIG mappings"

# One mapping of the million moves to another host: only it is read and
# compiled (the figure is bench_policy's; the bound here is generous).
for _ in $(seq 300); do
	policy_tel "$fp-big" 2>/dev/null | grep -q '"loading": 0' && break
	sleep 0.1
done
t0=$(date +%s%N)
install bigmove.json
check "incremental: a one-mapping change is applied incrementally" "$out" \
	wait_for "$out" "policy reloaded from $tmp/live.json \(generation 3, incremental: 1 mapping changed" 1 10
t1=$(date +%s%N)
echo "# one mapping of a million moved: rename to published in $(((t1 - t0) / 1000000)) ms;" \
	"$(grep -o 'generation 3, incremental.*' "$out")"
echo "show policy" >&7
check "incremental: show policy has generation 3 and the million" "$out" \
	wait_for "$out" "generation 3, applied .* from $tmp/live.json"
check "incremental: ... still $BIG mappings" "$out" wait_for "$out" "2 VM NICs, $BIG mappings" 2

# A newer file mid-load: the load in flight is dropped, the newer applied.
install big2.json
check "supersede: a load runs" "$out" until_loading "$fp-big"
install small2.json
check "supersede: the newer file is applied" "$out" \
	wait_for "$out" "policy reloaded from $tmp/live.json \(generation 4" 1 "$LOAD_BOUND_S"
echo "show policy" >&7
check "supersede: ... and only it (20 mappings, generation 4)" "$out" \
	wait_for "$out" "VM NICs, 20 mappings"
check "supersede: the superseded file was never applied" "$out" \
	test "$(grep -c 'policy reloaded from' "$out")" -eq 3
for _ in $(seq 100); do cmp -s "$tmp/state/last-good.json" "$tmp/small2.json" && break; sleep 0.1; done
check "state: the last good policy follows the reloads" "$out" \
	cmp "$tmp/state/last-good.json" "$tmp/small2.json"

# A bad file keeps the running policy; show policy has the error.
install bad.json
check "bad: refused" "$out" wait_for "$out" "policy not reloaded, keeping the running one: .*mappings\[6\].ca"
echo "show policy" >&7
check "bad: show policy has the last error" "$out" \
	wait_for "$out" "last error \(.*\): $tmp/live.json: \\\$.mappings\[6\].ca: 11.0.1.3 is outside"
tel=$(policy_tel "$fp-big")
check "bad: /hnv/policy: generation 4, 1 rejected, the error" "$out" \
	/usr/bin/python3 -c "import json,sys; d=json.loads(sys.argv[1]); sys.exit(not (d['generation'] == 4 and d['rejected'] == 1 and 'mappings[6].ca' in d['last_error'] and d['applied_from'].endswith('live.json')))" "$tel"

# SIGTERM in the middle of a load.
install big.json
check "sigterm: a load runs" "$out" until_loading "$fp-big"
t0=$(date +%s%N)
stop
t1=$(date +%s%N)
exec 7>&-
echo "# SIGTERM during a load: exited in $(((t1 - t0) / 1000000)) ms"
check "sigterm: exits 0" "$out" test $rc -eq 0
check "sigterm: ... within a second" "$out" test $(((t1 - t0) / 1000000)) -lt 1000

# A policy too big for EAL's memory is refused with what it needs, and the
# running one stays.
cp "$tmp/small.json" "$tmp/live.json"
out=$(new_out small-memory)
start "$out" -l 0-1 --no-huge -m 160 --no-pci --log-level 'pmd.*:error' --file-prefix "$fp-mem" \
	"${ports[@]}" -- --flows 1024 --policy "$tmp/live.json"
check "memory: starts" "$out" wait_for "$out" "dpdk-hnv: forwarding"
install big.json
check "memory: a policy that does not fit is refused, saying what it needs" "$out" \
	wait_for "$out" "policy not reloaded, keeping the running one: $tmp/live.json: not enough memory for the program's tables of [0-9]+ CAs \(about [0-9]+ MB; give EAL more" 1 "$LOAD_BOUND_S"
check "memory: ... and the running policy stays" "$out" \
	test "$(policy_tel "$fp-mem" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])')" = 1
stop
check "memory: exits 0" "$out" test $rc -eq 0

# A broken file at start: refused without --policy-fallback, else the last
# good policy runs until the file is fixed.
cp "$tmp/bad.json" "$tmp/live.json"
out=$(new_out no-fallback)
timeout -k 5 30 "$bin" "${eal[@]}" --file-prefix "$fp-nofb" "${ports[@]}" -- --flows 65536 \
	--policy "$tmp/live.json" --state-dir "$tmp/state" >"$out" 2>&1
check "fallback: without --policy-fallback a broken file fails" "$out" test $? -eq 1
out=$(new_out fallback)
start "$out" "${eal[@]}" --file-prefix "$fp-fb" "${ports[@]}" -- --flows 65536 \
	--policy "$tmp/live.json" --state-dir "$tmp/state" --policy-fallback
check "fallback: starts" "$out" wait_for "$out" "dpdk-hnv: forwarding"
check "fallback: says why and from what" "$out" grep -q \
	"warning: $tmp/live.json is broken; starting from the last good policy $tmp/state/last-good.json (generation 4, applied .* from $tmp/live.json)" "$out"
check "fallback: telemetry names the last good file" "$out" \
	bash -c "$(declare -f policy_tel); rundir=$rundir; policy_tel $fp-fb | grep -q '\"applied_from\": \"$tmp/state/last-good.json\"'"
install small.json
check "fallback: the fixed file is reloaded" "$out" \
	wait_for "$out" "policy reloaded from $tmp/live.json \(generation 2"
stop
check "fallback: exits 0" "$out" test $rc -eq 0

echo "1..$((pass + fail))"
echo "# $pass passed, $fail failed"
[ "$fail" -eq 0 ]
