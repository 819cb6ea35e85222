namespace Descent.Differentiation;

/// <summary>
/// Finite-difference derivatives: the oracle that checks analytic gradients. The step h trades truncation error
/// against round-off: forward and backward differences err by O(h) from truncation and O(ε/h) from rounding
/// (ε ≈ 2.2e-16), best at h ≈ √ε·max(1, |x|) with about 8 correct digits; central differences err by O(h²) and
/// O(ε/h), best at h ≈ ∛ε·max(1, |x|) with about 10 digits; <see cref="Richardson(Func{double, double}, double, double?, int)"/>
/// extrapolates central differences to 12–14 digits on smooth functions.
/// </summary>
/// <remarks>
/// Differences see the function, not its formula: at a kink they return the average of the one-sided slopes
/// (|x| at 0 → 0, relu at 0 → 0.5), and they are wrong whenever a kink or singularity lies within h of x.
/// Every step is rounded so that x ± h is exactly representable, which removes one source of error.
/// </remarks>
public static class NumericalDifferences
{
    private static readonly double SqrtEpsilon = Math.Sqrt(Math.Pow(2, -52));

    private static readonly double CbrtEpsilon = Math.Cbrt(Math.Pow(2, -52));

    /// <summary>(f(x + h) − f(x))/h; error O(h) + O(ε/h).</summary>
    /// <param name="f">The function.</param>
    /// <param name="x">The point.</param>
    /// <param name="step">h; default √ε·max(1, |x|) ≈ 1.5e-8·max(1, |x|).</param>
    /// <returns>The estimate of f′(x).</returns>
    public static double Forward(Func<double, double> f, double x, double? step = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        var h = Step(x, step, SqrtEpsilon);
        return (f(x + h) - f(x)) / h;
    }

    /// <summary>(f(x) − f(x − h))/h; error O(h) + O(ε/h).</summary>
    /// <param name="f">The function.</param>
    /// <param name="x">The point.</param>
    /// <param name="step">h; default √ε·max(1, |x|).</param>
    /// <returns>The estimate of f′(x).</returns>
    public static double Backward(Func<double, double> f, double x, double? step = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        var h = Step(x, step, SqrtEpsilon);
        return (f(x) - f(x - h)) / h;
    }

    /// <summary>(f(x + h) − f(x − h))/(2h); error O(h²) + O(ε/h).</summary>
    /// <param name="f">The function.</param>
    /// <param name="x">The point.</param>
    /// <param name="step">h; default ∛ε·max(1, |x|) ≈ 6.1e-6·max(1, |x|).</param>
    /// <returns>The estimate of f′(x).</returns>
    public static double Central(Func<double, double> f, double x, double? step = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        var h = Step(x, step, CbrtEpsilon);
        return (f(x + h) - f(x - h)) / (2 * h);
    }

    /// <summary>The gradient by forward differences, one extra evaluation per coordinate.</summary>
    /// <param name="f">The function; it must not modify its argument.</param>
    /// <param name="x">The point (not modified).</param>
    /// <param name="step">h per coordinate; default √ε·max(1, |xᵢ|).</param>
    /// <returns>The estimate of ∇f(x).</returns>
    public static double[] Forward(Func<double[], double> f, double[] x, double? step = null) =>
        Gradient(f, x, (g, xi) => Forward(g, xi, step));

    /// <summary>The gradient by backward differences.</summary>
    /// <param name="f">The function; it must not modify its argument.</param>
    /// <param name="x">The point (not modified).</param>
    /// <param name="step">h per coordinate; default √ε·max(1, |xᵢ|).</param>
    /// <returns>The estimate of ∇f(x).</returns>
    public static double[] Backward(Func<double[], double> f, double[] x, double? step = null) =>
        Gradient(f, x, (g, xi) => Backward(g, xi, step));

    /// <summary>The gradient by central differences, two evaluations per coordinate.</summary>
    /// <param name="f">The function; it must not modify its argument.</param>
    /// <param name="x">The point (not modified).</param>
    /// <param name="step">h per coordinate; default ∛ε·max(1, |xᵢ|).</param>
    /// <returns>The estimate of ∇f(x).</returns>
    public static double[] Central(Func<double[], double> f, double[] x, double? step = null) =>
        Gradient(f, x, (g, xi) => Central(g, xi, step));

    /// <summary>
    /// Richardson extrapolation of central differences: D(h), D(h/2), …, D(h/2^(levels−1)) are combined in a
    /// Neville tableau, each column cancelling the next even power of h (error O(h^(2k))); the entry whose
    /// successive estimates agree best is returned (Ridders' rule), which guards against round-off in the small steps.
    /// </summary>
    /// <param name="f">A function smooth in [x − h, x + h].</param>
    /// <param name="x">The point.</param>
    /// <param name="initialStep">The largest step h; default 0.01·max(1, |x|). It must stay inside f's domain.</param>
    /// <param name="levels">The number of step halvings, 2 to 12; default 6.</param>
    /// <returns>The estimate of f′(x), typically good to 12 or more digits.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="levels"/> is outside 2..12, or the step is not positive.</exception>
    public static double Richardson(Func<double, double> f, double x, double? initialStep = null, int levels = 6)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(levels, 12);
        var h = initialStep ?? (0.01 * Math.Max(1, Math.Abs(x)));
        if (!(h > 0) || !double.IsFinite(h))
        {
            throw new ArgumentOutOfRangeException(nameof(initialStep), h, "The step must be positive and finite.");
        }

        var table = new double[levels, levels];
        var best = double.NaN;
        var bestError = double.PositiveInfinity;
        for (var i = 0; i < levels; i++)
        {
            table[i, 0] = Central(f, x, h);
            var factor = 4.0;
            for (var j = 1; j <= i; j++)
            {
                table[i, j] = table[i, j - 1] + ((table[i, j - 1] - table[i - 1, j - 1]) / (factor - 1));
                factor *= 4;
                var error = Math.Max(Math.Abs(table[i, j] - table[i, j - 1]), Math.Abs(table[i, j] - table[i - 1, j - 1]));
                if (error <= bestError)
                {
                    bestError = error;
                    best = table[i, j];
                }
            }

            h /= 2;
        }

        return best;
    }

    /// <summary>The gradient by Richardson extrapolation, coordinate by coordinate.</summary>
    /// <param name="f">The function; it must not modify its argument.</param>
    /// <param name="x">The point (not modified).</param>
    /// <param name="initialStep">The largest step per coordinate; default 0.01·max(1, |xᵢ|).</param>
    /// <param name="levels">The number of step halvings, 2 to 12; default 6.</param>
    /// <returns>The estimate of ∇f(x).</returns>
    public static double[] Richardson(Func<double[], double> f, double[] x, double? initialStep = null, int levels = 6) =>
        Gradient(f, x, (g, xi) => Richardson(g, xi, initialStep, levels));

    private static double Step(double x, double? step, double scale)
    {
        var h = step ?? (scale * Math.Max(1, Math.Abs(x)));
        if (!(h > 0) || !double.IsFinite(h))
        {
            throw new ArgumentOutOfRangeException(nameof(step), h, "The step must be positive and finite.");
        }

        // Make x + h exactly representable so the divisor is the true step.
        var exact = (x + h) - x;
        return exact > 0 ? exact : h;
    }

    private static double[] Gradient(Func<double[], double> f, double[] x, Func<Func<double, double>, double, double> derivative)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        var gradient = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var index = i;
            double Partial(double xi)
            {
                var point = (double[])x.Clone();
                point[index] = xi;
                return f(point);
            }

            gradient[i] = derivative(Partial, x[i]);
        }

        return gradient;
    }
}
