#!/usr/bin/env bash
# Checks the Python loader (Sources/Python/textvae.py) against textvae itself, on five small models it trains:
#   words  word vocabulary, icu tokenizer
#   cls3   word vocabulary, whitespace tokenizer, --classes 3 --latent-to-inputs
#   tied   word vocabulary, icu tokenizer, --tie-embeddings (E = H = 64: the output layer is the embedding)
#   bi     word vocabulary, icu tokenizer, --bidirectional --classes 3 (PyTorch's bidirectional nn.GRU encoder)
#   bpe    subword vocabulary (--vocab-type bpe --subwords 60), icu tokenizer, --latent-to-inputs
# each E 32 (tied: 64), H 64, Z 8, 2 epochs on 1,500 sentences of `textvae grammar` (10-20 s each with a debug build).
# With the debug build and the default K = 100 the whole check takes about two minutes on one core.
# For each model it compares, on 120 held-out grammar sentences plus awkward lines (a 70-token line, unknown
# words, capitals, a literal <unk>, control characters, blank lines, characters the model never saw):
#   - token ids: Python's word lookup / byte-pair encoding / whitespace tokenizer against `textvae tokenize -m`;
#   - per sentence: Python's score (rec at z = mu, kl, tokens) against `textvae score --format jsonl`, |diff| <= 1e-3;
#   - evaluate with textvae's own random numbers (rng='textvae', same --seed): rec, kl, kl_c, nelbo, nll, nll_se,
#     ppl, mi within 1e-3 (they are the same draws, so only float rounding differs), au equal;
#   - evaluate with torch's random numbers (rng='torch', another seed): kl within 1e-3 (no sampling), nelbo within
#     4 sqrt(2) rec_se (+1e-3) and nll within 4 sqrt(se_textvae^2 + se_python^2) (+1e-3): 4 standard errors of the
#     difference of two independent estimates, so a correct loader fails about once in 16,000 runs per figure.
# Prints a PASS/FAIL table; exits 1 if any check fails. For engineers; CI does not run it (it needs torch).
#
#   Tests/Scripts/ci/python-loader-check.sh                      # the debug build, a fresh temporary folder
#   TEXTVAE=.build/release/textvae K=500 Tests/Scripts/ci/python-loader-check.sh
#   WORK=DIR Tests/Scripts/ci/python-loader-check.sh             # files in DIR; models already there are reused
# Needs python3 with numpy and torch (pip install torch==2.13.0+cpu numpy).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
TEXTVAE="${TEXTVAE:-$root/.build/debug/textvae}"
WORK="${WORK:-$(mktemp -d -t python-loader-check.XXXXXX)}"
K="${K:-100}"                         # importance samples per sentence for evaluate
THREADS="${THREADS:-1}"
LOADER="$root/Sources/Python/textvae.py"
[ -x "$TEXTVAE" ] || { echo "no textvae executable at $TEXTVAE (set TEXTVAE=...)" >&2; exit 2; }
python3 -c 'import numpy, torch' 2>/dev/null || { echo "python3 needs numpy and torch: pip install torch==2.13.0+cpu numpy" >&2; exit 2; }
mkdir -p "$WORK"
cd "$WORK"
start=$(date +%s)
exec 3>&2                             # the commands' echo, past their own redirections
run() { printf '+' >&3; printf ' %q' "$@" >&3; printf '\n' >&3; "$@"; }

# ---------------------------------------------------------------- data
[ -f corpus.txt ] || run "$TEXTVAE" grammar -n 1500 --seed 1 -o corpus.txt >/dev/null
if [ ! -f eval.txt ]; then
    run "$TEXTVAE" grammar -n 120 --seed 7 -o held-out.txt >/dev/null
    python3 - <<'EOF'
long = ' '.join(['the teacher likes a robot behind the happy dog .'] * 7)          # 70 tokens > max_length 60
extra = [long, 'a zebra sings loudly near the robot .', 'The Teacher Likes A Robot .', '<unk> robot chases <eos> .',
         '', '   \t ', 'the\x07dog sees a \x1b[1mrobot\x1b[0m .', 'a naïve robot chases the café owner 🇩🇪 .',
         'q\u0303uiet farmer 👨\u200d👩\u200d👧 likes 👍🏽 dogs', 'क्षि हिन्दी 한국어 e\u0301t\u00e9 robot',
         'robot\u2581farmer 我喜欢自然语言处理 x\u0308\u0301y ❤\ufe0f ok']
with open('held-out.txt', encoding='utf-8') as f:
    lines = f.read().split('\n')[:-1]
with open('eval.txt', 'w', encoding='utf-8', newline='\n') as f:
    f.writelines(l + '\n' for l in lines[:60] + extra + lines[60:])
EOF
fi

# ---------------------------------------------------------------- models
train() {  # name, extra options
    local name=$1; shift
    [ -f "$name.safetensors" ] && return 0
    run "$TEXTVAE" train corpus.txt -o "$name.safetensors" --embedding 32 --hidden 64 --latent 8 --epochs 2 \
        --threads "$THREADS" --seed 0 --overwrite -q "$@" >"$name.train.log" 2>&1 || { cat "$name.train.log" >&2; exit 1; }
}
train words
train cls3 --tokenizer whitespace --classes 3 --latent-to-inputs
train bpe --vocab-type bpe --subwords 60 --latent-to-inputs
train tied --tie-embeddings --embedding 64
train bi --bidirectional --classes 3

# ---------------------------------------------------------------- textvae's figures
for m in words cls3 bpe tied bi; do
    run "$TEXTVAE" score -m $m.safetensors eval.txt --format jsonl --threads "$THREADS" >$m.score.jsonl 2>$m.score.err
    run "$TEXTVAE" evaluate -m $m.safetensors eval.txt --format json -k "$K" --seed 0 --threads "$THREADS" >$m.eval.json 2>$m.eval.err
    run "$TEXTVAE" tokenize -m $m.safetensors --file eval.txt --separator $'\x1f' >$m.pieces.txt
done
# The words of the icu tokenizer (the settings of the words and bpe models: icu, en, lower-cased), for Python's
# own word lookup and byte-pair encoding.
run "$TEXTVAE" tokenize --file eval.txt --separator $'\x1f' >icu-words.txt

# ---------------------------------------------------------------- compare
set +e
LOADER="$LOADER" TEXTVAE="$TEXTVAE" K="$K" THREADS="$THREADS" python3 - <<'EOF'
import json, math, os, sys, time
sys.path.insert(0, os.path.dirname(os.environ['LOADER']))
import torch
import textvae

torch.set_num_threads(int(os.environ['THREADS']))
K = int(os.environ['K'])
rows, failed = [], 0


def check(model, what, ref, ours, tol=None, ok=None, note=''):
    global failed
    if ok is None:
        diff = abs(ref - ours)
        ok = diff <= tol
        shown = (f'{ref:.6f}', f'{ours:.6f}', f'{diff:.2e}', f'{tol:.1e}')
    else:
        shown = (str(ref), str(ours), '', '')
    failed += not ok
    rows.append((model, what) + shown + ('PASS' if ok else 'FAIL', note))


def split_rows(path):
    with open(path, encoding='utf-8') as f:
        return [l.split('\x1f') for l in f.read().split('\n')[:-1]]


lines = textvae.read_lines('eval.txt')
icu_words = split_rows('icu-words.txt')
timing = {}
for name in ('words', 'cls3', 'bpe', 'tied', 'bi'):
    t0 = time.time()
    m = textvae.load(f'{name}.safetensors')
    ref_ids = [m.vocab.piece_ids(p) for p in split_rows(f'{name}.pieces.txt')]
    # Token ids: textvae tokenize -m is the reference; Python computes them itself where it can.
    if m.tokenizer.name == 'whitespace':
        ours = [s for s in m.ids_from_lines(lines) if s is not None]
        what = 'ids: whitespace tokenizer + lookup'
    else:
        ours = [m.ids(w) for w in icu_words]
        what = 'ids: BPE of icu words' if m.vocab.subwords else 'ids: word lookup of icu words'
    same = sum(a == b for a, b in zip(ref_ids, ours))
    check(name, what, f'{len(ref_ids)} sentences', f'{same} equal', ok=len(ours) == len(ref_ids) == same)
    via = m.ids_from_textvae(lines, os.environ['TEXTVAE'])       # the helper: aligned with the lines, None = skipped
    skipped = [i + 1 for i, s in enumerate(via) if s is None]
    check(name, 'ids_from_textvae (skips blank lines)', f'{len(ref_ids)} sentences', f'skipped lines {skipped}',
          ok=[s for s in via if s is not None] == ref_ids and len(via) == len(lines)
          and skipped == [i + 1 for i, l in enumerate(lines) if textvae.is_blank(l)])
    ids = [s[:textvae.LONGEST] for s in ref_ids]
    # score: deterministic, sentence by sentence.
    with open(f'{name}.score.jsonl') as f:
        tv = [json.loads(l) for l in f if l.startswith('{')]
    py = m.score(ids)
    check(name, 'score: sentences', len(tv), len(py), ok=len(tv) == len(py))
    check(name, 'score: tokens (T+1) all equal', sum(d['tokens'] for d in tv), sum(d['tokens'] for d in py),
          ok=[d['tokens'] for d in tv] == [d['tokens'] for d in py])
    for key in ('rec', 'kl'):
        worst = max(range(len(tv)), key=lambda i: abs(tv[i][key] - py[i][key]))
        check(name, f'score: {key} (largest |diff|, line {worst + 1})', tv[worst][key], py[worst][key], 1e-3)
    # evaluate with textvae's random numbers: the same draws.
    with open(f'{name}.eval.json') as f:
        ev = json.load(f)
    r = m.evaluate(ids, k=K, seed=0, rng='textvae')
    for key in ('rec', 'kl', 'kl_c', 'nelbo', 'nll', 'nll_se', 'ppl', 'mi'):
        if key in ev or key in r:
            check(name, f"evaluate rng=textvae: {key}", ev.get(key, float('nan')), r.get(key, float('nan')), 1e-3)
    for key in ('sentences', 'tokens', 'au', 'words'):
        check(name, f'evaluate rng=textvae: {key}', ev[key], r[key], ok=ev[key] == r[key])
    # evaluate with torch's random numbers: the sampled figures agree statistically.
    t = m.evaluate(ids, k=K, seed=1, rng='torch')
    check(name, 'evaluate rng=torch: kl', ev['kl'], t['kl'], 1e-3)
    check(name, 'evaluate rng=torch: nelbo', ev['nelbo'], t['nelbo'], 4 * math.sqrt(2) * t['rec_se'] + 1e-3,
          note=f"4·√2·rec_se, rec_se {t['rec_se']:.3f}")
    se = math.sqrt(ev['nll_se'] ** 2 + t['nll_se'] ** 2)
    check(name, 'evaluate rng=torch: nll', ev['nll'], t['nll'], 4 * se + 1e-3, note=f'4·√(se_tv²+se_py²), se {se:.3f}')
    timing[name] = time.time() - t0

w = [max(len(str(r[i])) for r in rows + [('model', 'check', 'textvae', 'python', '|diff|', 'tolerance', 'result', 'note')])
     for i in range(8)]
header = ('model', 'check', 'textvae', 'python', '|diff|', 'tolerance', 'result', 'note')
print('  '.join(h.ljust(w[i]) for i, h in enumerate(header)).rstrip())
print('  '.join('-' * w[i] for i in range(8)).rstrip())
for r in rows:
    print('  '.join(str(v).ljust(w[i]) for i, v in enumerate(r)).rstrip())
print(f"\n{len(rows) - failed} of {len(rows)} checks passed; {failed} failed. k = {K}. "
      f"Python time per model: {', '.join(f'{n} {s:.1f} s' for n, s in timing.items())}")
print('PASS' if failed == 0 else 'FAIL')
sys.exit(1 if failed else 0)
EOF
status=$?
set -e
echo "files in $WORK; $(( $(date +%s) - start )) s in all"
exit $status
