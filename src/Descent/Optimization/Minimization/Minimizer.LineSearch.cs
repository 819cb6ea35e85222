using Descent.Optimization.Stopping;

namespace Descent.Optimization.Minimization;

public static partial class Minimizer
{
    /// <summary>
    /// Steepest descent with a line search instead of a fixed learning rate: at each step p = −∇f(w), and the step
    /// length along p comes from <paramref name="lineSearch"/> (by default <see cref="BacktrackingLineSearch"/>, the
    /// Armijo condition; pass <see cref="StrongWolfeLineSearch"/> for the Wolfe conditions). The first trial step is
    /// min(1, 1/‖∇f‖), later ones twice the last accepted step, so the step length adapts to the function's scale.
    /// </summary>
    /// <param name="function">f(w) for a 1-D tensor w; must return a scalar.</param>
    /// <param name="start">The starting point: non-empty and finite.</param>
    /// <param name="lineSearch">The line search; null means backtracking Armijo.</param>
    /// <param name="stopping">When to stop; null means 1000 steps or ‖∇f‖ &lt; 1e-9.</param>
    /// <param name="options">Maximize, logging, names, cancellation, method name (default "gd+armijo" or "gd+wolfe").</param>
    /// <returns>The result; function evaluations count every line-search trial.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> or <paramref name="start"/> is null.</exception>
    /// <exception cref="ArgumentException">The start is empty or not finite, or f does not return a scalar.</exception>
    /// <example><code>var r = Minimizer.MinimizeWithLineSearch(w => w.Square().Sum(), [3.0, -4.0]);</code></example>
    public static MinimizeResult MinimizeWithLineSearch(Func<Tensor<double>, Tensor<double>> function, double[] start,
        ILineSearch? lineSearch = null, IStoppingRule? stopping = null, MinimizeOptions? options = null)
    {
        lineSearch ??= new BacktrackingLineSearch();
        return LineSearchLoop.Run("gd+" + lineSearch.Name, function, start, stopping, options, lineSearch, new SteepestDescentRule());
    }
}
