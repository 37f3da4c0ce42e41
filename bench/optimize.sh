#!/usr/bin/env bash
# `pipeline optimize` wall time against calls x latency / concurrency (issue 10 item 7): each
# optimizer on a `question -> answer` step with TRAIN training and VAL validation examples, through
# the openai provider to the loopback mock LLM server at 50 ms per reply, response cache off and a
# fresh optimization cache per run, so every call reaches the server. The server answers every
# request with the same ChatAdapter reply: every output field the optimizers ask for, each `item`, and every example's label is `item`: each run
# parses and passes the metric (as in the LM-call counts of docs/performance.md, every bootstrap
# trace passing). Prints, per optimizer, the median over R runs (default 3) of the wall time, the
# LM calls, the ideal calls x latency / concurrency and its share of the wall time, the bound the
# optimizer's own order of work allows and its share, and the most requests the server had in
# flight at once. The bound: each scored candidate (an evaluate over n examples, one call each
# since every reply parses) takes ceil(n / concurrency) rounds of 50 ms, since the optimizer waits
# for its score; the host's final train and validation scores share one pool (ceil of their sum);
# every other call (bootstrap traces, proposals, reflections) is made one at a time.
#   bench/optimize.sh [build-dir] [train] [val] [runs] [concurrency] [optimizer...]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
train="${2:-100}"
val="${3:-100}"
runs="${4:-3}"
c="${5:-32}"
shift 5 2>/dev/null || shift $#
optimizers=("$@")
[ ${#optimizers[@]} -gt 0 ] ||
  optimizers=(labeled_few_shot bootstrap_few_shot bootstrap_random_search mipro_v2 gepa)
latency=50
source bench/lib/mock_llm.sh
bench_scratch

cat >"$scratch/wf.yaml" <<'YAML'
workflow:
  name: optimize_bench
  steps:
    - name: answer
      type: claude
      prompt: [{type: static, content: "Answer: {{inputs.question}}"}]
      signature: "question -> answer"
      metric: {type: exact_match, field: answer}
YAML
row() { printf '{"question": "What is item %d?", "answer": "item"}\n' "$1"; }
for i in $(seq "$train"); do row "$i"; done >"$scratch/train.jsonl"
for i in $(seq "$val"); do row "$((train + i))"; done >"$scratch/val.jsonl"
# Every output field any optimizer's own calls ask for (mipro_v2's data summary, program
# description and instruction proposals), so one reply parses for every signature; the adapter
# keeps the fields its signature names. GEPA's reflection takes the reply as text.
reply="$(for f in answer observations summary program_description module_description \
  proposed_instruction; do printf '[[ ## %s ## ]]\nitem\n\n' "$f"; done)[[ ## completed ## ]]"

# The bound of one run's --json document: bound_ms FILE.
bound_ms() {
  python3 - "$1" "$c" "$latency" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
c, lat = int(sys.argv[2]), int(sys.argv[3])
n = [k["examples"] for k in d["candidates"] if not k["label"].startswith("final ")]
final = sum(k["examples"] for k in d["candidates"] if k["label"].startswith("final "))
calls = sum(n) + final
print((sum(math.ceil(x / c) for x in n) + math.ceil(final / c) + max(0, d["lm_calls"] - calls)) * lat)
PY
}

printf '%-24s %8s %8s %8s %10s %8s %10s %9s\n' optimizer "wall ms" "calls" "ideal ms" "ideal/wall" \
  "bound ms" "bound/wall" "in flight"
for opt in "${optimizers[@]}"; do
  walls=() calls=() peaks=() bounds=()
  for r in $(seq "$runs"); do
    # A server per run: its --stats line is that run's peak of concurrent requests.
    bench_start_server "$build" "$latency" --reply "$reply" --stats
    bench_host_config "$scratch/host.yaml"
    XDG_CACHE_HOME="$scratch/cache-$opt-$r" XDG_DATA_HOME="$scratch/data" "$build/bin/pipeline" optimize "$scratch/wf.yaml" \
      --step answer -c "$scratch/host.yaml" --data "$scratch/train.jsonl" \
      --valset "$scratch/val.jsonl" --optimizer "$opt" --concurrency "$c" --cache off --json \
      -q >"$scratch/out.json" || true
    bench_stop_server
    cp "$scratch/out.json" "${BENCH_KEEP:-/dev/null}" 2>/dev/null || true
    walls+=("$(python3 -c "print(round($(json_field "$scratch/out.json" wall_ms)))")")
    calls+=("$(json_field "$scratch/out.json" lm_calls)")
    bounds+=("$(bound_ms "$scratch/out.json")")
    peaks+=("$(awk '{print $4}' "$scratch/server.err")")
  done
  wall="$(printf '%s\n' "${walls[@]}" | median)"
  n="$(printf '%s\n' "${calls[@]}" | median)"
  peak="$(printf '%s\n' "${peaks[@]}" | median)"
  bound="$(printf '%s\n' "${bounds[@]}" | median)"
  ideal=$(python3 -c "print(round($n * $latency / $c))")
  share=$(python3 -c "print(f'{100 * $ideal / $wall:.1f}%')")
  bshare=$(python3 -c "print(f'{100 * $bound / $wall:.1f}%')")
  printf '%-24s %8s %8s %8s %10s %8s %10s %9s\n' "$opt" "$wall" "$n" "$ideal" "$share" "$bound" \
    "$bshare" "$peak"
done
