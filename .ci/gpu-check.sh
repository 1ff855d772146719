#!/usr/bin/env bash
# The GPU check (docs/gpu.md), run by hand on a machine with an NVIDIA GPU, never by CI:
#   1. the backend contract (every operator's one-node models plus generated graphs) for ort-node-cuda and
#      ort-node-webgpu against the float64 reference;
#   2. a short campaign on ort-node-cpu, ort-node-cuda and ort-node-webgpu;
#   3. the first case of every bucket reduced, in parallel;
#   4. the buckets' cases packed into one archive (OUT/cases.tgz), the rest of the campaign into OUT/campaign.tgz.
# Usage, from the folder holding dist/ and node_modules/: bash gpu-check.sh OUT [CAMPAIGN_SECONDS] [REDUCE_SECONDS]
# BACKENDS=a,b,c replaces the campaign's backends; the contract runs on CONTRACT_BACKENDS (default: those not
# named *-cpu*); NODES (default 10) and SEED (default 7) shape the campaign.
set -uo pipefail
out=${1:?usage: gpu-check.sh OUT [CAMPAIGN_SECONDS] [REDUCE_SECONDS]}
secs=${2:-120}
reduce_secs=${3:-45}
jobs=$(( $(nproc) > 12 ? 12 : $(nproc) ))
root=$(pwd)
cli="node $root/dist/src/cli/main.js"
backends=${BACKENDS:-ort-node-cpu,ort-node-cuda,ort-node-webgpu}
gpu_backends=${CONTRACT_BACKENDS:-$(echo "$backends" | tr ',' '\n' | grep -v -- '-cpu' | paste -sd, -)}
nodes=${NODES:-10}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > "$out/gpu.txt" 2>&1
$cli backends > "$out/backends.txt" 2>&1
echo "== contract"
( time timeout 240 node dist/src/conformance/contract-check.js --backends "$gpu_backends" --per-op 4 --graphs 10 ) > "$out/contract.txt" 2>&1
grep -E '^(==|FAIL|ort-node)' "$out/contract.txt"
echo "== campaign ($secs s, $jobs jobs, $nodes-node graphs)"
timeout $((secs + 60)) $cli fuzz --time "${secs}s" --seed "${SEED:-7}" --jobs "$jobs" --nodes "$nodes" \
  --backends "$backends" --out "$out/campaign" > "$out/fuzz.txt" 2>&1
tail -n 4 "$out/fuzz.txt"
echo "== reducing each bucket's first case ($reduce_secs s each)"
node -e '
  const b = require(process.argv[1]);
  for (const x of b) if (x.cases && x.cases[0]) console.log(x.cases[0]);
' "$out/campaign/buckets.json" > "$out/first-cases.txt"
( cd "$out/campaign" && xargs -P "$jobs" -I{} sh -c "timeout $((reduce_secs + 60)) $cli reduce {} --time ${reduce_secs}s > {}/reduce.log 2>&1; echo \"{}: exit \$?\"" < "$out/first-cases.txt" ) | tee "$out/reduce.txt"
keep=$(cat "$out/first-cases.txt"); [ -d "$out/campaign/harness-bugs" ] && keep="$keep harness-bugs"
# shellcheck disable=SC2086
[ -n "$keep" ] && tar -C "$out/campaign" -czf "$out/cases.tgz" $keep
rm -rf "$out/campaign/cases" "$out/campaign/harness-bugs" "$out/campaign/work"
# the device tool brings back only a handful of files: the rest of the campaign travels as one archive too
tar -C "$out" -czf "$out/campaign.tgz" campaign && rm -rf "$out/campaign"
du -sh "$out"
