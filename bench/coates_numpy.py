#!/usr/bin/env python3
"""The numpy baseline of the kmeans-pipeline workload: Coates, Lee & Ng (2011).

A port of the feature-learning pipeline of "An Analysis of Single-Layer
Networks in Unsupervised Feature Learning" as Adam Coates' MATLAB demo does it
(sc_vq_demo: kmeans_demo.m, run_kmeans.m, extract_features.m), at the demo's
constants: 6x6 receptive fields, contrast normalization (x - mean) /
sqrt(var + 10) per patch (var with N-1), ZCA whitening (cov, eig, eps 0.1),
k-means from randn(k, d) * 0.1 in batches of 1,000 with empty clusters zeroed,
the triangle activation max(0, mean(z) - z) on the Euclidean distances z,
sum pooling over four quadrants (halves at round(27/2) = 14) and the
standardization (f - mean) / sqrt(var + 0.01). No classifier is trained.

    python3 bench/coates_numpy.py --data DIR [--centroids 200] [--patches 50000]
        [--iters 10] [--images 10000] [--dtype float32|float64]
        [--variant loop|batched] [--block 32] [--seed 0] [--repeats 1] [--verify 0]

Loading the six files is not timed. Each repeat times, as one workload:
patch sampling (image i mod 50,000, random position), contrast normalization,
whitening (fit + apply), k-means (--iters iterations), the features of the
first --images training images (4K each) and their standardization. It prints
ONE JSON line: {"workload": "kmeans-pipeline", "dtype", "variant", "settings",
"blas", "metrics": {stage: {"unit": "s", "median", "samples"}}, "checks"}.

Variants (they differ in the feature extraction only; the other stages are shared):
  loop     extract_features.m as written: one image at a time, vectorized
           within the image (729 patches x K distances per matrix product),
           in plain numpy idioms (fresh arrays per image).
  batched  what a numpy user writes once the loop is too slow: --block images
           per matrix product (im2col of the block with stride tricks, the
           distances as one product, pooling by reshape + sum), in buffers
           allocated once, so memory stays bounded by block x 729 x K floats.
           Blocks of 16-64 images were fastest here (caches); 32 is the default.
--verify N (untimed) also runs both variants on the first N images and reports
their largest difference in checks.variants_agree.

Layout. MATLAB reads a CIFAR row (1,024 R, G, B values, each plane row-major)
with a column-major reshape, so its 32x32 planes are the images transposed:
dimension 1 is the image column, dimension 2 the image row. Its patch vectors
(patch(:) in kmeans_demo.m, the stacked im2col columns in extract_features.m)
are therefore ordered channel, image row, image column (slowest to fastest) --
the C order of img[ch, r:r+6, c:c+6] here -- and im2col's patch positions,
column-major over MATLAB's (dim 1, dim 2), run image-row-major. Quadrants
q1..q4 of extract_features.m are, in image terms, top-left, top-right,
bottom-left, bottom-right, and the feature vector is [q1; q2; q3; q4], each K
long. This script uses exactly that layout everywhere.
"""
import argparse
import json
import os
import platform
import resource
import sys
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_baseline import blas_info, metric  # noqa: E402  (same helpers, same JSON style)

CIFAR_DIM = (32, 32, 3)
RF = 6                                 # rfSize
NPOS = CIFAR_DIM[0] - RF + 1           # 27 patch positions per side (prows = pcols)
HALF = int(np.floor(NPOS / 2 + 0.5))   # MATLAB round(27/2) = 14 (round half away from zero)
DIM = RF * RF * CIFAR_DIM[2]           # 108
NORM_EPS, ZCA_EPS, STD_EPS = 10.0, 0.1, 0.01
BATCH_SIZE = 1000                      # run_kmeans.m
RECORD = 1 + 3072
TRAIN_FILES = [f"data_batch_{i}.bin" for i in range(1, 6)]


# ------------------------------------------------------------------ the data
def load_train(data_dir):
    """The 50,000 training images as uint8 (N, 3, 32, 32): channel planes, row-major."""
    raw = np.concatenate([np.fromfile(os.path.join(data_dir, f), dtype=np.uint8).reshape(-1, RECORD)
                          for f in TRAIN_FILES])
    return np.ascontiguousarray(raw[:, 1:]).reshape(-1, 3, 32, 32)


# ------------------------------------------------ kmeans_demo.m, first part
def sample_patches(X, num_patches, rng, dtype):
    """Patch i from image i mod N at a random position, as a 108-vector (ch, row, col)."""
    n = X.shape[0]
    img = np.arange(num_patches) % n
    r = rng.integers(0, NPOS, size=num_patches)   # random('unid', 27) - 1
    c = rng.integers(0, NPOS, size=num_patches)
    windows = sliding_window_view(X, (RF, RF), axis=(2, 3))   # (N, 3, 27, 27, 6, 6), a view
    out = np.empty((num_patches, 3, RF, RF), dtype=dtype)
    out[...] = windows[img, :, r, c]                          # gather + convert in one pass
    return out.reshape(num_patches, DIM)


def normalize_inplace(p):
    """(p - mean) / sqrt(var + 10) per row, var with N-1 as MATLAB's var(p, [], 2)."""
    p -= p.mean(axis=1, keepdims=True)
    ss = np.einsum("ij,ij->i", p, p)
    p *= (1.0 / np.sqrt(ss / (p.shape[1] - 1) + NORM_EPS)).astype(p.dtype)[:, None]
    return p


def whiten_fit_apply(p):
    """C = cov(p); M = mean(p); [V, D] = eig(C); P = V diag(1/sqrt(D + 0.1)) V'; (p - M) P."""
    M = p.mean(axis=0)
    p -= M                                  # p now centered (reused for the product below)
    C = (p.T @ p) / (p.shape[0] - 1)
    D, V = np.linalg.eigh(C)
    P = (V * (1.0 / np.sqrt(D + ZCA_EPS))) @ V.T
    return p @ P, M, P


# -------------------------------------------------------------- run_kmeans.m
def run_kmeans(X, k, iterations, init):
    """Lloyd's k-means in batches of 1,000 as run_kmeans.m. Returns (centroids, loss per iteration).

    loss is sum(0.5*|x|^2 - max_j(c_j.x - 0.5|c_j|^2)) = half the squared distances to the
    nearest centroid, measured with the centroids at the start of the iteration. The batch
    loop writes into buffers allocated once (fresh large temporaries cost page faults)."""
    n, d = X.shape
    dt = X.dtype
    x2 = np.einsum("ij,ij->i", X, X)
    centroids = init
    losses = []
    ar = np.arange(BATCH_SIZE)
    CT = np.empty((d, k), dtype=dt)
    t = np.empty((BATCH_SIZE, k), dtype=dt)
    labels = np.empty(BATCH_SIZE, dtype=np.intp)
    S = np.zeros((BATCH_SIZE, k), dtype=dt)     # labels as indicator matrix
    part = np.empty((k, d), dtype=dt)
    for _ in range(iterations):
        c2 = 0.5 * np.einsum("ij,ij->i", centroids, centroids)
        CT[...] = centroids.T
        summation = np.zeros((k, d), dtype=dt)
        counts = np.zeros(k, dtype=np.int64)
        loss = 0.0
        for i in range(0, n, BATCH_SIZE):
            Xb = X[i:i + BATCH_SIZE]
            m = Xb.shape[0]
            tb, lb, Sb, r = t[:m], labels[:m], S[:m], ar[:m]
            np.matmul(Xb, CT, out=tb)
            tb -= c2
            np.argmax(tb, axis=1, out=lb)           # first maximum, as MATLAB's max
            loss += float(0.5 * x2[i:i + m].sum() - tb[r, lb].sum())
            Sb[r, lb] = 1
            np.matmul(Sb.T, Xb, out=part)           # S' * X(batch, :)
            summation += part
            Sb[r, lb] = 0
            counts += np.bincount(lb, minlength=k)
        losses.append(loss)
        with np.errstate(invalid="ignore", divide="ignore"):
            centroids = summation / counts[:, None].astype(dt)
        centroids[counts == 0] = 0                  # zap empty centroids
    return centroids, losses


# -------------------------------------------------------- extract_features.m
def pool_quadrants(act, n, out=None, half_buf=None):
    """act: (n*729, K), rows image-major then image-row-major. Returns (n, 4K) = [q1 q2 q3 q4]."""
    k = act.shape[1]
    a = act.reshape(n, NPOS, NPOS, k)
    if half_buf is None:
        half_buf = np.empty((2, n, NPOS, k), dtype=act.dtype)
    top, bot = half_buf[0, :n], half_buf[1, :n]
    np.sum(a[:, :HALF], axis=1, out=top)     # (n, 27, K)
    np.sum(a[:, HALF:], axis=1, out=bot)
    if out is None:
        out = np.empty((n, 4 * k), dtype=act.dtype)
    q = out.reshape(n, 4, k)
    np.sum(top[:, :HALF], axis=1, out=q[:, 0])   # q1: top-left
    np.sum(top[:, HALF:], axis=1, out=q[:, 1])   # q2: top-right (MATLAB dim 1 = image column)
    np.sum(bot[:, :HALF], axis=1, out=q[:, 2])   # q3: bottom-left
    np.sum(bot[:, HALF:], axis=1, out=q[:, 3])   # q4: bottom-right
    return out


def triangle_image(img, centroids, cc, M, P):
    """One image (3, 32, 32) -> its (729, K) triangle activations, as extract_features.m."""
    # im2col of the three planes, stacked: rows are positions, columns (ch, row, col)
    patches = sliding_window_view(img, (RF, RF), axis=(1, 2)).transpose(1, 2, 0, 3, 4).reshape(NPOS * NPOS, DIM)
    patches = patches.astype(centroids.dtype)
    # normalize for contrast
    patches = (patches - patches.mean(axis=1, keepdims=True)) / np.sqrt(patches.var(axis=1, ddof=1, keepdims=True) + NORM_EPS)
    # whiten
    patches = (patches - M) @ P
    # compute 'triangle' activation function
    xx = np.einsum("ij,ij->i", patches, patches)
    xc = patches @ centroids.T
    z2 = cc + (xx[:, None] - 2 * xc)
    np.maximum(z2, 0, out=z2)   # MATLAB would go complex on a rounding-negative square; never seen
    z = np.sqrt(z2, out=z2)     # distances
    mu = z.mean(axis=1, keepdims=True)   # average distance to centroids for each patch
    return np.maximum(mu - z, 0)


def extract_loop(X, centroids, M, P):
    """extract_features.m: one image at a time."""
    n, k = X.shape[0], centroids.shape[0]
    cc = np.einsum("ij,ij->i", centroids, centroids)
    XC = np.empty((n, 4 * k), dtype=centroids.dtype)
    for i in range(n):
        XC[i] = pool_quadrants(triangle_image(X[i], centroids, cc, M, P), 1)[0]
    return XC


def extract_batched(X, centroids, M, P, block):
    """The same features, `block` images per matrix product, in buffers allocated once.

    The block's patches are gathered transposed, one column per patch (the copy then
    runs along image rows), with a last row of ones so that (p - M) P is one product
    with [P; -M P]; the squared distances |w|^2 + |c|^2 - 2 w.c are one product of
    [w, |w|^2, 1] with [-2 C'; 1; |c|^2]; row means are matrix-vector products."""
    n, k = X.shape[0], centroids.shape[0]
    dt = centroids.dtype
    Paug = np.empty((DIM + 1, DIM), dtype=dt)
    Paug[:DIM] = P
    Paug[DIM] = -(M @ P)
    Caug = np.empty((DIM + 2, k), dtype=dt)
    Caug[:DIM] = -2 * centroids.T
    Caug[DIM] = 1
    Caug[DIM + 1] = np.einsum("ij,ij->i", centroids, centroids)
    mean_k = np.full((k, 1), 1.0 / k, dtype=dt)
    mean_d = np.full((1, DIM), 1.0 / DIM, dtype=dt)
    zero_k = np.zeros((1, k), dtype=dt)
    XC = np.empty((n, 4 * k), dtype=dt)
    # (3, 6, 6, n, 27, 27) view: patch element (ch, dr, dc) of position (img, r, c)
    windows = sliding_window_view(X, (RF, RF), axis=(2, 3)).transpose(1, 4, 5, 0, 2, 3)
    rows = block * NPOS * NPOS
    pbuf = np.empty((DIM + 1, rows), dtype=dt)
    pbuf[DIM] = 1
    wbuf = np.empty((rows, DIM + 2), dtype=dt)
    wbuf[:, DIM + 1] = 1
    zbuf = np.empty((rows, k), dtype=dt)
    vbuf = np.empty((1, rows), dtype=dt)
    hbuf = np.empty((2, block, NPOS, k), dtype=dt)
    inv = 1.0 / (DIM - 1)
    for s in range(0, n, block):
        b = min(block, n - s)
        m = b * NPOS * NPOS
        pa, wa, z, v = pbuf[:, :m], wbuf[:m], zbuf[:m], vbuf[:, :m]
        p = pa[:DIM]
        p.reshape(3, RF, RF, b, NPOS, NPOS)[...] = windows[:, :, :, s:s + b]   # im2col + convert
        # contrast normalization per patch (column): (p - mean) / sqrt(var + 10)
        np.matmul(mean_d, p, out=v)
        p -= v
        np.einsum("ij,ij->j", p, p, out=v[0])
        v *= inv
        v += NORM_EPS
        np.sqrt(v, out=v)
        p /= v
        # whitening: w = (p - M) P, one row per patch
        w = wa[:, :DIM]
        np.matmul(pa.T, Paug, out=w)
        np.einsum("ij,ij->i", w, w, out=wa[:, DIM])
        # squared distances, distances, triangle activation max(0, mean(z) - z)
        np.matmul(wa, Caug, out=z)
        np.maximum(z, zero_k, out=z)     # rounding can make a square slightly negative
        np.sqrt(z, out=z)
        mu = v.reshape(m, 1)
        np.matmul(z, mean_k, out=mu)
        np.subtract(mu, z, out=z)
        np.maximum(z, zero_k, out=z)
        pool_quadrants(z, b, out=XC[s:s + b], half_buf=hbuf)
    return XC


# ------------------------------------------------ kmeans_demo.m, last part
def standardize_inplace(XC):
    """(XC - mean) / sqrt(var + 0.01) per feature, var with N-1 (MATLAB's var)."""
    mean = XC.mean(axis=0)
    XC -= mean
    var = np.einsum("ij,ij->j", XC, XC) / (XC.shape[0] - 1)
    XC *= (1.0 / np.sqrt(var + STD_EPS)).astype(XC.dtype)
    return XC, mean


# ---------------------------------------------------------------- the run
def pipeline(args, Xtrain, Ximg, rng):
    """One timed run. Returns (times per stage in s, results for the checks)."""
    dt = np.dtype(args.dtype)
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    patches = sample_patches(Xtrain, args.patches, rng, dt)
    t1 = time.perf_counter()
    normalize_inplace(patches)
    t2 = time.perf_counter()
    patches, M, P = whiten_fit_apply(patches)
    t3 = time.perf_counter()
    init = (rng.standard_normal((args.centroids, DIM)) * 0.1).astype(dt)   # randn(k, d) * 0.1
    centroids, losses = run_kmeans(patches, args.centroids, args.iters, init)
    t4 = time.perf_counter()
    if args.variant == "loop":
        XC = extract_loop(Ximg, centroids, M, P)
    else:
        XC = extract_batched(Ximg, centroids, M, P, args.block)
    t5 = time.perf_counter()
    raw_mean = float(XC.mean(dtype=np.float64))          # untimed: raw feature facts for the checks
    raw_zero = float(np.count_nonzero(XC == 0) / XC.size)
    raw_sum = float(XC.sum(dtype=np.float64))
    t5b = time.perf_counter()
    XCs, _ = standardize_inplace(XC)
    t6 = time.perf_counter()
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    t = {"patches": t1 - t0, "normalize": t2 - t1, "whiten": t3 - t2, "kmeans": t4 - t3,
         "extract": t5 - t4, "standardize": t6 - t5b}
    t["total"] = (t6 - t0) - (t5b - t5)
    res = {"rusage": {"user_s": r1.ru_utime - r0.ru_utime, "sys_s": r1.ru_stime - r0.ru_stime,
                      "minor_faults": r1.ru_minflt - r0.ru_minflt,
                      "involuntary_switches": r1.ru_nivcsw - r0.ru_nivcsw},
           "patches": patches, "M": M, "P": P, "centroids": centroids, "losses": losses, "XCs": XCs,
           "raw_mean": raw_mean, "raw_zero": raw_zero, "raw_sum": raw_sum}
    return t, res


def checks(args, Ximg, res):
    """Numbers that show the result is right (all computed outside the timed region)."""
    losses = res["losses"]
    w = res["patches"].astype(np.float64)
    cov_diag = np.einsum("ij,ij->j", w, w) / (w.shape[0] - 1)
    centroids, M, P = res["centroids"], res["M"], res["P"]
    cc = np.einsum("ij,ij->i", centroids, centroids)
    m = min(50, Ximg.shape[0])
    acts = np.concatenate([triangle_image(Ximg[i], centroids, cc, M, P) for i in range(m)])
    XCs = res["XCs"]
    out = {
        "kmeans_loss": losses,   # 0.5 * sum of squared distances to the nearest centroid, per iteration
        "kmeans_nonincreasing": all(b <= a * (1 + 1e-6) for a, b in zip(losses, losses[1:])),
        "empty_clusters": int(np.count_nonzero(~centroids.any(axis=1))),
        "whitened_mean_abs_max": float(np.abs(w.mean(axis=0)).max()),
        "whitened_var_mean": float(cov_diag.mean()),   # = mean of eig/(eig + 0.1), below 1
        "features_shape": list(XCs.shape),
        "features_mean": res["raw_mean"],              # mean pooled activation, before standardizing
        "features_sum": res["raw_sum"],
        "features_zero_fraction": res["raw_zero"],
        "activation_zero_fraction": float(np.count_nonzero(acts == 0) / acts.size),  # first m images
        "activation_zero_fraction_images": m,
        "standardized_mean_abs_max": float(np.abs(XCs.mean(axis=0, dtype=np.float64)).max()),
        "standardized_sd_mean": float(XCs.std(axis=0, ddof=1, dtype=np.float64).mean()),
    }
    if args.verify > 0:
        n = min(args.verify, Ximg.shape[0])
        a = extract_loop(Ximg[:n], centroids, M, P).astype(np.float64)
        b = extract_batched(Ximg[:n], centroids, M, P, args.block).astype(np.float64)
        diff = np.abs(a - b)
        out["variants_agree"] = {"images": n, "max_abs_diff": float(diff.max()),
                                 "max_rel_diff": float((diff / np.maximum(np.abs(a), 1.0)).max()),
                                 "feature_scale": float(np.abs(a).max())}
    return out


def main():
    p = argparse.ArgumentParser(description="numpy baseline of the kmeans-pipeline workload (Coates et al. 2011)")
    p.add_argument("--data", required=True, help="a cifar-10-batches-bin directory")
    p.add_argument("--centroids", type=int, default=200, help="K (the demo's is 1,600)")
    p.add_argument("--patches", type=int, default=50000, help="random patches for whitening and k-means (demo: 400,000)")
    p.add_argument("--iters", type=int, default=10, help="k-means iterations (demo: 50)")
    p.add_argument("--images", type=int, default=10000, help="training images whose features are extracted")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float64")
    p.add_argument("--variant", choices=["loop", "batched"], default="batched")
    p.add_argument("--block", type=int, default=32, help="batched: images per matrix product")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeats", type=int, default=1, help="timed repeats inside this process")
    p.add_argument("--verify", type=int, default=0,
                   help="untimed: run both variants on the first N images and report the difference")
    args = p.parse_args()
    for name in ("centroids", "patches", "iters", "images", "block", "repeats"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be a positive integer, got {getattr(args, name)}")

    Xtrain = load_train(args.data)                 # not timed
    if args.images > Xtrain.shape[0]:
        p.error(f"--images {args.images} exceeds the {Xtrain.shape[0]} training images")
    Ximg = Xtrain[:args.images]

    samples, rusage = {}, []
    for _ in range(args.repeats):
        rng = np.random.default_rng(args.seed)     # the same work every repeat
        times, res = pipeline(args, Xtrain, Ximg, rng)
        for k, v in times.items():
            samples.setdefault(k, []).append(v)
        rusage.append(res["rusage"])
    order = ["total", "patches", "normalize", "whiten", "kmeans", "extract", "standardize"]
    out = {
        "workload": "kmeans-pipeline", "dtype": args.dtype, "variant": args.variant,
        "numpy": np.__version__, "python": platform.python_version(),
        "data": os.path.abspath(args.data),
        "settings": {"centroids": args.centroids, "patches": args.patches, "iters": args.iters,
                     "images": args.images, "train_images": int(Xtrain.shape[0]), "rfSize": RF,
                     "kmeans_batch": BATCH_SIZE, "block": args.block if args.variant == "batched" else 1,
                     "norm_eps": NORM_EPS, "zca_eps": ZCA_EPS, "std_eps": STD_EPS,
                     "seed": args.seed, "repeats": args.repeats},
        "blas": blas_info(),
        "metrics": {k: metric("s", samples[k]) for k in order},
        "checks": checks(args, Ximg, res),
        # per repeat, the whole timed region (includes the untimed raw-feature facts):
        # CPU seconds (user > wall: BLAS threads), page faults, preemptions by other processes
        "rusage": rusage,
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
