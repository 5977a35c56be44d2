#!/usr/bin/env bash
# Throughput of `textvae serve` under load, with and without batching across requests: wrk (Debian's
# `wrk`, installed if missing) sends POST /v1/sample {"n": 1, "seed": <random>} from 1, 8, 32 and 128
# concurrent connections; each setting runs ROUNDS times, alternating batching on and off, and the
# table gives medians of requests/s (= sentences/s) and of the latency percentiles wrk reports.
#
#   swift build -c release
#   bash Tests/Scripts/bench-serve.sh -m model.safetensors [--seconds 10] [--rounds 3] [--decoder greedy|sample]
#
# wrk runs on the same machine (one thread), so on 2 cores it takes CPU from the server: the figures
# are a floor for what a separate client machine would see. Not part of the tests (no timing in tests).
set -euo pipefail
cd "$(dirname "$0")/../.."

model="" seconds=10 rounds=3 decoder=greedy
bin=${TEXTVAE_BIN:-.build/release/textvae}
while [ $# -gt 0 ]; do
  case $1 in
    -m|--model) model=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --decoder) decoder=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument '$1'; see --help" >&2; exit 2 ;;
  esac
done
[ -n "$model" ] || { echo "give a model: -m model.safetensors (see --help)" >&2; exit 2; }
[ -x "$bin" ] || { echo "$bin is missing: run 'swift build -c release' first (or set TEXTVAE_BIN)" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq wrk >/dev/null
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/textvae-bench-serve.XXXXXX")
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

fields='"n": 1'
[ "$decoder" = sample ] && fields='"n": 1, "temperature": 1.0'
cat >"$tmp/sample.lua" <<EOF
-- One sentence per request, each with its own seed (as independent clients would send).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
math.randomseed(os.time())
request = function()
  return wrk.format(nil, "/v1/sample", nil, '{$fields, "seed": ' .. math.random(0, 2000000000) .. '}')
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.2f %.2f %.2f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests))
end
EOF

# start_server [--no-batching]: starts the server on a free port and sets $port.
start_server() {
  "$bin" serve -m "$model" --port 0 --max-sentences 1000 "$@" >"$tmp/server.log" 2>&1 &
  server_pid=$!
  port=""
  for _ in $(seq 1 300); do
    port=$(grep -oE 'listening on http://[^ ]*:[0-9]+' "$tmp/server.log" | grep -oE '[0-9]+$' || true)
    [ -n "$port" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "the server did not start" >&2; exit 1
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "model $model, decoder $decoder, $seconds s per run, $rounds rounds, $(nproc) cores; medians"
printf '%-8s %-9s %12s %10s %10s %10s %8s %10s\n' clients batching "requests/s" "p50 ms" "p90 ms" "p99 ms" errors "rows/call"
for clients in 1 8 32 128; do
  for mode in on off; do : >"$tmp/$clients-$mode"; done
  for round in $(seq 1 "$rounds"); do
    for mode in on off; do
      if [ "$mode" = on ]; then start_server; else start_server --no-batching; fi
      curl -sf -m 30 "http://127.0.0.1:$port/v1/sample" --json '{"n": 8}' >/dev/null   # warm up
      wrk -t1 -c"$clients" -d"${seconds}s" --timeout 60s -s "$tmp/sample.lua" "http://127.0.0.1:$port" \
        | grep '^RESULT' | cut -d' ' -f2- >>"$tmp/$clients-$mode"
      # Rows per decoding call: how many requests shared a batch on average.
      curl -sf "http://127.0.0.1:$port/metrics" | awk '/^textvae_decoding_batches_total/ { b = $2 }
        /^textvae_decoding_batch_rows_total/ { r = $2 } END { printf "%.2f\n", r / b }' >>"$tmp/$clients-$mode.rows"
      stop_server
    done
  done
  for mode in on off; do
    f="$tmp/$clients-$mode"
    printf '%-8s %-9s %12.1f %10.2f %10.2f %10.2f %8d %10.2f\n' "$clients" "$mode" \
      "$(cut -d' ' -f1 "$f" | median)" "$(cut -d' ' -f2 "$f" | median)" "$(cut -d' ' -f3 "$f" | median)" \
      "$(cut -d' ' -f4 "$f" | median)" "$(cut -d' ' -f5 "$f" | median)" "$(median <"$f.rows")"
  done
done
