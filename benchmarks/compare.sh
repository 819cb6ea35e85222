#!/usr/bin/env bash
# Side-by-side timings: Descent (benchmark project's `compare` mode) against PyTorch / NumPy on the same workloads,
# alternating the two sides, REPS times, then a Markdown table of min/median times and ratios Descent/peer.
#   benchmarks/compare.sh                 # all workloads, REPS=3
#   REPS=5 benchmarks/compare.sh w2 mlp   # selected workloads (name prefixes)
#   REPS=1 benchmarks/compare.sh fashion_cnn_epoch   # the CNN epoch (--model cnn, Adam 1e-3, batch 64) against PyTorch on 1 and all threads
#   REPS=3 benchmarks/compare.sh fit_         # one epoch through the `descent fit ... --json` CLI (Release build, a fresh
#                                         # process each, its train_seconds) for the MLP 784-128-10 (fit_mlp) and softmax
#                                         # regression (fit_softmax), SGD 0.1, batch 64, against PyTorch's first epoch
#                                         # (fashion.py, EPOCHS=1) on 1 thread, 2 intra-op threads and all defaults;
#                                         # DESCENT_CLI=PATH runs that build of the tool (e.g. the installed AOT one);
#                                         # repetition r trains from seed r on both sides (SEED=N: all from N), the
#                                         # peer with Descent's initialisation (fashion.py's INIT)
#   ISA=avx2 benchmarks/compare.sh sgemm  # Descent without AVX-512 against OpenBLAS's Haswell (AVX2) kernels;
#                                         # ISA=v128: without AVX2 against OpenBLAS's Nehalem (SSE) kernels
#   TIMER=cpu, BATCH_S, BATCHES_X, WARMUP_S are passed to both sides (see Descent.Benchmarks' Compare.cs)
# Needs /usr/bin/python3 with torch and numpy (Debian: apt-get install python3-torch python3-numpy libopenblas0-pthread).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
PY=${PYTHON:-/usr/bin/python3}

# The peers: Debian's PyTorch and NumPy with a real BLAS (without OpenBLAS, torch falls back to reference BLAS).
if ! "$PY" -c 'import torch, numpy, threadpoolctl' >/dev/null 2>&1 || ! ldconfig -p | grep -q libopenblas; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-torch python3-numpy python3-threadpoolctl \
    libopenblas0-pthread >/dev/null
fi

# The instruction set under test. native: Descent as detected; OpenBLAS picks its own kernels (this environment's
# OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset; pinned to the fastest set the CPU runs when it does not know the CPU, below),
# and GEMM also runs with them as set, the faster shown. avx2 / v128: Descent
# with the wider sets switched off, OpenBLAS pinned to the matching kernels — the fair proxy for an AVX2-only (or
# SSE-only) machine.
ISA=${ISA:-native}
case $ISA in
  native) DENV=(env); PENV=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE);;
  avx2) DENV=(env DOTNET_EnableAVX512=0 DOTNET_EnableAVX512F=0); PENV=(env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=Haswell);;
  v128) DENV=(env DOTNET_EnableAVX2=0); PENV=(env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=Nehalem);;
  *) echo "compare.sh: ISA must be native, avx2 or v128 (got '$ISA')" >&2; exit 2;;
esac
GEMM_AS_SET=0
[ "$ISA" = native ] && { [ -n "${OPENBLAS_CORETYPE:-}" ] || [ -n "${OPENBLAS_L2_SIZE:-}" ]; } && GEMM_AS_SET=1
blas_kernel() {  # which OpenBLAS kernel set a configuration runs (threadpoolctl)
  "$@" "$PY" - 2>/dev/null <<'PY' || echo unknown
import numpy, threadpoolctl
print(", ".join("%s %s %s" % (i["internal_api"], i["version"], i["architecture"]) for i in threadpoolctl.threadpool_info()))
PY
}
blas_probe() {  # seconds for a float32 512^3 product on one thread (best of a few): a quick measure of a kernel set
  "$@" OPENBLAS_NUM_THREADS=1 "$PY" - 2>/dev/null <<'PY' || echo 1e9
import time, numpy as np
a = np.random.rand(512, 512).astype(np.float32); b = np.random.rand(512, 512).astype(np.float32)
best = 1e9
for _ in range(12):
    t = time.perf_counter(); a @ b; best = min(best, time.perf_counter() - t)
print(best)
PY
}
# A CPU newer than the OpenBLAS build (Debian's 0.3.21 on Sapphire/Emerald Rapids, model 143/207) is run on its
# generic Prescott (SSE3) kernels: 3-4x slower than its AVX-512 ones. Native: when the kernel set OpenBLAS picks
# itself is not one for this CPU's widest vectors, every kernel set the CPU can run is probed and the fastest pinned.
if [ "$ISA" = native ]; then
  AUTO=$(blas_kernel "${PENV[@]}")
  FLAGS=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
  CANDIDATES=()
  [[ $FLAGS == *" avx512f "* ]] && CANDIDATES+=(SkylakeX) && [[ $FLAGS == *" avx512_bf16 "* ]] && CANDIDATES+=(Cooperlake)
  [[ $FLAGS == *" avx2 "* ]] && CANDIDATES+=(Haswell)
  MATCHED=0
  for c in "${CANDIDATES[@]}"; do [[ $AUTO == *"$c"* ]] && MATCHED=1; done
  [[ $AUTO == *SapphireRapids* || $AUTO == *Zen* || $AUTO == unknown ]] && MATCHED=1
  if [ ${#CANDIDATES[@]} -gt 0 ] && [ "$MATCHED" = 0 ]; then
    BEST=""; BEST_S=$(blas_probe "${PENV[@]}")
    for c in "${CANDIDATES[@]}"; do
      s=$(blas_probe "${PENV[@]}" OPENBLAS_CORETYPE="$c")
      "$PY" -c "import sys; sys.exit(0 if $s < $BEST_S else 1)" && { BEST=$c; BEST_S=$s; }
    done
    if [ -n "$BEST" ]; then
      echo "OpenBLAS picked '$AUTO' for this CPU; pinning OPENBLAS_CORETYPE=$BEST (fastest on a probe)" >&2
      PENV+=(OPENBLAS_CORETYPE="$BEST")
    fi
  fi
fi
WANT=("$@")
[ ${#WANT[@]} -eq 0 ] && WANT=(w2_step linreg_epoch sgemm dgemm mm_ mlp_step ew fashion_mlp_epoch fashion_softmax_epoch fashion_cnn_epoch fit_)

dotnet build -c Release benchmarks/Descent.Benchmarks -v q -nologo >/dev/null
BIN=benchmarks/Descent.Benchmarks/bin/Release/net10.0/Descent.Benchmarks
OUT=$(mktemp -d)
echo "raw results in $OUT" >&2

small=() ; large=() ; fashion=() ; fit=()
for w in "${WANT[@]}"; do
  case $w in
    sgemm*|dgemm*) large+=("$w");;
    fashion*) fashion+=("$w");;
    fit|fit_) fit+=(fit_mlp fit_softmax);;
    fit*) fit+=("$w");;
    *) small+=("$w");;
  esac
done
if [ ${#fit[@]} -gt 0 ]; then
  # DESCENT_CLI=PATH measures another build of the tool instead (the installed Native AOT `descent`, a ReadyToRun publish).
  if [ -n "${DESCENT_CLI:-}" ]; then CLI=$DESCENT_CLI
  else
    dotnet build -c Release src/Descent.Cli -v q -nologo >/dev/null
    CLI=src/Descent.Cli/bin/Release/net10.0/Descent.Cli
  fi
fi
fit_descent() {  # fit_descent NAME MODEL: one CLI epoch; prints {"NAME": [train_seconds], "NAME_accuracy": [...], ...}
  local extra=(); [ "$2" = mlp ] && extra=(--hidden 128)
  "${DENV[@]}" "$CLI" fit --data builtin:fashion-mnist --model "$2" "${extra[@]}" --optimizer gd --lr 0.1 --batch-size 64 \
    --epochs 1 --seed "$FIT_SEED" --json | "$PY" -c '
import json, sys
name, d = sys.argv[1], json.load(sys.stdin)
print(json.dumps({name: [d["train_seconds"]], name + "_accuracy": [d["metrics"]["test_accuracy"]],
                  name + "_peak_rss_mb": [d["peak_memory_bytes"] / 2**20]}))' "$1"
}
if { [ ${#fashion[@]} -gt 0 ] || [ ${#fit[@]} -gt 0 ]; } && [ ! -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dataset-fashion-mnist >/dev/null
fi

for r in $(seq "$REPS"); do
  echo "repetition $r/$REPS" >&2
  if [ ${#small[@]} -gt 0 ]; then
    "${DENV[@]}" "$BIN" compare "${small[@]}" > "$OUT/descent_default_$r.json"
    # Small work: one thread is PyTorch's best (no intra-op thread hand-offs); the MLP and its GEMMs also run with all cores.
    "${PENV[@]}" OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$PY" benchmarks/torch/workloads.py "${small[@]}" > "$OUT/peer_1thread_$r.json"
    allcores=() ; for w in "${small[@]}"; do [[ $w == mlp* || $w == mm* || $w == ew* ]] && allcores+=("$w"); done
    if [ ${#allcores[@]} -gt 0 ]; then  # the MLP, its GEMMs (mm_*) and element-wise work (ew*) also with all cores
      "${PENV[@]}" "$PY" benchmarks/torch/workloads.py "${allcores[@]}" > "$OUT/peer_allcores_$r.json"
    fi
  fi
  # Whole training epochs, one workload per process (for its peak memory). PyTorch runs on one thread: with both its
  # intra-op threads and OpenBLAS's threading, the 2 cores are oversubscribed and an epoch takes 3-100x longer.
  for w in "${fashion[@]}"; do
    "${DENV[@]}" "$BIN" compare "$w" > "$OUT/descent_default_$r-${w//_/-}.json"
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "${PENV[@]}" \
      "$PY" benchmarks/torch/fashion.py "$w" > "$OUT/peer_1thread_$r-${w//_/-}.json"
    if [[ $w == fashion_cnn* ]]; then  # convolutions are large enough for oneDNN's threads: PyTorch on all cores too
      OMP_NUM_THREADS=$(nproc) OPENBLAS_NUM_THREADS=1 "${PENV[@]}" \
        "$PY" benchmarks/torch/fashion.py "$w" > "$OUT/peer_allcores_$r-${w//_/-}.json"
    fi
  done
  # One epoch through the CLI in a fresh process (what a user runs: JIT warm-up included) against PyTorch's first epoch
  # on 1 thread, on 2 intra-op threads (BLAS on 1) and with its defaults (intra-op and OpenBLAS threads on all cores).
  # Repetition r trains from seed r on both sides (SEED=N fixes one): the accuracy column compares the two over as many
  # initialisations and batch orders as there are repetitions, not one draw each.
  FIT_SEED=${SEED:-$r}
  for w in "${fit[@]}"; do
    model=${w#fit_}
    fit_descent "$w" "$model" > "$OUT/descent_cli_$r-${w//_/-}.json"
    SEED=$FIT_SEED EPOCHS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "${PENV[@]}" \
      "$PY" benchmarks/torch/fashion.py "fashion_${model}_epoch" "$w" > "$OUT/peer_1thread_$r-${w//_/-}.json"
    SEED=$FIT_SEED EPOCHS=1 OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 "${PENV[@]}" \
      "$PY" benchmarks/torch/fashion.py "fashion_${model}_epoch" "$w" > "$OUT/peer_2threads_$r-${w//_/-}.json"
    SEED=$FIT_SEED EPOCHS=1 "${PENV[@]}" env -u OMP_NUM_THREADS -u OPENBLAS_NUM_THREADS \
      "$PY" benchmarks/torch/fashion.py "fashion_${model}_epoch" "$w" > "$OUT/peer_allcores_$r-${w//_/-}.json"
  done
  if [ ${#large[@]} -gt 0 ]; then
    "${DENV[@]}" "$BIN" compare "${large[@]}" > "$OUT/descent_default_gemm_$r.json"
    # GEMM: all cores; OpenBLAS's kernels as chosen above, and (native) also with the environment's pinning as set.
    "${PENV[@]}" env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS \
      "$PY" benchmarks/torch/workloads.py "${large[@]}" > "$OUT/peer_allcores_gemm_$r.json"
    if [ "$GEMM_AS_SET" = 1 ]; then
      env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS \
        "$PY" benchmarks/torch/workloads.py "${large[@]}" > "$OUT/peer_allcores_gemm-pinned_$r.json"
    fi
  fi
done

echo
echo "$(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p') (family $(lscpu | sed -n 's/^CPU family: *//p'), model $(lscpu | sed -n 's/^Model: *//p')), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Descent ($ISA): $("${DENV[@]}" "$BIN" info)"
echo "OpenBLAS: $(blas_kernel "${PENV[@]}")$([ "$GEMM_AS_SET" = 1 ] && echo "; gemm-pinned: $(blas_kernel env)")"
echo "timer: ${TIMER:-wall}; peer config 'gemm-pinned' = OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-}"
"$PY" benchmarks/torch/table.py "$OUT"
