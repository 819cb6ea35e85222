using Descent.Optimization.Minimization;

namespace Descent.Tests.Optimization.Minimization;

public class StrongWolfeLineSearchTests
{
    private static (double, double) Quartic(double a) => (Math.Pow(a - 3, 4) - 81, 4 * Math.Pow(a - 3, 3));

    [Theory]
    [InlineData(1e-3)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(10.0)]
    [InlineData(100.0)]
    public void FindsAStepSatisfyingBothConditions(double initial)
    {
        // φ(α) = (α − 3)⁴ − 81: φ(0) = 0, φ'(0) = −108, minimum at 3.
        var search = new StrongWolfeLineSearch(c1: 1e-4, c2: 0.1);
        var result = search.Search(_ => throw new InvalidOperationException(), Quartic, 0, -108, initial);
        Assert.True(result.Satisfied);
        var (phi, slope) = Quartic(result.Step);
        Assert.True(phi <= 1e-4 * result.Step * -108);
        Assert.True(Math.Abs(slope) <= 0.1 * 108);
        Assert.Equal(phi, result.Value);
    }

    [Fact]
    public void ZoomsBackFromNonFiniteValues()
    {
        // φ is infinite beyond α = 2; the minimum is at 1.
        static (double, double) Phi(double a) => a > 2 ? (double.PositiveInfinity, double.NaN) : ((a - 1) * (a - 1) - 1, 2 * (a - 1));
        var result = new StrongWolfeLineSearch().Search(_ => 0, Phi, 0, -2, 8);
        Assert.True(result.Satisfied);
        Assert.InRange(result.Step, 0, 2);
    }

    [Fact]
    public void CubicInterpolationIsExactOnACubic()
    {
        // φ(α) = α³ − 3α: the interpolant through (0, φ, φ') and (2, φ, φ') is φ itself, minimum at 1.
        double step = StrongWolfeLineSearch.Interpolate(0, 0, -3, 2, 2, 9);
        Assert.Equal(1, step, 1e-12);
    }

    [Fact]
    public void RejectsC2BelowC1() => Assert.Throws<ArgumentOutOfRangeException>(() => new StrongWolfeLineSearch(c1: 0.5, c2: 0.4));
}
