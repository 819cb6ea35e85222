namespace Descent.Optimization.Minimization;

/// <summary>
/// Backtracking line search with the Armijo (sufficient decrease) condition: starting from α₀, shrink α ← ρ·α until
/// φ(α) ≤ φ(0) + c₁·α·φ'(0) (Nocedal &amp; Wright, Algorithm 3.1). Uses function values only, no gradients.
/// </summary>
/// <example><code>var result = Minimizer.MinimizeWithLineSearch(f, [-1.2, 1.0], new BacktrackingLineSearch());</code></example>
public sealed class BacktrackingLineSearch : ILineSearch
{
    /// <summary>Creates the search.</summary>
    /// <param name="c1">The sufficient-decrease constant, in (0, 1); default 1e-4.</param>
    /// <param name="shrink">The factor ρ applied at each backtrack, in (0, 1); default 0.5.</param>
    /// <param name="maxTrials">The most trial steps, &gt;= 1; default 60.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public BacktrackingLineSearch(double c1 = 1e-4, double shrink = 0.5, int maxTrials = 60)
    {
        C1 = Require.InOpen(c1, 0, 1, nameof(c1));
        Shrink = Require.InOpen(shrink, 0, 1, nameof(shrink));
        MaxTrials = (int)Require.AtLeast(maxTrials, 1, nameof(maxTrials));
    }

    /// <summary>c₁.</summary>
    public double C1 { get; }

    /// <summary>ρ.</summary>
    public double Shrink { get; }

    /// <summary>The most trial steps.</summary>
    public int MaxTrials { get; }

    /// <inheritdoc />
    public string Name => "armijo";

    /// <inheritdoc />
    public LineSearchResult Search(Func<double, double> value, Func<double, (double Value, double Slope)> valueAndSlope,
        double value0, double slope0, double initialStep)
    {
        ArgumentNullException.ThrowIfNull(value);
        double alpha = initialStep;
        double best = double.NaN, bestAlpha = 0;
        for (int trial = 1; trial <= MaxTrials; trial++)
        {
            double phi = value(alpha);
            if (phi <= value0 + C1 * alpha * slope0) return new LineSearchResult(alpha, phi, true, trial);
            if (phi < value0 && !(phi >= best)) { best = phi; bestAlpha = alpha; }
            alpha *= Shrink;
        }
        return bestAlpha > 0 ? new LineSearchResult(bestAlpha, best, false, MaxTrials) : new LineSearchResult(0, value0, false, MaxTrials);
    }
}
