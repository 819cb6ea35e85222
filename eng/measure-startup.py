#!/usr/bin/env python3
"""Start-up and first-epoch timings of the installed descent tool: Native AOT vs ReadyToRun vs JIT (docs/packaging.md).

Usage: eng/measure-startup.py AOT_DESCENT PORTABLE_DESCENT_DLL R2R_DESCENT_DLL [--runs N] [--epochs-runs M] [--extra NAME=AOT_PATH]…
       eng/measure-startup.py --knobs PORTABLE_DESCENT_DLL [--runs N] [--epochs-runs M]   (tiering switches)
       eng/measure-startup.py --launcher AOT_DESCENT PORTABLE_DESCENT_DLL [--runs N] [--epochs-runs M]
           (the AOT tool through its launcher vs the same tool on v3 vs JIT; eng/measure-launcher.sh installs both)
Runs are interleaved (AOT, R2R, JIT, AOT, …) so that a busy machine slows every variant alike; prints min and median.
"""
import json, os, resource, statistics, subprocess, sys, time

GRAD = ["grad", "x^2", "--at", "x=3"]
FIT = ["fit", "--data", "builtin:fashion-mnist", "--model", "mlp", "--epochs", "1", "--json"]


def timed(cmd, env=None):
    """Wall seconds and stdout; the process's CPU seconds (user + sys) in timed.cpu."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    dt = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    timed.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode != 0:
        sys.exit(f"{cmd} exited {p.returncode}")
    return dt, p.stdout


def option(name, default):
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def main(aot, portable, r2r, runs, fit_runs):
    env = dict(os.environ)
    # .NET 10 spells the switch DOTNET_EnableAVX512 (DOTNET_EnableAVX512F is ignored). Native AOT ignores it: its
    # instruction set is fixed when compiled (x86-64-v3: AVX2 + FMA, no AVX-512).
    no512 = dict(env, DOTNET_EnableAVX512="0")
    variants = {
        "Native AOT (x86-64-v3)": [aot],
        "ReadyToRun (framework-dependent)": ["dotnet", r2r],
        "JIT (portable package)": ["dotnet", portable],
    }
    times = {k: [] for k in variants}
    for _ in range(runs):
        for name, cmd in variants.items():
            times[name].append(timed(cmd + GRAD, env)[0])
    print(f"descent grad \"x^2\" --at x=3, {runs} runs each, interleaved (wall time, ms):")
    for name, ts in times.items():
        print(f"  {name:34s} min {min(ts) * 1e3:7.1f}   median {statistics.median(ts) * 1e3:7.1f}")

    fits = [("AOT (x86-64-v3)", [aot], env), ("JIT", ["dotnet", portable], env),
            ("JIT, AVX-512 off", ["dotnet", portable], no512)]
    # More Native AOT builds to compare (e.g. other instruction sets): --extra "NAME=PATH" (repeatable).
    fits += [(a.split("=", 1)[0], [a.split("=", 1)[1]], env) for i, a in enumerate(sys.argv) if sys.argv[i - 1] == "--extra"]
    rows = {name: [] for name, _, _ in fits}
    for _ in range(fit_runs):
        for name, cmd, e in fits:
            wall, out = timed(cmd + FIT, e)
            doc = json.loads(out)
            rows[name].append((doc["train_seconds"], wall, timed.cpu, doc.get("metrics", {}).get("test_accuracy")))
    print(f"\ndescent fit --data builtin:fashion-mnist --model mlp --epochs 1 --json, {fit_runs} runs each, interleaved:")
    for name, rs in rows.items():
        tr = [r[0] for r in rs]; wall = [r[1] for r in rs]; cpu = [r[2] for r in rs]
        print(f"  {name:22s} train_seconds min {min(tr):6.3f} median {statistics.median(tr):6.3f}   "
              f"process wall min {min(wall):5.2f} s, CPU min {min(cpu):5.2f} s   test_accuracy {rs[0][3]}")


def knobs(portable, runs, fit_runs):
    """The portable (JIT) package under the runtime's tiering switches, as its runtimeconfig could set them."""
    base = dict(os.environ)
    variants = {
        "JIT as packaged": base,
        "TieredPGO=0": dict(base, DOTNET_TieredPGO="0"),
        "TieredCompilation=0": dict(base, DOTNET_TieredCompilation="0"),
        "TC_QuickJitForLoops=1 (SDK default)": dict(base, DOTNET_TC_QuickJitForLoops="1"),
    }
    g = {k: [] for k in variants}; f = {k: [] for k in variants}
    for _ in range(runs):
        for name, env in variants.items():
            g[name].append(timed(["dotnet", portable] + GRAD, env)[0])
    for _ in range(fit_runs):
        for name, env in variants.items():
            f[name].append(json.loads(timed(["dotnet", portable] + FIT, env)[1])["train_seconds"])
    print("portable package, tiering switches (grad wall ms min/median; one-epoch MLP train_seconds min/median):")
    for name in variants:
        print(f"  {name:36s} grad {min(g[name]) * 1e3:6.1f} / {statistics.median(g[name]) * 1e3:6.1f}   "
              f"fit {min(f[name]):6.3f} / {statistics.median(f[name]):6.3f}")


def launcher(aot, portable, runs, fit_runs):
    """The installed AOT tool (its launcher execs the x86-64-v4 build on an AVX-512 CPU) against the same
    tool kept on v3 (DOTNET_EnableAVX512=0) and the portable JIT package; alternated, the load average beside each."""
    env = dict(os.environ)
    no512 = dict(env, DOTNET_EnableAVX512="0")
    info = json.loads(subprocess.run([aot, "info", "--json"], stdout=subprocess.PIPE, check=True).stdout)
    print(f"installed AOT tool: {info['build']} ({info['build_choice']}), kernels {info['kernels']}")
    print(f"CPU: {open('/proc/cpuinfo').read().split('model name')[1].split(':')[1].splitlines()[0].strip()}, "
          f"{os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.1f}")
    variants = [("AOT (launcher)", [aot], env), ("AOT v3 (EnableAVX512=0)", [aot], no512),
                ("JIT (portable)", ["dotnet", portable], env)]
    # The build the launcher unpacked, started directly: the launcher's own cost is the difference.
    unpacked = os.path.join(os.path.dirname(os.path.realpath(aot)), "Descent.Cli." + info["build"].split()[-1])
    direct = [(f"{info['build'].split()[-1]} direct, no launcher", [unpacked], env)] if os.path.exists(unpacked) else []
    g = {n: [] for n, _, _ in variants + direct}
    for i in range(runs):
        for n, cmd, e in ((variants + direct) if i % 2 == 0 else (variants + direct)[::-1]):
            g[n].append((timed(cmd + GRAD, e)[0], timed.cpu))
    print(f"descent grad \"x^2\" --at x=3, {runs} runs each, alternated (wall ms; process CPU ms), load {os.getloadavg()[0]:.1f}:")
    for n, ts in g.items():
        wall = [t[0] for t in ts]; cpu = [t[1] for t in ts]
        print(f"  {n:30s} min {min(wall) * 1e3:7.1f}   median {statistics.median(wall) * 1e3:7.1f}   CPU median {statistics.median(cpu) * 1e3:6.1f}")
    fits = variants + [("JIT, AVX-512 off", ["dotnet", portable], no512)]
    rows = {n: [] for n, _, _ in fits}
    loads = []
    for i in range(fit_runs):
        for n, cmd, e in (fits if i % 2 == 0 else fits[::-1]):
            _, out = timed(cmd + FIT, e)
            rows[n].append((json.loads(out)["train_seconds"], timed.cpu))
        loads.append(os.getloadavg()[0])
    print(f"\none-epoch Fashion-MNIST MLP, {fit_runs} rounds alternated; load average per round "
          f"{', '.join(f'{x:.1f}' for x in loads)}:")
    for n, rs in rows.items():
        tr = [r[0] for r in rs]; cpu = [r[1] for r in rs]
        print(f"  {n:26s} train_seconds min {min(tr):6.3f} median {statistics.median(tr):6.3f}   process CPU min {min(cpu):5.2f} s")
    ratio = [a[0] / j[0] for a, j in zip(rows["AOT (launcher)"], rows["JIT (portable)"])]
    print(f"  per-round ratio AOT (launcher) / JIT: median {statistics.median(ratio):.2f} (min {min(ratio):.2f}, max {max(ratio):.2f})")


if "--launcher" in sys.argv:
    i = sys.argv.index("--launcher")
    launcher(sys.argv[i + 1], sys.argv[i + 2], option("--runs", 20), option("--epochs-runs", 5))
elif "--knobs" in sys.argv:
    knobs(sys.argv[sys.argv.index("--knobs") + 1], option("--runs", 10), option("--epochs-runs", 3))
else:
    main(sys.argv[1], sys.argv[2], sys.argv[3], option("--runs", 20), option("--epochs-runs", 3))
