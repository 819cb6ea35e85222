using Descent.Optimization.Stopping;

namespace Descent.Optimization.Minimization;

/// <summary>
/// The Nelder–Mead simplex method: n + 1 points; each iteration reflects the worst through the centroid of the others
/// (coefficient α = 1), expands (γ = 2) when that is the new best, contracts (ρ = ½, outside or inside) when it is
/// still among the worst, and shrinks everything toward the best (σ = ½) when nothing helps. The adaptive variant
/// (Gao &amp; Han 2012) uses γ = 1 + 2/n, ρ = ¾ − 1/(2n), σ = 1 − 1/n, better in higher dimensions. No gradients:
/// f is evaluated inside <see cref="Autograd.NoGrad"/>. Each step is one iteration; the recorded step norm is the
/// simplex's size (the largest distance from the best vertex), so <see cref="StepBelow"/> detects a collapsed simplex.
/// </summary>
/// <example><code>var r = NelderMead.Minimize(rosenbrock, [-1.2, 1.0], new EvaluationBudget(2000));</code></example>
public static class NelderMead
{
    /// <summary>Minimizes <paramref name="function"/> from the simplex around <paramref name="start"/>.</summary>
    /// <param name="function">f(w) for a 1-D tensor w; must return a scalar.</param>
    /// <param name="start">The first vertex: non-empty and finite.</param>
    /// <param name="stopping">When to stop; null means 1000·n function evaluations or a simplex smaller than 1e-10. A function-evaluation budget is never exceeded.</param>
    /// <param name="options">Maximize, logging, names, cancellation, method name (default "nelder-mead").</param>
    /// <param name="initialStep">The offset of the other vertices along each axis; null means 5% of |xᵢ| (0.00025 where xᵢ = 0).</param>
    /// <param name="adaptive">Use dimension-dependent coefficients.</param>
    /// <returns>The best vertex.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> or <paramref name="start"/> is null.</exception>
    /// <exception cref="ArgumentException">The start is empty or not finite, or f does not return a scalar.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialStep"/> is not finite or is 0.</exception>
    public static MinimizeResult Minimize(Func<Tensor<double>, Tensor<double>> function, double[] start, IStoppingRule? stopping = null,
        MinimizeOptions? options = null, double? initialStep = null, bool adaptive = false)
    {
        Objective.Validate(function, start, options);
        if (initialStep is double h && (!double.IsFinite(h) || h == 0))
            throw new ArgumentOutOfRangeException(nameof(initialStep), h, "initialStep must be finite and non-zero.");
        options ??= new MinimizeOptions();
        int n = start.Length;
        stopping ??= new AnyOf(new EvaluationBudget(1000L * n), new StepBelow(1e-10));
        var objective = new Objective(function, options.Maximize, Budgets.FunctionLimit(stopping));
        var log = new RunLog("nelder-mead", n, stopping, options, objective);
        double alpha = 1, gamma = adaptive ? 1 + 2.0 / n : 2, rho = adaptive ? 0.75 - 0.5 / n : 0.5, sigma = adaptive ? 1 - 1.0 / n : 0.5;

        var points = new List<double[]> { (double[])start.Clone() };
        var values = new List<double> { objective.Value(start) };
        for (int i = 0; i < n && !objective.Exhausted; i++)
        {
            var vertex = (double[])start.Clone();
            vertex[i] += initialStep ?? (start[i] != 0 ? 0.05 * start[i] : 0.00025);
            points.Add(vertex);
            values.Add(objective.Value(vertex));
        }

        for (long step = 0; ; step++)
        {
            Sort(points, values);
            double size = points.Skip(1).Select(p => Vectors.Distance(p, points[0])).DefaultIfEmpty(0).Max();
            if (log.Observe(step, points[0], values[0], double.NaN, size) is not null) break;
            if (points.Count <= n) continue; // the budget ran out while building the simplex: the next observation stops

            var centroid = new double[n];
            for (int k = 0; k < n; k++)
                for (int i = 0; i < n; i++) centroid[i] += points[k][i] / n;
            double[] Along(double[] from, double t) { var r = new double[n]; for (int i = 0; i < n; i++) r[i] = centroid[i] + t * (from[i] - centroid[i]); return r; }

            var worst = points[n];
            var reflected = Along(worst, -alpha);
            double fr = objective.Value(reflected);
            if (Box.Key(fr) < Box.Key(values[0]))
            {
                if (objective.Exhausted) { Replace(reflected, fr); continue; }
                var expanded = Along(worst, -alpha * gamma);
                double fe = objective.Value(expanded);
                if (Box.Key(fe) < Box.Key(fr)) Replace(expanded, fe); else Replace(reflected, fr);
            }
            else if (Box.Key(fr) < Box.Key(values[n - 1])) Replace(reflected, fr);
            else
            {
                if (objective.Exhausted) continue;
                bool outside = Box.Key(fr) < Box.Key(values[n]);
                var contracted = Along(worst, outside ? -alpha * rho : rho);
                double fc = objective.Value(contracted);
                if (outside ? Box.Key(fc) <= Box.Key(fr) : Box.Key(fc) < Box.Key(values[n])) Replace(contracted, fc);
                else
                {
                    for (int k = 1; k <= n && !objective.Exhausted; k++)
                    {
                        for (int i = 0; i < n; i++) points[k][i] = points[0][i] + sigma * (points[k][i] - points[0][i]);
                        values[k] = objective.Value(points[k]);
                    }
                }
            }
        }
        return log.Finish();

        void Replace(double[] point, double value)
        {
            points[n] = point;
            values[n] = value;
        }
    }

    private static void Sort(List<double[]> points, List<double> values)
    {
        var order = Enumerable.Range(0, points.Count).OrderBy(i => Box.Key(values[i])).ToArray();
        var p = order.Select(i => points[i]).ToArray();
        var v = order.Select(i => values[i]).ToArray();
        points.Clear(); points.AddRange(p);
        values.Clear(); values.AddRange(v);
    }
}
