using System.Diagnostics;
using System.Globalization;
using Descent.Learning.Data;

namespace Descent.Learning.Tuning;

/// <summary>The phase of a learning-rate sweep a trial belongs to.</summary>
public enum SweepPhase
{
    /// <summary>One trial per order of magnitude (10⁻⁵, 10⁻⁴, …, 10⁰ by default).</summary>
    Coarse,
    /// <summary>Log-uniform random learning rates inside the best decade.</summary>
    Fine,
}

/// <summary>One trial of a learning-rate sweep.</summary>
/// <param name="Index">Its position in the run order: coarse trials first (ascending rates), then fine trials in draw order.</param>
/// <param name="Phase">Coarse or fine.</param>
/// <param name="LearningRate">The learning rate tried.</param>
/// <param name="Seed">The seed it was given.</param>
/// <param name="Outcome">What it produced.</param>
/// <param name="Seconds">Its wall time.</param>
public sealed record SweepTrial(int Index, SweepPhase Phase, double LearningRate, int Seed, TrialOutcome Outcome, double Seconds);

/// <summary>Settings of a <see cref="LearningRateSweep"/>.</summary>
public sealed record LearningRateSweepOptions
{
    /// <summary>The smallest learning rate of the coarse phase (10⁻⁵ by default); must be positive.</summary>
    public double Min { get; init; } = 1e-5;

    /// <summary>The largest learning rate of the coarse phase (10⁰ by default); at least <see cref="Min"/>.</summary>
    public double Max { get; init; } = 1;

    /// <summary>The number of log-uniform random trials of the fine phase (10 by default; 0 skips it).</summary>
    public int FineTrials { get; init; } = 10;

    /// <summary>The master seed: the fine learning rates and every trial's seed derive from it.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Give every trial the master seed itself (the default): the same initial parameters and batch order for every
    /// learning rate, so trials differ only by the learning rate. When false, each trial gets its own derived seed.
    /// </summary>
    public bool SharedSeed { get; init; } = true;

    /// <summary>The most trials run at once; null means the number of processors.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>Stops starting new trials; the sweep then throws <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>The outcome of a <see cref="LearningRateSweep"/>: every trial sorted by score, the best, and the two phases.</summary>
public sealed class LearningRateSweepResult
{
    internal LearningRateSweepResult(IReadOnlyList<SweepTrial> runOrder, double decadeLow, double decadeHigh)
    {
        RunOrder = runOrder;
        Trials = Sorted(runOrder);
        Coarse = Sorted(runOrder.Where(t => t.Phase == SweepPhase.Coarse).ToArray());
        Fine = Sorted(runOrder.Where(t => t.Phase == SweepPhase.Fine).ToArray());
        BestDecade = (decadeLow, decadeHigh);
    }

    private static SweepTrial[] Sorted(IReadOnlyList<SweepTrial> trials)
        => Ranking.Order(trials.Select(t => t.Outcome).ToArray()).Select(i => trials[i]).ToArray();

    /// <summary>Every trial, best first (diverged and non-finite trials last).</summary>
    public IReadOnlyList<SweepTrial> Trials { get; }

    /// <summary>Every trial in run order.</summary>
    public IReadOnlyList<SweepTrial> RunOrder { get; }

    /// <summary>The coarse phase (one trial per decade), best first.</summary>
    public IReadOnlyList<SweepTrial> Coarse { get; }

    /// <summary>The fine phase (random rates inside <see cref="BestDecade"/>), best first.</summary>
    public IReadOnlyList<SweepTrial> Fine { get; }

    /// <summary>The interval the fine phase sampled: the decade centred (on a log scale) on the best coarse rate, clipped to [Min, Max].</summary>
    public (double Low, double High) BestDecade { get; }

    /// <summary>The best trial of both phases.</summary>
    public SweepTrial Best => Trials[0];

    /// <summary>The best learning rate found.</summary>
    public double BestLearningRate => Best.LearningRate;

    /// <summary>The result table, best first: rank, phase, learning rate, score, seed, status.</summary>
    public string ToTable()
    {
        var rows = Trials.Select((t, rank) => new[]
        {
            (rank + 1).ToString(CultureInfo.InvariantCulture), t.Phase == SweepPhase.Coarse ? "coarse" : "fine",
            t.LearningRate.ToString("G4", CultureInfo.InvariantCulture), SearchTable.Score(t.Outcome),
            t.Seed.ToString(CultureInfo.InvariantCulture), SearchTable.Status(t.Outcome),
        }).ToList();
        return SearchTable.Render(["rank", "phase", "learning rate", "score", "seed", "status"], rows);
    }

    /// <inheritdoc />
    public override string ToString() => ToTable();
}

/// <summary>
/// The learning-rate sweep: first across orders of magnitude — one trial at each power of ten from
/// <see cref="LearningRateSweepOptions.Min"/> to <see cref="LearningRateSweepOptions.Max"/> (10⁻⁵, 10⁻⁴, …, 10⁰) — then a
/// finer random sample, log-uniform and seeded, inside the best decade: the decade centred on the best coarse rate
/// η*, [η*/√10, η*·√10], clipped to the coarse range. Diverged trials rank last. Trials of each phase run in
/// parallel; results are kept in run order and sorted deterministically, so they do not depend on scheduling.
/// </summary>
/// <example>
/// <code>
/// var sweep = LearningRateSweep.Run((lr, seed) => TrialOutcome.FromMinimization(
///     Minimizer.Minimize(w => w.Square().Sum(), [10.0], Optimizers.GradientDescent&lt;double&gt;(lr), new MaxSteps(20))));
/// // sweep.Coarse[0].LearningRate == 0.1; sweep.BestLearningRate is in [0.0316, 0.316]
/// </code>
/// </example>
public static class LearningRateSweep
{
    /// <summary>The coarse phase's learning rates: Min, 10·Min, 100·Min, … up to Max (and Max itself when it is not a power-of-ten multiple of Min).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Min is not positive and finite, or Max is below Min or not finite.</exception>
    public static IReadOnlyList<double> Decades(double min = 1e-5, double max = 1)
    {
        if (!(min > 0) || !double.IsFinite(min)) throw new ArgumentOutOfRangeException(nameof(min), min, "The smallest learning rate must be positive and finite.");
        if (!(max >= min) || !double.IsFinite(max)) throw new ArgumentOutOfRangeException(nameof(max), max, $"The largest learning rate must be finite and at least the smallest ({min}).");
        var rates = new List<double>();
        // log10(max) − log10(min), not log10(max / min): the ratio overflows for 1e-300..1e300 (600 decades, not "infinitely many").
        int decades = (int)Math.Floor(Math.Log10(max) - Math.Log10(min) + 1e-9);
        // Round each rate to 12 significant digits so 1e-5·10^k prints and compares as the power of ten it is.
        for (int k = 0; k <= decades; k++)
        {
            double rate = min * Math.Pow(10, k);
            if (!double.IsFinite(rate)) rate = Math.Pow(10, Math.Log10(min) + k); // 10^k alone overflows past k = 308
            rates.Add(double.Parse(rate.ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        }
        if (rates[^1] < max * (1 - 1e-9)) rates.Add(max);
        return rates;
    }

    /// <summary>Runs the sweep.</summary>
    /// <param name="objective">One trial: (learning rate, seed) → outcome. Called concurrently; it must build its own model and optimizer.</param>
    /// <param name="options">Range, fine trials, seed, parallelism.</param>
    /// <returns>Every trial sorted by score, the best, and the two phases.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    /// <exception cref="AggregateException">A trial threw; its exception is inside.</exception>
    /// <exception cref="InvalidOperationException">Trials disagree on whether lower scores are better.</exception>
    public static LearningRateSweepResult Run(Func<double, int, TrialOutcome> objective, LearningRateSweepOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(objective);
        options ??= new LearningRateSweepOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.FineTrials, nameof(options));
        if (options.MaxDegreeOfParallelism is { } m) ArgumentOutOfRangeException.ThrowIfLessThan(m, 1, nameof(options));
        var coarseRates = Decades(options.Min, options.Max);

        var coarse = RunPhase(SweepPhase.Coarse, coarseRates, 0, objective, options);
        var best = coarse[Ranking.Order(coarse.Select(t => t.Outcome).ToArray())[0]];
        double low = Math.Max(options.Min, best.LearningRate / Math.Sqrt(10));
        double high = Math.Min(options.Max, best.LearningRate * Math.Sqrt(10));

        // Stream −1 of the seed draws the fine rates; trial seeds use streams 0, 1, 2, … (by trial index).
        var random = DataRandom.ForStream(options.Seed, -1);
        var fineRates = new double[options.FineTrials];
        for (int i = 0; i < fineRates.Length; i++)
            fineRates[i] = Math.Exp(Math.Log(low) + random.NextDouble() * (Math.Log(high) - Math.Log(low)));
        var fine = RunPhase(SweepPhase.Fine, fineRates, coarse.Length, objective, options);
        return new LearningRateSweepResult([.. coarse, .. fine], low, high);
    }

    private static SweepTrial[] RunPhase(SweepPhase phase, IReadOnlyList<double> rates, int firstIndex, Func<double, int, TrialOutcome> objective, LearningRateSweepOptions options)
    {
        var trials = new SweepTrial[rates.Count];
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount,
            CancellationToken = options.Cancellation,
        };
        Parallel.ForEach(Enumerable.Range(0, rates.Count), parallel, i =>
        {
            int index = firstIndex + i;
            int seed = options.SharedSeed ? options.Seed : Ranking.TrialSeed(options.Seed, index);
            var clock = Stopwatch.StartNew();
            var outcome = objective(rates[i], seed)
                ?? throw new InvalidOperationException($"The objective returned null for learning rate {rates[i]}.");
            trials[i] = new SweepTrial(index, phase, rates[i], seed, outcome, clock.Elapsed.TotalSeconds);
        });
        return trials;
    }
}
