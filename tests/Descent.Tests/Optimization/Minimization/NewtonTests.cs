using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;

namespace Descent.Tests.Optimization.Minimization;

public class NewtonTests
{
    [Fact]
    public void RosenbrockReference()
    {
        var result = Newton.Minimize(TestFunctions.Rosenbrock, TestFunctions.RosenbrockStart, new AnyOf(new MaxSteps(100), new GradientNormBelow(1e-10)));
        Assert.True(result.StopReason.Step < 100);
        Assert.Equal(1, result.Point[0], 1e-8);
        Assert.Equal(1, result.Point[1], 1e-8);
        Assert.Equal("newton", result.Method);
        // Each iteration: one Hessian (1 gradient + 2 rows) plus the backtracking trials (values only).
        Assert.Equal(3 * (result.StopReason.Step + 1), result.GradientEvaluations);
    }

    [Fact]
    public void OneStepOnAQuadratic()
    {
        var c = Tensor.FromArray([2.0, 3.0]);
        var result = Newton.Minimize(w => (c * (w - 1.0).Square()).Sum(), [10.0, -7.0], new AnyOf(new MaxSteps(10), new GradientNormBelow(1e-12)));
        Assert.Equal(1, result.StopReason.Step);
        Assert.All(result.Point, v => Assert.Equal(1, v, 1e-14));
    }

    [Fact]
    public void IndefiniteHessianIsDampedAndStillDescends()
    {
        // At (0, 0.1) the Hessian of x² − y² + y⁴ is diag(2, −2 + 0.12): not positive definite.
        var result = Newton.Minimize(w => w[0].Square() - w[1].Square() + w[1].Pow(4.0), [0.5, 0.1], new AnyOf(new MaxSteps(100), new GradientNormBelow(1e-10)));
        Assert.Equal(0, result.Point[0], 1e-9);
        Assert.Equal(Math.Sqrt(0.5), result.Point[1], 1e-9);
        for (int i = 1; i < result.Trajectory.Count; i++) Assert.True(result.Trajectory[i].Value < result.Trajectory[i - 1].Value);
    }

    [Fact]
    public void FallsBackToTheGradientWhenNoDampingHelps()
    {
        var hessian = new double[,] { { double.NaN, 0 }, { 0, 1 } };
        var (direction, newton) = Newton.Direction(hessian, [1.0, 2.0]);
        Assert.False(newton);
        Assert.Equal([-1.0, -2.0], direction);
    }

    [Fact]
    public void Maximizes()
    {
        var result = Newton.Minimize(w => -(w - 2.0).Square().Sum() + w.Sum(), [0.0, 0.0], options: new MinimizeOptions { Maximize = true });
        Assert.All(result.Point, v => Assert.Equal(2.5, v, 1e-10));
        Assert.Equal(2 * (-0.25 + 2.5), result.Value, 1e-12);
    }
}
