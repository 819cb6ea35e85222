using Descent.Optimization;
using Descent.Optimization.Transforms;

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
    public void StateRoundTrips()
    {
        var sut = new ReduceOnPlateau(1.0, MetricMode.Max, factor: 0.5, patience: 0);
        sut.Observe(1);
        sut.Observe(0.5);
        Assert.Equal(0.5, sut.LearningRate);
        var saved = sut.GetState();
        var copy = new ReduceOnPlateau(1.0, MetricMode.Max, factor: 0.5, patience: 0);
        copy.LoadState(saved);
        Assert.Equal(sut.Observe(0.2), copy.Observe(0.2));
        Assert.Equal(sut.GetState(), copy.GetState());
        sut.Reset();
        Assert.Equal(1.0, sut.LearningRate);
    }

    [Fact]
    public void AsTransform_FollowsTheTorchRatesAndScalesTheUpdate()
    {
        // The same fixture through an optimizer: the step after each observation moves p by −rate·g exactly.
        var c = Fixture.Load("lr_schedules.json").GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "reduce_on_plateau");
        double[] metrics = Fixture.Doubles(c.GetProperty("metrics"));
        double[] rates = Fixture.Doubles(c.GetProperty("rates"));
        var p = new ArrayParameter<double>(0.0);
        var optimizer = new Optimizer<double>([p], new ScaleByPlateau<double>(1.0, factor: 0.5, patience: 2, cooldown: 1, minLearningRate: 0.1));
        Assert.True(optimizer.ObservesMetric);
        for (int i = 0; i < metrics.Length; i++)
        {
            optimizer.ObserveMetric(metrics[i]);
            Assert.Equal(rates[i], optimizer.LearningRate);
            p.Data[0] = 0;
            p.Grad[0] = 2;
            optimizer.Step();
            Assert.Equal(-2 * rates[i], p.Data[0]);
        }
    }

    [Fact]
    public void AsTransform_StateIsTheOptimizersAndRoundTrips()
    {
        var chain = Transform.Chain(new ScaleByAdam<double>(), new ScaleByPlateau<double>(1.0, factor: 0.5, patience: 0));
        var p = new ArrayParameter<double>(1.0);
        var first = new Optimizer<double>([p], chain);
        first.ObserveMetric(3);
        first.ObserveMetric(4); // bad → halved
        Assert.Equal(0.5, first.LearningRate);
        var saved = first.GetState();
        Assert.Equal(0.5, saved.Scalar("transform.1.rate"));
        Assert.Equal(3, saved.Scalar("transform.1.best"));

        var q = new ArrayParameter<double>(1.0);
        var second = new Optimizer<double>([q], Transform.Chain(new ScaleByAdam<double>(), new ScaleByPlateau<double>(1.0, factor: 0.5, patience: 0)));
        Assert.Equal(1.0, second.LearningRate);
        second.LoadState(saved);
        Assert.Equal(0.5, second.LearningRate);
        first.ObserveMetric(5);
        second.ObserveMetric(5);
        Assert.Equal(first.GetState().Scalars, second.GetState().Scalars);
    }
}
