using Descent.Learning.Data;

namespace Descent.Tests.Learning.Data;

public class FeatureScalingTests
{
    private static readonly Tensor<double> X = Tensor.FromArray(new double[,] { { 1, 100, 7 }, { 3, 250, 7 }, { 8, 50, 7 }, { -2, 400, 7 }, { 5, 90, 7 } });

    [Fact]
    public void StandardOnRowsEqualsTheStandardizerOnThoseRows()
    {
        int[] rows = [0, 2, 4];
        var scaling = FeatureScaling.Fit(X, ScalingKind.Standard, rows);
        var subset = Tensor.FromArray(new double[,] { { 1, 100, 7 }, { 8, 50, 7 }, { 5, 90, 7 } });
        var reference = new Standardizer().Fit(subset);
        Assert.Equal(reference.Mean!, scaling.Offset);
        Assert.Equal(reference.Scale!, scaling.Scale);
        // Hand check of column 0: mean 14/3, population variance ((1−14/3)² + (8−14/3)² + (5−14/3)²)/3.
        double mean = 14.0 / 3;
        Assert.Equal(mean, scaling.Offset[0], 12);
        Assert.Equal(Math.Sqrt((Math.Pow(1 - mean, 2) + Math.Pow(8 - mean, 2) + Math.Pow(5 - mean, 2)) / 3), scaling.Scale[0], 12);
        Assert.Equal(1.0, scaling.Scale[2]); // a constant column is only centred
        Assert.Equal(reference.Transform(X).ToArray(), scaling.Apply(X).ToArray());
    }

    [Fact]
    public void MinMaxEqualsTheMinMaxScaler()
    {
        var scaling = FeatureScaling.Fit(X, ScalingKind.MinMax);
        var reference = new MinMaxScaler().Fit(X);
        var a = scaling.Apply(X).ToArray();
        var b = reference.Transform(X).ToArray();
        for (int i = 0; i < a.Length; i++) Assert.Equal(b[i], a[i], 14);
        Assert.Equal(0.0, a[3 * 3]);        // row 3's first column is the minimum −2
        Assert.Equal(1.0, a[3 * 3 + 1]);    // and its second the maximum 400
    }

    [Fact]
    public void InPlaceChangesTheTensorAndCopyDoesNot()
    {
        var x = X.Clone();
        var scaling = FeatureScaling.Fit(x, ScalingKind.Standard);
        var copy = scaling.Apply(x);
        Assert.Equal(X.ToArray(), x.ToArray());
        var same = scaling.Apply(x, inPlace: true);
        Assert.Same(x, same);
        Assert.Equal(copy.ToArray(), x.ToArray());
        Assert.Throws<ShapeException>(() => scaling.Apply(Tensor.Zeros<double>(2, 2)));
    }
}
