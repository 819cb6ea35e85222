namespace Descent.Optimization.Minimization;

/// <summary>What kind of point a <see cref="CriticalPoints.Classify"/> call found.</summary>
public enum CriticalPointKind
{
    /// <summary>∇f = 0 and every Hessian eigenvalue is positive: a strict local minimum.</summary>
    Minimum,
    /// <summary>∇f = 0 and every Hessian eigenvalue is negative: a strict local maximum.</summary>
    Maximum,
    /// <summary>∇f = 0 with eigenvalues of both signs: f rises along some directions and falls along others.</summary>
    Saddle,
    /// <summary>∇f = 0, no eigenvalues of both signs, and at least one (numerically) zero: second order cannot tell (e.g. x⁴ at 0).</summary>
    Degenerate,
    /// <summary>The gradient norm is above the tolerance: not a critical point.</summary>
    NotCritical,
}

/// <summary>The second-order picture of f at a point.</summary>
/// <param name="Point">The point.</param>
/// <param name="Value">f there.</param>
/// <param name="Gradient">∇f there.</param>
/// <param name="GradientNorm">‖∇f‖.</param>
/// <param name="Hessian">∇²f there (symmetric).</param>
/// <param name="Eigenvalues">The Hessian's eigenvalues, ascending.</param>
/// <param name="Kind">The classification.</param>
public sealed record CriticalPoint(double[] Point, double Value, double[] Gradient, double GradientNorm, double[,] Hessian, double[] Eigenvalues, CriticalPointKind Kind);

/// <summary>
/// Classifies points of a function by the second-derivative test: the gradient and the exact Hessian come from
/// autodiff (the Hessian by differentiating each gradient component again), the eigenvalues from the Jacobi method
/// (<see cref="SymmetricEigen"/>).
/// </summary>
/// <example><code>CriticalPoints.Classify(w => w[0].Square() - w[1].Square(), [0.0, 0.0]).Kind; // Saddle</code></example>
public static class CriticalPoints
{
    /// <summary>Classifies <paramref name="point"/>.</summary>
    /// <param name="function">f(w) for a 1-D tensor w; must return a scalar.</param>
    /// <param name="point">The point: non-empty and finite.</param>
    /// <param name="gradientTolerance">Above this gradient norm the point is <see cref="CriticalPointKind.NotCritical"/>; default 1e-8.</param>
    /// <param name="eigenvalueTolerance">An eigenvalue with |λ| ≤ tolerance·max(1, max|λ|) counts as zero; default 1e-10.</param>
    /// <returns>The gradient, Hessian, eigenvalues and kind.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> or <paramref name="point"/> is null.</exception>
    /// <exception cref="ArgumentException">The point is empty or not finite, or f does not return a scalar.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A tolerance is not positive.</exception>
    public static CriticalPoint Classify(Func<Tensor<double>, Tensor<double>> function, double[] point, double gradientTolerance = 1e-8, double eigenvalueTolerance = 1e-10)
    {
        Objective.Validate(function, point, null);
        Require.Positive(gradientTolerance, nameof(gradientTolerance));
        Require.Positive(eigenvalueTolerance, nameof(eigenvalueTolerance));
        int n = point.Length;
        var gradient = new double[n];
        var hessian = new double[n, n];
        double value = new Objective(function, maximize: false).ValueGradientHessian(point, gradient, hessian);
        var eigenvalues = SymmetricEigen.Eigenvalues(hessian);
        double norm = Vectors.Norm(gradient);
        double zero = eigenvalueTolerance * Math.Max(1, eigenvalues.Max(Math.Abs));
        bool anyPositive = eigenvalues.Any(l => l > zero), anyNegative = eigenvalues.Any(l => l < -zero), anyZero = eigenvalues.Any(l => Math.Abs(l) <= zero);
        var kind = !(norm <= gradientTolerance) ? CriticalPointKind.NotCritical
            : anyPositive && anyNegative ? CriticalPointKind.Saddle
            : anyZero ? CriticalPointKind.Degenerate
            : anyPositive ? CriticalPointKind.Minimum
            : CriticalPointKind.Maximum;
        return new CriticalPoint((double[])point.Clone(), value, gradient, norm, hessian, eigenvalues, kind);
    }

    /// <summary>The Hessian ∇²f at <paramref name="point"/>, exact up to rounding, from autodiff.</summary>
    /// <param name="function">f(w) for a 1-D tensor w; must return a scalar.</param>
    /// <param name="point">The point: non-empty and finite.</param>
    /// <returns>The symmetric n×n Hessian.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> or <paramref name="point"/> is null.</exception>
    /// <exception cref="ArgumentException">The point is empty or not finite, or f does not return a scalar.</exception>
    public static double[,] Hessian(Func<Tensor<double>, Tensor<double>> function, double[] point)
    {
        Objective.Validate(function, point, null);
        var hessian = new double[point.Length, point.Length];
        new Objective(function, maximize: false).ValueGradientHessian(point, new double[point.Length], hessian);
        return hessian;
    }
}
