#!/usr/bin/env python3
"""Two builds of textvae against each other on the same machine, in alternation.

    python3 Tests/Scripts/bench/bench-ab.py OLD_BINARY NEW_BINARY --ptb PTB [--rounds 3] [--threads 2]

Runs `textvae bench` (training, greedy sampling, encoding on the Penn Treebank, as bench-vs-torch.py
does) with each binary in turn, then prints the median of each figure for both and the ratio new / old.
For checking that a change costs no speed: build the old version in a second work tree
(`git worktree add ../old REV && (cd ../old && swift build -c release)`). The machine is noisy: only
medians of alternating rounds mean anything, and another busy process invalidates a round.
"""
import argparse, json, os, statistics, subprocess, sys

ap = argparse.ArgumentParser()
ap.add_argument('old')
ap.add_argument('new')
ap.add_argument('--ptb', default=os.environ.get('TEXTVAE_PTB'), help='folder with train.txt and valid.txt (or TEXTVAE_PTB)')
ap.add_argument('--rounds', type=int, default=3)
ap.add_argument('--threads', type=int, default=2)
a = ap.parse_args()
if not a.ptb or not os.path.isfile(os.path.join(a.ptb, 'train.txt')):
    sys.exit('bench-ab.py: give the Penn Treebank folder (train.txt, valid.txt) with --ptb DIR or TEXTVAE_PTB')

def bench(binary):
    out = subprocess.run([binary, 'bench', '--train', os.path.join(a.ptb, 'train.txt'), '--valid', os.path.join(a.ptb, 'valid.txt'),
                          '--threads', str(a.threads)], check=True, capture_output=True, text=True).stdout
    return json.loads([l for l in out.splitlines() if l.startswith('{')][-1])

runs = {'old': [], 'new': []}
for r in range(a.rounds):
    for name in ('old', 'new'):
        result = bench(getattr(a, name))
        runs[name].append(result)
        print(f"round {r + 1} {name}: " + json.dumps({k: round(v, 1) for k, v in result.items() if isinstance(v, (int, float))}), flush=True)
print(f'\nmedians of {a.rounds} alternating rounds, {a.threads} threads:')
for key in ('train_tokens_per_s', 'sample_sentences_per_s', 'encode_sentences_per_s', 'peak_rss_mb'):
    old, new = (statistics.median(x[key] for x in runs[n]) for n in ('old', 'new'))
    print(f'  {key:24s} old {old:10.1f}   new {new:10.1f}   new/old {new / old:5.3f}')
