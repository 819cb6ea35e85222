using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Learning.Tuning;
using Descent.Optimization;

namespace Descent.Tests.Learning.Tuning;

public class LearningRateFinderTests
{
    [Fact]
    public void TheSweepIsExponentialAndStopsPastTheStabilityBound()
    {
        // y = 3x − 1 on x evenly spaced in [−2, 2] (mean 0), full batch, mean squared error, plain GD: the Hessian is
        // diag(2·mean(x²), 2), so GD diverges once η > 1/max(mean(x²), 1) = 1/mean(x²).
        var x = Enumerable.Range(0, 41).Select(i => -2 + 0.1 * i).ToArray();
        var data = new Dataset<double>(Tensor.FromArray(x, 41, 1), Tensor.FromArray(x.Select(v => 3 * v - 1).ToArray(), 41, 1));
        double bound = 1 / x.Average(v => v * v);
        var result = LearningRateFinder.Run(new LinearRegression<double>(1), (p, t) => Loss.MeanSquaredError(p, t),
            s => Optimizers.GradientDescent<double>(s), DataLoader<double>.FullBatch(data), new LearningRateFinderOptions { Min = 1e-4, Max = 10, Steps = 60 });
        for (int k = 0; k < result.LearningRates.Length; k++)
            Assert.Equal(1e-4 * Math.Pow(1e5, k / 59.0), result.LearningRates[k], 1e-9 * result.LearningRates[k]);
        Assert.True(result.StoppedEarly);
        Assert.True(result.LearningRates[^1] > bound, $"stopped at {result.LearningRates[^1]}, below the bound {bound}");
        Assert.True(result.Suggested.High < bound, $"suggested {result.Suggested}, bound {bound}");
        Assert.True(result.Suggested.Low <= result.Suggested.High);
        Assert.True(result.Steepest > 1e-3 && result.Steepest < bound, $"steepest {result.Steepest}");
    }

    [Fact]
    public void OnePassMeansOneStepPerBatchButAtLeastFifty()
    {
        var data = SyntheticData.Moons(640, 0.1, seed: 1);
        var result = LearningRateFinder.Run(new Mlp<double>(2, [8], 2, seed: 1), (p, t) => Loss.SoftmaxCrossEntropy(p, t),
            s => Optimizers.Adam<double>(s), DataLoader<double>.MiniBatches(data, 8, seed: 1), new LearningRateFinderOptions { Max = 1e-2 });
        Assert.Equal(80, result.LearningRates.Length);
        Assert.False(result.StoppedEarly);
        var small = LearningRateFinder.Run(new Mlp<double>(2, [8], 2, seed: 1), (p, t) => Loss.SoftmaxCrossEntropy(p, t),
            s => Optimizers.Adam<double>(s), DataLoader<double>.MiniBatches(data, 64, seed: 1), new LearningRateFinderOptions { Max = 1e-2 });
        Assert.Equal(50, small.LearningRates.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateFinder.Run(new Mlp<double>(2, [8], 2), (p, t) => Loss.SoftmaxCrossEntropy(p, t),
            s => Optimizers.Adam<double>(s), DataLoader<double>.FullBatch(data), new LearningRateFinderOptions { Min = 1, Max = 0.1 }));
    }
}
