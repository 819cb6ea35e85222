using System.Text;

namespace Descent;

/// <summary>The outcome of a gradient check: the largest disagreement between analytic and numerical gradients.</summary>
/// <param name="Passed">True when every component is within tolerance.</param>
/// <param name="MaxAbsoluteError">The largest |analytic − numerical| over all components.</param>
/// <param name="MaxRelativeError">The largest |analytic − numerical| / max(1, |numerical|).</param>
/// <param name="Report">Human-readable detail of the worst components.</param>
public sealed record GradCheckResult(bool Passed, double MaxAbsoluteError, double MaxRelativeError, string Report);

/// <summary>
/// Checks analytic gradients (reverse mode) against central finite differences in float64, for any function of
/// tensors: the way to test a composition of your own. A non-scalar output is reduced with a fixed random weighting
/// Σ wᵢ·yᵢ, so every output component is checked.
/// </summary>
/// <example>
/// <code>
/// var x = Tensor.RandomNormal&lt;double&gt;([3, 4], seed: 1);
/// var result = GradCheck.Check(xs => xs[0].Tanh().Sum(), x);
/// // result.Passed, result.MaxAbsoluteError
/// </code>
/// </example>
public static class GradCheck
{
    /// <summary>Compares reverse-mode gradients with central differences of step <paramref name="step"/>.</summary>
    /// <param name="function">The function; it must not change its inputs.</param>
    /// <param name="inputs">Points at which to check (copied; the originals are not modified).</param>
    /// <param name="step">Finite-difference step h; the central difference has error O(h²) + O(ε/h).</param>
    /// <param name="absoluteTolerance">Allowed |analytic − numerical|.</param>
    /// <param name="relativeTolerance">Allowed error relative to |numerical|.</param>
    public static GradCheckResult Check(Func<Tensor<double>[], Tensor<double>> function, Tensor<double>[] inputs,
        double step = 1e-6, double absoluteTolerance = 1e-6, double relativeTolerance = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        var xs = inputs.Select(x => x.Clone().WithGrad()).ToArray();
        var output = function(xs);
        var weights = Tensor.RandomUniform<double>(output.ShapeArray, new Random(12345), 0.5, 1.5);
        Func<Tensor<double>[], double> scalar = args =>
        {
            using var _ = Autograd.NoGrad();
            return (function(args) * weights).Sum().Item();
        };
        var analytic = Autograd.Grad((output * weights).Sum(), xs);
        return Compare(analytic, xs, scalar, step, absoluteTolerance, relativeTolerance);
    }

    /// <summary>Checks a function of one tensor.</summary>
    public static GradCheckResult Check(Func<Tensor<double>, Tensor<double>> function, Tensor<double> input,
        double step = 1e-6, double absoluteTolerance = 1e-6, double relativeTolerance = 1e-5)
        => Check(xs => function(xs[0]), [input], step, absoluteTolerance, relativeTolerance);

    /// <summary>
    /// Checks second derivatives: the gradient of (gradient · v) computed by differentiating the backward pass
    /// (create-graph) against central differences of the first gradient — a Hessian–vector product check.
    /// </summary>
    public static GradCheckResult CheckSecondOrder(Func<Tensor<double>[], Tensor<double>> function, Tensor<double>[] inputs,
        double step = 1e-5, double absoluteTolerance = 1e-5, double relativeTolerance = 1e-4)
    {
        ArgumentNullException.ThrowIfNull(function);
        var probe = Tensor.RandomUniform<double>(function(inputs.Select(x => x.Clone()).ToArray()).ShapeArray, new Random(777), 0.5, 1.5);
        var directions = inputs.Select((x, i) => Tensor.RandomUniform<double>(x.ShapeArray, new Random(99 + i), -1, 1)).ToArray();
        // g(x) = Σ_i <∇_i (f·probe), v_i>; its gradient is H·v.
        Func<Tensor<double>[], Tensor<double>> gv = args =>
        {
            var leaves = args.Select(a => a.RequiresGrad ? a : a.Clone().WithGrad()).ToArray();
            var grads = Autograd.Grad((function(leaves) * probe).Sum(), leaves, createGraph: true);
            Tensor<double> total = Tensor.Scalar(0.0);
            for (int i = 0; i < grads.Length; i++) total = total + (grads[i] * directions[i]).Sum();
            return total;
        };
        var xs = inputs.Select(x => x.Clone().WithGrad()).ToArray();
        var total = gv(xs);
        // A function linear in its inputs has a gradient that does not depend on them: its Hessian is exactly zero.
        var analytic = total.RequiresGrad ? Autograd.Grad(total, xs) : xs.Select(x => Tensor.ZerosLike(x)).ToArray();
        Func<Tensor<double>[], double> scalar = args => gv(args).Item();
        return Compare(analytic, xs, scalar, step, absoluteTolerance, relativeTolerance);
    }

    private static GradCheckResult Compare(Tensor<double>[] analytic, Tensor<double>[] xs, Func<Tensor<double>[], double> f,
        double step, double absTol, double relTol)
    {
        double maxAbs = 0, maxRel = 0;
        bool passed = true;
        var report = new StringBuilder();
        for (int i = 0; i < xs.Length; i++)
        {
            var data = xs[i].Data;
            for (int j = 0; j < data.Length; j++)
            {
                double original = data[j];
                data[j] = original + step;
                double plus = f(xs);
                data[j] = original - step;
                double minus = f(xs);
                data[j] = original;
                double numerical = (plus - minus) / (2 * step);
                double a = analytic[i].Data[j];
                double abs = Math.Abs(a - numerical);
                double rel = abs / Math.Max(1, Math.Abs(numerical));
                bool ok = abs <= absTol + relTol * Math.Abs(numerical) || (double.IsNaN(a) && double.IsNaN(numerical));
                if (double.IsNaN(abs) && !(double.IsNaN(a) && double.IsNaN(numerical))) { ok = false; abs = double.PositiveInfinity; rel = abs; }
                maxAbs = Math.Max(maxAbs, abs);
                maxRel = Math.Max(maxRel, rel);
                if (!ok)
                {
                    passed = false;
                    if (report.Length < 2000)
                        report.AppendLine(System.FormattableString.Invariant($"input {i} element {j}: analytic {a:G10}, numerical {numerical:G10}, error {abs:G3}"));
                }
            }
        }
        if (passed) report.Append(System.FormattableString.Invariant($"all components agree (max abs error {maxAbs:G3})"));
        return new GradCheckResult(passed, maxAbs, maxRel, report.ToString());
    }
}
