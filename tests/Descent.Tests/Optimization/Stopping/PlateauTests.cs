using Descent.Optimization.Stopping;

namespace Descent.Tests.Optimization.Stopping;

public class PlateauTests
{
    [Fact]
    public void FiresOnceTheWindowIsFullWhenTheSlopeIsShallow()
    {
        var sut = new Plateau(1e-6);
        for (int t = 0; t < 49; t++)
        {
            Assert.Null(sut.Observe(new StepRecord(t, 5 - (3.2e-7 * t))));
        }

        StopReason? reason = sut.Observe(new StepRecord(49, 5 - (3.2e-7 * 49)));
        Assert.NotNull(reason);
        Assert.Equal(StopKind.Plateau, reason.Kind);
        Assert.Equal(49, reason.Step);
        Assert.Equal("plateau: slope -3.2e-07 over the last 50 losses is shallower than 1e-06", reason.Message);
        Assert.Equal(-3.2e-7, sut.LastSlope, 1e-18);
    }

    [Fact]
    public void FiresWhenTheCurveFlattens()
    {
        // L = max(100 − t, 80); window 5: at t = 23 the slope is −0.2, at t = 24 it is 0.
        var sut = new Plateau(0.01, window: 5);
        StopReason? reason = null;
        long t = 0;
        for (; reason is null; t++)
        {
            reason = sut.Observe(new StepRecord(t, Math.Max(100 - t, 80)));
            if (t == 23)
            {
                Assert.Equal(-0.2, sut.LastSlope, 1e-12);
            }
        }

        Assert.Equal(24, reason.Step);
        sut.Reset();
        Assert.True(double.IsNaN(sut.LastSlope));
        Assert.Null(sut.Observe(new StepRecord(0, 1)));
    }

    [Fact]
    public void SteepLineNeverFires()
    {
        var sut = new Plateau(0.4, window: 5);
        for (int t = 0; t < 100; t++)
        {
            Assert.Null(sut.Observe(new StepRecord(t, 10 - (0.5 * t))));
        }
    }
}
