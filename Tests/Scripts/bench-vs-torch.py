#!/usr/bin/env python3
"""textvae against the PyTorch reference on the same machine, in alternation.

    python3 Tests/Scripts/bench-vs-torch.py [--rounds 3] [--threads 2]

Each round runs `textvae bench` then `svae.py bench` (../shared/bench/torch_ref; needs
`pip install torch==2.13.0+cpu numpy`), both on ../shared/corpora/ptb with the default sizes, and
then times `textvae sample -n 1` (start-up: load the model, decode one sentence) ten times.
Prints every JSON line, then the median of each figure and the ratio textvae / PyTorch.
Run it on an idle machine: another busy process halves what a second thread gains.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.normpath(os.path.join(here, '../..'))
shared = os.path.normpath(os.path.join(root, '../shared'))
ap = argparse.ArgumentParser()
ap.add_argument('--rounds', type=int, default=3)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--textvae', default=os.path.join(root, '.build/release/textvae'))
a = ap.parse_args()
train, valid = f'{shared}/corpora/ptb/train.txt', f'{shared}/corpora/ptb/valid.txt'
work = tempfile.mkdtemp(prefix='textvae-bench-')
model = os.path.join(work, 'bench.safetensors')

def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads([l for l in out.splitlines() if l.startswith('{')][-1])

ours, theirs, startup = [], [], []
for r in range(a.rounds):
    ours.append(run_json([a.textvae, 'bench', '--train', train, '--valid', valid, '--threads', str(a.threads), '--save', model]))
    print('textvae ', json.dumps(ours[-1]), flush=True)
    theirs.append(run_json([sys.executable, f'{shared}/bench/torch_ref/svae.py', 'bench', '--train', train, '--valid', valid,
                            '--threads', str(a.threads)]))
    print('torch   ', json.dumps(theirs[-1]), flush=True)
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
print(f'  start-up (sample -n 1)   textvae {1000 * statistics.median(startup):.1f} ms (median of {len(startup)})')
print(f'  peak RSS in bench        textvae {statistics.median(x["peak_rss_mb"] for x in ours):.0f} MB')
