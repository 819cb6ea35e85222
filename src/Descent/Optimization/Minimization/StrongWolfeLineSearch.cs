namespace Descent.Optimization.Minimization;

/// <summary>
/// Line search for a step satisfying the strong Wolfe conditions φ(α) ≤ φ(0) + c₁·α·φ'(0) and |φ'(α)| ≤ c₂·|φ'(0)|
/// (Nocedal &amp; Wright, Algorithms 3.5 and 3.6): the bracketing phase grows α until an interval is known to hold
/// such a step, then <c>zoom</c> shrinks it by cubic interpolation of φ and φ' at the ends (quadratic when the cubic
/// has no minimizer, bisection when the guess falls too near an end). Every trial costs one function and one gradient
/// evaluation. Use c₂ = 0.9 for quasi-Newton methods, 0.1 for conjugate gradient.
/// </summary>
public sealed class StrongWolfeLineSearch : ILineSearch
{
    /// <summary>Creates the search.</summary>
    /// <param name="c1">The sufficient-decrease constant; default 1e-4.</param>
    /// <param name="c2">The curvature constant, c₁ &lt; c₂ &lt; 1; default 0.9.</param>
    /// <param name="maxStep">The largest step tried; default 1e10.</param>
    /// <param name="maxTrials">The most trial steps over both phases; default 40.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public StrongWolfeLineSearch(double c1 = 1e-4, double c2 = 0.9, double maxStep = 1e10, int maxTrials = 40)
    {
        C1 = Require.InOpen(c1, 0, 1, nameof(c1));
        C2 = Require.InOpen(c2, c1, 1, nameof(c2));
        MaxStep = Require.Positive(maxStep, nameof(maxStep));
        MaxTrials = (int)Require.AtLeast(maxTrials, 1, nameof(maxTrials));
    }

    /// <summary>c₁.</summary>
    public double C1 { get; }

    /// <summary>c₂.</summary>
    public double C2 { get; }

    /// <summary>The largest step.</summary>
    public double MaxStep { get; }

    /// <summary>The most trial steps.</summary>
    public int MaxTrials { get; }

    /// <inheritdoc />
    public string Name => "wolfe";

    /// <inheritdoc />
    public LineSearchResult Search(Func<double, double> value, Func<double, (double Value, double Slope)> valueAndSlope,
        double value0, double slope0, double initialStep)
    {
        ArgumentNullException.ThrowIfNull(valueAndSlope);
        int trials = 0;
        double previous = 0, previousValue = value0, previousSlope = slope0;
        double alpha = Math.Min(initialStep, MaxStep);
        // The best point with sufficient decrease, returned (unsatisfied) when the trials run out.
        double bestAlpha = 0, bestValue = value0;

        while (trials < MaxTrials)
        {
            var (phi, slope) = valueAndSlope(alpha);
            trials++;
            if (!double.IsFinite(phi) || !double.IsFinite(slope))
            {
                // Stepped into a region where f is not finite: treat it as "too far" and zoom back.
                return Zoom(valueAndSlope, value0, slope0, previous, previousValue, previousSlope, alpha, double.PositiveInfinity, double.NaN, ref trials, bestAlpha, bestValue);
            }
            if (phi > value0 + C1 * alpha * slope0 || (trials > 1 && phi >= previousValue))
                return Zoom(valueAndSlope, value0, slope0, previous, previousValue, previousSlope, alpha, phi, slope, ref trials, bestAlpha, bestValue);
            bestAlpha = alpha;
            bestValue = phi;
            if (Math.Abs(slope) <= -C2 * slope0) return new LineSearchResult(alpha, phi, true, trials);
            if (slope >= 0)
                return Zoom(valueAndSlope, value0, slope0, alpha, phi, slope, previous, previousValue, previousSlope, ref trials, bestAlpha, bestValue);
            if (alpha >= MaxStep) break;
            previous = alpha;
            previousValue = phi;
            previousSlope = slope;
            alpha = Math.Min(2 * alpha, MaxStep);
        }
        return new LineSearchResult(bestAlpha, bestValue, false, trials);
    }

    /// <summary>Algorithm 3.6: <c>lo</c> has sufficient decrease and the lowest value so far; a Wolfe step lies between lo and hi.</summary>
    private LineSearchResult Zoom(Func<double, (double Value, double Slope)> valueAndSlope, double value0, double slope0,
        double lo, double loValue, double loSlope, double hi, double hiValue, double hiSlope, ref int trials, double bestAlpha, double bestValue)
    {
        while (trials < MaxTrials)
        {
            double alpha = Interpolate(lo, loValue, loSlope, hi, hiValue, hiSlope);
            var (phi, slope) = valueAndSlope(alpha);
            trials++;
            if (!double.IsFinite(phi) || !double.IsFinite(slope) || phi > value0 + C1 * alpha * slope0 || phi >= loValue)
            {
                hi = alpha;
                hiValue = double.IsFinite(phi) ? phi : double.PositiveInfinity;
                hiSlope = slope;
            }
            else
            {
                if (phi < bestValue) { bestAlpha = alpha; bestValue = phi; }
                if (Math.Abs(slope) <= -C2 * slope0) return new LineSearchResult(alpha, phi, true, trials);
                if (slope * (hi - lo) >= 0) { hi = lo; hiValue = loValue; hiSlope = loSlope; }
                lo = alpha;
                loValue = phi;
                loSlope = slope;
            }
            if (Math.Abs(hi - lo) <= 1e-16 * Math.Max(1, Math.Abs(lo))) break;
        }
        return new LineSearchResult(bestAlpha, bestValue, false, trials);
    }

    /// <summary>
    /// The minimizer of the cubic through (a, fa, da) and (b, fb, db) (N&amp;W eq. 3.59), or of the quadratic through
    /// (a, fa, da) and (b, fb) when the cubic has none; kept at least 10% of the interval away from either end,
    /// else the midpoint.
    /// </summary>
    internal static double Interpolate(double a, double fa, double da, double b, double fb, double db)
    {
        double guess = double.NaN;
        if (double.IsFinite(fb) && double.IsFinite(db))
        {
            double d1 = da + db - 3 * (fa - fb) / (a - b);
            double radicand = d1 * d1 - da * db;
            if (radicand >= 0)
            {
                double d2 = Math.Sign(b - a) * Math.Sqrt(radicand);
                guess = b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
            }
        }
        if (!double.IsFinite(guess) && double.IsFinite(fb))
        {
            double h = b - a;
            double curvature = fb - fa - da * h;
            if (curvature > 0) guess = a - da * h * h / (2 * curvature);
        }
        double low = Math.Min(a, b), high = Math.Max(a, b), margin = 0.1 * (high - low);
        return double.IsFinite(guess) && guess >= low + margin && guess <= high - margin ? guess : 0.5 * (a + b);
    }
}
