using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Descent.Benchmarks;

/// <summary>
/// A fast console mode (<c>-- compare</c>) for the side-by-side script: runs each workload in timed batches and prints
/// one JSON object {"workload": [seconds per call of each batch], ...}. Workload names match benchmarks/torch/workloads.py.
/// </summary>
public static unsafe class Compare
{
    /// <summary>Entry point of the mode; optional arguments name the workloads to run (all by default).</summary>
    public static int Run(string[] args)
    {
        var only = args.Skip(1).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToHashSet();
        var results = new List<(string Name, double[] Times)>();
        bool Want(string name) => only.Count == 0 || only.Any(name.StartsWith);

        if (Want("w2_step"))
        {
            var s = new Workloads.ParabolaStep();
            results.Add(("w2_step", Time(() => s.Step())));
            var h = new Workloads.ParabolaStepHand();
            results.Add(("w2_step_hand", Time(() => h.Step())));
            var c = new CompiledWorkloads.ParabolaStep();
            results.Add(("w2_step_compiled", Time(() => c.Step())));
        }
        if (Want("linreg_epoch"))
        {
            var s = new Workloads.LinearRegressionEpoch();
            results.Add(("linreg_epoch", Time(() => s.Epoch())));
            var h = new Workloads.LinearRegressionEpochHand();
            results.Add(("linreg_epoch_hand", Time(() => h.Epoch())));
            var c = new CompiledWorkloads.LinearRegressionEpoch();
            results.Add(("linreg_epoch_compiled", Time(() => c.Epoch())));
        }
        foreach (int n in new[] { 256, 512, 1024, 2048 })
        {
            if (Want($"sgemm_{n}")) { var g = new Workloads.Matmul<float>(n); results.Add(($"sgemm_{n}", Time(g.Run, n >= 1024 ? 5 : 7))); }
            if (Want($"sgemm_{n}_matmul")) { var g = new Workloads.TensorMatmul<float>(n, n, n); results.Add(($"sgemm_{n}_matmul", Time(g.Run, n >= 1024 ? 5 : 7))); }
            if (Want($"sgemm_{n}_scoped")) { var g = new Workloads.TensorMatmul<float>(n, n, n); results.Add(($"sgemm_{n}_scoped", Time(g.RunScoped, n >= 1024 ? 5 : 7))); }
            if (Want($"sgemm_{n}_into")) { var g = new Workloads.TensorMatmul<float>(n, n, n); results.Add(($"sgemm_{n}_into", Time(g.RunInto, n >= 1024 ? 5 : 7))); }
        }
        foreach (int n in new[] { 256, 1024 })
        {
            if (Want($"dgemm_{n}")) { var g = new Workloads.Matmul<double>(n); results.Add(($"dgemm_{n}", Time(g.Run, 5))); }
            if (Want($"dgemm_{n}_matmul")) { var g = new Workloads.TensorMatmul<double>(n, n, n); results.Add(($"dgemm_{n}_matmul", Time(g.Run, 5))); }
            if (Want($"dgemm_{n}_scoped")) { var g = new Workloads.TensorMatmul<double>(n, n, n); results.Add(($"dgemm_{n}_scoped", Time(g.RunScoped, 5))); }
            if (Want($"dgemm_{n}_into")) { var g = new Workloads.TensorMatmul<double>(n, n, n); results.Add(($"dgemm_{n}_into", Time(g.RunInto, 5))); }
        }
        foreach (var (name, m, k, n, ta, tb) in Workloads.MlpGemmShapes)
        {
            if (Want(name)) { var g = new Workloads.GemmShape(m, k, n, ta, tb); results.Add((name, Time(g.Run))); }
            // Through the public MatMul too where a user writes the product as is (the transposed ones are what MatMul's
            // and Linear's backward passes run inside the GEMM; a user's Transpose() would add a copy).
            if (!ta && !tb && Want(name + "_matmul")) { var g = new Workloads.TensorMatmul<float>(m, k, n); results.Add((name + "_matmul", Time(g.Run))); }
            if (!ta && !tb && Want(name + "_scoped")) { var g = new Workloads.TensorMatmul<float>(m, k, n); results.Add((name + "_scoped", Time(g.RunScoped))); }
        }
        if (Want("mlp_step"))
        {
            var s = new Workloads.MlpStep();
            results.Add(("mlp_step", Time(() => s.Step())));
        }
        foreach (var name in new[] { "fashion_mlp_epoch", "fashion_softmax_epoch", "fashion_cnn_epoch" })
            if (only.Contains(name)) results.AddRange(FashionEpochs.Run(name));
        ElementWiseWorkloads.Run(Want, results, Time);
        ElementWiseWorkloads.RunSplit(Want, results, Time);

        var sb = new StringBuilder("{");
        for (int i = 0; i < results.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append('"').Append(results[i].Name).Append("\": [")
              .Append(string.Join(", ", results[i].Times.Select(t => t.ToString("R", CultureInfo.InvariantCulture)))).Append(']');
        }
        Console.WriteLine(sb.Append('}'));
        return 0;
    }

    /// <summary>
    /// Warms up (so tiered JIT reaches its optimised code), then times <paramref name="batches"/> batches of calls sized
    /// to about 50 ms each; returns seconds per call of each batch.
    /// </summary>
    private static double[] Time(Action action, int batches = 9)
    {
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (sw.Elapsed.TotalSeconds < WarmupSeconds || calls < 3) { action(); calls++; }
        double perCall = sw.Elapsed.TotalSeconds / calls;
        int batch = (int)Math.Clamp(BatchSeconds / perCall, 1, 10_000_000);
        var times = new double[batches * Repeat];
        for (int b = 0; b < times.Length; b++)
        {
            double t0 = Now();
            for (int i = 0; i < batch; i++) action();
            times[b] = (Now() - t0) / batch;
        }
        // Each workload ends as a training run does (Trainer): the scope pool emptied. Large arrays a *_scoped workload
        // left pooled stayed alive for the rest of the process and made the next workloads' fresh 64 MB results fault
        // in erratically (ew_mul_16m after ew_mulscoped_16m: median 7–30 ms, min 3; alone 3.1–3.2 ms).
        TensorScope.ReleasePooledMemory();
        return times;
    }

    /// <summary>
    /// <c>TIMER=cpu</c>: time by this thread's CPU time instead of the wall clock — for single-threaded comparisons on a
    /// loaded machine (time spent descheduled no longer counts; cache sharing with other processes still does).
    /// benchmarks/torch/workloads.py reads the same variable (<c>time.thread_time</c>).
    /// </summary>
    private static readonly bool CpuTimer = Environment.GetEnvironmentVariable("TIMER") == "cpu";

    /// <summary><c>BATCHES_X=n</c>: n times as many timed batches (more chances for a quiet minimum).</summary>
    /// <summary><c>BATCH_S=s</c>: seconds per timed batch (0.05 by default; shorter batches find quiet moments on a busy machine).</summary>
    private static readonly double BatchSeconds =
        double.TryParse(Environment.GetEnvironmentVariable("BATCH_S"), NumberStyles.Float, CultureInfo.InvariantCulture, out double bs) && bs > 0 ? bs : 0.05;

    /// <summary>
    /// <c>WARMUP_S=s</c>: seconds of untimed calls first (0.4 by default). On a loaded machine tiered compilation's
    /// background thread may need longer to install the optimised code of every method on the path.
    /// </summary>
    private static readonly double WarmupSeconds =
        double.TryParse(Environment.GetEnvironmentVariable("WARMUP_S"), NumberStyles.Float, CultureInfo.InvariantCulture, out double ws) && ws > 0 ? ws : 0.4;

    private static readonly int Repeat = int.TryParse(Environment.GetEnvironmentVariable("BATCHES_X"), out int r) && r > 0 ? r : 1;

    private static double Now()
    {
        if (!CpuTimer) return Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
        ThreadCpu.Timespec ts;
        ThreadCpu.clock_gettime(3 /* CLOCK_THREAD_CPUTIME_ID */, &ts);
        return ts.Seconds + ts.Nanoseconds * 1e-9;
    }
}

/// <summary>The thread CPU clock (Linux/macOS libc).</summary>
internal static unsafe partial class ThreadCpu
{
    /// <summary>struct timespec on 64-bit platforms.</summary>
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.LibraryImport("libc")]
    internal static partial int clock_gettime(int clock, Timespec* ts);
}
