using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;

namespace Descent.Tests.Optimization.Minimization;

public class MultiStartTests
{
    private static MinimizeResult Local(double[] start) =>
        Lbfgs.Minimize(TestFunctions.DoubleWell, start, new AnyOf(new MaxSteps(200), new GradientNormBelow(1e-10)));

    [Fact]
    public void FindsBothMinimaOfTheDoubleWellAndTheGlobalOne()
    {
        var found = MultiStart.Run(Local, [-3.0], [3.0], starts: 16, seed: 5);
        Assert.Equal(2, found.Minima.Count);
        Assert.Equal(16, found.Minima.Sum(m => m.Count));
        // Roots of f'(x) = 4x³ − 6x + 1: −1.3008 (global), 1.1309 (local).
        Assert.Equal(-1.30084, found.Minima[0].Point[0], 1e-4);
        Assert.Equal(1.13090, found.Minima[1].Point[0], 1e-4);
        Assert.True(found.Minima[0].Value < found.Minima[1].Value);
        Assert.Equal(found.Minima[0].Point, found.Best.Point);
        Assert.Equal(CriticalPointKind.Minimum, CriticalPoints.Classify(TestFunctions.DoubleWell, found.Best.Point).Kind);
        Assert.Equal(found.Runs.Sum(r => r.FunctionEvaluations), found.FunctionEvaluations);
    }

    [Fact]
    public void ParallelRunsEqualSequentialRuns()
    {
        // Autodiff state is per thread: running in parallel must change nothing, to the last bit.
        var parallel = MultiStart.Run(Local, [-3.0, -3.0], [3.0, 3.0], starts: 24, seed: 2, maxDegreeOfParallelism: 8);
        var sequential = MultiStart.Run(Local, [-3.0, -3.0], [3.0, 3.0], starts: 24, seed: 2, maxDegreeOfParallelism: 1);
        for (int k = 0; k < 24; k++)
        {
            Assert.Equal(sequential.Starts[k], parallel.Starts[k]);
            Assert.Equal(sequential.Runs[k].Point, parallel.Runs[k].Point);
            Assert.Equal(sequential.Runs[k].FunctionEvaluations, parallel.Runs[k].FunctionEvaluations);
        }
        Assert.Equal(4, parallel.Minima.Count); // the double well in each coordinate: 2 × 2 minima
    }

    [Fact]
    public void MaximizingKeepsTheHighest()
    {
        var found = MultiStart.Run(x => Newton.Minimize(w => -TestFunctions.DoubleWell(w), x, options: new MinimizeOptions { Maximize = true }),
            [-3.0], [3.0], starts: 12, seed: 1, maximize: true);
        Assert.Equal(-1.30084, found.Best.Point[0], 1e-4);
        Assert.Equal(found.Runs.Max(r => r.Value), found.Best.Value);
    }

    [Fact]
    public void RejectsBadArguments()
    {
        Assert.Throws<ArgumentException>(() => MultiStart.Run(Local, [], [], 3));
        Assert.Throws<ArgumentException>(() => MultiStart.Run(Local, [1.0], [0.0], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => MultiStart.Run(Local, [0.0], [1.0], 0));
    }
}
