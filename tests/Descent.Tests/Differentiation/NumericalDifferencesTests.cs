using Descent.Differentiation;

namespace Descent.Tests.Differentiation;

public class NumericalDifferencesTests
{
    [Theory]
    [InlineData(0.3)]
    [InlineData(1.0)]
    [InlineData(25.0)]
    public void AccuracyFollowsTheOrderOfEachScheme(double x)
    {
        var exact = Math.Cos(x);
        var scale = Math.Max(1, x * x); // default steps grow with |x|, and the truncation error with them
        Assert.True(Math.Abs(NumericalDifferences.Forward(Math.Sin, x) - exact) < 1e-7 * scale);
        Assert.True(Math.Abs(NumericalDifferences.Backward(Math.Sin, x) - exact) < 1e-7 * scale);
        Assert.True(Math.Abs(NumericalDifferences.Central(Math.Sin, x) - exact) < 1e-9 * scale);
        Assert.True(Math.Abs(NumericalDifferences.Richardson(Math.Sin, x) - exact) < 1e-12 * scale);
    }

    [Fact]
    public void ExplicitStepsShowTheTruncationOrder()
    {
        // f = exp at 0: forward error ≈ h/2, central error ≈ h²/6.
        Assert.Equal(0.5e-3, NumericalDifferences.Forward(Math.Exp, 0, 1e-3) - 1, 6);
        Assert.Equal(-0.5e-3, NumericalDifferences.Backward(Math.Exp, 0, 1e-3) - 1, 6);
        Assert.Equal(1e-6 / 6, NumericalDifferences.Central(Math.Exp, 0, 1e-3) - 1, 9);
    }

    [Fact]
    public void GradientsOfVectorFunctions()
    {
        static double F(double[] v) => (v[0] * v[0] * v[1]) + Math.Exp(v[1]);
        double[] x = [1.5, 0.5];
        double[] exact = [2 * 1.5 * 0.5, (1.5 * 1.5) + Math.Exp(0.5)];
        AssertClose(exact, NumericalDifferences.Forward(F, x), 1e-6);
        AssertClose(exact, NumericalDifferences.Backward(F, x), 1e-6);
        AssertClose(exact, NumericalDifferences.Central(F, x), 1e-9);
        AssertClose(exact, NumericalDifferences.Richardson(F, x), 1e-12);
        Assert.Equal([1.5, 0.5], x);
    }

    [Fact]
    public void InvalidArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NumericalDifferences.Central(Math.Sin, 1, step: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => NumericalDifferences.Forward(Math.Sin, 1, step: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => NumericalDifferences.Richardson(Math.Sin, 1, levels: 1));
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < tolerance, $"[{i}]: expected {expected[i]}, got {actual[i]}");
        }
    }
}
