using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;

namespace Descent.Tests.Optimization.Minimization;

public class ConjugateGradientTests
{
    [Fact]
    public void RosenbrockConverges()
    {
        var result = ConjugateGradient.Minimize(TestFunctions.Rosenbrock, TestFunctions.RosenbrockStart, new AnyOf(new MaxSteps(1000), new GradientNormBelow(1e-8)));
        Assert.Equal(StopKind.GradientNormBelow, result.StopReason.Kind);
        Assert.Equal(1, result.Point[0], 1e-6);
        Assert.Equal(1, result.Point[1], 1e-6);
        Assert.Equal("cg", result.Method);
    }

    [Fact]
    public void QuadraticConverges()
    {
        var c = Tensor.FromArray([1.0, 4.0, 9.0, 16.0]);
        var result = ConjugateGradient.Minimize(w => (c * (w - 1.0).Square()).Sum(), [0.0, 0.0, 0.0, 0.0], new AnyOf(new MaxSteps(200), new GradientNormBelow(1e-10)));
        Assert.All(result.Point, v => Assert.Equal(1, v, 1e-10));
    }

    [Fact]
    public void Maximizes()
    {
        var result = ConjugateGradient.Minimize(w => 2.0 - (w - 0.5).Square().Sum(), [3.0, -3.0], options: new MinimizeOptions { Maximize = true });
        Assert.All(result.Point, v => Assert.Equal(0.5, v, 1e-8));
        Assert.Equal(2, result.Value, 1e-12);
    }
}
