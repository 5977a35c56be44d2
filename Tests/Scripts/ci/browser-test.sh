#!/usr/bin/env bash
# Tests the page of `textvae serve` in a real headless Chromium, driven with curl over chromedriver's
# W3C WebDriver protocol: trains a tiny model on the test grammar, starts the server with an index,
# then types into the homotopy explorer and checks its sentences against the API's, samples, checks the
# map and neighbours, checks that an error is shown, and saves a screenshot.
#   swift build && bash Tests/Scripts/ci/browser-test.sh
# Environment: TEXTVAE_BIN (default .build/debug/textvae), BROWSER_TEST_SCREENSHOT (default
# .build/browser-test.png), CHROMIUM_BIN (/usr/bin/chromium), CHROMEDRIVER_BIN (/usr/bin/chromedriver).
# Needs the Debian packages chromium and chromium-driver, and curl.
set -euo pipefail
shopt -s inherit_errexit   # a failed WebDriver call inside $(...) stops the test too
cd "$(dirname "$0")/../../.."

bin=${TEXTVAE_BIN:-.build/debug/textvae}
shot=${BROWSER_TEST_SCREENSHOT:-.build/browser-test.png}
chromium_bin=${CHROMIUM_BIN:-/usr/bin/chromium}
driver_bin=${CHROMEDRIVER_BIN:-/usr/bin/chromedriver}
element_key=element-6066-11e4-a52e-4f735466cecf   # the W3C WebDriver element reference

step="setup"
tmp="" server_pid="" driver_pid="" wd_url="" sid=""

# ---- reporting and cleanup ------------------------------------------------------------------------
die() { echo "error: $*" >&2; exit 1; }
pass() { echo "PASS: $*"; }

cleanup() {
  local rc=$?
  set +e
  if [ -n "$sid" ]; then curl -s -m 10 -X DELETE "$wd_url/session/$sid" >/dev/null 2>&1; fi
  if [ -n "$driver_pid" ]; then
    curl -s -m 5 "$wd_url/shutdown" >/dev/null 2>&1
    kill "$driver_pid" 2>/dev/null; wait "$driver_pid" 2>/dev/null
  fi
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  if [ "$rc" -ne 0 ]; then
    if [ -n "$tmp" ] && [ -s "$tmp/server.log" ]; then echo "--- the server's log (last 30 lines)" >&2; tail -n 30 "$tmp/server.log" >&2; fi
    if [ -n "$tmp" ] && [ -s "$tmp/chromedriver.log" ] && [[ $step == *chromedriver* || $step == *session* ]]; then
      echo "--- chromedriver's log (last 30 lines)" >&2; tail -n 30 "$tmp/chromedriver.log" >&2
    fi
    echo "FAIL: $step" >&2
  fi
  [ -n "$tmp" ] && rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- JSON without jq -------------------------------------------------------------------------------
# A bash string as a JSON string literal.
json_str() {
  local s=$1
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\t'/\\t}; s=${s//$'\n'/\\n}; s=${s//$'\r'/\\r}
  printf '"%s"' "$s"
}
# The body of a JSON string literal (without its quotes), decoded.
json_unescape() {
  local s=$1
  s=${s//\\\\/$'\001'}; s=${s//\\\//\/}; s=${s//\\\"/\"}
  s=$(printf '%b' "$s")   # \n \t \r \b \f \uXXXX
  printf '%s\n' "${s//$'\001'/\\}"
}
# Every string value of the field KEY in the JSON on standard input, decoded, one per line, in order.
json_strings() {
  local re='"'"$1"'" *: *"([^"\\]|\\.)*"' line
  { grep -oE "$re" || true; } | sed -E 's/^"[^"]*" *: *"//; s/"$//' | while IFS= read -r line; do json_unescape "$line"; done
}

# ---- WebDriver ---------------------------------------------------------------------------------------
# wd METHOD PATH [JSON]: one WebDriver command; prints the answer; an HTTP error stops the test.
wd() {
  local method=$1 path=$2 body=${3:-} out code
  if [ -n "$body" ]; then
    out=$(curl -sS -m 90 -w $'\n%{http_code}' -X "$method" -H 'Content-Type: application/json' --data-binary "$body" "$wd_url$path")
  else
    out=$(curl -sS -m 90 -w $'\n%{http_code}' -X "$method" "$wd_url$path")
  fi
  code=${out##*$'\n'}; out=${out%$'\n'*}
  [[ $code == 2* ]] || die "WebDriver $method $path answered HTTP $code: ${out:0:400}"
  printf '%s' "$out"
}
element_ids() { grep -oE '"'"$element_key"'" *: *"[^"]+"' | sed -E 's/.*"([^"]+)"$/\1/' || true; }
# The ids of the elements matching a CSS selector, one per line (none: empty).
find_all() { local r; r=$(wd POST "/session/$sid/elements" "{\"using\":\"css selector\",\"value\":$(json_str "$1")}"); element_ids <<<"$r"; }
# The id of the first element matching a CSS selector; none stops the test.
find_one() {
  local ids; ids=$(find_all "$1")
  [ -n "$ids" ] || die "no element matches $1"
  printf '%s\n' "${ids%%$'\n'*}"
}
count() { local ids; ids=$(find_all "$1"); if [ -z "$ids" ]; then echo 0; else grep -c . <<<"$ids"; fi; }
# The rendered text of an element, by id (text_of) or by CSS selector (text_at).
text_of() { local r; r=$(wd GET "/session/$sid/element/$1/text"); json_strings value <<<"$r"; }
text_at() { local id; id=$(find_one "$1"); text_of "$id"; }
click() { local id; id=$(find_one "$1"); wd POST "/session/$sid/element/$id/click" '{}' >/dev/null; }
clear_field() { local id; id=$(find_one "$1"); wd POST "/session/$sid/element/$id/clear" '{}' >/dev/null; }
type_into() { local id; id=$(find_one "$1"); wd POST "/session/$sid/element/$id/value" "{\"text\":$(json_str "$2")}" >/dev/null; }
# wait_for_count SELECTOR N SECONDS: until exactly N elements match.
wait_for_count() {
  local deadline=$((SECONDS + $3)) n
  while :; do
    n=$(count "$1")
    [ "$n" -eq "$2" ] && return 0
    [ "$SECONDS" -lt "$deadline" ] || die "expected $2 elements matching '$1' within $3 s, found $n"
    sleep 0.3
  done
}
# wait_for_text SELECTOR SECONDS: until the first element matching SELECTOR shows some text; prints it.
wait_for_text() {
  local deadline=$((SECONDS + $2)) t
  while :; do
    t=$(text_at "$1")
    [ -n "$t" ] && { printf '%s\n' "$t"; return 0; }
    [ "$SECONDS" -lt "$deadline" ] || die "'$1' shows no text after $2 s"
    sleep 0.3
  done
}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---- what is needed ----------------------------------------------------------------------------------
step="prerequisites"
for b in "$chromium_bin" "$driver_bin"; do
  [ -x "$b" ] || die "$b is missing: run 'bash Tests/Scripts/setup.sh' (it installs chromium and chromium-driver)"
done
command -v curl >/dev/null || die "curl is missing"
[ -x "$bin" ] || die "$bin is missing: run 'swift build' first (or set TEXTVAE_BIN)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/textvae-browser.XXXXXX")

# ---- a tiny model and an index -------------------------------------------------------------------------
step="training a tiny model"
"$bin" grammar -n 2000 -o "$tmp/grammar.txt" >/dev/null
"$bin" train "$tmp/grammar.txt" -o "$tmp/model.safetensors" --embedding 32 --hidden 64 --latent 8 --epochs 2 --quiet \
  >"$tmp/train.log" 2>&1 || { cat "$tmp/train.log" >&2; die "training failed"; }
head -n 50 "$tmp/grammar.txt" >"$tmp/index.txt"
sentence_a=$(sed -n 1p "$tmp/index.txt")
sentence_b=$(awk -v a="$sentence_a" '$0 != a { print; exit }' "$tmp/index.txt")
[ -n "$sentence_a" ] && [ -n "$sentence_b" ] || die "the grammar corpus has no two different sentences"
pass "trained a tiny model ($(wc -l <"$tmp/grammar.txt") sentences)"

# ---- the server --------------------------------------------------------------------------------------
step="starting textvae serve"
"$bin" serve -m "$tmp/model.safetensors" --port 0 --index "$tmp/index.txt" >"$tmp/server.log" 2>&1 &
server_pid=$!
port=""
deadline=$((SECONDS + 60))
while [ -z "$port" ]; do
  port=$(grep -oE 'listening on http://[^ ]*:[0-9]+' "$tmp/server.log" | head -n 1 | grep -oE '[0-9]+$' || true)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { wait "$server_pid" || true; server_pid=""; die "the server stopped before listening"; }
  [ "$SECONDS" -lt "$deadline" ] || die "the server did not print 'listening on http://127.0.0.1:PORT' within 60 s"
  sleep 0.2
done
base="http://127.0.0.1:$port"
curl -sf -m 10 "$base/healthz" >/dev/null || die "GET /healthz failed"
pass "server listening on $base"

# ---- chromedriver and a session -------------------------------------------------------------------
step="starting chromedriver"
for attempt in 0 1 2 3 4 5 6 7; do
  wd_port=$((9515 + ($$ + attempt * 137) % 1000))
  port_in_use "$wd_port" && continue
  "$driver_bin" --port="$wd_port" >"$tmp/chromedriver.log" 2>&1 &
  driver_pid=$!
  wd_url="http://127.0.0.1:$wd_port"
  deadline=$((SECONDS + 20))
  while kill -0 "$driver_pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
    curl -s -m 2 "$wd_url/status" 2>/dev/null | grep -qE '"ready" *: *true' && break 2
    sleep 0.2
  done
  kill "$driver_pid" 2>/dev/null || true; wait "$driver_pid" 2>/dev/null || true
  driver_pid="" wd_url=""
done
[ -n "$driver_pid" ] || die "chromedriver did not become ready on any of the ports tried"
pass "chromedriver ready at $wd_url"

step="opening a browser session"
caps='{"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:chromeOptions":{"binary":'"$(json_str "$chromium_bin")"',
  "args":["--headless=new","--no-sandbox","--disable-gpu","--disable-dev-shm-usage","--window-size=1280,900"]}}}}'
r=$(wd POST /session "$caps")
sid=$(grep -oE '"sessionId" *: *"[^"]+"' <<<"$r" | sed -E 's/.*"([^"]+)"$/\1/' || true)
[ -n "$sid" ] || die "no sessionId in: ${r:0:400}"
wd POST "/session/$sid/timeouts" '{"implicit":0,"pageLoad":30000,"script":30000}' >/dev/null
wd POST "/session/$sid/url" "{\"url\":$(json_str "$base/")}" >/dev/null
pass "page loaded in $("$chromium_bin" --version 2>/dev/null | head -n 1)"

# ---- the page ------------------------------------------------------------------------------------------
step="the model's facts in the header"
facts=$(wait_for_text '#facts' 30)
deadline=$((SECONDS + 30))
until grep -q latent <<<"$facts"; do
  [ "$SECONDS" -lt "$deadline" ] || die "the header never showed the model (it shows: $facts)"
  sleep 0.3; facts=$(text_at '#facts')
done
grep -q "GRU" <<<"$facts" || die "the header does not name the network's cell (it shows: $facts)"
pass "header shows the model: $(tr '\n' ' ' <<<"$facts")"

step="homotopy explorer"
type_into '#interp-a' "$sentence_a"
type_into '#interp-b' "$sentence_b"
clear_field '#interp-steps'
type_into '#interp-steps' 5
click '#interp-go'
wait_for_count '#interp-results li' 5 30
page_texts=""
for li in $(find_all '#interp-results li'); do
  r=$(wd POST "/session/$sid/element/$li/element" '{"using":"css selector","value":".text"}')
  id=$(element_ids <<<"$r")
  [ -n "$id" ] || die "a point of #interp-results has no .text"
  page_texts+="$(text_of "$id")"$'\n'
done
body="{\"a\":$(json_str "$sentence_a"),\"b\":$(json_str "$sentence_b"),\"steps\":5,\"slerp\":false}"
r=$(curl -sS -m 60 -X POST -H 'Content-Type: application/json' --data-binary "$body" "$base/v1/interpolate")
api_texts=$(json_strings text <<<"$r")$'\n'
[ "$(grep -c . <<<"$api_texts")" -eq 5 ] || die "POST /v1/interpolate did not give 5 points: ${r:0:400}"
if [ "$page_texts" != "$api_texts" ]; then
  { echo "page:"; printf '%s' "$page_texts"; echo "API:"; printf '%s' "$api_texts"; } >&2
  die "the page's 5 sentences differ from POST /v1/interpolate's"
fi
err=$(text_at '#error')
[ -z "$err" ] || die "#error shows '$err' after a successful call"
pass "homotopy: the page's 5 sentences are the API's, from '$sentence_a' to '$sentence_b'"

step="sampling"
click '#sample-go'
wait_for_count '#sample-results li' 5 30
first=$(text_at '#sample-results li .text')
pass "sampling: 5 sentences, the first '$first'"

step="map"
r=$(curl -sS -m 60 "$base/v1/map")
points=$({ grep -oE '"x" *:' <<<"$r" || true; } | wc -l)
[ "$points" -gt 0 ] || die "GET /v1/map has no points: ${r:0:400}"
wait_for_count '#map-svg circle' "$points" 30
axis=$(text_at '#map-svg text:nth-of-type(1)')
grep -qE '^PC1 [0-9]+%$' <<<"$axis" || die "the map's x axis reads '$axis', not 'PC1 N%'"
note=$(text_at '#map-note')
grep -q "sentences of index.txt" <<<"$note" || die "the map's note reads '$note', not naming the index file"
pass "map: $points points, axis '$axis'"

step="neighbours"
type_into '#nn-input' "$sentence_a"
click '#nn-go'
k=$(( points < 10 ? points : 10 ))
wait_for_count '#nn-results li' "$k" 30
first=$(text_at '#nn-results li .text')
pass "neighbours: $k sentences, the nearest '$first'"

step="the API's error is shown"
clear_field '#interp-steps'
type_into '#interp-steps' 1000
click '#interp-go'
err=$(wait_for_text '#error' 30)
grep -q -- '--max-steps' <<<"$err" || die "#error shows '$err', not the server's limit on steps"
pass "the server's error shown: $err"

step="the page's own check is shown"
clear_field '#interp-steps'
type_into '#interp-steps' 5
clear_field '#interp-a'
click '#interp-go'
err=$(wait_for_text '#error' 10)
grep -qv -- '--max-steps' <<<"$err" || die "#error still shows the previous error"
pass "the page's check shown: $err"

step="screenshot"
wd POST "/session/$sid/execute/sync" '{"script":"window.scrollTo(0, 0);","args":[]}' >/dev/null
r=$(wd GET "/session/$sid/screenshot")
mkdir -p "$(dirname "$shot")"
sed -E 's/^.*"value" *: *"([^"]*)".*$/\1/; s/\\\//\//g' <<<"$r" | base64 -d >"$shot"
[ -s "$shot" ] || die "the screenshot is empty"
pass "screenshot: $shot"

step="closing the session"
wd DELETE "/session/$sid" >/dev/null
sid=""
echo "PASS: browser test"
