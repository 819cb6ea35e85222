using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;

namespace Descent.Tests.Optimization.Minimization;

public class GeneticAlgorithmTests
{
    private static readonly GeneticAlgorithmSettings Boxed = new() { Lower = [-5.0, -5.0], Upper = [5.0, 5.0], Seed = 11 };

    [Fact]
    public void FindsTheBowlsBottomWithinTheBudget()
    {
        var result = GeneticAlgorithm.Minimize(w => (w - 1.0).Square().Sum(), [0.0, 0.0], new EvaluationBudget(3000), settings: Boxed);
        Assert.Equal(3000, result.FunctionEvaluations);
        Assert.Equal(0, result.GradientEvaluations);
        Assert.True(result.Value < 1e-3, $"value {result.Value}");
        Assert.All(result.Point, v => Assert.InRange(v, -5, 5));
    }

    [Fact]
    public void SameSeedSameRunOtherSeedOtherRun()
    {
        MinimizeResult Run(int seed) => GeneticAlgorithm.Minimize(TestFunctions.Rosenbrock, [0.0, 0.0], new EvaluationBudget(800), settings: Boxed with { Seed = seed });
        Assert.Equal(Run(1).Point, Run(1).Point);
        Assert.NotEqual(Run(1).Point, Run(2).Point);
    }

    [Fact]
    public void ElitismKeepsTheBestSoFarMonotone()
    {
        var result = GeneticAlgorithm.Minimize(TestFunctions.Rosenbrock, [-1.2, 1.0], new MaxSteps(30), settings: Boxed);
        for (int i = 1; i < result.Trajectory.Count; i++) Assert.True(result.Trajectory[i].Value <= result.Trajectory[i - 1].Value);
        Assert.Equal(40 + 30 * 38, result.FunctionEvaluations); // first generation, then 38 children per generation beside 2 elites
    }

    [Fact]
    public void Maximizes()
    {
        var result = GeneticAlgorithm.Minimize(w => -(w - 1.0).Square().Sum(), [0.0, 0.0], new EvaluationBudget(2000), new MinimizeOptions { Maximize = true }, Boxed);
        Assert.True(result.Value > -1e-2);
    }

    [Fact]
    public void RejectsTooManyElites() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => GeneticAlgorithm.Minimize(w => w.Sum(), [0.0], settings: new() { PopulationSize = 4, Elites = 4 }));
}
