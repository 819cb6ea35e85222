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
[ ${#WANT[@]} -eq 0 ] && WANT=(w2_step linreg_epoch sgemm dgemm mm_ mlp_step)

dotnet build -c Release benchmarks/Descent.Benchmarks -v q -nologo >/dev/null
BIN=benchmarks/Descent.Benchmarks/bin/Release/net10.0/Descent.Benchmarks
OUT=$(mktemp -d)
echo "raw results in $OUT" >&2

small=() ; large=()
for w in "${WANT[@]}"; do case $w in sgemm*|dgemm*) large+=("$w");; *) small+=("$w");; esac; done

for r in $(seq "$REPS"); do
  echo "repetition $r/$REPS" >&2
  if [ ${#small[@]} -gt 0 ]; then
    "$BIN" compare "${small[@]}" > "$OUT/descent_default_$r.json"
    # Small work: one thread is PyTorch's best (no intra-op thread hand-offs); the MLP and its GEMMs also run with all cores.
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$PY" benchmarks/torch/workloads.py "${small[@]}" > "$OUT/peer_1thread_$r.json"
    multi=()
    for w in "${small[@]}"; do [[ $w == mlp* || $w == mm* ]] && multi+=("$w"); done
    if [ ${#multi[@]} -gt 0 ]; then
      env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" benchmarks/torch/workloads.py "${multi[@]}" > "$OUT/peer_allcores_$r.json"
    fi
  fi
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
