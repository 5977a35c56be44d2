#!/usr/bin/env python3
"""textvae against the PyTorch reference on the same machine, in alternation.

    python3 Tests/Scripts/bench/bench-vs-torch.py --ptb PTB [--rounds 3] [--threads 2]

PTB is the folder that holds the Penn Treebank's train.txt and valid.txt (one sentence per line, already
tokenised); textvae does not ship it. Give it with --ptb or the TEXTVAE_PTB environment variable.

Each round runs `textvae bench` then the PyTorch reference's `bench` (Tests/Reference/svae.py; needs
`pip install torch==2.13.0+cpu numpy`, see Tests/Reference/README.md), both on PTB/train.txt and
PTB/valid.txt with the default sizes, and then times `textvae sample -n 1` (start-up: load the model,
decode one sentence) ten times.
Each `bench` samples from the model it trained itself, and the two models differ (different random
numbers), so their greedy sentences differ in length. For a like-for-like figure, each round also
decodes 1,000 prior samples from textvae's bench model with both: `textvae sample -n 1000` and the
reference's own `SVAE.greedy` (batches of 100, as its bench), and counts the tokens each emitted.
Prints every JSON line, then the median of each figure and the ratio textvae / PyTorch.
Run it on an idle machine: another busy process halves what a second thread gains.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.normpath(os.path.join(here, '../../..'))
reference_dir = os.path.normpath(os.path.join(here, '../../Reference'))  # Tests/Reference: the PyTorch reference, svae.py
ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('--ptb', metavar='DIR', default=os.environ.get('TEXTVAE_PTB') or None,
                help='folder with the Penn Treebank train.txt and valid.txt (default: $TEXTVAE_PTB)')
ap.add_argument('--rounds', type=int, default=3)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--textvae', default=os.path.join(root, '.build/release/textvae'))
a = ap.parse_args()
if not a.ptb:
    ap.error('where is the Penn Treebank? Give its folder (with train.txt and valid.txt) with --ptb DIR '
             'or the TEXTVAE_PTB environment variable; textvae does not ship it')
train, valid = os.path.join(a.ptb, 'train.txt'), os.path.join(a.ptb, 'valid.txt')
for path in (train, valid):
    if not os.path.isfile(path):
        ap.error(f'{path} does not exist: --ptb (or TEXTVAE_PTB) must name the folder that holds the Penn Treebank '
                 'train.txt and valid.txt')
work = tempfile.mkdtemp(prefix='textvae-bench-')
model = os.path.join(work, 'bench.safetensors')

# The reference's greedy decoding timed on a given model file (textvae's bench model).
TORCH_SAME_MODEL = r'''
import json, sys, time, torch
sys.path.insert(0, sys.argv[1])
import svae
torch.set_num_threads(int(sys.argv[3]))
model, itos = svae.load_model(sys.argv[2])
zs = torch.randn(1000, model.hidden2mean.out_features, generator=torch.Generator().manual_seed(0))
tokens = 0
t0 = time.perf_counter()
for i in range(0, 1000, 100):
    out = model.greedy(zs[i:i + 100], 60)
    for row in out.tolist():
        tokens += row.index(svae.EOS) + 1 if svae.EOS in row else len(row)
seconds = time.perf_counter() - t0
print(json.dumps(dict(sample_sentences_per_s=1000 / seconds, sample_tokens=tokens)))
'''

def textvae_same_model(path):
    """sentences/s and emitted tokens (words + <eos>) of `textvae sample -n 1000` on the model."""
    run = subprocess.run([a.textvae, 'sample', '-m', path, '-n', '1000', '--format', 'jsonl', '--verbose', '--threads',
                          str(a.threads)], check=True, capture_output=True, text=True)
    tokens = sum(len(json.loads(l)['tokens']) + 1 for l in run.stdout.splitlines() if l.startswith('{'))
    rate = float(run.stderr.split('sentences/s')[0].split('(')[-1])
    return dict(sample_sentences_per_s=rate, sample_tokens=tokens)

def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads([l for l in out.splitlines() if l.startswith('{')][-1])

ours, theirs, startup, same_ours, same_theirs = [], [], [], [], []
for r in range(a.rounds):
    ours.append(run_json([a.textvae, 'bench', '--train', train, '--valid', valid, '--threads', str(a.threads), '--save', model]))
    print('textvae ', json.dumps(ours[-1]), flush=True)
    theirs.append(run_json([sys.executable, os.path.join(reference_dir, 'svae.py'), 'bench', '--train', train, '--valid', valid,
                            '--threads', str(a.threads)]))
    print('torch   ', json.dumps(theirs[-1]), flush=True)
    same_ours.append(textvae_same_model(model))
    same_theirs.append(run_json([sys.executable, '-c', TORCH_SAME_MODEL, reference_dir, model, str(a.threads)]))
    print('same model: textvae', json.dumps(same_ours[-1]), ' torch', json.dumps(same_theirs[-1]), flush=True)
    for _ in range(10):
        t = time.perf_counter()
        subprocess.run([a.textvae, 'sample', '-m', model, '-n', '1'], check=True, capture_output=True)
        startup.append(time.perf_counter() - t)

print(f'\nmedians of {a.rounds} alternating rounds, {a.threads} threads:')
for key in ('train_tokens_per_s', 'train_sentences_per_s', 'sample_sentences_per_s', 'encode_sentences_per_s'):
    o = [x[key] for x in ours if key in x]
    t = [x[key] for x in theirs if key in x]
    if o and t:
        mo, mt = statistics.median(o), statistics.median(t)
        print(f'  {key:24s} textvae {mo:10.1f}   torch {mt:10.1f}   ratio {mo / mt:5.2f}')
mo = statistics.median(x['sample_sentences_per_s'] for x in same_ours)
mt = statistics.median(x['sample_sentences_per_s'] for x in same_theirs)
print(f'  greedy sampling, textvae\'s bench model (tokens {same_ours[-1]["sample_tokens"]} vs {same_theirs[-1]["sample_tokens"]}):')
print(f'  {"sample_sentences_per_s":24s} textvae {mo:10.1f}   torch {mt:10.1f}   ratio {mo / mt:5.2f}')
print(f'  start-up (sample -n 1)   textvae {1000 * statistics.median(startup):.1f} ms (median of {len(startup)})')
print(f'  peak RSS in bench        textvae {statistics.median(x["peak_rss_mb"] for x in ours):.0f} MB')
