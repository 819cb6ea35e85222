using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;

namespace Descent.Tests.Optimization.Minimization;

public class LbfgsTests
{
    [Fact]
    public void RosenbrockReference()
    {
        var result = Lbfgs.Minimize(TestFunctions.Rosenbrock, TestFunctions.RosenbrockStart, new AnyOf(new MaxSteps(100), new GradientNormBelow(1e-10)));
        Assert.Equal(StopKind.GradientNormBelow, result.StopReason.Kind);
        Assert.True(result.StopReason.Step < 100);
        Assert.Equal(1, result.Point[0], 1e-8);
        Assert.Equal(1, result.Point[1], 1e-8);
        Assert.Equal(TestFunctions.Rosenbrock(result.Point[0], result.Point[1]), result.Value, 1e-15);
        Assert.Equal("lbfgs", result.Method);
        Assert.Equal(Behaviour.Converged, result.Behaviour);
        Assert.Equal(result.FunctionEvaluations, result.GradientEvaluations); // Wolfe trials evaluate both
    }

    [Fact]
    public void QuadraticInNStepsWithExactCurvature()
    {
        // On a diagonal quadratic with memory >= n, BFGS with a good line search converges in a handful of steps.
        var c = Tensor.FromArray([1.0, 10.0, 100.0]);
        var result = Lbfgs.Minimize(w => (c * w.Square()).Sum(), [1.0, 1.0, 1.0], new AnyOf(new MaxSteps(50), new GradientNormBelow(1e-10)));
        Assert.True(result.StopReason.Step < 30);
        Assert.All(result.Point, v => Assert.Equal(0, v, 1e-10));
    }

    [Fact]
    public void MemoryOfOneStillConverges()
    {
        var result = Lbfgs.Minimize(TestFunctions.Rosenbrock, TestFunctions.RosenbrockStart, new AnyOf(new MaxSteps(500), new GradientNormBelow(1e-8)), memory: 1);
        Assert.Equal(1, result.Point[0], 1e-6);
    }

    [Fact]
    public void Maximizes()
    {
        var result = Lbfgs.Minimize(w => -TestFunctions.Rosenbrock(w), TestFunctions.RosenbrockStart, options: new MinimizeOptions { Maximize = true });
        Assert.Equal(1, result.Point[0], 1e-6);
        Assert.Equal(1, result.Point[1], 1e-6);
        Assert.Equal(0, result.Value, 1e-10);
        Assert.True(result.Trajectory[0].Value < -20, "values are of f itself, negative here");
    }

    [Fact]
    public void RejectsMemoryZero() => Assert.Throws<ArgumentOutOfRangeException>(() => Lbfgs.Minimize(TestFunctions.Rosenbrock, [0.0, 0.0], memory: 0));
}
