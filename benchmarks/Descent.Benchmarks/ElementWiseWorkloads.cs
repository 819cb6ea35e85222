namespace Descent.Benchmarks;

/// <summary>
/// Element-wise and reduction workloads for the <c>compare</c> mode (names <c>ew_OP_SIZE</c>, matching
/// benchmarks/torch/workloads.py): float32 through the public tensor API, on a large size (16M elements = 64 MB per
/// operand, far beyond the caches) and a cache-sized one (256K = 1 MB). <c>ew_copy_*</c> is the bandwidth reference: a
/// parallel copy between preallocated arrays in the same process. benchmarks/torch/table.py turns the times into GB/s
/// (the bytes each op must move at least) and a ratio to that copy.
/// </summary>
public static class ElementWiseWorkloads
{
    /// <summary>Runs the wanted <c>ew_*</c> workloads with the compare mode's timer and adds their times to <paramref name="results"/>.</summary>
    public static void Run(Func<string, bool> want, List<(string Name, double[] Times)> results, Func<Action, int, double[]> time)
    {
        foreach (var (tag, rows, cols) in new[] { ("16m", 4096, 4096), ("256k", 512, 512) })
        {
            int n = rows * cols;
            bool Want(string op) => want($"ew_{op}_{tag}");
            void Add(string op, Action action) => results.Add(($"ew_{op}_{tag}", time(action, 7)));
            string[] ops = ["copy", "add", "addinto", "reluinto", "mul", "scale", "exp", "relu", "relubwd", "relugrad", "sum", "mean", "max", "sumrows", "sumcols", "meancols", "maxrows", "softmax", "axpy"];
            if (!ops.Any(Want)) continue;
            var a = Tensor.RandomNormal<float>([n], 1);
            var b = Tensor.RandomNormal<float>([n], 2);
            var m = a.Reshape(rows, cols);
            var dst = new float[n];
            if (Want("copy")) Add("copy", () => ParallelCopy(a, dst));
            if (Want("add")) Add("add", () => GC.KeepAlive(a + b));
            // The destination forms (PyTorch's out=): the result buffer reused, as PyTorch's caching allocator reuses its block.
            // (Allocated only when wanted: a 64 MB tensor held for nothing changes how the other ops' results reuse memory.)
            if (Want("addinto")) { var into = Tensor.Zeros<float>(n); Add("addinto", () => a.Add(b, into)); }
            if (Want("reluinto")) { var into = Tensor.Zeros<float>(n); Add("reluinto", () => a.Relu(into)); }
            // The same ops with each result in a TensorScope (what a loop body does): the array comes back from the pool.
            if (Want("addscoped")) Add("addscoped", () => { using var _ = new TensorScope(); GC.KeepAlive(a + b); });
            if (Want("mulscoped")) Add("mulscoped", () => { using var _ = new TensorScope(); GC.KeepAlive(a * b); });
            if (Want("scalescoped")) Add("scalescoped", () => { using var _ = new TensorScope(); GC.KeepAlive(a * 0.5f); });
            if (Want("reluscoped")) Add("reluscoped", () => { using var _ = new TensorScope(); GC.KeepAlive(a.Relu()); });
            if (Want("mul")) Add("mul", () => GC.KeepAlive(a * b));
            if (Want("scale")) Add("scale", () => GC.KeepAlive(a * 0.5f));
            if (Want("exp")) Add("exp", () => GC.KeepAlive(a.Exp()));
            if (Want("relu")) Add("relu", () => GC.KeepAlive(a.Relu()));
            if (Want("relubwd")) Add("relubwd", () => GC.KeepAlive(b * a.GreaterThan(0f)));
            // ReLU's backward pass as the engine runs it (g where the output is positive, one fused kernel), against
            // PyTorch's threshold_backward, which its relu's autograd calls.
            if (Want("relugrad")) Add("relugrad", () => GC.KeepAlive(Tensor<float>.FusedGrad<Tensor<float>.ReluGrad>(b, a, static (g, y) => g * y.GreaterThan(0f))));
            if (Want("sum")) Add("sum", () => GC.KeepAlive(a.Sum()));
            if (Want("mean")) Add("mean", () => GC.KeepAlive(a.Mean()));
            if (Want("max")) Add("max", () => GC.KeepAlive(a.Max()));
            if (Want("sumrows")) Add("sumrows", () => GC.KeepAlive(m.Sum(1)));
            if (Want("sumcols")) Add("sumcols", () => GC.KeepAlive(m.Sum(0)));
            if (Want("meancols")) Add("meancols", () => GC.KeepAlive(m.Mean(0)));
            if (Want("maxrows")) Add("maxrows", () => GC.KeepAlive(m.Max(1)));
            if (Want("softmax")) Add("softmax", () => GC.KeepAlive(m.Softmax(-1)));
            if (Want("axpy"))
            {
                var w = a.Clone();
                Add("axpy", () => w.SubtractInPlace(b, 1e-3f));
            }
        }
    }

    /// <summary>
    /// The split threshold's measurement (only when named, e.g. <c>compare split</c>): float32 <c>a + b</c>, <c>Exp</c>
    /// and <c>Sum</c> at sizes around it, each on one thread (<c>_1t</c>) and split across the cores (<c>_2t</c>), alternating.
    /// </summary>
    public static void RunSplit(Func<string, bool> want, List<(string Name, double[] Times)> results, Func<Action, int, double[]> time)
    {
        if (want("\u0001")) return; // no workloads named: the sweep is not part of the default run
        int saved = Kernels.Split.Threshold;
        foreach (int n in new[] { 1 << 13, 1 << 14, 1 << 15, 1 << 16, 1 << 17, 1 << 18 })
        {
            var a = Tensor.RandomNormal<float>([n], 1);
            var b = Tensor.RandomNormal<float>([n], 2);
            foreach (var (op, action) in new (string, Action)[] { ("add", () => GC.KeepAlive(a + b)), ("exp", () => GC.KeepAlive(a.Exp())), ("sum", () => GC.KeepAlive(a.Sum())) })
                foreach (var (tag, threshold) in new[] { ("1t", int.MaxValue), ("2t", 1) })
                {
                    string name = $"split_{op}_{n}_{tag}";
                    if (!want(name)) continue;
                    Kernels.Split.Threshold = threshold;
                    results.Add((name, time(action, 5)));
                    Kernels.Split.Threshold = saved;
                }
        }
    }

    /// <summary>The bandwidth reference: both cores copy half of the array each.</summary>
    private static void ParallelCopy(Tensor<float> source, float[] destination)
    {
        var src = source.Buffer;
        int half = src.Length / 2;
        Parallel.Invoke(
            () => src.AsSpan(0, half).CopyTo(destination),
            () => src.AsSpan(half).CopyTo(destination.AsSpan(half)));
    }
}
