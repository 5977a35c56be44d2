#!/usr/bin/env python3
"""Compares textvae's per-sentence scores with the PyTorch reference's on the same model file.

    python3 Tests/Scripts/experiments/crosscheck-torch.py MODEL.safetensors SENTENCES.txt [--textvae .build/release/textvae]
    python3 Tests/Scripts/experiments/crosscheck-torch.py MODEL.safetensors --ptb PTB      # SENTENCES = PTB/valid.txt

Runs `textvae score` and `svae.py score --json` (Tests/Reference/svae.py, needs torch: see
Tests/Reference/README.md), and prints the largest relative differences of rec and kl. Sentences longer than the
model's max length are left out (textvae cuts them, as the TextToTokens article in Sources/TextVAE/TextVAE.docc
says; the reference never cuts). Without SENTENCES, the Penn Treebank's valid.txt is scored: PTB is the folder
that holds it (textvae does not ship it), given with --ptb or the TEXTVAE_PTB environment variable.
For engineers; the test suite never needs Python.
"""
import argparse, json, os, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('model'); ap.add_argument('sentences', nargs='?', help='sentences to score (default: PTB/valid.txt)')
ap.add_argument('--ptb', metavar='DIR', default=os.environ.get('TEXTVAE_PTB') or None,
                help='folder with the Penn Treebank valid.txt, scored when SENTENCES is not given (default: $TEXTVAE_PTB)')
ap.add_argument('--textvae', default=os.path.join(here, '../../../.build/release/textvae'))
ap.add_argument('--reference', default=os.path.normpath(os.path.join(here, '../../Reference/svae.py')))
ap.add_argument('--max-len', type=int, default=60)
a = ap.parse_args()
if a.sentences is None:
    if not a.ptb:
        ap.error('what should be scored? Give SENTENCES, or the Penn Treebank folder (its valid.txt is scored) with '
                 '--ptb DIR or the TEXTVAE_PTB environment variable; textvae does not ship the Penn Treebank')
    a.sentences = os.path.join(a.ptb, 'valid.txt')
    if not os.path.isfile(a.sentences):
        ap.error(f'{a.sentences} does not exist: --ptb (or TEXTVAE_PTB) must name the folder that holds the Penn '
                 'Treebank valid.txt')

lines = [l for l in open(a.sentences, encoding='utf-8').read().split('\n') if l.split()]
kept = [l for l in lines if len(l.split()) <= a.max_len]
with tempfile.NamedTemporaryFile('w', suffix='.txt', delete=False, encoding='utf-8') as f:
    f.write('\n'.join(kept) + '\n')
ours = [json.loads(l) for l in subprocess.run([a.textvae, 'score', '-m', a.model, f.name], check=True,
        capture_output=True, text=True).stdout.splitlines() if l.startswith('{')]
theirs = [json.loads(l) for l in subprocess.run([sys.executable, a.reference, 'score', '-m', a.model, f.name, '--json'],
          check=True, capture_output=True, text=True).stdout.splitlines() if l.startswith('{"rec"')]
os.unlink(f.name)
assert len(ours) == len(theirs) == len(kept), (len(ours), len(theirs), len(kept))
worst = {k: max(abs(o[k] - t[k]) / max(abs(t[k]), 1e-6) for o, t in zip(ours, theirs)) for k in ('rec', 'kl')}
assert all(o['tokens'] == t['tokens'] for o, t in zip(ours, theirs)), 'token counts differ'
mean = lambda xs: sum(xs) / len(xs)
print(f"{len(kept)} sentences (of {len(lines)}; longer than {a.max_len} tokens left out)")
for k in ('rec', 'kl'):
    print(f"{k}: textvae mean {mean([o[k] for o in ours]):.6f}  reference mean {mean([t[k] for t in theirs]):.6f}  "
          f"largest relative difference {worst[k]:.2e}")
print('AGREE to 1e-4' if max(worst.values()) <= 1e-4 else 'DISAGREE beyond 1e-4')
sys.exit(0 if max(worst.values()) <= 1e-4 else 1)
