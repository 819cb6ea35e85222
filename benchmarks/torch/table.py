"""Summarises the JSON files written by compare.sh into a Markdown table.

Files are named <side>_<config>_<rep>.json with side 'descent' or 'peer'. For each workload the times (seconds per
call, one per timed batch) are pooled over repetitions per configuration; the peer's configuration with the lowest
median is used. Ratio = Descent / peer (below 1: Descent is faster). The paired column compares each repetition's
minima (the two sides ran minutes apart at most) and takes the median over repetitions: on a host whose speed drifts
between repetitions (session 13 measured ±15%), it is steadier than the ratio of the pooled minima, which can pair one
side's fast moment with the other's slow one.
"""
import glob
import json
import os
import statistics
import sys


def load(directory, side):
    """(workload -> config -> [times], workload -> config -> repetition -> [times])."""
    pooled, by_rep = {}, {}
    for path in sorted(glob.glob(os.path.join(directory, f"{side}_*.json"))):
        config, rep = os.path.basename(path)[len(side) + 1:-len(".json")].rsplit("_", 1)
        rep = rep.split("-", 1)[0]  # descent_default_2-fashion-mlp-epoch.json: repetition 2
        with open(path) as f:
            for name, times in json.load(f).items():
                cfg = config
                if name.endswith("_numpy"):
                    name, cfg = name[: -len("_numpy")], config + "+numpy"
                pooled.setdefault(name, {}).setdefault(cfg, []).extend(times)
                by_rep.setdefault(name, {}).setdefault(cfg, {}).setdefault(rep, []).extend(times)
    return pooled, by_rep


def paired(ours_reps, peer_reps):
    """Median over the repetitions both sides ran of (Descent's min / the peer's min) in that repetition."""
    ratios = [min(ours_reps[r]) / min(peer_reps[r]) for r in ours_reps if r in peer_reps]
    return f"{statistics.median(ratios):.3g}" if ratios else "–"


def best(configs):
    cfg, times = min(configs.items(), key=lambda kv: statistics.median(kv[1]))
    return cfg, min(times), statistics.median(times)


def fmt(seconds):
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


# ew_* workloads: bytes each op must move at least, per element (float32: 4 bytes per operand read or result written).
EW_BYTES = {"copy": 8, "add": 12, "addinto": 12, "reluinto": 8, "addscoped": 12, "mulscoped": 12, "scalescoped": 8, "reluscoped": 8, "mul": 12, "scale": 8, "exp": 8, "relu": 8, "relubwd": 12, "relugrad": 12, "sum": 4, "mean": 4, "max": 4,
            "sumrows": 4, "sumcols": 4, "meancols": 4, "maxrows": 4, "softmax": 8, "axpy": 12}


def ew_extra(name, seconds, copy_seconds):
    """' (X GB/s, Y× copy)': effective bandwidth and its ratio to the same-size parallel copy of the same side."""
    _, op, tag = name.split("_")
    gbs = EW_BYTES[op] * {"16m": 1 << 24, "256k": 1 << 18}[tag] / seconds / 1e9
    return f" ({gbs:.3g} GB/s, {gbs / (8 * {'16m': 1 << 24, '256k': 1 << 18}[tag] / copy_seconds / 1e9):.2f}× copy)" if copy_seconds else f" ({gbs:.3g} GB/s)"


def main(directory):
    (ours, ours_reps), (peer, peer_reps) = load(directory, "descent"), load(directory, "peer")
    rows = ["| workload | Descent min | Descent median | peer | peer min | peer median | ratio (median) | ratio (min) | ratio (min, paired by repetition) |",
            "|---|---|---|---|---|---|---|---|---|"]
    for name, configs in ours.items():
        if name.endswith(("_hand", "_accuracy", "_peak_rss_mb")):
            continue
        dcfg, dmin, dmed = best(configs)
        extra = ""
        if name.startswith(("sgemm_", "dgemm_")):
            n = int(name.split("_")[1])
            extra = f" ({2 * n ** 3 / dmin / 1e9:.0f} GFLOP/s best)"
        copy = lambda side: min(min(t) for t in side.get("ew_copy_" + name.split("_")[-1], {"": [0]}).values())
        if name.startswith("ew_"):
            extra = ew_extra(name, dmin, copy(ours))
        # A compiled variant (name_compiled) is compared with the peer's and the hand-written loop of the same workload;
        # a product through the public MatMul (name_matmul) with the peer's product of the same shape.
        base = name.rsplit("_", 1)[0] if name.endswith(("_compiled", "_matmul", "_scoped", "_into")) else name
        if base in peer:
            cfg, pmin, pmed = best(peer[base])
            pextra = ew_extra(name, pmin, copy(peer)) if name.startswith("ew_") else ""
            if name.startswith(("sgemm_", "dgemm_")):
                pextra = f" ({2 * n ** 3 / pmin / 1e9:.0f} GFLOP/s best)"
            rows.append(f"| {name} | {fmt(dmin)}{extra} | {fmt(dmed)} | {cfg} | {fmt(pmin)}{pextra} | {fmt(pmed)} | "
                        f"{dmed / pmed:.3g} | {dmin / pmin:.3g} | {paired(ours_reps[name][dcfg], peer_reps[base][cfg])} |")
        hand = ours.get(base + "_hand")
        if hand:
            hcfg, hmin, hmed = best(hand)
            rows.append(f"| {name} vs hand-written C# | {fmt(dmin)} | {fmt(dmed)} | plain C# | {fmt(hmin)} | {fmt(hmed)} | "
                        f"{dmed / hmed:.3g} | {dmin / hmin:.3g} | {paired(ours_reps[name][dcfg], ours_reps[base + '_hand'][hcfg])} |")
    print("\n".join(rows))
    # Training runs also report test accuracy and peak resident memory (one value per run; median over runs).
    extras = [name for name in ours if name + "_accuracy" in ours]
    if extras:
        print()
        # Accuracy: mean and range over the runs (compare.sh's fit_* runs train repetition r from seed r on both sides).
        print("| training workload | Descent test accuracy: mean (min–max, runs) | peer test accuracy | Descent peak RSS | peer peak RSS |")
        print("|---|---|---|---|---|")
        for name in extras:
            def values(side, key):
                return [v for times in side.get(key, {}).values() for v in times]

            def med(side, key):
                v = values(side, key)
                return statistics.median(v) if v else float("nan")

            def spread(side, key):
                v = values(side, key)
                return f"{statistics.fmean(v):.4f} ({min(v):.4f}–{max(v):.4f}, {len(v)})" if v else "–"
            print(f"| {name} | {spread(ours, name + '_accuracy')} | {spread(peer, name + '_accuracy')} | "
                  f"{med(ours, name + '_peak_rss_mb'):.0f} MB | {med(peer, name + '_peak_rss_mb'):.0f} MB |")


if __name__ == "__main__":
    main(sys.argv[1])
