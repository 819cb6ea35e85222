using Descent.Optimization.Stopping;

namespace Descent.Optimization.Minimization;

/// <summary>How a line-search method picks its direction, and what it learns from each accepted step.</summary>
internal interface IDirectionRule
{
    /// <summary>Writes the search direction at x into <paramref name="direction"/> and returns the first trial step.</summary>
    double Direction(long iteration, double[] x, double[] gradient, double[] direction);

    /// <summary>Learns from the accepted step s = x₊ − x, y = ∇f₊ − ∇f.</summary>
    void Accept(double[] s, double[] y, double[] gradient, double[] newGradient, double step);

    /// <summary>Forgets what it learned (the next direction is steepest descent).</summary>
    void Reset();
}

/// <summary>
/// The loop shared by the line-search methods (steepest descent, L-BFGS, conjugate gradient): observe, choose a
/// direction, search along it, step. A direction that is not a descent direction, or along which the search finds no
/// decrease, is replaced once by steepest descent; when even that fails the run stops (StepBelow: no progress possible
/// in floating point).
/// </summary>
internal static class LineSearchLoop
{
    public static IStoppingRule DefaultStopping() => new AnyOf(new MaxSteps(1000), new GradientNormBelow(1e-9));

    public static MinimizeResult Run(string method, Func<Tensor<double>, Tensor<double>> function, double[] start,
        IStoppingRule? stopping, MinimizeOptions? options, ILineSearch lineSearch, IDirectionRule rule)
    {
        Objective.Validate(function, start, options);
        ArgumentNullException.ThrowIfNull(lineSearch);
        options ??= new MinimizeOptions();
        stopping ??= DefaultStopping();
        var objective = new Objective(function, options.Maximize);
        var log = new RunLog(method, start.Length, stopping, options, objective);
        int n = start.Length;
        var x = (double[])start.Clone();
        var g = new double[n];
        var p = new double[n];
        double value = objective.ValueAndGradient(x, g);
        double? stepNorm = null;

        for (long step = 0; ; step++)
        {
            if (log.Observe(step, x, value, Vectors.Norm(g), stepNorm) is not null) break;
            if (Vectors.Norm(g) == 0)
            {
                log.StopBecause(new StopReason(StopKind.GradientNormBelow, step, $"gradient norm below tolerance: the gradient is exactly 0 at step {step}"));
                break;
            }

            LineSearchResult found = default;
            LineProbe? probe = null;
            bool steepest = false;
            for (int attempt = 0; attempt < 2; attempt++)
            {
                double initial = rule.Direction(step, x, g, p);
                double slope = Vectors.Dot(g, p);
                if (!(slope < 0) || !double.IsFinite(slope))
                {
                    rule.Reset();
                    initial = rule.Direction(step, x, g, p);
                    slope = Vectors.Dot(g, p);
                }
                steepest = attempt == 1;
                probe = new LineProbe(objective, x, p);
                found = lineSearch.Search(probe.Value, probe.ValueAndSlope, value, slope, initial);
                if (found.Step > 0 && found.Value < value) break;
                rule.Reset();
            }
            if (!(found.Step > 0 && found.Value < value))
            {
                log.StopBecause(new StopReason(StopKind.StepBelow, step,
                    $"step below tolerance: the {lineSearch.Name} line search found no decrease{(steepest ? " even along steepest descent" : "")} at step {step} (|grad| {Show.Number(Vectors.Norm(g))})"));
                break;
            }

            var next = probe!.PointAt(found.Step);
            var nextGradient = new double[n];
            double nextValue = probe.ValueAndGradientAt(found.Step, nextGradient);
            var s = new double[n];
            var y = new double[n];
            for (int i = 0; i < n; i++) { s[i] = next[i] - x[i]; y[i] = nextGradient[i] - g[i]; }
            rule.Accept(s, y, g, nextGradient, found.Step);
            stepNorm = Vectors.Norm(s);
            x = next;
            g = nextGradient;
            value = nextValue;
        }
        return log.Finish();
    }
}

/// <summary>Steepest descent p = −∇f; the first trial step is min(1, 1/‖∇f‖), then twice the last accepted one.</summary>
internal sealed class SteepestDescentRule : IDirectionRule
{
    private double _lastStep = double.NaN;

    public double Direction(long iteration, double[] x, double[] gradient, double[] direction)
    {
        for (int i = 0; i < gradient.Length; i++) direction[i] = -gradient[i];
        return double.IsNaN(_lastStep) ? Math.Min(1, 1 / Vectors.Norm(gradient)) : 2 * _lastStep;
    }

    public void Accept(double[] s, double[] y, double[] gradient, double[] newGradient, double step) => _lastStep = step;

    public void Reset() => _lastStep = double.NaN;
}
