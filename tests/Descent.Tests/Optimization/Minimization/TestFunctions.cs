namespace Descent.Tests.Optimization.Minimization;

/// <summary>Standard test functions for the minimizers, written with tensor ops so autodiff differentiates them.</summary>
internal static class TestFunctions
{
    /// <summary>Rosenbrock: (1 − x)² + 100·(y − x²)², minimum 0 at (1, 1).</summary>
    public static Tensor<double> Rosenbrock(Tensor<double> w) => (1.0 - w[0]).Square() + 100.0 * (w[1] - w[0].Square()).Square();

    /// <summary>Rosenbrock by plain arithmetic, for checking reported values.</summary>
    public static double Rosenbrock(double x, double y) => (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);

    /// <summary>x⁴ − 3x² + x: local minima near −1.30 (global, ≈ −3.51) and 1.13 (≈ −1.07), a maximum near 0.170.</summary>
    public static Tensor<double> DoubleWell(Tensor<double> w) => (w.Pow(4.0) - 3.0 * w.Square() + w).Sum();

    public static readonly double[] RosenbrockStart = [-1.2, 1.0];
}
