# Sourced by the bench/*.sh scripts that drive the `pipeline` binary against the loopback mock LLM
# server: a scratch folder cleaned on exit, an isolated config/cache environment, the server
# started at a latency, a host config routing every step to it through the openai provider, and
# the median of a column of numbers.
#   source bench/lib/mock_llm.sh
#   bench_scratch; bench_start_server BUILD LATENCY_MS [server options...]; bench_host_config FILE

bench_scratch() {
  scratch="$(mktemp -d)"
  server_pid=""
  trap bench_cleanup EXIT
  export PIPELINE_CONFIG="" XDG_CONFIG_HOME="$scratch" XDG_CACHE_HOME="$scratch/cache" XDG_DATA_HOME="$scratch/data" TEST_MODE=""
}

bench_cleanup() {
  bench_stop_server
  rm -rf "$scratch"
}

# Sets $port and $server_pid. The server's stderr goes to $scratch/server.err (its --stats line).
bench_start_server() {
  local build="$1" latency="$2"
  shift 2
  # One server thread per connection the highest concurrency keeps open (override with --threads).
  "$build/tests/support/mock_llm_server/pipeline-mock-server" --port 0 --latency-ms "$latency" \
    --threads 160 "$@" >"$scratch/port" 2>"$scratch/server.err" &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$scratch/port" ] && break; sleep 0.05; done
  port="$(head -n1 "$scratch/port")"
}

# Stops the server (SIGTERM) and waits for it, so its --stats line is written.
bench_stop_server() {
  if [ -n "${server_pid:-}" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}

bench_host_config() {
  cat >"$1" <<YAML
providers:
  local:
    plugin: openai
    base_url: http://127.0.0.1:$port/v1
    model: bench-model
    stream: false
step_providers:
  default: local
YAML
}

# The median of the numbers on stdin, one a line.
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# A member of a JSON file: json_field FILE NAME.
json_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
