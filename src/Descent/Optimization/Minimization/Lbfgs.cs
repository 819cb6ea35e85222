using Descent.Optimization.Stopping;

namespace Descent.Optimization.Minimization;

/// <summary>
/// Limited-memory BFGS (Nocedal &amp; Wright, Algorithms 7.4 and 7.5): the direction p = −H·∇f, where H approximates
/// the inverse Hessian from the last m steps sᵢ = xᵢ₊₁ − xᵢ and gradient changes yᵢ = ∇fᵢ₊₁ − ∇fᵢ through the
/// two-loop recursion, starting from H₀ = (sᵀy / yᵀy)·I; the step length comes from a strong-Wolfe line search,
/// which keeps sᵀy &gt; 0 so H stays positive definite (pairs with sᵀy ≤ 1e-10·‖s‖‖y‖ are skipped anyway).
/// </summary>
/// <example><code>var r = Lbfgs.Minimize(rosenbrock, [-1.2, 1.0]); // r.Point ≈ (1, 1)</code></example>
public static class Lbfgs
{
    /// <summary>Minimizes <paramref name="function"/> from <paramref name="start"/>.</summary>
    /// <param name="function">f(w) for a 1-D tensor w; must return a scalar.</param>
    /// <param name="start">The starting point: non-empty and finite.</param>
    /// <param name="stopping">When to stop (steps are iterations); null means 1000 iterations or ‖∇f‖ &lt; 1e-9.</param>
    /// <param name="options">Maximize, logging, names, cancellation, method name (default "lbfgs").</param>
    /// <param name="memory">m, the number of (s, y) pairs kept, &gt;= 1; default 10.</param>
    /// <param name="lineSearch">The line search; null means <see cref="StrongWolfeLineSearch"/> with c₂ = 0.9.</param>
    /// <returns>The result; every line-search trial counts one function and one gradient evaluation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> or <paramref name="start"/> is null.</exception>
    /// <exception cref="ArgumentException">The start is empty or not finite, or f does not return a scalar.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="memory"/> is below 1.</exception>
    public static MinimizeResult Minimize(Func<Tensor<double>, Tensor<double>> function, double[] start,
        IStoppingRule? stopping = null, MinimizeOptions? options = null, int memory = 10, ILineSearch? lineSearch = null)
    {
        Require.AtLeast(memory, 1, nameof(memory));
        return LineSearchLoop.Run("lbfgs", function, start, stopping, options, lineSearch ?? new StrongWolfeLineSearch(), new TwoLoop(memory));
    }

    /// <summary>The two-loop recursion over the stored pairs.</summary>
    private sealed class TwoLoop(int memory) : IDirectionRule
    {
        private readonly LinkedList<(double[] S, double[] Y, double Rho)> _pairs = new();

        public double Direction(long iteration, double[] x, double[] gradient, double[] direction)
        {
            int n = gradient.Length;
            var q = (double[])gradient.Clone();
            var alphas = new double[_pairs.Count];
            int k = _pairs.Count - 1;
            for (var node = _pairs.Last; node is not null; node = node.Previous, k--)
            {
                var (s, y, rho) = node.Value;
                alphas[k] = rho * Vectors.Dot(s, q);
                for (int i = 0; i < n; i++) q[i] -= alphas[k] * y[i];
            }
            double gamma = 1;
            if (_pairs.Last is { } newest) gamma = Vectors.Dot(newest.Value.S, newest.Value.Y) / Vectors.Dot(newest.Value.Y, newest.Value.Y);
            for (int i = 0; i < n; i++) q[i] *= gamma;
            k = 0;
            for (var node = _pairs.First; node is not null; node = node.Next, k++)
            {
                var (s, y, rho) = node.Value;
                double beta = rho * Vectors.Dot(y, q);
                for (int i = 0; i < n; i++) q[i] += s[i] * (alphas[k] - beta);
            }
            for (int i = 0; i < n; i++) direction[i] = -q[i];
            // Without curvature information the scale is unknown: start with a step of length at most 1.
            return _pairs.Count == 0 ? Math.Min(1, 1 / Vectors.Norm(gradient)) : 1;
        }

        public void Accept(double[] s, double[] y, double[] gradient, double[] newGradient, double step)
        {
            double sy = Vectors.Dot(s, y);
            if (!(sy > 1e-10 * Vectors.Norm(s) * Vectors.Norm(y))) return;
            _pairs.AddLast((s, y, 1 / sy));
            if (_pairs.Count > memory) _pairs.RemoveFirst();
        }

        public void Reset() => _pairs.Clear();
    }
}
