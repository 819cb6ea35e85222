using Descent.Optimization.Stopping;

namespace Descent.Optimization.Minimization;

/// <summary>
/// Pure random search, the baseline every other method must beat: each step draws one candidate, uniformly in the box
/// [lower, upper] when one is given, otherwise from a Gaussian of standard deviation <c>radius</c> around the best
/// point so far, and keeps it if f is lower. No gradients: f is evaluated inside <see cref="Autograd.NoGrad"/>, and
/// the result reports 0 gradient evaluations. Seeded, so runs are reproducible.
/// </summary>
/// <example><code>var r = RandomSearch.Minimize(f, [0.0, 0.0], new EvaluationBudget(1000), lower: [-2, -2], upper: [2, 2]);</code></example>
public static class RandomSearch
{
    /// <summary>Searches from <paramref name="start"/> (the first point evaluated).</summary>
    /// <param name="function">f(w) for a 1-D tensor w; must return a scalar.</param>
    /// <param name="start">The first point: non-empty and finite.</param>
    /// <param name="stopping">When to stop (one step per evaluation); null means 1000·n function evaluations. A function-evaluation budget is never exceeded.</param>
    /// <param name="options">Maximize, logging, names, cancellation, method name (default "random").</param>
    /// <param name="lower">The box's lower corner, or null to sample around the best point.</param>
    /// <param name="upper">The box's upper corner (given with <paramref name="lower"/>).</param>
    /// <param name="radius">The Gaussian's standard deviation when there is no box, &gt; 0; default 1.</param>
    /// <param name="seed">The random seed.</param>
    /// <returns>The best point found; the trajectory records the best so far at each step.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> or <paramref name="start"/> is null.</exception>
    /// <exception cref="ArgumentException">The start is empty or not finite, f does not return a scalar, or the box is malformed.</exception>
    public static MinimizeResult Minimize(Func<Tensor<double>, Tensor<double>> function, double[] start, IStoppingRule? stopping = null,
        MinimizeOptions? options = null, double[]? lower = null, double[]? upper = null, double radius = 1, int seed = 0)
    {
        Objective.Validate(function, start, options);
        Box.Validate(lower, upper, start.Length);
        Require.Positive(radius, nameof(radius));
        options ??= new MinimizeOptions();
        stopping ??= new EvaluationBudget(1000L * start.Length);
        var objective = new Objective(function, options.Maximize, Budgets.FunctionLimit(stopping));
        var log = new RunLog("random", start.Length, stopping, options, objective);
        var random = new Random(seed);
        var best = (double[])start.Clone();
        double bestValue = objective.Value(best);
        for (long step = 0; ; step++)
        {
            if (step > 0)
            {
                var candidate = new double[start.Length];
                for (int i = 0; i < candidate.Length; i++)
                    candidate[i] = lower is not null ? lower[i] + random.NextDouble() * (upper![i] - lower[i]) : best[i] + radius * Box.Gaussian(random);
                double value = objective.Value(candidate);
                if (Box.Better(value, bestValue)) { best = candidate; bestValue = value; }
            }
            if (log.Observe(step, best, bestValue, double.NaN, null) is not null) break;
        }
        return log.Finish();
    }
}

/// <summary>Helpers the gradient-free methods share: boxes, Gaussian draws, and NaN-safe comparison.</summary>
internal static class Box
{
    public static void Validate(double[]? lower, double[]? upper, int dimension)
    {
        if (lower is null && upper is null) return;
        if (lower is null || upper is null)
            throw new ArgumentException("Give both corners of the box (lower and upper), or neither.", lower is null ? nameof(lower) : nameof(upper));
        if (lower.Length != dimension || upper.Length != dimension)
            throw new ArgumentException($"The box corners have {lower.Length} and {upper.Length} entries for {dimension} parameters.", nameof(lower));
        for (int i = 0; i < dimension; i++)
            if (!double.IsFinite(lower[i]) || !double.IsFinite(upper[i]) || !(lower[i] <= upper[i]))
                throw new ArgumentException($"The box must be finite with lower <= upper, but coordinate {i} spans [{lower[i]}, {upper[i]}].", nameof(lower));
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>a &lt; b, with NaN worse than every number.</summary>
    public static bool Better(double a, double b) => !double.IsNaN(a) && (double.IsNaN(b) || a < b);

    /// <summary>Orders values with NaN last.</summary>
    public static double Key(double value) => double.IsNaN(value) ? double.PositiveInfinity : value;
}
