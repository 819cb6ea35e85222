#!/usr/bin/python3
"""Makes the PyTorch fixtures of tests/Descent.Interop.Tests (run with Debian's python3-torch: /usr/bin/python3 make_fixtures.py).

An MLP (4 -> 16 -> 3, ReLU) is trained briefly on three Gaussian clusters with class names, then saved
  - as mlp.pt: torch.save(model.state_dict()) of an nn.Sequential (names 0.weight, 0.bias, 2.weight, 2.bias),
  - as mlp.safetensors: the same weights under a named module's names (hidden.*, out.*), written in the safetensors
    layout (8-byte header length, JSON header, little-endian data; python3-safetensors is not packaged in Debian),
  - and tanh_regression.pt: a 3 -> 8 -> 8 -> 2 tanh regression MLP in float64 (untrained: random weights suffice).
train.csv / test.csv hold the raw features and the class names; expected.json holds PyTorch's probabilities and
predicted class on test.csv and the test accuracy, and the regression's outputs on test.csv's first three columns.
checkpoint.pt is a training checkpoint dictionary ({"epoch", "model_state_dict", "optimizer_state_dict"}) whose
first weight is a transposed view (strides (1, 16)) of a [4, 16] tensor: the importer reads the state_dict inside it
through the strides. Its expected values are in expected_checkpoint.json.
evil.pt is a torch-style zip whose data.pkl would run os.system when unpickled by Python: the importer must refuse it
without running anything.
"""
import io
import json
import os
import pickle
import struct
import zipfile

import torch

here = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(7)
classes = ["alpha", "beta", "gamma"]
centres = torch.tensor([[0.0, 0.0, 1.0, -1.0], [2.0, 1.0, -1.0, 0.5], [-1.5, 2.0, 0.0, 1.5]])


def make(n):
    labels = torch.randint(0, 3, (n,))
    x = centres[labels] + 0.9 * torch.randn(n, 4)
    return x, labels


def write_csv(path, x, labels):
    with open(path, "w") as f:
        f.write("f1,f2,f3,f4,species\n")
        for row, label in zip(x.tolist(), labels.tolist()):
            f.write(",".join(repr(float(v)) for v in row) + "," + classes[label] + "\n")


x_train, y_train = make(240)
x_test, y_test = make(120)
write_csv(os.path.join(here, "train.csv"), x_train, y_train)
write_csv(os.path.join(here, "test.csv"), x_test, y_test)
# The CSV holds repr() of each float32 value as a float64: read back into float32, it is the same number.
x_test = torch.tensor([[float(v) for v in row] for row in x_test.tolist()], dtype=torch.float32)

model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
for step in range(150):
    optimizer.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x_train), y_train)
    loss.backward()
    optimizer.step()
model.eval()
torch.save(model.state_dict(), os.path.join(here, "mlp.pt"))

with torch.no_grad():
    logits = model(x_test)
    probabilities = torch.softmax(logits.double(), dim=1)
    predicted = probabilities.argmax(dim=1)
accuracy = (predicted == y_test).double().mean().item()


def save_safetensors(path, tensors):
    header, data, offset = {}, b"", 0
    for name, t in tensors.items():
        raw = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


state = model.state_dict()
save_safetensors(os.path.join(here, "mlp.safetensors"), {
    "out.bias": state["2.bias"], "out.weight": state["2.weight"], "hidden.weight": state["0.weight"], "hidden.bias": state["0.bias"]})

regression = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)).double()
torch.save(regression.state_dict(), os.path.join(here, "tanh_regression.pt"))
with torch.no_grad():
    regression_out = regression(x_test[:, :3].double())


class Evil:
    def __reduce__(self):
        return (os.system, ("touch interop-evil-pickle-ran",))


buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w") as z:
    z.writestr("evil/data.pkl", pickle.dumps({"0.weight": Evil()}, protocol=2))
    z.writestr("evil/version", "3\n")
with open(os.path.join(here, "evil.pt"), "wb") as f:
    f.write(buffer.getvalue())

with open(os.path.join(here, "expected.json"), "w") as f:
    json.dump({
        "classes": classes,
        "probabilities": probabilities.tolist(),
        "predicted": [classes[i] for i in predicted.tolist()],
        "accuracy": accuracy,
        "regression": regression_out.tolist(),
        "torch": torch.__version__,
    }, f, indent=1)
generator = torch.Generator().manual_seed(11)
base = torch.randn(4, 16, generator=generator)
net = {"0.weight": base.t(), "0.bias": torch.randn(16, generator=generator),
       "2.weight": torch.randn(2, 16, generator=generator), "2.bias": torch.randn(2, generator=generator)}
assert net["0.weight"].stride() == (1, 16)
torch.save({"epoch": 3, "model_state_dict": net, "optimizer_state_dict": {"state": {}, "param_groups": [{"lr": 0.1}]}},
           os.path.join(here, "checkpoint.pt"))
with torch.no_grad():
    hidden = torch.relu(x_test @ net["0.weight"].t() + net["0.bias"])
    checkpoint_out = torch.softmax((hidden @ net["2.weight"].t() + net["2.bias"]).double(), dim=1)
with open(os.path.join(here, "expected_checkpoint.json"), "w") as f:
    json.dump({"probabilities": checkpoint_out.tolist()}, f, indent=1)

print(f"test accuracy {accuracy:.4f}; fixtures in {here}")
