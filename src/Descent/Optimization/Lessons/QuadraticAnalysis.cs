using System.Numerics;

namespace Descent.Optimization.Lessons;

/// <summary>
/// What the Hessian H of a quadratic surface says about gradient descent on it. Along the eigenvector of an eigenvalue
/// λ, one step of gradient descent with learning rate η multiplies the distance to the minimum by exactly 1 − η·λ, so
/// that direction converges when |1 − η·λ| &lt; 1: every direction converges when η &lt; 2/λ_max (the stability bound),
/// and the slowest direction is fastest when η = 2/(λ_min + λ_max). Heavy-ball momentum β (PyTorch's SGD momentum is
/// the same recursion) turns each direction into the two-term recursion e ← (1 + β − η·λ)·e − β·e₋₁, whose rate is
/// the larger root modulus of z² − (1 + β − η·λ)·z + β.
/// </summary>
public sealed class QuadraticAnalysis
{
    /// <summary>Analyses the constant Hessian <paramref name="hessian"/> (2×2, symmetric).</summary>
    public QuadraticAnalysis(double[,] hessian)
    {
        ArgumentNullException.ThrowIfNull(hessian);
        if (hessian.GetLength(0) != 2 || hessian.GetLength(1) != 2) throw new ArgumentException("The Hessian must be 2×2.", nameof(hessian));
        double a = hessian[0, 0], b = 0.5 * (hessian[0, 1] + hessian[1, 0]), d = hessian[1, 1];
        Hessian = new[,] { { a, b }, { b, d } };
        double mean = 0.5 * (a + d), radius = Math.Sqrt(0.25 * (a - d) * (a - d) + b * b);
        double low = mean - radius, high = mean + radius;
        Eigenvalues = [low, high];
        Eigenvectors = [Eigenvector(a, b, d, low), Eigenvector(a, b, d, high)];
    }

    private static double[] Eigenvector(double a, double b, double d, double lambda)
    {
        // (H − λI)v = 0: v = (b, λ − a) or (λ − d, b), whichever is longer (both vanish only for a multiple of I).
        double[] u = [b, lambda - a], w = [lambda - d, b];
        var v = Math.Abs(u[0]) + Math.Abs(u[1]) >= Math.Abs(w[0]) + Math.Abs(w[1]) ? u : w;
        double n = Math.Sqrt(v[0] * v[0] + v[1] * v[1]);
        if (n < 1e-300) return lambda == Math.Min(a, d) && a <= d ? [1, 0] : [0, 1];
        if (v[0] < 0 || (v[0] == 0 && v[1] < 0)) n = -n;
        return [v[0] / n, v[1] / n];
    }

    /// <summary>The (symmetrised) Hessian.</summary>
    public double[,] Hessian { get; }

    /// <summary>The eigenvalues, smallest first.</summary>
    public IReadOnlyList<double> Eigenvalues { get; }

    /// <summary>Unit eigenvectors, in the order of <see cref="Eigenvalues"/>.</summary>
    public IReadOnlyList<double[]> Eigenvectors { get; }

    /// <summary>λ_max/λ_min when both are positive, else +∞.</summary>
    public double ConditionNumber => Eigenvalues[0] > 0 ? Eigenvalues[1] / Eigenvalues[0] : double.PositiveInfinity;

    /// <summary>2/λ_max: gradient descent converges in every direction of positive curvature below it; +∞ when λ_max ≤ 0.</summary>
    public double StabilityBound => Eigenvalues[1] > 0 ? 2 / Eigenvalues[1] : double.PositiveInfinity;

    /// <summary>2/(λ_min + λ_max), the learning rate with the best worst-direction rate, when both are positive; else null.</summary>
    public double? OptimalLearningRate => Eigenvalues[0] > 0 ? 2 / (Eigenvalues[0] + Eigenvalues[1]) : null;

    /// <summary>Per eigendirection, |1 − η·λ|: the factor by which one gradient-descent step multiplies the distance along it.</summary>
    public double[] GradientDescentRates(double learningRate) => Eigenvalues.Select(l => Math.Abs(1 - learningRate * l)).ToArray();

    /// <summary>
    /// Per eigendirection, the asymptotic factor per step of heavy-ball momentum: the larger modulus of the roots of
    /// z² − (1 + β − η·λ)·z + β (β = 0 gives <see cref="GradientDescentRates"/>).
    /// </summary>
    public double[] MomentumRates(double learningRate, double momentum) =>
        Eigenvalues.Select(l =>
        {
            double t = 1 + momentum - learningRate * l;
            var disc = Complex.Sqrt(t * t - 4 * momentum);
            return Math.Max(Complex.Abs((t + disc) / 2), Complex.Abs((t - disc) / 2));
        }).ToArray();
}
