#!/usr/bin/env python3
"""The numpy baseline of `npm run bench`: the textbook vectorized CS231n code.

As in assignment 1: X is N×3073 (mean image subtracted, a bias column of ones),
W is 3073×10, and svm_loss_vectorized / softmax_loss_vectorized return
(loss, dW) with the L2 penalty reg·ΣW². The dtype (float32 or float64; the
assignment's is float64) and the default BLAS threads are the knobs.

    python3 bench/numpy_baseline.py WORKLOAD [--dtype float32|float64] [--data DIR]
        [--repeats N] [--steps N] [--tries N] [--batch B] [--seed N]

WORKLOAD: info | sgd-step | full-pass | random-search | load | e2e.
Each run prints ONE JSON line: {"workload", "dtype", "data", "blas", "metrics":
{name: {"unit", "median", "samples"}}, ...} for bench/bench.mjs to parse.
Without --data, sgd-step, full-pass and random-search run on random uint8
pixels of the real shape ("data": "random"); load and e2e need the files.
random-search --batch B scores B candidates per matrix product, X·[W1ᵀ … WBᵀ] (what a
numpy user writes once the notes' one-try loop is too slow); --batch 1 is the loop.
The Coates et al. pipeline has its own script, bench/coates_numpy.py.

Unlike the assignment's load_CIFAR10 the pixels are not transposed to H×W×C:
that serves plotting only and would make the baseline slower, not fairer.
"""
import argparse
import json
import os
import platform
import resource
import sys
import time

import numpy as np

NUM_TRAIN, NUM_VAL, NUM_TEST, NUM_DEV = 49000, 1000, 10000, 500
D, C = 3072, 10
RECORD = 1 + D
FILES = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]


# ---------------------------------------------------------------- the losses
def svm_loss_vectorized(W, X, y, reg):
    """Multiclass SVM, Δ = 1. W: (D+1, C), X: (N, D+1), y: (N,). Returns (loss, dW)."""
    n = X.shape[0]
    scores = X.dot(W)
    correct = scores[np.arange(n), y][:, None]
    margins = np.maximum(0, scores - correct + 1)
    margins[np.arange(n), y] = 0
    loss = margins.sum() / n + reg * np.sum(W * W)
    binary = (margins > 0).astype(W.dtype)
    binary[np.arange(n), y] = -binary.sum(axis=1)
    dW = X.T.dot(binary) / n + 2 * reg * W
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    """Softmax cross-entropy. W: (D+1, C), X: (N, D+1), y: (N,). Returns (loss, dW)."""
    n = X.shape[0]
    scores = X.dot(W)
    scores -= scores.max(axis=1, keepdims=True)  # shift for numerical stability
    exp = np.exp(scores)
    probs = exp / exp.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(n), y]).sum() / n + reg * np.sum(W * W)
    dscores = probs
    dscores[np.arange(n), y] -= 1
    dW = X.T.dot(dscores) / n + 2 * reg * W
    return loss, dW


LOSSES = {"svm": svm_loss_vectorized, "softmax": softmax_loss_vectorized}


def svm_data_loss(W, X, y):
    """The lecture's L(X, y, W) for random search: W is 10×3073 (lecture orientation)."""
    n = X.shape[0]
    scores = X.dot(W.T)
    correct = scores[np.arange(n), y][:, None]
    margins = np.maximum(0, scores - correct + 1)
    margins[np.arange(n), y] = 0
    return margins.sum() / n


# ------------------------------------------------------------------ the data
def load_cifar10(data_dir, dtype):
    """Read the six binary batches and preprocess like the assignment does."""
    raw = [np.fromfile(os.path.join(data_dir, f), dtype=np.uint8).reshape(-1, RECORD) for f in FILES]
    train = np.concatenate(raw[:5])
    X_tr, y_tr = train[:, 1:].astype(dtype), train[:, 0].astype(np.int64)
    X_te, y_te = raw[5][:, 1:].astype(dtype), raw[5][:, 0].astype(np.int64)
    return preprocess(X_tr, y_tr, X_te, y_te, dtype)


def preprocess(X_tr, y_tr, X_te, y_te, dtype):
    """Split 49,000 / 1,000 / test / 500 dev, subtract the mean image, append the bias."""
    X_val, y_val = X_tr[NUM_TRAIN:NUM_TRAIN + NUM_VAL], y_tr[NUM_TRAIN:NUM_TRAIN + NUM_VAL]
    X_train, y_train = X_tr[:NUM_TRAIN], y_tr[:NUM_TRAIN]
    X_test, y_test = X_te[:NUM_TEST], y_te[:NUM_TEST]
    dev = np.random.choice(NUM_TRAIN, NUM_DEV, replace=False)
    X_dev, y_dev = X_train[dev], y_train[dev]
    mean_image = np.mean(X_train, axis=0)
    X_train = X_train - mean_image
    X_val = X_val - mean_image
    X_test = X_test - mean_image
    X_dev = X_dev - mean_image
    bias = lambda X: np.hstack([X, np.ones((X.shape[0], 1), dtype=dtype)])
    return {
        "X_train": bias(X_train), "y_train": y_train, "X_val": bias(X_val), "y_val": y_val,
        "X_test": bias(X_test), "y_test": y_test, "X_dev": bias(X_dev), "y_dev": y_dev,
    }


def random_data(dtype):
    """Random pixels of the real shape, for runs without the data set (train/val only)."""
    rng = np.random.default_rng(0)
    px = rng.integers(0, 256, size=(NUM_TRAIN + NUM_VAL, D), dtype=np.uint8)
    y = rng.integers(0, C, size=NUM_TRAIN + NUM_VAL).astype(np.int64)
    return preprocess(px.astype(dtype), y, px[:0].astype(dtype), y[:0], dtype)


def get_data(args):
    if args.data:
        return load_cifar10(args.data, args.dtype), os.path.abspath(args.data)
    return random_data(args.dtype), "random"


# ---------------------------------------------------------------- the runs
def median(xs):
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def metric(unit, samples, **extra):
    return {"unit": unit, "median": median(samples), "samples": samples, **extra}


def sgd_step(W, X, y, loss_fn, lr, reg, batch):
    """One iteration of LinearClassifier.train: sample, loss + grad, update."""
    idx = np.random.choice(X.shape[0], batch, replace=True)
    loss, grad = loss_fn(W, X[idx], y[idx], reg)
    W -= lr * grad
    return loss


def run_sgd_step(args, d):
    X, y = d["X_train"], d["y_train"]
    out = {}
    for name, fn in LOSSES.items():
        W = (1e-4 * np.random.randn(D + 1, C)).astype(args.dtype)
        for _ in range(args.warmup):  # warm up caches and BLAS threads
            sgd_step(W, X, y, fn, 1e-7, 2.5e4, 200)
        samples = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            for _ in range(args.steps):
                sgd_step(W, X, y, fn, 1e-7, 2.5e4, 200)
            samples.append((time.perf_counter() - t) * 1e3 / args.steps)
        out[name] = metric("ms", samples, steps=args.steps)
    return out


def run_full_pass(args, d):
    X, y = d["X_train"], d["y_train"]
    W = (1e-4 * np.random.randn(D + 1, C)).astype(args.dtype)
    svm_loss_vectorized(W, X, y, 2.5e4)  # warm-up
    samples = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        svm_loss_vectorized(W, X, y, 2.5e4)
        samples.append((time.perf_counter() - t) * 1e3)
    return {"svm": metric("ms", samples)}


def svm_data_losses(Ws, X, y):
    """The same loss for B candidates at once: Ws is B×10×3073, one matrix product X·[W1ᵀ … WBᵀ]."""
    n, B = X.shape[0], Ws.shape[0]
    scores = X.dot(Ws.reshape(B * C, D + 1).T).reshape(n, B, C)
    correct = scores[np.arange(n), :, y][:, :, None]  # n×B×1
    margins = np.maximum(0, scores - correct + 1)
    margins[np.arange(n), :, y] = 0
    return margins.sum(axis=(0, 2)) / n


def run_random_search(args, d):
    """The notes' loop, one try per matrix product (--batch 1), or B tries per product (what a
    numpy user writes once the loop is too slow): the same tries, the same data."""
    X, y = d["X_train"], d["y_train"]
    samples, scaled = [], []
    for _ in range(args.repeats):
        t = time.perf_counter()
        bestloss, bestW = float("inf"), None
        if args.batch == 1:
            for _ in range(args.tries):
                W = (np.random.randn(C, D + 1) * 0.0001).astype(args.dtype)
                loss = svm_data_loss(W, X, y)
                if loss < bestloss:
                    bestloss, bestW = loss, W
        else:
            for first in range(0, args.tries, args.batch):
                B = min(args.batch, args.tries - first)
                Ws = (np.random.randn(B, C, D + 1) * 0.0001).astype(args.dtype)
                losses = svm_data_losses(Ws, X, y)
                k = int(np.argmin(losses))
                if losses[k] < bestloss:
                    bestloss, bestW = float(losses[k]), Ws[k]
        s = time.perf_counter() - t
        samples.append(s)
        scaled.append(s * 1000 / args.tries)
    # The figure compared is for 1,000 tries; with fewer it is scaled linearly.
    return {"svm": metric("s", scaled, tries_run=args.tries, measured_s=samples, batch=args.batch,
                          scaled_to=1000, best_loss=float(bestloss))}


def run_load(args, _d):
    samples = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        d = load_cifar10(args.data, args.dtype)
        samples.append((time.perf_counter() - t) * 1e3)
        del d
    return {"load": metric("ms", samples)}


def run_e2e(args, t0):
    """The whole assignment pipeline: load, preprocess, 1,500 SGD steps, train/val/test accuracies
    (lintrain's default run scores the same three splits)."""
    d = load_cifar10(args.data, args.dtype)
    X, y = d["X_train"], d["y_train"]
    W = (1e-4 * np.random.randn(D + 1, C)).astype(args.dtype)
    for _ in range(1500):
        sgd_step(W, X, y, svm_loss_vectorized, 1e-7, 2.5e4, 200)
    acc = lambda X_, y_: float(np.mean(np.argmax(X_.dot(W), axis=1) == y_))
    train_acc, val_acc, test_acc = acc(X, y), acc(d["X_val"], d["y_val"]), acc(d["X_test"], d["y_test"])
    wall = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"wall": metric("s", [wall]), "peak_rss": metric("MB", [rss_mb]),
            "train_acc": metric("fraction", [train_acc]), "val_acc": metric("fraction", [val_acc]),
            "test_acc": metric("fraction", [test_acc])}


# --------------------------------------------------------------- BLAS facts
def blas_info():
    """Which BLAS numpy runs and with how many threads (threadpoolctl, else ctypes)."""
    info = {"cpu_count": os.cpu_count(),
            "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                    "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}}
    try:
        from threadpoolctl import threadpool_info
        info["pools"] = [{k: p.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
                         for p in threadpool_info()]
        return info
    except ImportError:
        pass
    try:
        import ctypes
        with open("/proc/self/maps") as f:
            libs = {ln.split()[-1] for ln in f if "blas" in ln.lower() and ".so" in ln}
        for path in sorted(libs):
            lib = ctypes.CDLL(path)
            for prefix, suffix in (("scipy_openblas_", "64_"), ("scipy_openblas_", ""), ("openblas_", "64_"), ("openblas_", "")):
                if hasattr(lib, f"{prefix}get_num_threads{suffix}"):
                    core = getattr(lib, f"{prefix}get_corename{suffix}")
                    conf = getattr(lib, f"{prefix}get_config{suffix}")
                    core.restype = conf.restype = ctypes.c_char_p
                    info["pools"] = [{"internal_api": "openblas", "library": os.path.basename(path),
                                      "num_threads": getattr(lib, f"{prefix}get_num_threads{suffix}")(),
                                      "architecture": core().decode(), "config": conf().decode()}]
                    return info
    except OSError:
        pass
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    info["pools"] = [{"internal_api": blas.get("name"), "version": blas.get("version"), "num_threads": None}]
    return info


def main():
    t0 = time.perf_counter()
    p = argparse.ArgumentParser(description="numpy baseline for npm run bench")
    p.add_argument("workload", choices=["info", "sgd-step", "full-pass", "random-search", "load", "e2e"])
    p.add_argument("--dtype", choices=["float32", "float64"], default="float64")
    p.add_argument("--data", help="a cifar-10-batches-bin directory; omitted: random pixels (workloads 1-3)")
    p.add_argument("--repeats", type=int, default=3, help="timed repeats inside this process")
    p.add_argument("--steps", type=int, default=200, help="sgd-step: steps per timed repeat")
    p.add_argument("--warmup", type=int, default=100,
                   help="sgd-step: untimed steps first (npm run bench passes lintrain's count, bench/lintrain_side.mjs warmupSteps)")
    p.add_argument("--tries", type=int, default=1000, help="random-search: tries run (scaled to 1,000)")
    p.add_argument("--batch", type=int, default=1, help="random-search: candidates scored per matrix product (1: the notes' loop)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    if args.workload in ("load", "e2e") and not args.data:
        p.error(f"{args.workload} needs --data DIR (a cifar-10-batches-bin directory)")
    for name in ("repeats", "steps", "tries", "batch"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be a positive integer, got {getattr(args, name)}")
    np.random.seed(args.seed)

    out = {"workload": args.workload, "dtype": args.dtype, "numpy": np.__version__,
           "python": platform.python_version(), "blas": blas_info()}
    if args.workload == "e2e":
        out["data"] = os.path.abspath(args.data)
        out["metrics"] = run_e2e(args, t0)
    elif args.workload == "load":
        out["data"] = os.path.abspath(args.data)
        out["metrics"] = run_load(args, None)
    elif args.workload != "info":
        d, out["data"] = get_data(args)
        run = {"sgd-step": run_sgd_step, "full-pass": run_full_pass, "random-search": run_random_search}
        out["metrics"] = run[args.workload](args, d)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
