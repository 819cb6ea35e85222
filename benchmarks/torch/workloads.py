"""The compare workloads in PyTorch (and NumPy for GEMM), printing the same JSON as `Descent.Benchmarks -- compare`:
{"workload": [seconds per call of each timed batch], ...}. Names match benchmarks/Descent.Benchmarks/Compare.cs.

Usage: python3 workloads.py [name-prefix ...]    (all workloads by default)
Thread settings are the caller's business (compare.sh gives each workload its best configuration).
"""
import json
import os
import sys
import time

import numpy as np
import torch


# TIMER=cpu: this thread's CPU time instead of the wall clock (single-threaded comparisons on a loaded machine);
# BATCHES_X=n: n times as many timed batches. Same variables as Descent.Benchmarks' compare mode.
NOW = time.thread_time if os.environ.get("TIMER") == "cpu" else time.perf_counter
REPEAT = max(1, int(os.environ.get("BATCHES_X", "1") or 1))
BATCH_S = float(os.environ.get("BATCH_S", "0.05") or 0.05)


def timed(fn, batches=9):
    """Warm up for ~0.4 s, then time `batches` batches of ~50 ms; seconds per call of each batch."""
    t0 = time.perf_counter()
    calls = 0
    while time.perf_counter() - t0 < 0.4 or calls < 3:
        fn()
        calls += 1
    per_call = (time.perf_counter() - t0) / calls
    batch = int(min(max(BATCH_S / per_call, 1), 10_000_000))
    out = []
    for _ in range(batches * REPEAT):
        t = NOW()
        for _ in range(batch):
            fn()
        out.append((NOW() - t) / batch)
    return out


def w2_step():
    w = torch.tensor(10.0, dtype=torch.float64, requires_grad=True)

    def step():
        loss = w * w
        loss.backward()
        with torch.no_grad():
            w.sub_(w.grad, alpha=0.3)
            if abs(w.item()) < 1e-100:  # same restart as Descent: avoid subnormals
                w.fill_(10.0)
        w.grad.zero_()

    return step


def linreg_epoch():
    x = torch.tensor([1.0, 2, 3, 4, 5, 6, 8], dtype=torch.float64)
    y = torch.tensor([5.5, 6, 6.5, 7, 7.5, 8, 9], dtype=torch.float64)
    w0 = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    w1 = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    m = x.numel()

    def epoch():
        residual = w0 + w1 * x - y
        loss = residual.square().sum() / (2 * m)
        loss.backward()
        with torch.no_grad():
            w0.sub_(w0.grad, alpha=8e-3)
            w1.sub_(w1.grad, alpha=8e-3)
        w0.grad.zero_()
        w1.grad.zero_()
        return loss.item()

    return epoch


def gemm_torch(n, dtype):
    g = torch.Generator().manual_seed(1)
    a = torch.rand(n, n, generator=g, dtype=dtype) * 2 - 1
    b = torch.rand(n, n, generator=g, dtype=dtype) * 2 - 1
    c = torch.empty(n, n, dtype=dtype)
    return lambda: torch.mm(a, b, out=c)


def gemm_numpy(n, dtype):
    rng = np.random.default_rng(1)
    a = (rng.random((n, n)) * 2 - 1).astype(dtype)
    b = (rng.random((n, n)) * 2 - 1).astype(dtype)
    c = np.empty((n, n), dtype=dtype)
    return lambda: np.matmul(a, b, out=c)


# The float32 products of one MLP / softmax-regression step (as in Workloads.MlpGemmShapes): m, k, n, A^T, B^T.
MM_SHAPES = {
    "mm_x_w1": (64, 784, 128, False, False), "mm_xT_g1": (784, 64, 128, True, False),
    "mm_h_w2": (64, 128, 10, False, False), "mm_hT_g2": (128, 64, 10, True, False),
    "mm_g2_w2T": (64, 10, 128, False, True), "mm_x_w": (64, 784, 10, False, False), "mm_xT_g": (784, 64, 10, True, False),
}


def mm_shape(m, k, n, ta, tb):
    g = torch.Generator().manual_seed(1)
    a = torch.rand(*((k, m) if ta else (m, k)), generator=g) * 2 - 1
    b = torch.rand(*((n, k) if tb else (k, n)), generator=g) * 2 - 1
    a, b = (a.t() if ta else a), (b.t() if tb else b)
    c = torch.empty(m, n)
    return lambda: torch.mm(a, b, out=c)


def mlp_step(batch=64, inputs=784, hidden=128, classes=10):
    g = torch.Generator().manual_seed(1)
    x = torch.rand(batch, inputs, generator=g)
    onehot = torch.zeros(batch, classes)
    onehot[torch.arange(batch), torch.randint(classes, (batch,), generator=g)] = 1
    w1 = (torch.randn(inputs, hidden, generator=g) * (2 / inputs) ** 0.5).requires_grad_()
    b1 = torch.zeros(hidden, requires_grad=True)
    w2 = (torch.randn(hidden, classes, generator=g) * (2 / hidden) ** 0.5).requires_grad_()
    b2 = torch.zeros(classes, requires_grad=True)
    params = [w1, b1, w2, b2]

    def step():
        h = (x @ w1 + b1).relu()
        logits = h @ w2 + b2
        loss = (logits.log_softmax(-1) * onehot).sum() * (-1.0 / batch)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.sub_(p.grad, alpha=0.01)
                p.grad.zero_()
        return loss.item()

    return step


def elementwise(op, rows, cols):
    """The ew_* workloads of ElementWiseWorkloads.cs: float32, public API (results freshly allocated, as in Descent)."""
    g = torch.Generator().manual_seed(1)
    a, b = torch.randn(rows * cols, generator=g), torch.randn(rows * cols, generator=g)
    m, dst, w = a.view(rows, cols), torch.empty_like(a), a.clone()
    return {"copy": lambda: dst.copy_(a), "add": lambda: a + b, "addinto": lambda: torch.add(a, b, out=dst),
            "reluinto": lambda: torch.clamp_min(a, 0.0, out=dst), "mul": lambda: a * b, "scale": lambda: a * 0.5,
            # Descent's *scoped forms return each result to its pool, as PyTorch's caching allocator does here.
            "addscoped": lambda: a + b, "mulscoped": lambda: a * b, "scalescoped": lambda: a * 0.5, "reluscoped": lambda: a.relu(),
            "exp": lambda: a.exp(), "relu": lambda: a.relu(), "relubwd": lambda: b * (a > 0),
            "relugrad": lambda: torch.ops.aten.threshold_backward(b, a, 0.0), "sum": lambda: a.sum(),
            "max": lambda: a.max(), "sumrows": lambda: m.sum(1), "sumcols": lambda: m.sum(0), "mean": lambda: a.mean(),
            "maxrows": lambda: m.amax(1), "meancols": lambda: m.mean(0),
            "softmax": lambda: m.softmax(-1), "axpy": lambda: w.sub_(b, alpha=1e-3)}[op]


EW_OPS = ("copy", "add", "addinto", "reluinto", "addscoped", "mulscoped", "scalescoped", "reluscoped", "mul", "scale", "exp", "relu", "relubwd", "relugrad", "sum", "mean", "max", "sumrows", "sumcols", "meancols",
          "maxrows", "softmax", "axpy")


def main():
    wanted = sys.argv[1:]
    want = lambda name: not wanted or any(name.startswith(w) for w in wanted)
    out = {}
    if want("w2_step"):
        out["w2_step"] = timed(w2_step())
    if want("linreg_epoch"):
        out["linreg_epoch"] = timed(linreg_epoch())
    for n in (256, 512, 1024, 2048):
        if want(f"sgemm_{n}"):
            out[f"sgemm_{n}"] = timed(gemm_torch(n, torch.float32), 5 if n >= 1024 else 7)
            out[f"sgemm_{n}_numpy"] = timed(gemm_numpy(n, np.float32), 5 if n >= 1024 else 7)
    for n in (256, 1024):
        if want(f"dgemm_{n}"):
            out[f"dgemm_{n}"] = timed(gemm_torch(n, torch.float64), 5)
    for name, shape in MM_SHAPES.items():
        if want(name):
            out[name] = timed(mm_shape(*shape))
    if want("mlp_step"):
        out["mlp_step"] = timed(mlp_step())
    for tag, rows, cols in (("16m", 4096, 4096), ("256k", 512, 512)):
        for op in EW_OPS:
            if want(f"ew_{op}_{tag}"):
                out[f"ew_{op}_{tag}"] = timed(elementwise(op, rows, cols), 7)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
