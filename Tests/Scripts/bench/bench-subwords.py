#!/usr/bin/env python3
"""Word against subword (byte-pair) vocabularies on one corpus: trains a model with each vocabulary on
the same split and reports, per vocabulary, what a user sees.

    swift build -c release
    python3 Tests/Scripts/bench/bench-subwords.py Corpora/wordnet-examples.txt --epochs 3
    python3 Tests/Scripts/bench/bench-subwords.py Corpora/manpages-de.txt --locale de --epochs 3

Every 20th line of the corpus is the validation file, the rest trains. For each vocabulary (words,
BPE 8k, BPE 16k unless --subwords says otherwise) the table gives: the share of <unk> among the tokens of
1,000 greedy prior samples (and of samples with any), validation NLL per sentence (importance-sampled,
-k samples) and perplexity per word (exp(sum nll / sum(words + 1)), comparable across vocabularies),
training tokens/s and sentences/s (training time only, from the metrics log), vocabulary and model size,
and tokenisation throughput (`textvae tokenize -m MODEL --file CORPUS`, MB/s, median of 3).
Runs one job at a time (the machine's cores are shared); needs only the release binary.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def run(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def vocabulary_size(path):
    """Entries of a vocabulary file (a subword one lists its merges after a line <merges>)."""
    n = 0
    for line in open(path, encoding="utf-8"):
        if line.rstrip("\n") == "<merges>":
            break
        n += 1
    return n


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("corpus")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--subwords", type=int, nargs="*", default=[8000, 16000])
    p.add_argument("--locale", default="en")
    p.add_argument("-k", type=int, default=20, help="importance samples per sentence for the NLL")
    p.add_argument("--bin", default=os.path.join(ROOT, ".build/release/textvae"))
    p.add_argument("--keep", help="folder to keep the models in (default: a temporary one)")
    p.add_argument("--reuse", action="store_true", help="with --keep: use the models already there instead of training again")
    a = p.parse_args()
    if not os.path.exists(a.bin):
        sys.exit(f"{a.bin} is missing: run 'swift build -c release' first")

    folder = a.keep or tempfile.mkdtemp(prefix="textvae-subwords-")
    os.makedirs(folder, exist_ok=True)
    with open(a.corpus, encoding="utf-8") as f:
        lines = [l for l in f.read().split("\n") if l.strip()]
    train = [l for i, l in enumerate(lines) if i % 20 != 19]
    valid = [l for i, l in enumerate(lines) if i % 20 == 19]
    train_path, valid_path = os.path.join(folder, "train.txt"), os.path.join(folder, "valid.txt")
    for path, part in [(train_path, train), (valid_path, valid)]:
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(part) + "\n")
    size_mb = os.path.getsize(a.corpus) / 1e6
    print(f"corpus {a.corpus}: {len(train)} training and {len(valid)} validation sentences, {size_mb:.2f} MB; "
          f"{a.epochs} epochs, default model sizes, -k {a.k}", flush=True)

    configs = [("words", [])] + [(f"BPE {n // 1000}k" if n % 1000 == 0 else f"BPE {n}", ["--subwords", str(n)]) for n in a.subwords]
    rows = []
    for name, extra in configs:
        model = os.path.join(folder, name.replace(" ", "-") + ".safetensors")
        if not (a.reuse and os.path.exists(model)):
            run([a.bin, "train", train_path, "--valid", valid_path, "-o", model, "--epochs", str(a.epochs), "--quiet",
                 "--locale", a.locale, "--overwrite"] + extra)
        epochs = [json.loads(l) for l in open(model.replace(".safetensors", ".metrics.jsonl")) if '"epoch"' in l]
        epochs = [e for e in epochs if e.get("kind") == "epoch"]
        seconds = sum(e["seconds"] for e in epochs)
        tokens_per_s = statistics.median(e["tokens_per_s"] for e in epochs)
        sentences_per_s = len(train) * len(epochs) / seconds
        ev = json.loads(run([a.bin, "evaluate", "-m", model, valid_path, "-k", str(a.k), "--json"]).stdout)
        samples = [json.loads(l) for l in run([a.bin, "sample", "-m", model, "-n", "1000", "--format", "jsonl"]).stdout.splitlines()]
        tokens = [t for s in samples for t in s["tokens"]]
        unk = sum(t == "<unk>" for t in tokens) / max(1, len(tokens))
        with_unk = sum("<unk>" in s["tokens"] for s in samples) / len(samples)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([a.bin, "tokenize", "-m", model, "--file", a.corpus], check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
        rows.append(dict(name=name, unk=unk, with_unk=with_unk, nll=ev["nll"], word_ppl=ev["word_ppl"], ppl=ev["ppl"],
                         tokens=ev["tokens"], words=ev["words"], tps=tokens_per_s, sps=sentences_per_s,
                         size=os.path.getsize(model) / 1e6, mbps=size_mb / statistics.median(times),
                         vocab=vocabulary_size(model.replace(".safetensors", ".vocab.txt"))))
        print(f"  {name}: done", flush=True)

    # The word model's <unk> makes its NLL cheap where a word is unknown (one token for any unknown word);
    # on the validation sentences it covers entirely, all models predict the same words.
    words_model = os.path.join(folder, "words.safetensors")
    shown = run([a.bin, "tokenize", "-m", words_model, "--file", valid_path, "--separator", " "]).stdout.splitlines()
    covered = [l for l, t in zip(valid, shown) if "<unk>" not in t.split(" ")] if len(shown) == len(valid) else []
    covered_path = os.path.join(folder, "valid-covered.txt")
    with open(covered_path, "w", encoding="utf-8") as f:
        f.write("\n".join(covered) + "\n")
    for r, (name, _) in zip(rows, configs):
        model = os.path.join(folder, name.replace(" ", "-") + ".safetensors")
        ev = json.loads(run([a.bin, "evaluate", "-m", model, covered_path, "-k", str(a.k), "--json"]).stdout)
        r["covered_nll"], r["covered_word_ppl"] = ev["nll"], ev["word_ppl"]
    print(f"\n{len(covered)} of the {len(valid)} validation sentences have no word outside the word vocabulary")
    print()
    print("| vocabulary | <unk> in samples (tokens / samples with any) | valid NLL / sentence | perplexity per word "
          "| per token | covered sentences: NLL / word perplexity | valid tokens | vocabulary | training tokens/s | sentences/s "
          "| model MB | tokenize MB/s |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        print(f"| {r['name']} | {100 * r['unk']:.2f}% / {100 * r['with_unk']:.1f}% | {r['nll']:.2f} | {r['word_ppl']:.1f} "
              f"| {r['ppl']:.1f} | {r['covered_nll']:.2f} / {r['covered_word_ppl']:.1f} | {r['tokens']:,} | {r['vocab']:,} | {r['tps']:,.0f} | {r['sps']:,.0f} | {r['size']:.1f} | {r['mbps']:.2f} |")
    print(f"\nmodels in {folder}")


if __name__ == "__main__":
    main()
