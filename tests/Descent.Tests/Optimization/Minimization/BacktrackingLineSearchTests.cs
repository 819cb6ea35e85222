using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;

namespace Descent.Tests.Optimization.Minimization;

public class BacktrackingLineSearchTests
{
    [Fact]
    public void HalvesUntilArmijoHolds()
    {
        // φ(α) = (α − 0.1)², φ(0) = 0.01, φ'(0) = −0.2: α = 1, 0.5 fail, 0.25 gives 0.0225 > 0.01; 0.125 gives 0.000625.
        var trials = new List<double>();
        var result = new BacktrackingLineSearch().Search(a => { trials.Add(a); return (a - 0.1) * (a - 0.1); }, _ => throw new InvalidOperationException(), 0.01, -0.2, 1);
        Assert.True(result.Satisfied);
        Assert.Equal(0.125, result.Step);
        Assert.Equal([1, 0.5, 0.25, 0.125], trials);
        Assert.Equal(4, result.Trials);
    }

    [Fact]
    public void ReportsNoStepWhenNothingDecreases()
    {
        var result = new BacktrackingLineSearch(maxTrials: 5).Search(a => 1 + a, _ => (0, 0), 1, -1, 1);
        Assert.False(result.Satisfied);
        Assert.Equal(0, result.Step);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void RejectsBadConstants(double c1) => Assert.Throws<ArgumentOutOfRangeException>(() => new BacktrackingLineSearch(c1));

    [Fact]
    public void GradientDescentWithArmijoConvergesOnAnIllConditionedQuadratic()
    {
        // No learning rate to tune: 1 and 100 curvatures in one function.
        var c = Tensor.FromArray([1.0, 100.0]);
        var result = Minimizer.MinimizeWithLineSearch(w => (c * w.Square()).Sum(), [1.0, 1.0], stopping: new AnyOf(new MaxSteps(5000), new GradientNormBelow(1e-8)));
        Assert.Equal(StopKind.GradientNormBelow, result.StopReason.Kind);
        Assert.Equal("gd+armijo", result.Method);
        Assert.All(result.Point, v => Assert.Equal(0, v, 1e-8));
        Assert.True(result.FunctionEvaluations > result.GradientEvaluations, "backtracking trials cost function evaluations only");
        // Monotone decrease: Armijo guarantees it.
        for (int i = 1; i < result.Trajectory.Count; i++) Assert.True(result.Trajectory[i].Value < result.Trajectory[i - 1].Value);
    }

    [Fact]
    public void GradientDescentWithLineSearchMaximizes()
    {
        var result = Minimizer.MinimizeWithLineSearch(w => 5.0 - (w - 3.0).Square().Sum(), [0.0], options: new MinimizeOptions { Maximize = true });
        // f = 5 − (w − 3)² cannot show a decrease below |w − 3| ≈ √ε·√5 ≈ 3e-8: the run stops there, cleanly.
        Assert.Equal(3, result.Point[0], 1e-7);
        Assert.Equal(5, result.Value, 1e-12);
        Assert.Equal(Behaviour.Converged, result.Behaviour);
    }
}
