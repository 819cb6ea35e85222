using Descent.Optimization.Stopping;

namespace Descent.Optimization.Minimization;

/// <summary>
/// Damped Newton's method with the exact Hessian from autodiff: solve (∇²f + λI)·p = −∇f by Cholesky, with λ = 0
/// when the Hessian is positive definite and otherwise λ = 1e-3·max(1, max|Hᵢᵢ|), grown tenfold until the
/// factorization succeeds (up to 16 times); if it never does, p = −∇f. The step length comes from backtracking
/// (Armijo) starting at α = 1, so near a minimum the full Newton step is taken and convergence is quadratic.
/// The Hessian is built by differentiating each gradient component again (<see cref="Autograd.Grad{T}(Tensor{T}, IReadOnlyList{Tensor{T}}, Tensor{T}, bool, bool?)"/>
/// with createGraph), which costs n + 1 backward passes; each is counted as a gradient evaluation.
/// </summary>
/// <example><code>var r = Newton.Minimize(rosenbrock, [-1.2, 1.0]); // (1, 1) in about 20 iterations</code></example>
public static class Newton
{
    /// <summary>Minimizes <paramref name="function"/> from <paramref name="start"/>.</summary>
    /// <param name="function">f(w) for a 1-D tensor w; must return a scalar, twice differentiable.</param>
    /// <param name="start">The starting point: non-empty and finite.</param>
    /// <param name="stopping">When to stop (steps are iterations); null means 1000 iterations or ‖∇f‖ &lt; 1e-9.</param>
    /// <param name="options">Maximize, logging, names, cancellation, method name (default "newton").</param>
    /// <param name="lineSearch">The step-length search; null means <see cref="BacktrackingLineSearch"/> from α = 1.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> or <paramref name="start"/> is null.</exception>
    /// <exception cref="ArgumentException">The start is empty or not finite, or f does not return a scalar.</exception>
    public static MinimizeResult Minimize(Func<Tensor<double>, Tensor<double>> function, double[] start,
        IStoppingRule? stopping = null, MinimizeOptions? options = null, ILineSearch? lineSearch = null)
    {
        Objective.Validate(function, start, options);
        options ??= new MinimizeOptions();
        stopping ??= LineSearchLoop.DefaultStopping();
        lineSearch ??= new BacktrackingLineSearch();
        var objective = new Objective(function, options.Maximize);
        var log = new RunLog("newton", start.Length, stopping, options, objective);
        int n = start.Length;
        var x = (double[])start.Clone();
        var g = new double[n];
        var h = new double[n, n];
        double value = objective.ValueGradientHessian(x, g, h);
        double? stepNorm = null;

        for (long step = 0; ; step++)
        {
            double gradientNorm = Vectors.Norm(g);
            if (log.Observe(step, x, value, gradientNorm, stepNorm) is not null) break;
            if (gradientNorm == 0)
            {
                log.StopBecause(new StopReason(StopKind.GradientNormBelow, step, $"gradient norm below tolerance: the gradient is exactly 0 at step {step}"));
                break;
            }

            var (p, newton) = Direction(h, g);
            var probe = new LineProbe(objective, x, p);
            double initial = newton ? 1 : Math.Min(1, 1 / gradientNorm);
            var found = lineSearch.Search(probe.Value, probe.ValueAndSlope, value, Vectors.Dot(g, p), initial);
            if (!(found.Step > 0 && found.Value < value))
            {
                log.StopBecause(new StopReason(StopKind.StepBelow, step,
                    $"step below tolerance: the {lineSearch.Name} line search found no decrease along the {(newton ? "Newton" : "gradient")} direction at step {step} (|grad| {Show.Number(gradientNorm)})"));
                break;
            }
            var next = probe.PointAt(found.Step);
            stepNorm = Vectors.Distance(next, x);
            x = next;
            value = objective.ValueGradientHessian(x, g, h);
        }
        return log.Finish();
    }

    /// <summary>The damped Newton direction, or steepest descent when no damping makes the Hessian positive definite.</summary>
    internal static (double[] Direction, bool Newton) Direction(double[,] hessian, double[] gradient)
    {
        int n = gradient.Length;
        var minusGradient = gradient.Select(v => -v).ToArray();
        double scale = 1;
        for (int i = 0; i < n; i++) scale = Math.Max(scale, Math.Abs(hessian[i, i]));
        double lambda = 0;
        for (int attempt = 0; attempt < 17; attempt++)
        {
            if (Cholesky.TryFactor(hessian, lambda, out var lower))
            {
                var p = Cholesky.Solve(lower, minusGradient);
                if (p.All(double.IsFinite) && Vectors.Dot(p, gradient) < 0) return (p, true);
            }
            lambda = lambda == 0 ? 1e-3 * scale : 10 * lambda;
        }
        return (minusGradient, false);
    }
}
