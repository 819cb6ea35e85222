#!/usr/bin/env python3
"""Reference values and gradients from PyTorch (float64) for Descent's op tests.

Every input is written literally below. For each case the script records the inputs, the forward result and the
gradient of sum(result * w) with respect to every input, where w[i] = 1 + 0.5*sin(i+1) over the flattened result
(the C# tests build the same weights). Run:  python3 make_op_fixtures.py [output.json]  (default: ops.json beside it).
"""
import json
import math
import os
import sys

import torch

torch.set_default_dtype(torch.float64)

X23 = [[0.3, -1.2, 2.5], [0.7, -0.4, 1.1]]
P23 = [[0.3, 1.2, 2.5], [0.7, 0.4, 1.1]]
U23 = [[0.3, -0.8, 0.5], [0.1, -0.4, 0.9]]
X234 = [[[0.1, -0.5, 1.3, 0.8], [2.1, -1.7, 0.4, -0.2], [0.6, 1.9, -0.9, 0.05]],
        [[-1.1, 0.35, 0.75, 1.6], [0.2, -0.3, 1.05, -2.2], [1.4, 0.9, -0.6, 0.15]]]
P234 = [[[0.9, 1.1, 0.7, 1.3], [1.2, 0.6, 1.4, 0.8], [1.05, 0.95, 1.25, 0.75]],
        [[0.85, 1.15, 0.65, 1.35], [1.1, 0.9, 0.55, 1.45], [0.0, 1.2, 0.8, 1.0]]]

CASES = {
    "unary": [
        ("exp", [X23], lambda x: x.exp()),
        ("log", [P23], lambda x: x.log()),
        ("log1p", [P23], lambda x: x.log1p()),
        ("expm1", [X23], lambda x: x.expm1()),
        ("sqrt", [P23], lambda x: x.sqrt()),
        ("square", [X23], lambda x: x.square()),
        ("abs", [X23], lambda x: x.abs()),
        ("negate", [X23], lambda x: -x),
        ("pow2.5", [P23], lambda x: x.pow(2.5)),
        ("sin", [X23], lambda x: x.sin()),
        ("cos", [X23], lambda x: x.cos()),
        ("tan", [U23], lambda x: x.tan()),
        ("asin", [U23], lambda x: x.asin()),
        ("acos", [U23], lambda x: x.acos()),
        ("atan", [X23], lambda x: x.atan()),
        ("sinh", [X23], lambda x: x.sinh()),
        ("cosh", [X23], lambda x: x.cosh()),
        ("tanh", [X23], lambda x: x.tanh()),
        ("sinc", [X23], lambda x: x.sin() / x),  # Descent's sinc is unnormalised: sin(x)/x
        ("sigmoid", [X23], lambda x: x.sigmoid()),
        ("softplus", [X23], lambda x: torch.nn.functional.softplus(x)),
        ("relu", [X23], lambda x: x.relu()),
        ("leaky_relu", [X23], lambda x: torch.nn.functional.leaky_relu(x, 0.1)),
        ("clip", [X23], lambda x: x.clamp(-1.0, 1.0)),
    ],
    "binary": [
        ("add", [[[1.0], [2.0], [-3.0]], [0.5, -1.5, 2.0, 0.25]], lambda a, b: a + b),
        ("subtract", [X234, [[0.5], [-1.0], [2.0]]], lambda a, b: a - b),
        ("multiply", [[[[1.5, -2.0, 0.5]], [[0.3, 0.7, -1.1]]], [[0.2, 0.4, 0.6], [1.0, -1.0, 2.0]]], lambda a, b: a * b),
        ("divide", [X23, [1.5, -0.5, 2.0]], lambda a, b: a / b),
        ("pow", [P23, [[1.5], [-0.5]]], lambda a, b: a.pow(b)),
        ("maximum", [X23, [0.1, -0.3, 1.9]], lambda a, b: torch.maximum(a, b)),
        ("minimum", [X23, [[0.2], [0.0]]], lambda a, b: torch.minimum(a, b)),
    ],
    "reductions": [
        ("sum", [X234], lambda x: x.sum()),
        ("sum_1_keep", [X234], lambda x: x.sum(1, keepdim=True)),
        ("sum_02", [X234], lambda x: x.sum((0, 2))),
        ("mean_m1", [X234], lambda x: x.mean(-1)),
        ("max_1", [X234], lambda x: x.amax(1)),
        ("min_02_keep", [X234], lambda x: x.amin((0, 2), keepdim=True)),
        ("prod_2", [X234], lambda x: x.prod(2)),
        ("prod_zero", [P234], lambda x: x.prod(2)),
        ("var_1", [X234], lambda x: x.var(1, unbiased=False)),
        ("var_all_unbiased", [X234], lambda x: x.var(unbiased=True)),
        ("std_2", [X234], lambda x: x.std(2, unbiased=True)),
        ("logsumexp_2", [X234], lambda x: x.logsumexp(2)),
        ("logsumexp_01_keep", [X234], lambda x: x.logsumexp((0, 1), keepdim=True)),
    ],
    "softmax": [
        ("softmax_m1", [X234], lambda x: x.softmax(-1)),
        ("softmax_0", [X234], lambda x: x.softmax(0)),
        ("log_softmax_1", [X234], lambda x: x.log_softmax(1)),
        ("log_softmax_m1", [X23], lambda x: x.log_softmax(-1)),
    ],
    "matmul": [
        ("matmul_batch", [[[X234[0]], [X234[1]]], [[[0.5, -1.0], [1.5, 0.2], [-0.7, 0.9], [0.3, 0.4]]] * 3],
         lambda a, b: a @ b),
        ("matmul_matrix", [X23, [[1.0, 0.5], [-0.5, 2.0], [0.25, -1.5]]], lambda a, b: a @ b),
        ("matmul_vector_matrix", [[0.5, -1.5, 2.0], X234[0]], lambda a, b: a @ b),
        ("matmul_matrix_vector", [X234, [0.5, -1.5, 2.0, 0.1]], lambda a, b: a @ b),
        ("matmul_vector_vector", [[0.5, -1.5, 2.0], [1.0, 0.3, -0.2]], lambda a, b: a @ b),
    ],
    "indexing": [
        ("slice", [X234], lambda x: x[1, 0:2]),
        ("slice_from_end", [X234], lambda x: x[-1, :, 1:]),
        ("index_select", [X234], lambda x: x.index_select(2, torch.tensor([3, 0, 3, 1]))),
        ("masked_select", [X23], lambda x: x.masked_select(torch.tensor([[True, False, True], [False, True, True]]))),
        ("concat", [X23, [[1.0, 2.0, 3.0]]], lambda a, b: torch.cat([a, b, a], 0)),
        ("stack", [X23, P23], lambda a, b: torch.stack([a, b], 1)),
        ("where", [X23, [0.5, -0.5, 1.5]], lambda a, b: torch.where(torch.tensor([[True, False, True], [False, False, True]]), a, b)),
        ("permute", [X234], lambda x: x.permute(2, 0, 1)),
        ("reshape", [X234], lambda x: x.reshape(4, 6)),
    ],
    "norms": [
        ("norm1", [X234], lambda x: torch.linalg.vector_norm(x, 1)),
        ("norm2", [X234], lambda x: torch.linalg.vector_norm(x, 2)),
        ("norm3_2", [X234], lambda x: torch.linalg.vector_norm(x, 3, dim=2)),
        ("norminf_1", [X234], lambda x: torch.linalg.vector_norm(x, math.inf, dim=1)),
        ("matrix_fro", [X23], lambda x: torch.linalg.matrix_norm(x, "fro")),
        ("matrix_1", [X23], lambda x: torch.linalg.matrix_norm(x, 1)),
        ("matrix_inf", [X23], lambda x: torch.linalg.matrix_norm(x, math.inf)),
    ],
    "composite": [
        ("logistic_regression",
         [[0.4, -0.7, 0.2], [0.1], [[1.0, 2.0, -0.5], [0.3, -1.2, 0.8], [-2.0, 0.5, 1.5], [0.7, 0.7, -0.3]], [1.0, 0.0, 0.0, 1.0]],
         lambda w, b, x, y: torch.nn.functional.binary_cross_entropy_with_logits(x @ w + b, y)),
    ],
}


def weights(n):
    return torch.tensor([1 + 0.5 * math.sin(i + 1) for i in range(n)])


def encode(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def main():
    out = {}
    for family, cases in CASES.items():
        out[family] = []
        for name, inputs, fn in cases:
            xs = [torch.tensor(v, requires_grad=True) for v in inputs]
            y = fn(*xs)
            (y.reshape(-1) * weights(y.numel())).sum().backward()
            out[family].append({
                "name": name,
                "inputs": [encode(x) for x in xs],
                "output": encode(y),
                "grads": [encode(x.grad if x.grad is not None else torch.zeros_like(x)) for x in xs],
            })
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "ops.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
