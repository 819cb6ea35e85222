#!/usr/bin/env python3
"""Reference values and gradients from PyTorch (float64) for Descent's convolution, pooling and batch-norm layers.

Inputs are deterministic: element i of an input made with seed s is scale*sin(1.7*i + s) (the C# test reads them from
the JSON). For each case the script records the inputs, the forward result, the gradient of sum(result * w) with
respect to every input (w[i] = 1 + 0.5*sin(i+1) over the flattened result), and for batch norm in training mode the
running statistics after the step. Run:  python3 make_conv_fixtures.py [output.json]  (default: conv.json beside it).
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def values(shape, seed, scale=1.0, offset=0.0):
    n = math.prod(shape)
    return torch.tensor([offset + scale * math.sin(1.7 * i + seed) for i in range(n)]).reshape(shape)


def bn_train(x, g, b):
    rm, rv = torch.zeros(x.shape[1]), torch.ones(x.shape[1])
    y = F.batch_norm(x, rm, rv, g, b, training=True, momentum=0.1, eps=1e-5)
    return y, {"running_mean": rm, "running_var": rv}


def bn_eval(x, g, b):
    c = x.shape[1]
    rm, rv = values([c], 7, 0.5), values([c], 8, 0.3, 1.0)
    return F.batch_norm(x, rm, rv, g, b, training=False, eps=1e-5), {"running_mean": rm, "running_var": rv}


CASES = [
    ("conv2d_pad1_bias", [([2, 3, 5, 5], 1, 1.0, 0.0), ([4, 3, 3, 3], 2, 0.4, 0.0), ([4], 3, 0.2, 0.0)],
     lambda x, w, b: F.conv2d(x, w, b, padding=1)),
    ("conv2d_stride_dilation", [([1, 2, 7, 6], 4, 1.0, 0.0), ([3, 2, 3, 2], 5, 0.5, 0.0)],
     lambda x, w: F.conv2d(x, w, None, stride=(2, 1), padding=(1, 2), dilation=(1, 2))),
    ("conv2d_groups", [([2, 4, 5, 5], 6, 1.0, 0.0), ([6, 2, 3, 3], 7, 0.5, 0.0), ([6], 8, 0.3, 0.0)],
     lambda x, w, b: F.conv2d(x, w, b, stride=2, groups=2)),
    ("conv2d_depthwise", [([1, 3, 6, 6], 9, 1.0, 0.0), ([3, 1, 3, 3], 10, 0.5, 0.0)],
     lambda x, w: F.conv2d(x, w, None, padding=1, groups=3)),
    ("conv2d_same", [([1, 2, 6, 5], 11, 1.0, 0.0), ([2, 2, 4, 3], 12, 0.5, 0.0)],
     lambda x, w: F.conv2d(x, w, None, padding="same")),
    ("conv1d", [([2, 3, 9], 13, 1.0, 0.0), ([4, 3, 3], 14, 0.5, 0.0), ([4], 15, 0.2, 0.0)],
     lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1)),
    ("max_pool2d", [([2, 2, 7, 7], 16, 1.0, 0.0)], lambda x: F.max_pool2d(x, 3, 2, 1)),
    ("avg_pool2d", [([2, 2, 7, 7], 17, 1.0, 0.0)], lambda x: F.avg_pool2d(x, 3, 2, 1)),
    ("adaptive_avg_pool2d", [([2, 3, 7, 5], 18, 1.0, 0.0)], lambda x: F.adaptive_avg_pool2d(x, (3, 2))),
    ("flatten", [([2, 3, 2, 2], 19, 1.0, 0.0)], lambda x: torch.flatten(x, 1)),
    ("batch_norm2d_train", [([4, 3, 5, 5], 20, 2.0, 0.5), ([3], 21, 0.3, 1.0), ([3], 22, 0.2, 0.0)], bn_train),
    ("batch_norm2d_eval", [([4, 3, 5, 5], 23, 2.0, 0.5), ([3], 24, 0.3, 1.0), ([3], 25, 0.2, 0.0)], bn_eval),
    ("batch_norm1d_train", [([6, 4], 26, 1.5, -0.3), ([4], 27, 0.3, 1.0), ([4], 28, 0.2, 0.0)], bn_train),
    ("batch_norm1d_eval", [([6, 4], 29, 1.5, -0.3), ([4], 30, 0.3, 1.0), ([4], 31, 0.2, 0.0)], bn_eval),
]


def weights(n):
    return torch.tensor([1 + 0.5 * math.sin(i + 1) for i in range(n)])


def encode(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def main():
    out = []
    for name, specs, fn in CASES:
        xs = [values(shape, seed, scale, offset).requires_grad_(True) for shape, seed, scale, offset in specs]
        result = fn(*xs)
        y, extra = result if isinstance(result, tuple) else (result, {})
        (y.reshape(-1) * weights(y.numel())).sum().backward()
        out.append({
            "name": name,
            "inputs": [encode(x) for x in xs],
            "output": encode(y),
            "grads": [encode(x.grad if x.grad is not None else torch.zeros_like(x)) for x in xs],
            "state": {k: encode(v) for k, v in extra.items()},
        })
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "conv.json")
    with open(path, "w") as f:
        json.dump({"cases": out}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
