using Descent.Optimization;

namespace Descent.Tests.Optimization;

/// <summary>The fixture problems with hand-derived gradients (see make_optimizer_fixtures.py).</summary>
internal static class TestProblems
{
    private static readonly double[] H = [1.0, 2.0, 3.0];
    private static readonly double[] AStar = [1.0, -2.0, 0.5];
    private static readonly double[] K = [0.5, 1.5, 2.5, 4.0];
    private static readonly double[] BStar = [0.3, -0.7, 1.1, 2.0];
    private const double C = 0.25;

    /// <summary>f = (1 − x)² + 100(y − x²)²: ∂x = −2(1 − x) − 400x(y − x²), ∂y = 200(y − x²).</summary>
    public static void RosenbrockGradient(ArrayParameter<double> p)
    {
        double x = p.Data[0], y = p.Data[1];
        p.Grad[0] = (-2 * (1 - x)) - (400 * x * (y - (x * x)));
        p.Grad[1] = 200 * (y - (x * x));
    }

    /// <summary>f = ½Σhᵢ(aᵢ − a*ᵢ)² + ½Σkⱼ(bⱼ − b*ⱼ)² + c·a₀·b₀: ∂aᵢ = hᵢ(aᵢ − a*ᵢ) + [i=0]c·b₀, ∂bⱼ = kⱼ(bⱼ − b*ⱼ) + [j=0]c·a₀.</summary>
    public static void QuadraticGradient(ArrayParameter<double> a, ArrayParameter<double> b)
    {
        for (int i = 0; i < 3; i++)
        {
            a.Grad[i] = H[i] * (a.Data[i] - AStar[i]);
        }

        for (int j = 0; j < 4; j++)
        {
            b.Grad[j] = K[j] * (b.Data[j] - BStar[j]);
        }

        a.Grad[0] += C * b.Data[0];
        b.Grad[0] += C * a.Data[0];
    }
}
