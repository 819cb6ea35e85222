using Descent.Optimization;
using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;

namespace Descent.Tests.Optimization.Minimization;

public class MinimizerTests
{
    [Theory]
    [InlineData(10.0)]
    [InlineData(-10.0)]
    public void ParabolaReferenceThroughMinimize(double start)
    {
        var result = Minimizer.Minimize(w => w.Square().Sum(), [start], Optimizers.GradientDescent<double>(0.3), new MaxSteps(5));
        double[] expected = [10, 4, 1.6, 0.64, 0.256, 0.1024];
        Assert.Equal(6, result.Trajectory.Count);
        for (int i = 0; i < 6; i++) Assert.Equal(Math.Sign(start) * expected[i], result.Trajectory[i].Point[0], 1e-12);
        Assert.Equal(StopKind.MaxSteps, result.StopReason.Kind);
        Assert.Equal(6, result.FunctionEvaluations);
    }

    [Fact]
    public void ParaboloidReferenceThroughMinimize()
    {
        var c = Tensor.FromArray([2.0, 3.0]);
        var result = Minimizer.Minimize(w => (c * w.Square()).Sum(), [2.0, 4.0], Optimizers.GradientDescent<double>(0.1), new MaxSteps(5));
        double[][] expected = [[2, 4], [1.2, 1.6], [0.72, 0.64], [0.432, 0.256], [0.2592, 0.1024], [0.15552, 0.04096]];
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(expected[i][0], result.Trajectory[i].Point[0], 1e-12);
            Assert.Equal(expected[i][1], result.Trajectory[i].Point[1], 1e-12);
        }
    }

    [Fact]
    public void LearningRateStudy()
    {
        MinimizeResult Run(double lr) => Minimizer.Minimize(w => w.Square().Sum(), [100.0], Optimizers.GradientDescent<double>(lr), new MaxSteps(1000));
        var results = new[] { 0.001, 0.01, 0.1, 0.999 }.Select(Run).ToArray();
        // Every converging rate ends lower than the start; 0.1 ends lowest.
        Assert.All(results, r => Assert.Equal(Behaviour.Converging, r.Behaviour));
        Assert.Equal(0.1, new[] { 0.001, 0.01, 0.1, 0.999 }[Array.IndexOf(results, results.MinBy(r => Math.Abs(r.Point[0])))]);
        // 0.999 zig-zags: the sign alternates at every step.
        var zig = results[3].Trajectory;
        for (int i = 1; i < 20; i++) Assert.True(Math.Sign(zig[i].Point[0]) == -Math.Sign(zig[i - 1].Point[0]));

        var one = Run(1.0);
        Assert.Equal(Behaviour.Oscillating, one.Behaviour);
        Assert.False(one.Diverged);
        Assert.Equal(100, Math.Abs(one.Point[0]), 1e-12);

        var over = Run(1.01);
        Assert.True(over.Diverged);
        Assert.Contains("diverged", over.StopReason.Message);
        Assert.True(over.StopReason.Step > 0);
    }

    [Fact]
    public void ExplosiveRateStopsAtTheFirstNonFiniteLossAndKeepsTheLastFinitePoint()
    {
        var result = Minimizer.Minimize(w => w.Square().Sum(), [10.0], Optimizers.GradientDescent<double>(1e150), new MaxSteps(100));
        Assert.True(result.Diverged);
        Assert.True(double.IsFinite(result.Point[0]));
        Assert.True(result.StopReason.Step < 10);
    }

    [Fact]
    public void MaximizeReportsValuesOfFItself()
    {
        // f(w) = −(w − 3)² + 5 has its maximum 5 at w = 3.
        var result = Minimizer.Minimize(w => -(w - 3.0).Square().Sum() + 5.0, [0.0], Optimizers.GradientDescent<double>(0.1),
            new AnyOf(new MaxSteps(500), new GradientNormBelow(1e-10)), new MinimizeOptions { Maximize = true });
        Assert.Equal(3, result.Point[0], 1e-9);
        Assert.Equal(5, result.Value, 1e-12);
        Assert.Equal(Behaviour.Converged, result.Behaviour);
    }

    [Fact]
    public void LogEveryKeepsFirstAndLast()
    {
        var result = Minimizer.Minimize(w => w.Square().Sum(), [1.0], Optimizers.GradientDescent<double>(0.01), new MaxSteps(1000),
            new MinimizeOptions { LogEvery = 100 });
        Assert.Equal(11, result.Trajectory.Count);
        Assert.Equal(0, result.Trajectory[0].Step);
        Assert.Equal(1000, result.Trajectory[^1].Step);
    }

    /// <summary>A learning rate far too small to move w: the run is stalled, not oscillating (the parameters never move).</summary>
    [Fact]
    public void TinyLearningRateIsStalledNotOscillating()
    {
        var tiny = Minimizer.Minimize(w => w.Square().Sum(), [1.0], Optimizers.GradientDescent<double>(1e-300), new MaxSteps(100));
        Assert.Equal(Behaviour.Stalled, tiny.Behaviour);
        Assert.Equal(1.0, tiny.Point[0]);
        // Learning rate 1 on w² keeps the loss level while w flips sign: that one is oscillating.
        Assert.Equal(Behaviour.Oscillating, Minimizer.Minimize(w => w.Square().Sum(), [1.0], Optimizers.GradientDescent<double>(1.0), new MaxSteps(100)).Behaviour);
    }

    /// <summary>
    /// The trajectory is bounded: past MaxTrajectoryPoints, every second point is dropped and the stride doubles. The
    /// kept points are the start, multiples of LogEvery·2ᵏ, and the last step; their values are the unthinned run's.
    /// </summary>
    [Theory]
    [InlineData(1, 1000, 10)]
    [InlineData(3, 1000, 7)]
    [InlineData(1, 12345, 100)]
    [InlineData(5, 4, 2)]
    public void TrajectoryStaysBoundedAndKeepsTheUnthinnedValues(int logEvery, long steps, int max)
    {
        var full = Minimizer.Minimize(w => w.Square().Sum(), [10.0], Optimizers.GradientDescent<double>(1e-4), new MaxSteps(steps), new MinimizeOptions { LogEvery = 1, MaxTrajectoryPoints = int.MaxValue });
        var thin = Minimizer.Minimize(w => w.Square().Sum(), [10.0], Optimizers.GradientDescent<double>(1e-4), new MaxSteps(steps), new MinimizeOptions { LogEvery = logEvery, MaxTrajectoryPoints = max });
        Assert.InRange(thin.Trajectory.Count, 2, max + 1); // + the final step, added once the run has stopped
        Assert.Equal(0, thin.Trajectory[0].Step);
        Assert.Equal(steps, thin.Trajectory[^1].Step);
        long stride = thin.Trajectory.Count > 2 ? thin.Trajectory[1].Step : logEvery;
        Assert.Equal(0, stride % logEvery);
        Assert.True(long.IsPow2(stride / logEvery), $"stride {stride} is not LogEvery·2^k");
        for (int i = 0; i < thin.Trajectory.Count; i++)
        {
            var t = thin.Trajectory[i];
            if (i < thin.Trajectory.Count - 1) Assert.Equal(i * stride, t.Step);
            Assert.Equal(full.Trajectory[(int)t.Step].Point[0], t.Point[0]);
        }
        Assert.Equal(full.Point[0], thin.Point[0]);
        Assert.Equal(full.Behaviour, thin.Behaviour);
    }

    /// <summary>By default a run keeps at most 100,000 trajectory points, however long it runs (RunLog-based methods too).</summary>
    [Fact]
    public void DefaultTrajectoryIsBounded()
    {
        var gd = Minimizer.Minimize(w => w.Square().Sum(), [1.0], Optimizers.GradientDescent<double>(1e-9), new MaxSteps(250_000));
        Assert.InRange(gd.Trajectory.Count, 50_000, 100_000);
        Assert.Equal(250_000, gd.Trajectory[^1].Step);
        var nm = NelderMead.Minimize(w => w.Square().Sum(), [1.0, 2.0], new MaxSteps(1000), new MinimizeOptions { MaxTrajectoryPoints = 100 });
        Assert.InRange(nm.Trajectory.Count, 2, 100);
        Assert.Equal(nm.StopReason.Step, nm.Trajectory[^1].Step);
    }
}
