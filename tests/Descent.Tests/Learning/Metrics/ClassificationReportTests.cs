using Descent.Learning.Metrics;

namespace Descent.Tests.Learning.Metrics;

public class ClassificationReportTests
{
    [Fact]
    public void HandCountedThreeClasses()
    {
        // actual:    a a a a b b b c c c
        // predicted: a a b c b b a c c b
        int[] actual = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
        int[] predicted = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1];
        var r = ClassificationReport.FromClasses(predicted, actual, 3, ["a", "b", "c"]);
        int[,] expected = { { 2, 1, 1 }, { 1, 2, 0 }, { 0, 1, 2 } };
        Assert.Equal(expected, r.Confusion);
        Assert.Equal(0.6, r.Accuracy, 12);
        // a: TP 2, predicted 3, actual 4 → P 2/3, R 1/2, F1 = 2·(2/3)(1/2)/(2/3+1/2) = 4/7.
        Assert.Equal("a", r.Classes[0].Name);
        Assert.Equal(2.0 / 3, r.Classes[0].Precision, 12);
        Assert.Equal(0.5, r.Classes[0].Recall, 12);
        Assert.Equal(4.0 / 7, r.Classes[0].F1, 12);
        Assert.Equal(4, r.Classes[0].Support);
        // b: TP 2, predicted 4, actual 3 → P 1/2, R 2/3; c: TP 2, predicted 3, actual 3 → 2/3, 2/3.
        Assert.Equal(0.5, r.Classes[1].Precision, 12);
        Assert.Equal(2.0 / 3, r.Classes[1].Recall, 12);
        Assert.Equal(2.0 / 3, r.Classes[2].F1, 12);
        Assert.Equal((4.0 / 7 + 4.0 / 7 + 2.0 / 3) / 3, r.MacroF1, 12);
    }

    [Fact]
    public void FromScoresAgreesWithTheMetricFunctions()
    {
        var scores = Tensor.FromArray(new double[,] { { 2, 1, 0 }, { 0, 3, 1 }, { 0, 1, 5 }, { 4, 0, 0 }, { 0, 2, 1 } });
        var labels = Tensor.FromArray(new double[] { 0, 1, 1, 0, 2 });
        var r = ClassificationReport.From(scores, labels);
        Assert.Equal(Metric.Accuracy(scores, labels), r.Accuracy);
        Assert.Equal(Metric.ConfusionMatrix(scores, labels, 3), r.Confusion);
        var (p, rec, f) = Metric.PrecisionRecallF1(scores, labels, positiveClass: 1);
        Assert.Equal(p, r.Classes[1].Precision);
        Assert.Equal(rec, r.Classes[1].Recall);
        Assert.Equal(f, r.Classes[1].F1);
    }

    [Fact]
    public void UnknownLabelsCountAsWrong()
    {
        var r = ClassificationReport.FromClasses([0, 1, 1], [0, 1, -1], 2);
        Assert.Equal(2.0 / 3, r.Accuracy, 12);
        Assert.Equal(3, r.Count);
    }
}
