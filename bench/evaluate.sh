#!/usr/bin/env bash
# `pipeline evaluate` throughput against the N x latency / concurrency limit (issue 9 item 9):
# N examples (default 500) of a two-field signature through the openai provider to the loopback
# mock LLM server at 50 ms per reply, at each concurrency, the response cache off. Traditional mode:
# the mock echoes its prompt, which no adapter parses, so one LM call per example needs the prompt
# as written (the reply text is the answer field). Prints, per
# concurrency, the median wall time of R runs (default 3), the limit, the share of the limit
# reached, and the median peak RSS (GNU time), from which memory per in-flight example follows.
#   bench/evaluate.sh [build-dir] [examples] [runs] [concurrency...]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
n="${2:-500}"
runs="${3:-3}"
shift 3 2>/dev/null || shift $#
levels=("$@")
[ ${#levels[@]} -gt 0 ] || levels=(1 8 32 128)
latency=50
source bench/lib/mock_llm.sh
bench_scratch
bench_start_server "$build" "$latency"
bench_host_config "$scratch/host.yaml"
cat >"$scratch/wf.yaml" <<'YAML'
workflow:
  name: evaluate_bench
  steps:
    - name: answer
      type: claude
      prompt: [{type: static, content: "Answer: {{inputs.question}}"}]
      signature: "question, context -> answer"
      metric: {type: exact_match, field: answer}
YAML
for i in $(seq "$n"); do
  printf '{"question": "What is item %d?", "context": "bench", "answer": "item %d"}\n' "$i" "$i"
done >"$scratch/data.jsonl"

printf '%-12s %12s %12s %10s %14s\n' concurrency "wall ms" "limit ms" "of limit" "peak RSS KiB"
for c in "${levels[@]}"; do
  walls=() rss=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%M' -o "$scratch/rss" "$build/bin/pipeline" evaluate "$scratch/wf.yaml" \
      --step answer -c "$scratch/host.yaml" --data "$scratch/data.jsonl" --mode traditional \
      --concurrency "$c" --cache off --json -q >"$scratch/out.json" || true
    cp "$scratch/out.json" "${BENCH_KEEP:-/dev/null}" 2>/dev/null || true
    walls+=("$(json_field "$scratch/out.json" wall_ms)")
    rss+=("$(cat "$scratch/rss")")
  done
  wall="$(printf '%s\n' "${walls[@]}" | median)"
  peak="$(printf '%s\n' "${rss[@]}" | median)"
  limit=$(python3 -c "import math; print(math.ceil($n / $c) * $latency)")
  share=$(python3 -c "print(f'{100 * $limit / $wall:.1f}%')")
  printf '%-12s %12s %12s %10s %14s\n' "$c" "$wall" "$limit" "$share" "$peak"
done
