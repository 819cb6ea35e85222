using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;

namespace Descent.Tests.Optimization.Minimization;

public class RandomSearchTests
{
    private static Tensor<double> Bowl(Tensor<double> w) => (w - 1.0).Square().Sum();

    [Fact]
    public void BoxSearchSpendsExactlyTheBudgetWithoutGradients()
    {
        var result = RandomSearch.Minimize(Bowl, [0.0, 0.0], new EvaluationBudget(500), lower: [-3, -3], upper: [3, 3], seed: 7);
        Assert.Equal(500, result.FunctionEvaluations);
        Assert.Equal(0, result.GradientEvaluations);
        Assert.Equal(StopKind.EvaluationBudget, result.StopReason.Kind);
        Assert.True(result.Value < 0.05);
        Assert.All(result.Trajectory, p => Assert.True(double.IsNaN(p.GradientNorm)));
        // The best so far never gets worse.
        for (int i = 1; i < result.Trajectory.Count; i++) Assert.True(result.Trajectory[i].Value <= result.Trajectory[i - 1].Value);
    }

    [Fact]
    public void GaussianSearchAroundTheBestIsSeededAndReproducible()
    {
        var a = RandomSearch.Minimize(Bowl, [5.0, 5.0], new EvaluationBudget(300), radius: 0.5, seed: 3);
        var b = RandomSearch.Minimize(Bowl, [5.0, 5.0], new EvaluationBudget(300), radius: 0.5, seed: 3);
        Assert.Equal(a.Point, b.Point);
        Assert.True(a.Value < 0.5);
    }

    [Fact]
    public void Maximizes()
    {
        var result = RandomSearch.Minimize(w => -Bowl(w), [0.0, 0.0], new EvaluationBudget(2000), new MinimizeOptions { Maximize = true }, radius: 0.3);
        Assert.True(result.Value > -0.01);
        Assert.True(result.Value <= 0);
    }

    [Fact]
    public void RejectsHalfABox() => Assert.Throws<ArgumentException>(() => RandomSearch.Minimize(Bowl, [0.0], lower: [-1]));
}
