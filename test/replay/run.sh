#!/usr/bin/env bash
# run.sh SCENARIO: one replay scenario, as a meson test.
#   1. gen.py writes the scenario's input/expected pcaps from packets.py;
#   2. replay_runner pushes them through the pipeline in order and compares
#      byte for byte, drop counters exactly; then again with every frame a
#      chain of 64-byte segments (the same output is expected);
#   3. for scenarios marked BINARY, the real dpdk-hnv runs them with net_pcap
#      ports and compare.py checks each port's output and the final counters.
# Environment (set by meson): HNV_BUILD (build dir), HNV_SRC (source dir).
set -euo pipefail
name=$1
src=${HNV_SRC:?}
build=${HNV_BUILD:?}
out="$build/test/replay/$name"

/usr/bin/python3 "$src/test/replay/gen.py" "$src/test/replay/$name" "$out"
mkdir -p "$out/pipeline"
echo "== $name: pipeline"
"$build/test/replay/replay_runner" "$out/policy.json" "$out" "$out/pipeline"
echo "== $name: pipeline, every frame a chain of 64-byte segments"
mkdir -p "$out/pipeline-chained"
"$build/test/replay/replay_runner" --chain 64 "$out/policy.json" "$out" "$out/pipeline-chained"

if [ -f "$out/binary" ]; then
	echo "== $name: dpdk-hnv with net_pcap ports"
	mkdir -p "$out/binary-out"
	vdevs=()
	while read -r port dev; do
		vdevs+=(--vdev "$dev,rx_pcap=$out/in-$port.pcap,tx_pcap=$out/binary-out/out-$port.pcap")
	done <"$out/ports.txt"
	if ! timeout 60 "$build/app/dpdk-hnv" -l 0-1 --no-huge -m 256 --no-pci \
		--file-prefix "hnv-replay-$name" --log-level 'pmd.*:error' "${vdevs[@]}" \
		-- --policy "$out/policy.json" --idle-exit 1000 --flows 65536 >"$out/binary.log" 2>&1; then
		echo "dpdk-hnv failed:"
		cat "$out/binary.log"
		exit 1
	fi
	/usr/bin/python3 "$src/test/replay/compare.py" "$out" "$out/binary-out" "$out/binary.log"
	echo "$name: binary ok"
fi
