using Descent.Learning.Data;

namespace Descent.Tests.Learning.Data;

public class SplitTests
{
    /// <summary>Row i has feature i, so a split's rows can be traced back.</summary>
    private static Dataset<double> Imbalanced(int n)
    {
        var x = new double[n, 1];
        var labels = new int[n];
        for (int i = 0; i < n; i++) { x[i, 0] = i; labels[i] = i % 10 < 7 ? 0 : i % 10 < 9 ? 1 : 2; } // 70% / 20% / 10%
        return Dataset.FromLabels(x, labels, 3);
    }

    private static int[] Ids(Dataset<double> d) => d.X.ToArray().Select(v => (int)v).ToArray();

    [Fact]
    public void TrainValidationTestPartitionsTheRows()
    {
        var d = Imbalanced(100);
        var (train, validation, test) = Split.TrainValidationTest(d, 0.6, 0.2, 0.2, seed: 3);
        Assert.Equal((60, 20, 20), (train.Count, validation.Count, test.Count));
        Assert.Equal(Enumerable.Range(0, 100), Ids(train).Concat(Ids(validation)).Concat(Ids(test)).Order());
        Assert.Equal(Ids(train).Order(), Ids(train));     // rows keep dataset order
        var again = Split.TrainValidationTest(d, 0.6, 0.2, 0.2, seed: 3);
        Assert.Equal(Ids(validation), Ids(again.Validation));
        Assert.NotEqual(Ids(validation), Ids(Split.TrainValidationTest(d, 0.6, 0.2, 0.2, seed: 4).Validation));
    }

    [Fact]
    public void StratifiedSplitKeepsClassProportions()
    {
        var d = Imbalanced(200);
        var (train, validation, test) = Split.TrainValidationTest(d, 0.5, 0.25, 0.25, seed: 1, stratified: true);
        foreach (var (part, size) in new[] { (train, 100), (validation, 50), (test, 50) })
        {
            var counts = part.GetLabels().CountBy(l => l).ToDictionary();
            Assert.Equal(size, part.Count);
            for (int c = 0; c < 3; c++) Assert.InRange(counts[c], size * new[] { 0.7, 0.2, 0.1 }[c] - 1, size * new[] { 0.7, 0.2, 0.1 }[c] + 1);
        }
        Assert.Equal(3, test.ClassCount);
    }

    [Fact]
    public void TrainTestAndValidation()
    {
        var (train, test) = Split.TrainTest(SyntheticData.SeedLinear(), 0.3, seed: 2);
        Assert.Equal((5, 2), (train.Count, test.Count));
        Assert.Throws<ArgumentOutOfRangeException>(() => Split.TrainValidationTest(Imbalanced(10), 0.5, 0.5, 0.5));
        Assert.Throws<ArgumentException>(() => Split.TrainTest(SyntheticData.SeedLinear(), stratified: true));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void KFoldValidatesEveryRowExactlyOnce(bool stratified)
    {
        var d = Imbalanced(53);
        var folds = Split.KFold(d, 5, seed: 7, stratified: stratified);
        Assert.Equal(5, folds.Count);
        var validated = folds.SelectMany(f => Ids(f.Validation)).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 53), validated);
        foreach (var (train, validation) in folds)
        {
            Assert.Equal(53, train.Count + validation.Count);
            Assert.Empty(Ids(train).Intersect(Ids(validation)));
            Assert.InRange(validation.Count, 10, 11);
        }
        if (stratified)
            foreach (var (_, validation) in folds)
                Assert.InRange(validation.GetLabels().Count(l => l == 2), 1, 2); // 5 rows of class 2 over 5 folds, ±1
        Assert.Equal(folds.Select(f => Ids(f.Validation)), Split.KFold(d, 5, seed: 7, stratified: stratified).Select(f => Ids(f.Validation)));
    }

    [Fact]
    public void KFoldValidatesK()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Split.KFold(Imbalanced(5), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Split.KFold(Imbalanced(5), 6));
    }
}
