namespace Descent.Optimization.Minimization;

/// <summary>
/// φ(α) = f(x + α·p) for a line search, on an <see cref="Objective"/> (so every trial is counted). The gradient of
/// each trial made through <see cref="ValueAndSlope"/> is kept, so the accepted point costs nothing more.
/// </summary>
internal sealed class LineProbe(Objective objective, double[] x, double[] p)
{
    private readonly Dictionary<double, (double Value, double[] Gradient)> _seen = [];

    public double[] PointAt(double alpha)
    {
        var point = new double[x.Length];
        for (int i = 0; i < point.Length; i++) point[i] = x[i] + alpha * p[i];
        return point;
    }

    public double Value(double alpha) => objective.Value(PointAt(alpha));

    public (double Value, double Slope) ValueAndSlope(double alpha)
    {
        var gradient = new double[x.Length];
        double value = objective.ValueAndGradient(PointAt(alpha), gradient);
        _seen[alpha] = (value, gradient);
        return (value, Vectors.Dot(gradient, p));
    }

    /// <summary>f and ∇f at x + α·p: from the trials when seen, else one more evaluation.</summary>
    public double ValueAndGradientAt(double alpha, double[] gradient)
    {
        if (_seen.TryGetValue(alpha, out var seen))
        {
            seen.Gradient.CopyTo(gradient, 0);
            return seen.Value;
        }
        return objective.ValueAndGradient(PointAt(alpha), gradient);
    }
}

/// <summary>The few dense-vector helpers the minimizers need.</summary>
internal static class Vectors
{
    public static double Dot(double[] a, double[] b) => System.Numerics.Tensors.TensorPrimitives.Dot<double>(a, b);

    public static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    public static double Distance(double[] a, double[] b) => System.Numerics.Tensors.TensorPrimitives.Distance<double>(a, b);
}
