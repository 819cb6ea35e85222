#!/usr/bin/env bash
# What reading a folder of PNG files costs next to the same pixels as MNIST IDX files (docs/models-that-travel.md,
# "Image folders"): N random 28×28 grey images in 10 class subfolders (PNG, written by PIL) and as an IDX folder; then
# `descent predict` of one softmax model on each, alternating, ROUNDS times. Prints the seconds of each run and the
# median ratio PNG / IDX. Needs Debian's python3-pil. Usage: benchmarks/image-folder.sh [N=10000] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
rounds=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build src/Descent.Cli -c Release -nologo -v q -clp:NoSummary >/dev/null
descent=src/Descent.Cli/bin/Release/net10.0/Descent.Cli
/usr/bin/python3 - "$work" "$n" <<'EOF'
import os, random, struct, sys
from PIL import Image
work, n = sys.argv[1], int(sys.argv[2])
random.seed(0)
pixels, labels = bytearray(), bytearray()
for i in range(n):
    label = i % 10
    data = bytes(random.randrange(256) for _ in range(784))
    os.makedirs(f"{work}/png/{label}", exist_ok=True)
    Image.frombytes("L", (28, 28), data).save(f"{work}/png/{label}/{i:06}.png")
    pixels += data
    labels.append(label)
os.makedirs(f"{work}/idx", exist_ok=True)
for split in ("train", "t10k"):
    with open(f"{work}/idx/{split}-images-idx3-ubyte", "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 28, 28) + pixels)
    with open(f"{work}/idx/{split}-labels-idx1-ubyte", "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + labels)
EOF
"$descent" fit --data "$work/idx" --model softmax --epochs 1 --save "$work/m.safetensors" >/dev/null 2>&1
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'); load: $(uptime | sed 's/.*load average: //')"
ratios=()
for r in $(seq "$rounds"); do
  for kind in idx png; do
    start=$(date +%s.%N)
    "$descent" predict "$work/m.safetensors" --data "$work/$kind" --json >/dev/null
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc)
    echo "round $r $kind: ${t}s"
    eval "t_$kind=$t"
  done
  ratios+=("$(echo "scale=3; $t_png / $t_idx" | bc)")
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(( (${#ratios[@]} + 1) / 2 ))p")
echo "png/idx time ratio (median of $rounds): $median for $n images of 28x28"
