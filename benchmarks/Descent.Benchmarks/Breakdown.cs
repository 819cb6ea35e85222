using System.Diagnostics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent.Benchmarks;

/// <summary>
/// The <c>ew-breakdown</c> mode: where the time of a float32 element-wise op goes — the public op (allocating its
/// result) against the kernel into a preallocated destination on one thread and split across the cores, the allocation
/// alone, and the garbage collections per call (counts and pause time).
/// </summary>
public static class Breakdown
{
    /// <summary>Prints the breakdown at 256K and 16M floats.</summary>
    public static int Run(string[] args)
    {
        Console.WriteLine($"{Environment.ProcessorCount} cores; split threshold {Split.Threshold}; GC: server={System.Runtime.GCSettings.IsServerGC} latency={System.Runtime.GCSettings.LatencyMode}");
        foreach (int n in args.Length > 1 ? args.Skip(1).Select(int.Parse) : new[] { 1 << 18, 1 << 24 })
        {
            var a = Tensor.RandomNormal<float>([n], 1);
            var b = Tensor.RandomNormal<float>([n], 2);
            var dst = new float[n];
            int chunks = Split.Chunks(n);
            Console.WriteLine($"n = {n} ({chunks} chunks)");
            Report("a + b (public op)", () => GC.KeepAlive(a + b));
            Report("a.Relu() (public op)", () => GC.KeepAlive(a.Relu()));
            int saved = Split.Threshold;
            Split.Threshold = int.MaxValue;
            Report("a + b (public op, 1 thread)", () => GC.KeepAlive(a + b));
            Report("TensorKernels.Binary, 1 thread", () => GC.KeepAlive(TensorKernels.Binary<float, AddOp<float>>(a, b, "add")));
            Report("Uninitialized + add, 1 thread", () => { var t = Tensor<float>.Uninitialized(a.ShapeRef); TensorPrimitives.Add(a.Buffer, b.Buffer, t.Buffer); GC.KeepAlive(t); });
            Report("a.Relu() (public op, 1 thread)", () => GC.KeepAlive(a.Relu()));
            Split.Threshold = saved;
            Report("allocate uninitialised", () => GC.KeepAlive(GC.AllocateUninitializedArray<float>(n)));
            Report("allocate zeroed", () => GC.KeepAlive(new float[n]));
            Report("add into dst, 1 thread", () => TensorPrimitives.Add(a.Buffer, b.Buffer, dst));
            Report("add into dst, split", () => Split.For(n, Math.Max(2, chunks), (s, c) => TensorPrimitives.Add(a.Buffer.AsSpan(s, c), b.Buffer.AsSpan(s, c), dst.AsSpan(s, c))));
            Report("add into fresh, 1 thread", () => { var d = GC.AllocateUninitializedArray<float>(n); TensorPrimitives.Add(a.Buffer, b.Buffer, d); GC.KeepAlive(d); });
            Report("relu grad (FusedGrad)", () => GC.KeepAlive(Tensor<float>.FusedGrad<Tensor<float>.ReluGrad>(b, a, null!)));
            Report("relu grad, session 6's loop", () => GC.KeepAlive(OldReluGrad(b.Buffer, a.Buffer)));
            Report("relu grad into dst, 1 thread", () => GradFromOutput.Run<float, Tensor<float>.ReluGrad>(b.Buffer, a.Buffer, dst, Isa.Current));
            Report("relu grad into dst, split", () => GradFromOutput.Run<float, Tensor<float>.ReluGrad>(b.Buffer, a.Buffer, dst));
            int side = (int)Math.Sqrt(n);
            var rowMax = new float[side];
            for (int round = 0; round < 2; round++)
            {
                Report("row max, TensorPrimitives", () => { for (int o = 0; o < side; o++) rowMax[o] = TensorPrimitives.Max<float>(a.Buffer.AsSpan(o * side, side)); });
                Report("row max, Extreme", () => Extreme.Rows(a.Buffer, side, 0, side, true, rowMax, Isa.Current));
            }
            Report("max(x,0) into dst, 1 thread", () => TensorPrimitives.Max(a.Buffer, 0f, dst));
            Report("copy into dst, 1 thread", () => a.Buffer.AsSpan().CopyTo(dst));
        }
        return 0;
    }

    private static void Report(string what, Action action)
    {
        for (int i = 0; i < 50; i++) action();
        var best = double.MaxValue;
        int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
        var pause = GC.GetTotalPauseDuration();
        long faults = MinorFaults();
        long calls = 0;
        for (int r = 0; r < 15; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            int k = 0;
            while (Stopwatch.GetElapsedTime(t0).TotalMilliseconds < 20) { action(); k++; }
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalMicroseconds / k);
            calls += k;
        }
        double per = 1000.0 / calls;
        Console.WriteLine($"  {what,-30} {best,8:F1} µs   GCs per 1000 calls: gen0 {(GC.CollectionCount(0) - g0) * per:F1} gen1 {(GC.CollectionCount(1) - g1) * per:F1} gen2 {(GC.CollectionCount(2) - g2) * per:F1}; pause {(GC.GetTotalPauseDuration() - pause).TotalMicroseconds / calls:F2} µs/call; page faults {(MinorFaults() - faults) / (double)calls:F0}/call");
    }

    /// <summary>The ReLU backward as it was before session 7 (for the comparison): Vector&lt;T&gt;, one core, zeroed result.</summary>
    private static float[] OldReluGrad(float[] g, float[] y)
    {
        var d = new float[y.Length];
        int i = 0;
        for (; i <= d.Length - System.Numerics.Vector<float>.Count; i += System.Numerics.Vector<float>.Count)
        {
            var vg = new System.Numerics.Vector<float>(g, i);
            var vy = new System.Numerics.Vector<float>(y, i);
            System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.GreaterThan(vy, System.Numerics.Vector<float>.Zero), vg, System.Numerics.Vector<float>.Zero).CopyTo(d, i);
        }
        for (; i < d.Length; i++) d[i] = y[i] > 0 ? g[i] : 0;
        return d;
    }

    /// <summary>Minor page faults of this process so far (Linux; 0 elsewhere).</summary>
    private static long MinorFaults()
    {
        try { return long.Parse(File.ReadAllText("/proc/self/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[7]); }
        catch (IOException) { return 0; }
    }
}
