using Descent.Optimization;

namespace Descent.Tests.Optimization;

public class ReduceOnPlateauTests
{
    [Fact]
    public void MatchesTorchReduceLROnPlateau()
    {
        var c = Fixture.Load("lr_schedules.json").GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "reduce_on_plateau");
        double[] metrics = Fixture.Doubles(c.GetProperty("metrics"));
        double[] rates = Fixture.Doubles(c.GetProperty("rates"));
        var sut = new ReduceOnPlateau(1.0, factor: 0.5, patience: 2, cooldown: 1, minLearningRate: 0.1);
        for (int i = 0; i < metrics.Length; i++)
        {
            Assert.Equal(rates[i], sut.Observe(metrics[i]));
        }
    }

    [Fact]
    public void HandCase_ReducesAfterPatienceExceeded()
    {
        var sut = new ReduceOnPlateau(1.0, factor: 0.5, patience: 1);
        Assert.Equal(1.0, sut.Observe(3)); // best 3
        Assert.Equal(1.0, sut.Observe(3)); // bad 1
        Assert.Equal(0.5, sut.Observe(3)); // bad 2 > 1 → halve
        Assert.Equal(0.5, sut.Observe(2)); // improved
    }

    [Fact]
    public void StateRoundTripsAndScheduleFollows()
    {
        var sut = new ReduceOnPlateau(1.0, MetricMode.Max, factor: 0.5, patience: 0);
        Schedule schedule = sut.AsSchedule();
        sut.Observe(1);
        sut.Observe(0.5);
        Assert.Equal(0.5, schedule(123));
        var saved = sut.GetState();
        var copy = new ReduceOnPlateau(1.0, MetricMode.Max, factor: 0.5, patience: 0);
        copy.LoadState(saved);
        Assert.Equal(sut.Observe(0.2), copy.Observe(0.2));
        Assert.Equal(sut.GetState(), copy.GetState());
        sut.Reset();
        Assert.Equal(1.0, sut.LearningRate);
    }
}
