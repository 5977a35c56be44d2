#!/usr/bin/env python3
"""Engineers' measurement helper for the label experiments (Tests/Scripts/experiments/labels-experiment.sh); numpy only.

  label-probe.py linear TRAIN_MU.npy TRAIN_LABELS TEST_MU.npy TEST_LABELS
      a linear (softmax-regression) classifier on posterior means μ: trained on TRAIN, accuracy on TEST.
"""
import sys

import numpy as np


def linear(train_mu, train_labels, test_mu, test_labels):
    x, xt = np.load(train_mu).astype(np.float64), np.load(test_mu).astype(np.float64)
    y_names = [l.rstrip("\n") for l in open(train_labels, encoding="utf-8")]
    t_names = [l.rstrip("\n") for l in open(test_labels, encoding="utf-8")]
    names = sorted(set(y_names))
    index = {n: i for i, n in enumerate(names)}
    y, yt = np.array([index[n] for n in y_names]), np.array([index.get(n, -1) for n in t_names])
    mean, std = x.mean(0), x.std(0) + 1e-6
    x, xt = (x - mean) / std, (xt - mean) / std
    x, xt = np.hstack([x, np.ones((len(x), 1))]), np.hstack([xt, np.ones((len(xt), 1))])
    w = np.zeros((x.shape[1], len(names)))
    onehot = np.eye(len(names))[y]
    for _ in range(2000):  # full-batch gradient descent on the mean cross-entropy, a little L2
        logits = x @ w
        logits -= logits.max(1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(1, keepdims=True)
        w -= 0.5 * (x.T @ (p - onehot) / len(x) + 1e-4 * w)
    predicted = (xt @ w).argmax(1)
    known = yt >= 0
    print(f"linear classifier on μ: accuracy {100 * (predicted[known] == yt[known]).mean():.2f}% "
          f"on {known.sum()} test sentences (trained on {len(x)})")


if __name__ == "__main__":
    if sys.argv[1:2] == ["linear"] and len(sys.argv) == 6:
        linear(*sys.argv[2:])
    else:
        sys.exit(__doc__)
