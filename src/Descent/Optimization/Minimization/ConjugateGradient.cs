using Descent.Optimization.Stopping;

namespace Descent.Optimization.Minimization;

/// <summary>
/// Nonlinear conjugate gradient, Polak–Ribière+ (Nocedal &amp; Wright §5.2): pₖ₊₁ = −∇fₖ₊₁ + βₖ₊₁·pₖ with
/// β = max(0, ∇fₖ₊₁ᵀ(∇fₖ₊₁ − ∇fₖ) / ‖∇fₖ‖²). It restarts with steepest descent every n iterations and whenever
/// consecutive gradients are far from orthogonal (|∇fₖ₊₁ᵀ∇fₖ| ≥ 0.2·‖∇fₖ₊₁‖², eq. 5.52). Steps come from a
/// strong-Wolfe line search with c₂ = 0.1; the first trial step is αₖ₋₁·∇fₖ₋₁ᵀpₖ₋₁ / ∇fₖᵀpₖ (eq. 3.60).
/// </summary>
/// <example><code>var r = ConjugateGradient.Minimize(rosenbrock, [-1.2, 1.0]);</code></example>
public static class ConjugateGradient
{
    /// <summary>Minimizes <paramref name="function"/> from <paramref name="start"/>.</summary>
    /// <param name="function">f(w) for a 1-D tensor w; must return a scalar.</param>
    /// <param name="start">The starting point: non-empty and finite.</param>
    /// <param name="stopping">When to stop (steps are iterations); null means 1000 iterations or ‖∇f‖ &lt; 1e-9.</param>
    /// <param name="options">Maximize, logging, names, cancellation, method name (default "cg").</param>
    /// <param name="lineSearch">The line search; null means <see cref="StrongWolfeLineSearch"/> with c₂ = 0.1.</param>
    /// <returns>The result; every line-search trial counts one function and one gradient evaluation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> or <paramref name="start"/> is null.</exception>
    /// <exception cref="ArgumentException">The start is empty or not finite, or f does not return a scalar.</exception>
    public static MinimizeResult Minimize(Func<Tensor<double>, Tensor<double>> function, double[] start,
        IStoppingRule? stopping = null, MinimizeOptions? options = null, ILineSearch? lineSearch = null)
        => LineSearchLoop.Run("cg", function, start, stopping, options, lineSearch ?? new StrongWolfeLineSearch(c2: 0.1), new PolakRibierePlus());

    private sealed class PolakRibierePlus : IDirectionRule
    {
        private double[]? _previousDirection;
        private double _beta;
        private int _sinceRestart;
        private double _previousStep, _previousSlope;

        public double Direction(long iteration, double[] x, double[] gradient, double[] direction)
        {
            int n = gradient.Length;
            bool restart = _previousDirection is null || _sinceRestart >= n;
            for (int i = 0; i < n; i++) direction[i] = -gradient[i] + (restart ? 0 : _beta * _previousDirection![i]);
            if (restart) _sinceRestart = 0;
            double slope = Vectors.Dot(gradient, direction);
            double initial = _previousDirection is null || !(slope < 0)
                ? Math.Min(1, 1 / Vectors.Norm(gradient))
                : Math.Min(1e10, _previousStep * _previousSlope / slope);
            _previousDirection = (double[])direction.Clone();
            _previousSlope = slope;
            return initial > 0 && double.IsFinite(initial) ? initial : 1;
        }

        public void Accept(double[] s, double[] y, double[] gradient, double[] newGradient, double step)
        {
            _previousStep = step;
            _sinceRestart++;
            double gg = Vectors.Dot(gradient, gradient);
            double newNorm2 = Vectors.Dot(newGradient, newGradient);
            _beta = Math.Max(0, (newNorm2 - Vectors.Dot(newGradient, gradient)) / gg);
            if (Math.Abs(Vectors.Dot(newGradient, gradient)) >= 0.2 * newNorm2) _sinceRestart = int.MaxValue; // Powell's restart
        }

        public void Reset()
        {
            _previousDirection = null;
            _sinceRestart = 0;
        }
    }
}
