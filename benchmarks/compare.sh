#!/usr/bin/env bash
# Side-by-side timings: Descent (benchmark project's `compare` mode) against PyTorch / NumPy on the same workloads,
# alternating the two sides, REPS times, then a Markdown table of min/median times and ratios Descent/peer.
#   benchmarks/compare.sh                 # all workloads, REPS=3
#   REPS=5 benchmarks/compare.sh w2 mlp   # selected workloads (name prefixes)
# Needs /usr/bin/python3 with torch and numpy (Debian: apt-get install python3-torch python3-numpy libopenblas0-pthread).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
PY=${PYTHON:-/usr/bin/python3}

# The peers: Debian's PyTorch and NumPy with a real BLAS (without OpenBLAS, torch falls back to reference BLAS).
if ! "$PY" -c 'import torch, numpy' >/dev/null 2>&1 || ! ldconfig -p | grep -q libopenblas; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-torch python3-numpy libopenblas0-pthread >/dev/null
fi
WANT=("$@")
[ ${#WANT[@]} -eq 0 ] && WANT=(w2_step linreg_epoch sgemm dgemm mm_ mlp_step ew fashion_mlp_epoch fashion_softmax_epoch)

dotnet build -c Release benchmarks/Descent.Benchmarks -v q -nologo >/dev/null
BIN=benchmarks/Descent.Benchmarks/bin/Release/net10.0/Descent.Benchmarks
OUT=$(mktemp -d)
echo "raw results in $OUT" >&2

small=() ; large=() ; fashion=()
for w in "${WANT[@]}"; do case $w in sgemm*|dgemm*) large+=("$w");; fashion*) fashion+=("$w");; *) small+=("$w");; esac; done
if [ ${#fashion[@]} -gt 0 ] && [ ! -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dataset-fashion-mnist >/dev/null
fi

for r in $(seq "$REPS"); do
  echo "repetition $r/$REPS" >&2
  if [ ${#small[@]} -gt 0 ]; then
    "$BIN" compare "${small[@]}" > "$OUT/descent_default_$r.json"
    # Small work: one thread is PyTorch's best (no intra-op thread hand-offs); the MLP and its GEMMs also run with all cores.
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$PY" benchmarks/torch/workloads.py "${small[@]}" > "$OUT/peer_1thread_$r.json"
    allcores=() ; for w in "${small[@]}"; do [[ $w == mlp* || $w == mm* || $w == ew* ]] && allcores+=("$w"); done
    if [ ${#allcores[@]} -gt 0 ]; then  # the MLP, its GEMMs (mm_*) and element-wise work (ew*) also with all cores
      env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" benchmarks/torch/workloads.py "${allcores[@]}" > "$OUT/peer_allcores_$r.json"
    fi
  fi
  # Whole training epochs, one workload per process (for its peak memory). PyTorch runs on one thread: with both its
  # intra-op threads and OpenBLAS's threading, the 2 cores are oversubscribed and an epoch takes 3-100x longer.
  for w in "${fashion[@]}"; do
    "$BIN" compare "$w" > "$OUT/descent_default_$r-${w//_/-}.json"
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
      "$PY" benchmarks/torch/fashion.py "$w" > "$OUT/peer_1thread_$r-${w//_/-}.json"
  done
  if [ ${#large[@]} -gt 0 ]; then
    "$BIN" compare "${large[@]}" > "$OUT/descent_default_gemm_$r.json"
    # GEMM: all cores, and OpenBLAS left to detect the CPU itself (these variables would pin it to Haswell kernels).
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS \
      "$PY" benchmarks/torch/workloads.py "${large[@]}" > "$OUT/peer_allcores_gemm_$r.json"
  fi
done

echo
echo "$(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" benchmarks/torch/table.py "$OUT"
