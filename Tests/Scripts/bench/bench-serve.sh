#!/usr/bin/env bash
# Throughput of `textvae serve` under load, with and without batching across requests: wrk (Debian's
# `wrk`, installed if missing) sends POST /v1/sample {"n": 1, "seed": <random>} from 1, 8, 32 and 128
# concurrent connections; each setting runs ROUNDS times, alternating batching on and off, and the
# table gives medians of requests/s (= sentences/s), of the latency percentiles wrk reports, of the rows
# a decoding step carried (batching on: requests join the running batch between steps) and the
# batched/unbatched throughput ratio. The model's vocabulary and mean sentence length head the table.
#
#   swift build -c release
#   bash Tests/Scripts/bench/bench-serve.sh -m model.safetensors [--seconds 10] [--rounds 3] [--decoder greedy|sample]
#
# wrk runs on the same machine (one thread), so on 2 cores it takes CPU from the server: the figures
# are a floor for what a separate client machine would see. Not part of the tests (no timing in tests).
set -euo pipefail
cd "$(dirname "$0")/../../.."

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
source Tests/Scripts/bench/serve-bench-support.sh
check_tools

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

start_server
vocabulary=$(curl -sf "http://127.0.0.1:$port/v1/model" | python3 -c 'import json, sys; print(json.load(sys.stdin)["config"]["vocabulary"])')
stop_server
words=$("$bin" sample -m "$model" -n 500 --decoder "$decoder" 2>/dev/null | awk '{ w += NF } END { printf "%.1f", w / NR }')
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
echo "model $model (vocabulary $vocabulary, $words words a sentence), decoder $decoder, $seconds s per run, $rounds rounds"
echo "CPU $cpu, $(nproc) cores; medians"
printf '%-8s %-9s %12s %10s %10s %10s %8s %10s %8s\n' clients batching "requests/s" "p50 ms" "p90 ms" "p99 ms" errors "rows/step" "on/off"
for clients in 1 8 32 128; do
  for mode in on off; do : >"$tmp/$clients-$mode"; done
  for round in $(seq 1 "$rounds"); do
    for mode in on off; do
      if [ "$mode" = on ]; then start_server --max-sentences 1000; else start_server --max-sentences 1000 --no-batching; fi
      curl -sf -m 30 "http://127.0.0.1:$port/v1/sample" --json '{"n": 8}' >/dev/null   # warm up
      wrk -t1 -c"$clients" -d"${seconds}s" --timeout 60s -s "$tmp/sample.lua" "http://127.0.0.1:$port" \
        | grep '^RESULT' | cut -d' ' -f2- >>"$tmp/$clients-$mode"
      # Rows per decoder step: how many requests a step of the running batch carried on average (1 without batching).
      curl -sf "http://127.0.0.1:$port/metrics" | awk '/^textvae_decoding_steps_total/ { s = $2 }
        /^textvae_decoding_step_rows_total/ { r = $2 } END { printf "%.2f\n", (s > 0) ? r / s : 1 }' >>"$tmp/$clients-$mode.rows"
      stop_server
    done
  done
  # The ratio of each round's batched to unbatched throughput (the runs alternate), then its median.
  ratio=$(paste -d' ' <(cut -d' ' -f1 "$tmp/$clients-on") <(cut -d' ' -f1 "$tmp/$clients-off") | awk '{ print $1 / $2 }' | median)
  for mode in on off; do
    f="$tmp/$clients-$mode"
    printf '%-8s %-9s %12.1f %10.2f %10.2f %10.2f %8d %10.2f %8s\n' "$clients" "$mode" \
      "$(cut -d' ' -f1 "$f" | median)" "$(cut -d' ' -f2 "$f" | median)" "$(cut -d' ' -f3 "$f" | median)" \
      "$(cut -d' ' -f4 "$f" | median)" "$(cut -d' ' -f5 "$f" | median)" "$(median <"$f.rows")" \
      "$([ "$mode" = on ] && printf '%.2f' "$ratio" || echo -)"
  done
done
