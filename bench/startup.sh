#!/usr/bin/env bash
# Start-up cost of a run: `pipeline run examples/hello.yaml` (two mock LLM steps, the built-in
# response cache) against `pipeline --version` (the process alone). Uses hyperfine when
# installed, else a loop of N runs timed with `date`. Offline and hermetic: no user config, a
# fresh cache folder. usage: bench/startup.sh [path/to/pipeline] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/bin/pipeline}"
runs="${2:-30}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export PIPELINE_CONFIG="" XDG_CONFIG_HOME="$scratch" XDG_CACHE_HOME="$scratch/cache" XDG_DATA_HOME="$scratch/data" TEST_MODE=""
run_cmd="$bin run examples/hello.yaml -q --output-dir $scratch/out"
version_cmd="$bin --version"
$run_cmd >/dev/null  # warm the page cache and the response cache once
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 3 --runs "$runs" "$version_cmd" "$run_cmd"
  exit 0
fi
mean_ms() {
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$runs"); do $1 >/dev/null; done
  end=$(date +%s%N)
  echo $(((end - start) / runs / 1000))
}
v=$(mean_ms "$version_cmd")
r=$(mean_ms "$run_cmd")
printf 'pipeline --version:               %d.%03d ms (mean of %d)\n' $((v / 1000)) $((v % 1000)) "$runs"
printf 'pipeline run examples/hello.yaml: %d.%03d ms (mean of %d)\n' $((r / 1000)) $((r % 1000)) "$runs"
printf 'ratio: %d.%02dx\n' $((r / v)) $(((r * 100 / v) % 100))
