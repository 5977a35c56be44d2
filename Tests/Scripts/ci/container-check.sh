#!/usr/bin/env bash
# Checks Sources/TextVAEServer/Deployment/Dockerfile where no Docker engine runs: does what its two stages do, by
# hand, and reads the runtime stage's packages, user, ENTRYPOINT, CMD and HEALTHCHECK from the file itself.
#   1. the build stage's command: a release build with the Swift runtime linked in (--static-swift-stdlib);
#   2. a Debian 12 root (debootstrap, minbase) with only the runtime stage's packages, the binary and a small
#      model in /models; the server started there as the image starts it (user textvae, ENTRYPOINT + CMD,
#      TEXTVAE_API_KEY set), then the HEALTHCHECK command, a keyed /v1/sample, a keyless /v1/model (401), SIGTERM.
# Needs root (debootstrap, chroot) and Debian's mirror. Usage: bash Tests/Scripts/ci/container-check.sh [WORKDIR]
# Takes about 6 minutes on 2 cores (most of it the release build). Exit 0 when every step answered as expected.
set -euo pipefail
cd "$(dirname "$0")/../../.."
work=${1:-/tmp/textvae-container-check}
dockerfile=Sources/TextVAEServer/Deployment/Dockerfile
root="$work/root"
port=8080
mkdir -p "$work"

command -v debootstrap >/dev/null || apt-get install -y debootstrap >/dev/null

# The runtime stage: what follows the last FROM.
runtime=$(awk '/^FROM /{stage=""} {stage=stage $0 "\n"} END{printf "%s", stage}' "$dockerfile")
packages=$(printf '%s' "$runtime" | grep -o 'install -y --no-install-recommends [^&]*' | sed "s/install -y --no-install-recommends //; s/[\\ ]*$//")
json() { printf '%s' "$runtime" | grep "^$1 " | sed "s/^$1 //; s/^CMD //" | python3 -c 'import json,sys,shlex; print(shlex.join(json.load(sys.stdin)))'; }
entrypoint=$(json ENTRYPOINT)
cmd=$(json CMD)
healthcheck=$(json HEALTHCHECK)
echo "runtime packages: $packages"
echo "starts: $entrypoint $cmd"

echo "== the build stage's command"
swift build -c release --static-swift-stdlib --product textvae --scratch-path .build-static
binary="$(swift build -c release --static-swift-stdlib --scratch-path .build-static --show-bin-path)/textvae"

echo "== a Debian 12 root with: $packages"
if [ ! -x "$root/usr/bin/apt-get" ]; then
    debootstrap --variant=minbase --include="${packages// /,}" bookworm "$root" http://deb.debian.org/debian >"$work/debootstrap.log"
fi
install -D "$binary" "$root/usr/local/bin/textvae"
chroot "$root" id textvae >/dev/null 2>&1 || chroot "$root" useradd --system --no-create-home --shell /usr/sbin/nologin textvae

echo "== a small model for /models/model.safetensors"
python3 - >"$work/corpus.txt" <<'EOF'
import random
r = random.Random(1)
who = ["the cat", "a dog", "my friend", "the old man", "a bird"]
does = ["sees", "likes", "eats", "finds"]
what = ["the fish", "a ball", "the house", "some bread"]
for _ in range(2000):
    print(r.choice(who), r.choice(does), r.choice(what))
EOF
"$binary" train "$work/corpus.txt" -o "$work/model.safetensors" --epochs 2 --hidden 32 --embedding 16 --latent 4 --quiet --overwrite
install -D -m 644 "$work/model.safetensors" "$root/models/model.safetensors"

echo "== the server in the root, as the image starts it"
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
trap 'pkill -TERM -f "textvae serve --host 0.0.0.0 --port $port" || true; sleep 1; umount "$root/proc" || true' EXIT
eval "exec chroot --userspec=textvae:textvae \"\$root\" /usr/bin/env -i TEXTVAE_API_KEY=check-key PATH=/usr/local/bin:/usr/bin:/bin $entrypoint $cmd" \
    >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.2; done
cat "$work/serve.out"

fail() { echo "FAILED: $*"; echo "server stderr:"; cat "$work/serve.err"; exit 1; }
eval "chroot \"\$root\" $healthcheck" || fail "the HEALTHCHECK command"
echo "health check: healthy"
reply=$(curl -s -H "Authorization: Bearer check-key" -H "Content-Type: application/json" -d '{"n": 3, "seed": 1}' "http://127.0.0.1:$port/v1/sample")
[[ "$reply" == *'"sentences"'* ]] || fail "/v1/sample answered: $reply"
echo "/v1/sample: ${reply:0:120}..."
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/model")
[ "$status" = 401 ] || fail "/v1/model without the key answered $status, not 401"
echo "/v1/model without the key: 401"
kill -TERM "$server"
wait "$server" || fail "the server did not exit 0 on SIGTERM"
grep -q '"route":"/v1/sample"' "$work/serve.err" || fail "no access-log line for /v1/sample on standard error"
echo "SIGTERM: exit 0; the access log on standard error"
echo "container check passed"
