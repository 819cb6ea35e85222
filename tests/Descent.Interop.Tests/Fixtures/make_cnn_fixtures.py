#!/usr/bin/python3
"""Makes the CNN fixtures of tests/Descent.Interop.Tests (run with Debian's python3-torch: /usr/bin/python3 make_cnn_fixtures.py).

Synthetic 12x12 grey images of three classes (a horizontal bar, a vertical bar, a diagonal, at random places, on
noise), stored as bytes in an MNIST-format folder cnn-images/ (train: 60 images, t10k: 40), so that Descent reads
exactly the pixels PyTorch saw (byte / 255). A small CNN with batch norm after a convolution and after a linear layer,
and a leaky ReLU of slope 0.1:

    Conv2d(1, 4, 3, padding=1) BatchNorm2d(4) ReLU MaxPool2d(2) Conv2d(4, 8, 3, padding=1) LeakyReLU(0.1) MaxPool2d(2)
    Flatten Linear(72, 16) BatchNorm1d(16) ReLU Linear(16, 3)

is trained briefly on 300 images behind torchvision-style normalisation ((x - 0.5) / 0.25), then saved
  - as cnn.pt: torch.save(model.state_dict()) of the nn.Sequential (names 0.weight, 1.running_mean, …),
  - as cnn.safetensors: the same tensors (num_batches_tracked as I64) in the safetensors layout.
expected_cnn.json holds PyTorch's probabilities and predicted classes on the 40 t10k images, and the accuracy.
"""
import json
import os
import struct

import torch

here = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(3)
classes = ["horizontal", "vertical", "diagonal"]
size = 12


def make(n):
    labels = torch.randint(0, 3, (n,))
    images = torch.rand(n, size, size) * 60
    for i, label in enumerate(labels.tolist()):
        at = int(torch.randint(2, size - 2, ()).item())
        if label == 0:
            images[i, at, 1:-1] += 180
        elif label == 1:
            images[i, 1:-1, at] += 180
        else:
            shift = at - size // 2
            for k in range(size):
                if 0 <= k + shift < size:
                    images[i, k, k + shift] += 180
    return images.clamp(0, 255).round().to(torch.uint8), labels


def write_idx(folder, split, images, labels):
    with open(os.path.join(folder, f"{split}-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, images.shape[0], size, size) + images.numpy().tobytes())
    with open(os.path.join(folder, f"{split}-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 0x801, labels.shape[0]) + labels.to(torch.uint8).numpy().tobytes())


train_images, train_labels = make(300)
test_images, test_labels = make(40)
folder = os.path.join(here, "cnn-images")
os.makedirs(folder, exist_ok=True)
write_idx(folder, "train", train_images[:60], train_labels[:60])
write_idx(folder, "t10k", test_images, test_labels)


def inputs(images):
    # Descent reads a byte as byte / 255 (float32); the network was trained behind Normalize(0.5, 0.25).
    return ((images.float() / 255).unsqueeze(1) - 0.5) / 0.25


model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(4, 8, 3, padding=1), torch.nn.LeakyReLU(0.1), torch.nn.MaxPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(72, 16), torch.nn.BatchNorm1d(16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
x, y = inputs(train_images), train_labels
for epoch in range(4):
    for start in range(0, 300, 50):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x[start:start + 50]), y[start:start + 50]).backward()
        optimizer.step()
model.eval()
torch.save(model.state_dict(), os.path.join(here, "cnn.pt"))

header, data, offset = {}, b"", 0
for name, t in model.state_dict().items():
    t = t.detach().contiguous()
    raw = t.numpy().astype("<i8" if t.dtype == torch.int64 else "<f4").tobytes()
    header[name] = {"dtype": "I64" if t.dtype == torch.int64 else "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
    data += raw
    offset += len(raw)
text = json.dumps(header).encode()
text += b" " * ((8 - len(text) % 8) % 8)
with open(os.path.join(here, "cnn.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + data)

with torch.no_grad():
    probabilities = torch.softmax(model(inputs(test_images)).double(), dim=1)
predicted = probabilities.argmax(dim=1)
accuracy = (predicted == test_labels).double().mean().item()
with open(os.path.join(here, "expected_cnn.json"), "w") as f:
    json.dump({
        "classes": classes,
        "layers": "conv(4,3,padding=1) batchnorm relu maxpool(2) conv(8,3,padding=1) leaky_relu(0.1) maxpool(2) flatten linear(16) batchnorm relu linear(3)",
        "probabilities": [[round(p, 9) for p in row] for row in probabilities.tolist()],
        "predicted": [classes[i] for i in predicted.tolist()],
        "accuracy": accuracy,
        "torch": torch.__version__,
    }, f, indent=0)
print(f"test accuracy {accuracy:.4f}; fixtures in {here}")
