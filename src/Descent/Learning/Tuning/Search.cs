using System.Diagnostics;
using System.Globalization;
using System.Text;
using Descent.Learning.Data;

namespace Descent.Learning.Tuning;

/// <summary>One trial of a grid or random search.</summary>
/// <param name="Index">Its position in the run order (0-based): the grid order, or the order of the random draws.</param>
/// <param name="Settings">The settings it tried.</param>
/// <param name="Seed">The seed it was given, derived from the search's seed and <paramref name="Index"/> only.</param>
/// <param name="Outcome">What it produced.</param>
/// <param name="Seconds">Its wall time (the only part of a result that varies between identical runs).</param>
public sealed record Trial(int Index, Settings Settings, int Seed, TrialOutcome Outcome, double Seconds);

/// <summary>Settings shared by the searches.</summary>
public sealed record SearchOptions
{
    /// <summary>The master seed: random draws and every trial's seed derive from it.</summary>
    public int Seed { get; init; }

    /// <summary>The most trials run at once; null means the number of processors.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>Give every trial the master seed itself instead of its own (common random numbers: trials then differ only by their settings).</summary>
    public bool SharedSeed { get; init; }

    /// <summary>Stops starting new trials; trials already running finish. The search then throws <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>The outcome of a search: every trial, best first, and the best.</summary>
public sealed class SearchResult
{
    internal SearchResult(IReadOnlyList<Trial> runOrder)
    {
        RunOrder = runOrder;
        Trials = Ranking.Order(runOrder.Select(t => t.Outcome).ToArray()).Select(i => runOrder[i]).ToArray();
    }

    /// <summary>Every trial, best first: by score in the trials' direction, ties by index, diverged or non-finite trials last.</summary>
    public IReadOnlyList<Trial> Trials { get; }

    /// <summary>Every trial in run order (by <see cref="Trial.Index"/>).</summary>
    public IReadOnlyList<Trial> RunOrder { get; }

    /// <summary>The best trial (the first of <see cref="Trials"/>); it has failed only when every trial failed.</summary>
    /// <exception cref="InvalidOperationException">The search ran no trials.</exception>
    public Trial Best => Trials.Count > 0 ? Trials[0] : throw new InvalidOperationException("The search ran no trials.");

    /// <summary>The result table, best first: rank, each setting, score (± standard deviation for cross-validation), seed, status.</summary>
    public string ToTable()
    {
        var names = RunOrder.Count == 0 ? [] : RunOrder[0].Settings.Keys.ToArray();
        var rows = Trials.Select((t, rank) => new[] { (rank + 1).ToString(CultureInfo.InvariantCulture) }
            .Concat(names.Select(n => Settings.Format(t.Settings[n])))
            .Append(SearchTable.Score(t.Outcome))
            .Append(t.Seed.ToString(CultureInfo.InvariantCulture))
            .Append(SearchTable.Status(t.Outcome)).ToArray()).ToList();
        return SearchTable.Render(["rank", .. names, "score", "seed", "status"], rows);
    }

    /// <inheritdoc />
    public override string ToString() => ToTable();
}

/// <summary>Runs trials in parallel into an array kept in run order, so the outcome does not depend on scheduling.</summary>
internal static class SearchRunner
{
    public static Trial[] Run(IReadOnlyList<Settings> points, Func<Settings, int, TrialOutcome> objective, SearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(objective);
        if (options.MaxDegreeOfParallelism is { } m) ArgumentOutOfRangeException.ThrowIfLessThan(m, 1, nameof(options));
        var trials = new Trial[points.Count];
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount,
            CancellationToken = options.Cancellation,
        };
        Parallel.ForEach(Enumerable.Range(0, points.Count), parallel, i =>
        {
            int seed = options.SharedSeed ? options.Seed : Ranking.TrialSeed(options.Seed, i);
            var clock = Stopwatch.StartNew();
            var outcome = objective(points[i], seed)
                ?? throw new InvalidOperationException($"The objective returned null for trial {i} ({points[i]}).");
            trials[i] = new Trial(i, points[i], seed, outcome, clock.Elapsed.TotalSeconds);
        });
        return trials;
    }
}

/// <summary>
/// Hyperparameter search over a <see cref="SearchSpace"/>: <see cref="Grid"/> tries every grid point, <see cref="Random"/>
/// draws points from the domains. (The gradient-free minimizer of a function is
/// <see cref="Optimization.Minimization.RandomSearch"/>; the names no longer collide.)
/// </summary>
public static class HyperparameterSearch
{
    /// <summary>
    /// Exhaustive search: one trial per point of the grid (the product of every setting's grid values), in parallel,
    /// each with its own seed derived from the master seed and the point's index.
    /// </summary>
    /// <example>
    /// <code>
    /// var result = HyperparameterSearch.Grid.Run(new SearchSpace { ["lr"] = Domain.Values(0.01, 0.1), ["hidden"] = Domain.Values(8, 32) },
    ///     (s, seed) => TrialOutcome.FromHistory(Fit(s.Double("lr"), s.Int("hidden"), seed)));
    /// Console.WriteLine(result.ToTable());
    /// </code>
    /// </example>
    public static class Grid
    {
        /// <summary>The grid's points in run order: the first setting varies slowest, the last fastest.</summary>
        public static IReadOnlyList<Settings> Points(SearchSpace space)
        {
            ArgumentNullException.ThrowIfNull(space);
            var points = new List<Settings>();
            var domains = space.ToArray();
            var current = new KeyValuePair<string, object>[domains.Length];
            void Fill(int depth)
            {
                if (depth == domains.Length) { points.Add(new Settings(current.ToArray())); return; }
                foreach (var value in domains[depth].Value.GridValues)
                {
                    current[depth] = KeyValuePair.Create(domains[depth].Key, value);
                    Fill(depth + 1);
                }
            }
            Fill(0);
            return points;
        }

        /// <summary>Runs one trial per grid point.</summary>
        /// <param name="space">The settings and their grid values.</param>
        /// <param name="objective">One trial: settings and seed in, outcome out. Called concurrently; it must not share mutable state between trials.</param>
        /// <param name="options">Seed, parallelism, cancellation.</param>
        /// <exception cref="AggregateException">A trial threw; its exception is inside.</exception>
        /// <exception cref="OperationCanceledException">The search was cancelled.</exception>
        /// <exception cref="InvalidOperationException">Trials disagree on whether lower scores are better.</exception>
        public static SearchResult Run(SearchSpace space, Func<Settings, int, TrialOutcome> objective, SearchOptions? options = null)
            => new(SearchRunner.Run(Points(space), objective, options ?? new SearchOptions()));
    }

    /// <summary>
    /// Random search: <c>trials</c> points drawn independently from the settings' domains (uniform, or log-uniform on log
    /// scales), all drawn from the master seed before any trial runs, then run in parallel with per-trial seeds. Often
    /// better than a grid for the same budget when only a few settings matter.
    /// </summary>
    public static class Random
    {
        /// <summary>The points a random search with this seed draws, in run order.</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="trials"/> is negative.</exception>
        public static IReadOnlyList<Settings> Points(SearchSpace space, int trials, int seed = 0)
        {
            ArgumentNullException.ThrowIfNull(space);
            ArgumentOutOfRangeException.ThrowIfNegative(trials);
            // Stream −1 of the seed: independent of the per-trial seed streams 0, 1, 2, …
            var random = DataRandom.ForStream(seed, -1);
            var points = new Settings[trials];
            for (int i = 0; i < trials; i++)
                points[i] = new Settings(space.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Sample(random))).ToArray());
            return points;
        }

        /// <summary>Runs <paramref name="trials"/> trials at random points of <paramref name="space"/>.</summary>
        /// <param name="space">The settings and their domains.</param>
        /// <param name="trials">The number of trials.</param>
        /// <param name="objective">One trial: settings and seed in, outcome out. Called concurrently; it must not share mutable state between trials.</param>
        /// <param name="options">Seed, parallelism, cancellation.</param>
        /// <exception cref="AggregateException">A trial threw; its exception is inside.</exception>
        /// <exception cref="OperationCanceledException">The search was cancelled.</exception>
        public static SearchResult Run(SearchSpace space, int trials, Func<Settings, int, TrialOutcome> objective, SearchOptions? options = null)
        {
            options ??= new SearchOptions();
            return new(SearchRunner.Run(Points(space, trials, options.Seed), objective, options));
        }
    }
}

/// <summary>Plain-text tables for search results.</summary>
internal static class SearchTable
{
    public static string Score(TrialOutcome o)
    {
        string s = o.Score.ToString("G6", CultureInfo.InvariantCulture);
        return o.ScoreStandardDeviation is { } sd ? s + " ± " + sd.ToString("G3", CultureInfo.InvariantCulture) : s;
    }

    public static string Status(TrialOutcome o) => o.Diverged ? "diverged" : o.Failed ? "failed (score not finite)" : "ok";

    public static string Render(IReadOnlyList<string> header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, c) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[c].Length))).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells) =>
            sb.AppendLine(string.Join("  ", cells.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        Line(header);
        Line(widths.Select(w => new string('-', w)).ToArray());
        foreach (var r in rows) Line(r);
        return sb.ToString();
    }
}
