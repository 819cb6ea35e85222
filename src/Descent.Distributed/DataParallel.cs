using System.Diagnostics;
using System.Numerics;
using Descent.Learning;
using Descent.Learning.Modules;
using Descent.Learning.Training;

namespace Descent.Distributed;

/// <summary>A worker call that failed and was retried: its step, shard, when, and why.</summary>
/// <param name="Step">The global step (from 1).</param>
/// <param name="Shard">The shard (= worker key).</param>
/// <param name="Seconds">Seconds since training started.</param>
/// <param name="Error">What failed.</param>
public sealed record WorkerFault(long Step, int Shard, double Seconds, string Error);

/// <summary>What a data-parallel run measured.</summary>
public sealed class DataParallelStats
{
    /// <summary>Workers (shards per global batch).</summary>
    public int Workers { get; init; }
    /// <summary>Steps (global batches) whose gradient was computed on the workers.</summary>
    public long Steps { get; internal set; }
    /// <summary>Wall-clock seconds of the distributed gradients: sharding, messages, the slowest worker, reduction.</summary>
    public double GradientSeconds { get; internal set; }
    /// <summary>Seconds of computation on the critical path: per step, the slowest shard's forward and backward.</summary>
    public double ComputeSeconds { get; internal set; }
    /// <summary><see cref="GradientSeconds"/> − <see cref="ComputeSeconds"/>: communication, serialisation, synchronisation and reduction.</summary>
    public double CommunicationSeconds => Math.Max(0, GradientSeconds - ComputeSeconds);
    /// <summary>Bytes of parameters, rows and gradients moved per step (payload, without Orleans' framing), summed over the run.</summary>
    public long PayloadBytes { get; internal set; }
    /// <summary>Worker calls that failed and were retried.</summary>
    public List<WorkerFault> Faults { get; } = [];
    /// <summary>The silos that computed shards (by name).</summary>
    public SortedSet<string> Silos { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Synchronous data-parallel gradients on an Orleans cluster. Every global batch is cut into <c>n</c> contiguous shards
/// of ⌊B/n⌋ or ⌈B/n⌉ rows (shard <c>i</c> = rows ⌊iB/n⌋ … ⌊(i+1)B/n⌋ − 1); worker grain <c>i</c> receives the
/// current parameters and its rows and returns the gradient of its shard's loss. The coordinator weights shard
/// <c>i</c> by rows<sub>i</sub>/B (1 for a summed loss such as sse) and adds the shards in a fixed pairwise tree —
/// ((g₀+g₁)+(g₂+g₃))+… — whatever order the answers arrive in, so the gradient is the global batch's to rounding and
/// the same on every run. The optimizer steps on the coordinator (<see cref="Trainer{T}"/>), so its state is in the
/// coordinator's checkpoints. A failed worker call (its silo died) is retried until <see cref="RetryTimeout"/>: the
/// grain is placed again on a live silo and computes the same shard from the same parameters, so no update is lost or
/// applied twice.
/// </summary>
public sealed class DataParallel<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly IGrainFactory _grains;
    private readonly IReadOnlyList<Tensor<T>> _parameters;
    private readonly WorkerModel _model;
    private readonly bool _summedLoss;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Creates the coordinator side for <paramref name="module"/> (one of the library's models) trained with the loss <paramref name="loss"/>.</summary>
    /// <param name="grains">The cluster's grain factory (a silo's services, or a cluster client).</param>
    /// <param name="module">The coordinator's model: its parameters are what the workers differentiate at.</param>
    /// <param name="loss">The loss's name (<see cref="Learning.Losses.Loss.FromName{T}"/>).</param>
    /// <param name="workers">Shards per global batch.</param>
    /// <param name="standardisedLoss">The loss compares standardised values (an MLP with output scaling, as <c>descent fit</c> trains regression on scaled data).</param>
    public DataParallel(IGrainFactory grains, Module<T> module, string loss, int workers, bool standardisedLoss = false)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrEmpty(loss);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        Learning.Losses.Loss.FromName<T>(loss); // an unknown name fails here, not on a worker
        if (module.NamedModules().Any(m => m.Module is IRandomModule))
            throw new ArgumentException("Data-parallel training does not support layers with random state (dropout): each worker would draw its own masks.", nameof(module));
        var architecture = ModelArchitecture.Of(module);
        _grains = grains;
        _parameters = module.Parameters();
        _summedLoss = loss.ToLowerInvariant().Replace('_', '-') is "sse" or "sum-squared-error";
        _model = new WorkerModel
        {
            Kind = architecture.Kind,
            Inputs = architecture.Inputs,
            Outputs = architecture.Outputs,
            Hidden = [.. architecture.Hidden],
            Activation = architecture.Activation,
            OutputOffset = architecture.OutputOffset?.ToArray(),
            OutputScale = architecture.OutputScale?.ToArray(),
            Loss = loss,
            StandardisedLoss = standardisedLoss,
            DType = typeof(T) == typeof(float) ? "float32" : "float64",
        };
        Stats = new DataParallelStats { Workers = workers };
    }

    /// <summary>How long one shard may keep failing (its worker dead, no silo to move it to) before the run stops.</summary>
    public TimeSpan RetryTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Stops waiting for workers.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>What the run measured so far.</summary>
    public DataParallelStats Stats { get; }

    /// <summary>Makes <paramref name="trainer"/> take its batch gradients from the cluster.</summary>
    public void Attach(Trainer<T> trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        trainer.BatchGradient = Gradient;
    }

    /// <summary>Sets every parameter's gradient to the global batch's, computed on the workers, and returns the batch loss.</summary>
    public double Gradient(Tensor<T> features, Tensor<T> targets) => GradientAsync(features, targets).GetAwaiter().GetResult();

    /// <summary>The asynchronous form of <see cref="Gradient"/>.</summary>
    public async Task<double> GradientAsync(Tensor<T> features, Tensor<T> targets)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        var clock = Stopwatch.StartNew();
        int rows = features.Shape[0];
        if (rows == 0 || targets.Shape[0] != rows) throw new ArgumentException($"A batch of {rows} feature rows and {targets.Shape[0]} target rows.");
        long step = Stats.Steps + 1;
        var parameters = _parameters.Select(p => p.ToDoubleArray()).ToArray();
        double[] x = features.ToDoubleArray(), y = targets.ToDoubleArray();
        int xRow = x.Length / rows, yRow = y.Length / rows;
        int n = Stats.Workers;
        var calls = new List<(int Shard, int Rows, Task<ShardResult> Result)>();
        long bytes = 0;
        for (int i = 0; i < n; i++)
        {
            int start = (int)((long)i * rows / n), end = (int)((long)(i + 1) * rows / n);
            if (end == start) continue;
            var task = new ShardTask
            {
                Model = _model,
                Parameters = parameters,
                Features = x[(start * xRow)..(end * xRow)],
                FeatureShape = [end - start, .. features.Shape[1..]],
                Targets = y[(start * yRow)..(end * yRow)],
                TargetShape = [end - start, .. targets.Shape[1..]],
                Step = step,
            };
            bytes += 8L * (2 * parameters.Sum(p => p.Length) + task.Features.Length + task.Targets.Length);
            calls.Add((i, end - start, Call(i, task)));
        }
        await Task.WhenAll(calls.Select(c => c.Result)).ConfigureAwait(false);

        // Weighted shard gradients, added in a fixed pairwise tree over the shard order.
        var terms = calls.Select(c =>
        {
            var r = c.Result.Result;
            double w = _summedLoss ? 1 : (double)c.Rows / rows;
            return (Loss: w * r.Loss, Gradients: r.Gradients.Select(g => Scale(g, w)).ToArray());
        }).ToList();
        while (terms.Count > 1)
        {
            var next = new List<(double Loss, double[][] Gradients)>((terms.Count + 1) / 2);
            for (int i = 0; i + 1 < terms.Count; i += 2)
                next.Add((terms[i].Loss + terms[i + 1].Loss, terms[i].Gradients.Select((g, k) => Add(g, terms[i + 1].Gradients[k])).ToArray()));
            if (terms.Count % 2 == 1) next.Add(terms[^1]);
            terms = next;
        }
        var (loss, gradient) = terms[0];
        for (int k = 0; k < _parameters.Count; k++)
        {
            var p = _parameters[k];
            var g = Tensor.FromArray(gradient[k].Select(T.CreateTruncating).ToArray(), p.ShapeArray);
            p.Grad = g;
        }
        Stats.Steps = step;
        Stats.PayloadBytes += bytes;
        Stats.ComputeSeconds += calls.Max(c => c.Result.Result.ComputeSeconds);
        foreach (var c in calls) Stats.Silos.Add(c.Result.Result.Silo);
        Stats.GradientSeconds += clock.Elapsed.TotalSeconds;
        return loss;
    }

    private async Task<ShardResult> Call(int shard, ShardTask task)
    {
        var started = Stopwatch.StartNew();
        int attempt = 0;
        while (true)
        {
            try
            {
                return await _grains.GetGrain<IGradientWorker>(shard).Compute(task).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not ArgumentException and not OperationCanceledException)
            {
                lock (Stats.Faults) Stats.Faults.Add(new WorkerFault(task.Step, shard, _clock.Elapsed.TotalSeconds, e.GetType().Name + ": " + FirstLine(e.Message)));
                if (started.Elapsed > RetryTimeout)
                    throw new DistributedTrainingException($"worker {shard} failed step {task.Step} for {RetryTimeout.TotalSeconds:0} s and no live worker took its shard over ({FirstLine(e.Message)}); the checkpoint (if any) resumes the run with --resume.", e);
                attempt++;
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 * attempt)), Cancellation).ConfigureAwait(false);
            }
        }
    }

    private static string FirstLine(string text)
    {
        int newline = text.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? text : text[..newline]).Trim();
    }

    private static double[] Scale(double[] g, double w)
    {
        if (w == 1) return g;
        var r = new double[g.Length];
        for (int i = 0; i < g.Length; i++) r[i] = w * g[i];
        return r;
    }

    private static double[] Add(double[] a, double[] b)
    {
        var r = new double[a.Length];
        for (int i = 0; i < a.Length; i++) r[i] = a[i] + b[i];
        return r;
    }
}
