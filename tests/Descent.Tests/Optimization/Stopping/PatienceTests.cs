using Descent.Optimization;
using Descent.Optimization.Stopping;

namespace Descent.Tests.Optimization.Stopping;

public class PatienceTests
{
    [Fact]
    public void MinModeWithMinDelta()
    {
        // best 5@0, 4@1; 4.5 bad; 3.97 is not better than 4 − 0.05 → second bad → fires at step 3.
        var sut = new Patience(2, minDelta: 0.05);
        double[] metrics = [5, 4, 4.5, 3.97];
        StopReason? reason = null;
        for (int t = 0; t < metrics.Length; t++)
        {
            reason = sut.Observe(new StepRecord(t, double.NaN) { ValidationMetric = metrics[t] });
            Assert.Equal(t == 3, reason is not null);
        }

        Assert.Equal(StopKind.Patience, reason!.Kind);
        Assert.Equal(1, sut.BestStep);
        Assert.Equal(4, sut.BestValue);
        Assert.Equal("patience: the validation metric has not improved by more than 0.05 for 2 steps; best 4 at step 1", reason.Message);
    }

    [Fact]
    public void MaxModeUsesLossWhenNoMetric()
    {
        var sut = new Patience(3, MetricMode.Max);
        double[] values = [0.5, 0.6, 0.6, 0.7, 0.65, 0.69, 0.7];
        for (int t = 0; t < values.Length; t++)
        {
            StopReason? reason = sut.Observe(new StepRecord(t, values[t]));
            Assert.Equal(t == 6, reason is not null);
        }

        Assert.Equal(3, sut.BestStep);
        sut.Reset();
        Assert.Equal(-1, sut.BestStep);
    }
}
