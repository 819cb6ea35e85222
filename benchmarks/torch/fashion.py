"""One-epoch Fashion-MNIST training in PyTorch, the peer of `Descent.Benchmarks compare fashion_*`.

Same protocol on both sides: data loaded once (not timed) as float32 in [0, 1]; EPOCHS epochs (default 3) of SGD with
learning rate 0.1 on mini-batches of 64 drawn by a fresh random permutation per epoch; loss = softmax cross-entropy;
model = MLP 784-128-10 with ReLU (fashion_mlp_epoch) or softmax regression 784-10 (fashion_softmax_epoch); or the
CNN of `descent fit --model cnn` (fashion_cnn_epoch: conv 3x3 32 pad 1, ReLU, max-pool 2, conv 3x3 64 pad 1, ReLU,
max-pool 2, flatten, linear 128, ReLU, linear 10; Adam 1e-3, EPOCHS default 1; convolutions by oneDNN). The MLP and
softmax regression start from Descent's initialisation (He-uniform before a ReLU, Glorot-uniform otherwise, zero
biases; INIT=torch keeps PyTorch's default), the CNN from PyTorch's default, which Descent's CNN uses; SEED (default 1)
seeds it. The batch
loop indexes the data tensor with the permutation (faster than torch.utils.data.DataLoader). Prints
{"<workload>": [seconds of each epoch], "<workload>_accuracy": [test accuracy after the last epoch],
 "<workload>_peak_rss_mb": [peak resident memory of this process]}.

Usage: python3 fashion.py fashion_mlp_epoch|fashion_softmax_epoch|fashion_cnn_epoch [NAME]   (one workload per process, for a clean peak RSS;
NAME, when given, names the printed entries instead of the workload: compare.sh's fit_* workloads use it)
"""
import gzip
import json
import os
import resource
import sys
import time

import numpy as np
import torch

FOLDER = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(os.path.join(FOLDER, name), "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main(workload, name=None):
    cnn = workload == "fashion_cnn_epoch"
    epochs = int(os.environ.get("EPOCHS", "1" if cnn else "3"))
    x = torch.from_numpy(idx("train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255)
    y = torch.from_numpy(idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    xt = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255)
    yt = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
    torch.manual_seed(int(os.environ.get("SEED", "1")))
    if cnn:
        nn = torch.nn
        model = nn.Sequential(nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
    elif workload == "fashion_mlp_epoch":
        model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    else:
        model = torch.nn.Linear(784, 10)
    if not cnn and os.environ.get("INIT", "descent") == "descent":
        # Descent's initialisation (Models.cs): He-uniform for a layer followed by ReLU, Glorot-uniform otherwise, zero
        # biases; PyTorch's own default (INIT=torch) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases.
        layers = [m for m in model.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]
        for i, m in enumerate(layers):
            if i < len(layers) - 1:
                torch.nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
            else:
                torch.nn.init.xavier_uniform_(m.weight)
            torch.nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3) if cnn else torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = torch.nn.CrossEntropyLoss()
    times, cpu, thread = [], [], []
    for _ in range(epochs):
        t0, c0, h0 = time.perf_counter(), time.process_time(), time.thread_time()
        perm = torch.randperm(x.shape[0])
        for i in range(0, x.shape[0], 64):
            rows = perm[i:i + 64]
            opt.zero_grad()
            loss = loss_fn(model(x[rows]), y[rows])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)  # all threads of the process, as the Descent side's _cpu
        thread.append(time.thread_time() - h0)  # the thread running the loop (OpenMP's thread 0), as _thread_cpu
    with torch.no_grad():
        model.eval()
        accuracy = torch.cat([model(xt[i:i + 1000]).argmax(1) for i in range(0, xt.shape[0], 1000)]).eq(yt).float().mean().item()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    name = name or workload
    print(json.dumps({name: times, name + "_cpu": cpu, name + "_thread_cpu": thread, name + "_accuracy": [accuracy], name + "_peak_rss_mb": [peak]}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
