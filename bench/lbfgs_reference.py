#!/usr/bin/env python3
"""The reference for `lintrain train --opt lbfgs`: the same objective, minimized by
scipy's L-BFGS-B (no bounds), in float64. Not a dependency of lintrain: a check of it.

    python3 bench/lbfgs_reference.py --data /tmp/lt-data/cifar-10-batches-bin \
        --num-train 49000 --reg 10 --iters 300

The data exactly as lintrain cuts it (src/data/preprocess.ts): train = the first
num_train records of data_batch_1..5, val = the last num_val, test = the first
num_test of test_batch; the mean image of the training split, rounded to float32 as
lintrain stores it, is subtracted and a constant 1 appended (bias last). W is
C x (D+1); the objective is the mean softmax cross-entropy plus reg * sum(W[:, :D]**2),
the bias column unregularized (lintrain's default, --reg-bias false).
"""
import argparse
import os
import time

import numpy as np
from scipy.optimize import minimize

D = 3072
C = 10


def read_batch(path):
    raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 1 + D)
    return raw[:, 1:], raw[:, 0].astype(np.int64)


def load(data, num_train, num_val, num_test):
    parts = [read_batch(os.path.join(data, f"data_batch_{i}.bin")) for i in range(1, 6)]
    px = np.concatenate([p for p, _ in parts])
    lab = np.concatenate([l for _, l in parts])
    tpx, tlab = read_batch(os.path.join(data, "test_batch.bin"))
    n = len(lab)
    train = (px[:num_train], lab[:num_train])
    val = (px[n - num_val :], lab[n - num_val :])
    test = (tpx[:num_test], tlab[:num_test])
    mean = (train[0].sum(axis=0, dtype=np.float64) / num_train).astype(np.float32).astype(np.float64)

    def features(split):
        x = split[0].astype(np.float64) - mean
        return np.hstack([x, np.ones((len(x), 1))]), split[1]

    return features(train), features(val), features(test)


def objective(w, X, y, reg):
    """Mean softmax loss + reg * sum of squares of W without its bias column; and its gradient."""
    W = w.reshape(C, D + 1)
    S = X @ W.T
    S -= S.max(axis=1, keepdims=True)
    logP = S - np.log(np.exp(S).sum(axis=1, keepdims=True))  # log-softmax: finite even on a long trial step
    P = np.exp(logP)
    n = len(y)
    loss = -logP[np.arange(n), y].mean()
    P[np.arange(n), y] -= 1
    dW = (P.T @ X) / n
    loss += reg * np.sum(W[:, :D] ** 2)
    dW[:, :D] += 2 * reg * W[:, :D]
    return loss, dW.ravel()


def accuracy(W, split):
    X, y = split
    return float(np.mean(np.argmax(X @ W.T, axis=1) == y))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="data/cifar-10-batches-bin")
    ap.add_argument("--num-train", type=int, default=49000)
    ap.add_argument("--num-val", type=int, default=1000)
    ap.add_argument("--num-test", type=int, default=10000)
    ap.add_argument("--reg", type=float, default=10.0)
    ap.add_argument("--iters", type=int, default=300)
    a = ap.parse_args()
    train, val, test = load(a.data, a.num_train, a.num_val, a.num_test)
    w0 = np.zeros(C * (D + 1))
    t0 = time.perf_counter()
    r = minimize(
        objective,
        w0,
        args=(train[0], train[1], a.reg),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": a.iters, "maxcor": 10, "gtol": 1e-10, "ftol": 1e-15},
    )
    sec = time.perf_counter() - t0
    W = r.x.reshape(C, D + 1)
    print(f"scipy L-BFGS-B: {r.nit} iterations, {r.nfev} evaluations, {sec:.1f} s ({r.message})")
    print(f"objective {r.fun:.10f}  |grad| {np.linalg.norm(r.jac):.3e}")
    print(f"train {accuracy(W, train):.4f}  val {accuracy(W, val):.4f}  test {accuracy(W, test):.4f}")


if __name__ == "__main__":
    main()
