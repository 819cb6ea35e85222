using Descent.Optimization.Stopping;

namespace Descent.Tests.Optimization.Stopping;

public class DivergenceTests
{
    private static StopReason? Run(IStoppingRule rule, params double[] losses)
    {
        for (int t = 0; t < losses.Length; t++)
        {
            if (rule.Observe(new StepRecord(t, losses[t])) is { } reason)
            {
                return reason;
            }
        }

        return null;
    }

    [Fact]
    public void GrowthRelativeToBestLoss()
    {
        StopReason? reason = Run(new Divergence(), 10, 5, 1, 2, 1e5, 1e6, 2e6, 3e6);
        Assert.NotNull(reason);
        Assert.Equal(StopKind.Diverged, reason.Kind);
        Assert.Equal(6, reason.Step);
        Assert.Equal("diverged: loss 2e+06 at step 6 is more than 1e+06 times the best loss 1 (step 2)", reason.Message);
    }

    [Fact]
    public void NonFiniteLossOrParameters()
    {
        Assert.Equal("diverged: loss is NaN at step 2", Run(new Divergence(), 1, 2, double.NaN)!.Message);
        Assert.Equal(1, Run(new Divergence(), 1, double.PositiveInfinity)!.Step);
        var reason = new Divergence().Observe(new StepRecord(7, 1) { ParameterNorm = double.PositiveInfinity });
        Assert.Equal(7, reason!.Step);
        Assert.Contains("parameters are not finite", reason.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WindowLimitsTheReference()
    {
        // Window 2, factor 10: at step 3 the window holds 5 and 9, so 60 > 10·5 fires; with the whole history the best is 1 and 60 < 100·1.
        Assert.Equal(3, Run(new Divergence(10, window: 2), 1, 5, 9, 60)!.Step);
        Assert.Null(Run(new Divergence(100), 1, 5, 9, 60));
        var rule = new Divergence(10);
        Assert.NotNull(Run(rule, 1, 20));
        rule.Reset();
        Assert.Null(Run(rule, 20));
    }
}
