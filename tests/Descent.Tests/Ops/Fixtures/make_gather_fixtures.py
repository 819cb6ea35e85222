#!/usr/bin/env python3
"""Reference values and gradients from PyTorch (float64) for Descent's Gather, TakeAlongAxis and ScatterAdd.

As make_op_fixtures.py: every input and index is written literally below; for each case the script records the
inputs, the index, the forward result and the gradient of sum(result * w) with respect to every input, where
w[i] = 1 + 0.5*sin(i+1) over the flattened result. Run:  python3 make_gather_fixtures.py [output.json]
(default: gather.json beside it).
"""
import json
import math
import os
import sys

import torch

torch.set_default_dtype(torch.float64)

X234 = [[[0.1, -0.5, 1.3, 0.8], [2.1, -1.7, 0.4, -0.2], [0.6, 1.9, -0.9, 0.05]],
        [[-1.1, 0.35, 0.75, 1.6], [0.2, -0.3, 1.05, -2.2], [1.4, 0.9, -0.6, 0.15]]]
X23 = [[0.3, -1.2, 2.5], [0.7, -0.4, 1.1]]
S24 = [[0.5, -1.0, 2.0, 0.25], [1.5, 0.75, -0.5, 3.0]]
S23 = [[0.5, -1.0, 2.0], [1.5, 0.75, -0.5]]
S22 = [[0.25, -2.0], [1.25, 0.5]]

# PyTorch's scatter_add backward needs the source to have the index's shape, so every source here does.
# (name, op, axis, inputs, index): op is gather (x), take_along_dim (x, broadcasting) or scatter_add (self, source).
CASES = [
    ("gather_0", "gather", 0, [X234], [[[1, 0, 1, 1], [0, 0, 1, 0]]]),
    ("gather_1_repeats", "gather", 1, [X234], [[[2, 2, 0, 1], [0, 1, 2, 2], [1, 1, 1, 0], [2, 0, 0, 2]],
                                                [[0, 0, 0, 0], [1, 2, 1, 2], [2, 2, 2, 2], [0, 1, 0, 1]]]),
    ("gather_2_smaller", "gather", 2, [X234], [[[3, 0], [1, 1]], [[2, 3], [0, 0]]]),
    ("gather_matrix", "gather", 1, [X23], [[2, 0, 2, 1], [1, 1, 0, 2]]),
    ("take_along_rows", "take_along_dim", 1, [X23], [[2], [0]]),
    ("take_along_broadcast", "take_along_dim", 2, [X234], [[[3, 0, 3]]]),
    ("scatter_add_0", "scatter_add", 0, [X23, S23], [[1, 0, 1], [1, 1, 0]]),
    ("scatter_add_1_repeats", "scatter_add", 1, [X23, S24], [[2, 2, 0, 2], [1, 0, 1, 1]]),
    ("scatter_add_smaller_index", "scatter_add", 1, [X23, S22], [[0, 2], [2, 2]]),
]


def weights(n):
    return torch.tensor([1 + 0.5 * math.sin(i + 1) for i in range(n)])


def encode(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def main():
    out = []
    for name, op, axis, inputs, index in CASES:
        xs = [torch.tensor(v, requires_grad=True) for v in inputs]
        idx = torch.tensor(index, dtype=torch.long)
        if op == "gather":
            y = torch.gather(xs[0], axis, idx)
        elif op == "take_along_dim":
            y = torch.take_along_dim(xs[0], idx, axis)
        else:
            y = xs[0].scatter_add(axis, idx, xs[1])
        (y.reshape(-1) * weights(y.numel())).sum().backward()
        out.append({
            "name": name,
            "op": op,
            "axis": axis,
            "index": {"shape": list(idx.shape), "data": [float(v) for v in idx.reshape(-1).tolist()]},
            "inputs": [encode(x) for x in xs],
            "output": encode(y),
            "grads": [encode(x.grad if x.grad is not None else torch.zeros_like(x)) for x in xs],
        })
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "gather.json")
    with open(path, "w") as f:
        json.dump({"cases": out}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
