#!/usr/bin/env bash
# What one costly client does to everyone else: 32 wrk connections send POST /v1/sample {"n": 1} (greedy, one
# sentence each, as in bench-serve.sh) for SECONDS, once alone and once while an attacker loops over the
# costliest requests the server's limits allow (100 sentences sampled with top_k near the vocabulary, a beam of
# 16, 8 sentences of 1,900 words to score, each within --max-request-work or refused with a 413). Each pairing runs
# ROUNDS times, alternating, and the table gives medians of the normal clients' requests/s, p50 and p99, with
# the server's resident memory after each run (from /metrics).
#
#   swift build -c release
#   bash Tests/Scripts/bench/bench-serve-attack.sh -m model.safetensors [--seconds 10] [--rounds 3]
#
# Everything runs on this machine (wrk with one thread, the attacker in curl), so the figures are a floor.
set -euo pipefail
cd "$(dirname "$0")/../../.."

model="" seconds=10 rounds=3
bin=${TEXTVAE_BIN:-.build/release/textvae}
while [ $# -gt 0 ]; do
  case $1 in
    -m|--model) model=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument '$1'; see --help" >&2; exit 2 ;;
  esac
done
[ -n "$model" ] || { echo "give a model: -m model.safetensors (see --help)" >&2; exit 2; }
source Tests/Scripts/bench/serve-bench-support.sh
check_tools

tmp=$(mktemp -d "${TMPDIR:-/tmp}/textvae-bench-attack.XXXXXX")
server_pid="" attacker_pid=""
cleanup() {
  [ -n "$attacker_pid" ] && pkill -P "$attacker_pid" 2>/dev/null; [ -n "$attacker_pid" ] && kill "$attacker_pid" 2>/dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/sample.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
math.randomseed(os.time())
request = function()
  return wrk.format(nil, "/v1/sample", nil, '{"n": 1, "seed": ' .. math.random(0, 2000000000) .. '}')
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.2f %.2f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

start_server
url="http://127.0.0.1:$port"
vocabulary=$(curl -sf "$url/v1/model" | python3 -c 'import json,sys; print(json.load(sys.stdin)["config"]["vocabulary"])')
long=$(python3 -c 'print(" ".join(["the"] * 1900))')
python3 - "$vocabulary" "$long" >"$tmp/attacks.txt" <<'PY'
import json, sys
V, long = int(sys.argv[1]), sys.argv[2]
print(json.dumps({"n": 100, "temperature": 3, "top_k": V - 10, "raw": True}))
print(json.dumps({"n": 100, "decoder": "beam", "beam_width": 16}))
print(json.dumps({"sentences": [long] * 8}))  # under the 64 KiB body limit
PY

attack() {  # loops over the three costly requests until killed
  while true; do
    curl -s -o /dev/null -w '%{http_code}\n' --json "$(sed -n 1p "$tmp/attacks.txt")" "$url/v1/sample" >>"$tmp/attack-codes"
    curl -s -o /dev/null -w '%{http_code}\n' --json "$(sed -n 2p "$tmp/attacks.txt")" "$url/v1/sample" >>"$tmp/attack-codes"
    curl -s -o /dev/null -w '%{http_code}\n' --json "$(sed -n 3p "$tmp/attacks.txt")" "$url/v1/score" >>"$tmp/attack-codes"
  done
}
rss() { curl -sf "$url/metrics" | awk '/^process_resident_memory_bytes/ { printf "%.0f\n", $2 / 1048576 }'; }

curl -sf -m 30 --json '{"n": 8}' "$url/v1/sample" >/dev/null  # warm up
: >"$tmp/alone"; : >"$tmp/attacked"; : >"$tmp/attack-codes"
for round in $(seq 1 "$rounds"); do
  for mode in alone attacked; do
    if [ "$mode" = attacked ]; then attack & attacker_pid=$!; sleep 1; fi
    result=$(wrk -t1 -c32 -d"${seconds}s" --timeout 60s -s "$tmp/sample.lua" "$url" | grep '^RESULT' | cut -d' ' -f2-)
    # The loop and the curl it is waiting for: a request left running would slow the next run down.
    if [ -n "$attacker_pid" ]; then pkill -P "$attacker_pid" 2>/dev/null || true; kill "$attacker_pid" 2>/dev/null || true; wait "$attacker_pid" 2>/dev/null || true; attacker_pid=""; sleep 1; fi
    echo "$result $(rss)" >>"$tmp/$mode"
  done
done

echo "model $model (vocabulary $vocabulary), 32 clients, $seconds s per run, $rounds rounds, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')); medians"
printf '%-9s %12s %10s %10s %8s %8s\n' mode "requests/s" "p50 ms" "p99 ms" errors "RSS MiB"
for mode in alone attacked; do
  f="$tmp/$mode"
  printf '%-9s %12.1f %10.2f %10.2f %8d %8d\n' "$mode" "$(cut -d' ' -f1 "$f" | median)" "$(cut -d' ' -f2 "$f" | median)" \
    "$(cut -d' ' -f3 "$f" | median)" "$(cut -d' ' -f4 "$f" | median)" "$(cut -d' ' -f5 "$f" | median)"
done
echo "attacker's replies: $(sort "$tmp/attack-codes" | uniq -c | awk '{ printf "%s × %s, ", $1, $2 }' | sed 's/, $//')"
