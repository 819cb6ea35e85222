#!/usr/bin/env bash
# The JIT (framework-dependent) build's first epoch under runtime knobs a runtimeconfig.json can carry, alternating:
# one Fashion-MNIST MLP epoch (784-128-10, SGD 0.1, batch 64) through `descent fit --json` in a fresh process per run;
# prints per knob the median train_seconds and the median process CPU time (user + system, whole process: loading,
# JIT, training, evaluation), with the load average. ~1 min at REPS=3 on a quiet machine.
#   benchmarks/jit-knobs.sh            # REPS=3
# Knobs (environment spelling; in a runtimeconfig: System.Runtime.TieredPGO, System.Runtime.TieredCompilation,
# System.Runtime.TieredCompilation.QuickJitForLoops is already false for every executable here).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
[ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || { echo "jit-knobs.sh: needs Debian's dataset-fashion-mnist" >&2; exit 2; }
dotnet build -c Release src/Descent.Cli -v q -nologo >/dev/null
CLI=src/Descent.Cli/bin/Release/net10.0/Descent.Cli
KNOBS=("default" "DOTNET_TieredPGO=0" "DOTNET_TieredCompilation=0" "DOTNET_TC_CallCountThreshold=5" "DOTNET_ReadyToRun=0")
OUT=$(mktemp -d)
for r in $(seq "$REPS"); do
  for k in "${KNOBS[@]}"; do
    envs=(); [ "$k" = default ] || envs=("$k")
    /usr/bin/time -f "%U %S" -o "$OUT/time" env "${envs[@]}" "$CLI" fit --data builtin:fashion-mnist --model mlp --hidden 128 \
      --optimizer gd --lr 0.1 --batch-size 64 --epochs 1 --seed 1 --json 2>/dev/null \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["train_seconds"], end=" ")' >> "$OUT/${k//=/_}"
    awk '{print $1 + $2}' "$OUT/time" >> "$OUT/${k//=/_}"
  done
done
echo "$(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load average $(cut -d' ' -f1-3 /proc/loadavg), REPS=$REPS"
printf '| knob | train_seconds (median) | process CPU s (median) |\n|---|---|---|\n'
for k in "${KNOBS[@]}"; do
  python3 - "$OUT/${k//=/_}" "$k" <<'PY'
import statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
print(f"| {sys.argv[2]} | {statistics.median(r[0] for r in rows) * 1000:.0f} ms | {statistics.median(r[1] for r in rows):.2f} |")
PY
done
