#!/usr/bin/env python3
"""Start-up and first-epoch timings of the installed descent tool: Native AOT vs ReadyToRun vs JIT (docs/packaging.md).

Usage: eng/measure-startup.py AOT_DESCENT PORTABLE_DESCENT_DLL R2R_DESCENT_DLL [--runs N] [--epochs-runs M]
Runs are interleaved (AOT, R2R, JIT, AOT, …) so that a busy machine slows every variant alike; prints min and median.
"""
import json, os, statistics, subprocess, sys, time

def timed(cmd, env=None):
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"{cmd} exited {p.returncode}")
    return dt, p.stdout

def main():
    args = sys.argv[1:]
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 20
    fit_runs = int(args[args.index("--epochs-runs") + 1]) if "--epochs-runs" in args else 3
    aot, portable, r2r = args[0], args[1], args[2]
    env = dict(os.environ)
    # .NET 10 spells the switch DOTNET_EnableAVX512 (DOTNET_EnableAVX512F is ignored). Native AOT ignores it: its
    # instruction set is fixed when compiled (x86-64-v3: AVX2 + FMA, no AVX-512).
    no512 = dict(env, DOTNET_EnableAVX512="0")
    variants = {
        "Native AOT (x86-64-v3)": [aot],
        "ReadyToRun (framework-dependent)": ["dotnet", r2r],
        "JIT (portable package)": ["dotnet", portable],
    }
    grad = ["grad", "x^2", "--at", "x=3"]
    times = {k: [] for k in variants}
    for _ in range(runs):
        for name, cmd in variants.items():
            times[name].append(timed(cmd + grad, env)[0])
    print(f"descent grad \"x^2\" --at x=3, {runs} runs each, interleaved (wall time, ms):")
    for name, ts in times.items():
        print(f"  {name:34s} min {min(ts) * 1e3:7.1f}   median {statistics.median(ts) * 1e3:7.1f}")

    fit = ["fit", "--data", "builtin:fashion-mnist", "--model", "mlp", "--epochs", "1", "--json"]
    rows = {"AOT": [], "JIT": [], "JIT, AVX-512 off": []}
    for _ in range(fit_runs):
        for name, cmd, e in (("AOT", [aot], env), ("JIT", ["dotnet", portable], env),
                             ("JIT, AVX-512 off", ["dotnet", portable], no512)):
            wall, out = timed(cmd + fit, e)
            doc = json.loads(out)
            rows[name].append((doc["train_seconds"], wall, doc.get("metrics", {}).get("test_accuracy")))
    print(f"\ndescent fit --data builtin:fashion-mnist --model mlp --epochs 1 --json, {fit_runs} runs each, interleaved:")
    for name, rs in rows.items():
        tr = [r[0] for r in rs]; wall = [r[1] for r in rs]
        print(f"  {name:18s} train_seconds min {min(tr):6.3f} median {statistics.median(tr):6.3f}   "
              f"process wall min {min(wall):6.2f} s   test_accuracy {rs[0][2]}")

main()
