namespace Descent.Optimization.Minimization;

/// <summary>One distinct minimum found by <see cref="MultiStart"/>: the best run's final point and value, and how many runs ended there.</summary>
/// <param name="Point">The best final point among the runs of this cluster.</param>
/// <param name="Value">f there.</param>
/// <param name="Count">How many runs ended within the tolerance of it.</param>
public sealed record DistinctMinimum(double[] Point, double Value, int Count);

/// <summary>The outcome of <see cref="MultiStart.Run"/>.</summary>
/// <param name="Best">The best run (lowest f, highest when maximizing) among those that did not diverge.</param>
/// <param name="Runs">Every run, in the order of <paramref name="Starts"/>.</param>
/// <param name="Starts">The starting points drawn.</param>
/// <param name="Minima">The distinct final points, best first (minima, or maxima when maximizing).</param>
public sealed record MultiStartResult(MinimizeResult Best, IReadOnlyList<MinimizeResult> Runs, IReadOnlyList<double[]> Starts, IReadOnlyList<DistinctMinimum> Minima)
{
    /// <summary>Function evaluations of all runs together.</summary>
    public long FunctionEvaluations => Runs.Sum(r => r.FunctionEvaluations);

    /// <summary>Gradient evaluations of all runs together.</summary>
    public long GradientEvaluations => Runs.Sum(r => r.GradientEvaluations);
}

/// <summary>
/// Runs a local minimizer from many starting points drawn uniformly in a box, in parallel, keeps the best, and
/// clusters the final points into distinct minima — the simplest defence against local minima. The starts are drawn
/// from one seeded generator before any run begins, and results are kept in start order, so the outcome does not
/// depend on scheduling. Safe in parallel because the autodiff engine keeps its recording switches and its
/// backward-pass workspace per thread ([ThreadStatic]), marks visited nodes with a stamp drawn by Interlocked, and each
/// run builds its own tensors; the function must not share tensors that require gradients between runs.
/// </summary>
/// <example>
/// <code>
/// var found = MultiStart.Run(x => Lbfgs.Minimize(w => (w.Pow(4.0) - 3.0 * w.Square() + w).Sum(), x), [-3.0], [3.0], starts: 10);
/// // found.Minima: x ≈ −1.30 (f ≈ −3.51, the global minimum) and x ≈ 1.13 (f ≈ −1.07)
/// </code>
/// </example>
public static class MultiStart
{
    /// <summary>Runs <paramref name="minimizer"/> from <paramref name="starts"/> random points in [lower, upper].</summary>
    /// <param name="minimizer">One local run from a starting point (any method of this namespace).</param>
    /// <param name="lower">The box's lower corner.</param>
    /// <param name="upper">The box's upper corner, same length, upper ≥ lower.</param>
    /// <param name="starts">K, the number of runs, &gt;= 1.</param>
    /// <param name="seed">The seed of the starting points.</param>
    /// <param name="tolerance">Final points closer than this (Euclidean) are the same minimum, &gt; 0; default 1e-4.</param>
    /// <param name="maximize">True when the runs maximize: the best run and the order of minima are by highest f.</param>
    /// <param name="maxDegreeOfParallelism">The most runs at once; null means the number of processors.</param>
    /// <returns>The best run, every run, the starts and the distinct minima.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The box is empty or malformed.</exception>
    /// <exception cref="AggregateException">A run threw (for example the function does not return a scalar); the run's exception is inside.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="starts"/>, <paramref name="tolerance"/> or <paramref name="maxDegreeOfParallelism"/> is out of range.</exception>
    public static MultiStartResult Run(Func<double[], MinimizeResult> minimizer, double[] lower, double[] upper, int starts,
        int seed = 0, double tolerance = 1e-4, bool maximize = false, int? maxDegreeOfParallelism = null)
    {
        ArgumentNullException.ThrowIfNull(minimizer);
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(upper);
        if (lower.Length == 0) throw new ArgumentException("The box is empty; give at least one coordinate.", nameof(lower));
        Box.Validate(lower, upper, lower.Length);
        Require.AtLeast(starts, 1, nameof(starts));
        Require.Positive(tolerance, nameof(tolerance));
        if (maxDegreeOfParallelism is int m) Require.AtLeast(m, 1, nameof(maxDegreeOfParallelism));

        var random = new Random(seed);
        var points = new double[starts][];
        for (int k = 0; k < starts; k++)
        {
            points[k] = new double[lower.Length];
            for (int i = 0; i < lower.Length; i++) points[k][i] = lower[i] + random.NextDouble() * (upper[i] - lower[i]);
        }

        var runs = new MinimizeResult[starts];
        Parallel.For(0, starts, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount },
            k => runs[k] = minimizer((double[])points[k].Clone()) ?? throw new InvalidOperationException($"The minimizer returned null for start {k}."));

        double Score(MinimizeResult r) => r.Diverged || double.IsNaN(r.Value) ? double.PositiveInfinity : maximize ? -r.Value : r.Value;
        var best = runs.MinBy(Score)!;
        var minima = new List<(double[] Point, double Value, int Count)>();
        foreach (var run in runs.Where(r => !double.IsPositiveInfinity(Score(r))).OrderBy(Score))
        {
            int found = minima.FindIndex(c => Vectors.Distance(c.Point, run.Point) <= tolerance);
            if (found < 0) minima.Add((run.Point, run.Value, 1));
            else minima[found] = (minima[found].Point, minima[found].Value, minima[found].Count + 1);
        }
        return new MultiStartResult(best, runs, points, minima.Select(c => new DistinctMinimum(c.Point, c.Value, c.Count)).ToArray());
    }
}
