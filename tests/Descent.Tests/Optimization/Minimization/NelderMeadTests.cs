using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;

namespace Descent.Tests.Optimization.Minimization;

public class NelderMeadTests
{
    [Fact]
    public void RosenbrockGetsClose()
    {
        var result = NelderMead.Minimize(TestFunctions.Rosenbrock, TestFunctions.RosenbrockStart, new EvaluationBudget(1000));
        Assert.Equal(1, result.Point[0], 1e-3);
        Assert.Equal(1, result.Point[1], 1e-3);
        Assert.True(result.FunctionEvaluations <= 1000);
        Assert.Equal(0, result.GradientEvaluations);
        Assert.Equal("nelder-mead", result.Method);
    }

    [Fact]
    public void DefaultStopsWhenTheSimplexCollapses()
    {
        var result = NelderMead.Minimize(w => (w - 2.0).Square().Sum(), [0.0, 0.0, 0.0]);
        Assert.Equal(StopKind.StepBelow, result.StopReason.Kind);
        Assert.All(result.Point, v => Assert.Equal(2, v, 1e-8));
    }

    [Fact]
    public void AdaptiveCoefficientsWorkInHigherDimension()
    {
        var result = NelderMead.Minimize(w => (w - 1.0).Square().Sum(), new double[8], new AnyOf(new EvaluationBudget(20000), new StepBelow(1e-9)), adaptive: true);
        Assert.All(result.Point, v => Assert.Equal(1, v, 1e-6));
    }

    [Fact]
    public void NeverExceedsTheBudgetEvenMidShrink()
    {
        for (int budget = 1; budget < 40; budget++)
            Assert.Equal(budget, NelderMead.Minimize(w => w.Abs().Sum(), [1.0, -1.0, 0.5], new EvaluationBudget(budget)).FunctionEvaluations);
    }

    [Fact]
    public void Maximizes()
    {
        var result = NelderMead.Minimize(w => 3.0 - (w + 1.0).Square().Sum(), [0.0, 0.0], options: new MinimizeOptions { Maximize = true });
        Assert.All(result.Point, v => Assert.Equal(-1, v, 1e-6));
        Assert.Equal(3, result.Value, 1e-10);
    }
}
