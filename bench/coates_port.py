#!/usr/bin/env python3
"""Coates, Lee & Ng (2011) end to end in numpy/scipy: kmeans_demo.m with its classifier.

The reference time of issue 16's preset (configs/kmeans-paper.json), measured on the
machine that runs lintrain, side by side. The features are bench/coates_numpy.py's
port of kmeans_demo.m, run_kmeans.m and extract_features.m (the same functions); this
script adds what the demo does after them:

  - the features of all 50,000 training and 10,000 test images (extract_features.m
    one image at a time, `--variant loop`, as theirs; or `batched`);
  - standardization of both with the training mean and sqrt(var + 0.01), a column of
    ones appended (kmeans_demo.m);
  - train_svm.m: the one-vs-all L2-SVM, loss sum_k 0.5|theta_k|^2 + C mean(margin_k^2)
    with margin = max(0, 1 - y theta'x), C = 100, the intercept not penalized (sc_vq_demo's
    copy; --penalize-bias for the others), theta from zero, minimized by minFunc's
    L-BFGS with MaxIter = MaxFunEvals = 1,000 and its default 100 corrections. scipy's
    L-BFGS-B stands in for minFunc with the same limits (maxiter, maxfun, maxcor = 100,
    gtol = 1e-5 as minFunc's optTol, ftol = 1e-9 as its progTol);
  - train and test accuracy.

    python3 bench/coates_port.py --data DIR/cifar-10-batches-bin [--centroids 1600]
        [--patches 400000] [--iters 50] [--dtype float64] [--variant loop] [--svm-iters 1000]

Prints the stage times as they end and ONE JSON line at the end. Loading is not timed.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from coates_numpy import (  # noqa: E402
    DIM, RECORD, STD_EPS, TRAIN_FILES, extract_batched, extract_loop, load_train, normalize_inplace,
    run_kmeans, sample_patches, whiten_fit_apply)
from numpy_baseline import blas_info  # noqa: E402


def load_labels_and_test(data_dir):
    """Training labels, the 10,000 test images (N, 3, 32, 32) and their labels."""
    train_y = np.concatenate([np.fromfile(os.path.join(data_dir, f), dtype=np.uint8).reshape(-1, RECORD)[:, 0]
                              for f in TRAIN_FILES]).astype(np.int64)
    raw = np.fromfile(os.path.join(data_dir, "test_batch.bin"), dtype=np.uint8).reshape(-1, RECORD)
    return train_y, np.ascontiguousarray(raw[:, 1:]).reshape(-1, 3, 32, 32), raw[:, 0].astype(np.int64)


def train_svm(X, y, C, iters, penalize_bias=False):
    """train_svm.m: one-vs-all squared hinge; the intercept (theta's last row, the ones column's)
    is left out of the penalty, as sc_vq_demo's "adjust for intercept term" does (other copies
    of the file penalize it: penalize_bias)."""
    m, n = X.shape
    k = int(y.max()) + 1
    Y = np.where(y[:, None] == np.arange(k)[None, :], 1.0, -1.0).astype(X.dtype)   # 2*(y==ypos)-1
    evals = [0]

    def loss_grad(w):
        evals[0] += 1
        theta = w.reshape(n, k).astype(X.dtype, copy=False)
        margin = np.maximum(0, 1 - Y * (X @ theta))
        loss = 0.5 * float(np.sum(theta.astype(np.float64) ** 2)) + C * float(np.sum(margin.astype(np.float64) ** 2)) / m
        g = theta - (2 * C / m) * (X.T @ (margin * Y))
        if not penalize_bias:
            loss -= 0.5 * float(np.sum(theta[-1].astype(np.float64) ** 2))
            g[-1] -= theta[-1]
        return loss, g.astype(np.float64).ravel()

    r = minimize(loss_grad, np.zeros(n * k), jac=True, method="L-BFGS-B",
                 options={"maxiter": iters, "maxfun": iters, "maxcor": 100, "gtol": 1e-5, "ftol": 1e-9})
    return r.x.reshape(n, k), {"iterations": int(r.nit), "evaluations": evals[0], "loss": float(r.fun),
                               "message": str(r.message)}


def main():
    p = argparse.ArgumentParser(description="Coates et al. (2011) kmeans_demo.m end to end, numpy/scipy")
    p.add_argument("--data", required=True, help="a cifar-10-batches-bin directory")
    p.add_argument("--centroids", type=int, default=1600)
    p.add_argument("--patches", type=int, default=400000)
    p.add_argument("--iters", type=int, default=50, help="k-means iterations")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float64", help="MATLAB's is double")
    p.add_argument("--variant", choices=["loop", "batched"], default="loop", help="extraction (see coates_numpy.py)")
    p.add_argument("--block", type=int, default=32)
    p.add_argument("--svm-iters", type=int, default=1000)
    p.add_argument("--C", type=float, default=100.0)
    p.add_argument("--penalize-bias", action="store_true", help="as some copies of train_svm.m do")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    Xtrain = load_train(args.data)
    train_y, Xtest, test_y = load_labels_and_test(args.data)
    dt = np.dtype(args.dtype)
    rng = np.random.default_rng(args.seed)
    times = {}

    def lap(name, t0):
        times[name] = time.perf_counter() - t0
        print(f"[coates-port] {name}: {times[name]:.1f} s", file=sys.stderr, flush=True)
        return time.perf_counter()

    t = time.perf_counter()
    patches = normalize_inplace(sample_patches(Xtrain, args.patches, rng, dt))
    patches, M, P = whiten_fit_apply(patches)
    init = (rng.standard_normal((args.centroids, DIM)) * 0.1).astype(dt)
    centroids, losses = run_kmeans(patches, args.centroids, args.iters, init)
    del patches
    t = lap("kmeans", t)   # patches, normalization, whitening and k-means, as the 148 s
    extract = (lambda X: extract_loop(X, centroids, M, P)) if args.variant == "loop" else \
        (lambda X: extract_batched(X, centroids, M, P, args.block))
    train_xc = extract(Xtrain)
    test_xc = extract(Xtest)
    t = lap("extract", t)
    # kmeans_demo.m: xc_mean, xc_sd = sqrt(var(trainXC) + 0.01) of the training features,
    # applied to both splits, then a column of ones
    mean = train_xc.mean(axis=0)
    train_xc -= mean
    sd = np.sqrt(np.einsum("ij,ij->j", train_xc, train_xc) / (train_xc.shape[0] - 1) + STD_EPS).astype(dt)
    train_xc /= sd
    test_xc -= mean
    test_xc /= sd
    train_xc = np.hstack([train_xc, np.ones((train_xc.shape[0], 1), dtype=dt)])
    test_xc = np.hstack([test_xc, np.ones((test_xc.shape[0], 1), dtype=dt)])
    t = lap("standardize", t)
    theta, svm = train_svm(train_xc, train_y, args.C, args.svm_iters, args.penalize_bias)
    t = lap("svm", t)
    train_acc = float(np.mean(np.argmax(train_xc @ theta, axis=1) == train_y))
    test_acc = float(np.mean(np.argmax(test_xc @ theta, axis=1) == test_y))
    times["total"] = sum(times.values())
    print(json.dumps({
        "workload": "coates-port", "settings": {k: getattr(args, k) for k in
                                                ("centroids", "patches", "iters", "dtype", "variant", "svm_iters", "C",
                                                 "penalize_bias", "seed")},
        "blas": blas_info(), "seconds": {k: round(v, 2) for k, v in times.items()},
        "svm": svm, "kmeans_loss_last": losses[-1], "train_acc": train_acc, "test_acc": test_acc}))


if __name__ == "__main__":
    main()
