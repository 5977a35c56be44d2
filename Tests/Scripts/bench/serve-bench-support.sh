# Shared by bench-serve.sh and bench-serve-attack.sh (sourced, not run): the release binary, wrk, a server on a
# free port, and medians. Expects $bin, $model and $tmp to be set.

# Stops unless the release binary is there, and installs wrk (Debian's package) if it is missing.
check_tools() {
  [ -x "$bin" ] || { echo "$bin is missing: run 'swift build -c release' first (or set TEXTVAE_BIN)" >&2; exit 1; }
  if ! command -v wrk >/dev/null; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get install -y -qq wrk >/dev/null
  fi
}

# start_server [serve flags...]: starts `textvae serve` on a free port; sets $server_pid and $port.
start_server() {
  "$bin" serve -m "$model" --port 0 "$@" >"$tmp/server.log" 2>&1 &
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

# The median of the numbers on standard input, one per line.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
