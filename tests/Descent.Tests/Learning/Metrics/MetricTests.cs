using Descent.Learning.Metrics;

namespace Descent.Tests.Learning.Metrics;

public class MetricTests
{
    [Fact]
    public void ClassificationMetricsMatchHandCounts()
    {
        // predicted 1,1,0,0,1 ; actual 1,0,0,1,1 → TP=2, FP=1, FN=1, TN=1
        var p = Tensor.FromArray([0.9, 0.6, 0.2, 0.4, 0.7]);
        var y = Tensor.FromArray([1.0, 0, 0, 1, 1]);
        Assert.Equal(0.6, Metric.Accuracy(p, y), 1e-15);
        var (precision, recall, f1) = Metric.PrecisionRecallF1(p, y);
        Assert.Equal(2.0 / 3, precision, 1e-15);
        Assert.Equal(2.0 / 3, recall, 1e-15);
        Assert.Equal(2.0 / 3, f1, 1e-15);
        var m = Metric.ConfusionMatrix(p, y);
        Assert.Equal(1, m[0, 0]);
        Assert.Equal(1, m[0, 1]);
        Assert.Equal(1, m[1, 0]);
        Assert.Equal(2, m[1, 1]);
    }

    [Fact]
    public void MulticlassScoresUseArgMax()
    {
        var scores = Tensor.FromArray(new double[,] { { 0.1, 2, 0 }, { 3, 0, 1 }, { 0, 0, 5 } });
        Assert.Equal(2.0 / 3, Metric.Accuracy(scores, Tensor.FromArray([1.0, 0, 1])), 1e-15);
    }

    [Fact]
    public void RegressionMetricsMatchHandValues()
    {
        var p = Tensor.FromArray([1.0, 2, 3]);
        var y = Tensor.FromArray([1.0, 2, 5]);
        Assert.Equal(2.0 / 3, Metric.MeanAbsoluteError(p, y), 1e-15);
        Assert.Equal(Math.Sqrt(4.0 / 3), Metric.RootMeanSquaredError(p, y), 1e-15);
        // mean 8/3 ; SS_tot = 25/9+4/9+49/9 = 78/9 ; SS_res = 4
        Assert.Equal(1 - 4 / (78.0 / 9), Metric.RSquared(p, y), 1e-12);
    }
}
