using Descent.Learning.Data;

namespace Descent.Tests.Learning.Data;

/// <summary>Standardizer and MinMaxScaler share their transform, so their tests sit together.</summary>
public class ScalerTests
{
    private static readonly Tensor<double> Train = Tensor.FromArray(new double[,] { { 1, 10, 5 }, { 3, 10, 5 }, { 5, 10, 5 } });

    [Fact]
    public void StandardizerHandChecked()
    {
        var s = new Standardizer().Fit(Train);
        Assert.Equal([3.0, 10, 5], s.Mean!);
        Assert.Equal(Math.Sqrt(8.0 / 3), s.Scale![0], 12);
        Assert.Equal(1.0, s.Scale[1]);                    // constant column: no division by zero
        var t = s.Transform(Train).ToArray();
        Assert.Equal(-2 / Math.Sqrt(8.0 / 3), t[0], 12);
        Assert.Equal(0.0, t[1]);
        Assert.All(t, v => Assert.True(double.IsFinite(v)));
        var test = Tensor.FromArray(new double[,] { { 7, 11, 5 } });
        Assert.Equal(new[] { 4 / Math.Sqrt(8.0 / 3), 1, 0 }, s.Transform(test).ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal(test.ToArray(), s.InverseTransform(s.Transform(test)).ToArray(), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void MinMaxHandChecked()
    {
        var m = new MinMaxScaler().Fit(Train);
        Assert.Equal(new double[] { 0, 0, 0, 0.5, 0, 0, 1, 0, 0 }, m.Transform(Train).ToArray());
        Assert.Equal(new double[] { 1.5, 1, 0 }, m.Transform(Tensor.FromArray(new double[,] { { 7, 11, 5 } })).ToArray());
        var wide = new MinMaxScaler(-1, 1).Fit(Train);
        Assert.Equal(new double[] { -1, 0, 1 }, wide.Transform(Train).ToArray().Where((_, i) => i % 3 == 0));
        Assert.Equal(new double[] { -1, -1, -1 }, wide.Transform(Train).ToArray().Where((_, i) => i % 3 == 1));
    }

    [Fact]
    public void ScalersValidate()
    {
        Assert.Throws<InvalidOperationException>(() => new Standardizer().Transform(Train));
        Assert.Throws<ShapeException>(() => new MinMaxScaler().Fit(Train).Transform(Tensor.Zeros<double>(2, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MinMaxScaler(1, 1));
        Assert.Throws<ArgumentException>(() => new Standardizer().Fit(Tensor.Zeros<double>(0, 3)));
    }

    [Fact]
    public void ScalingADatasetKeepsTargets()
    {
        var d = SyntheticData.Blobs(20, seed: 4).Cast<float>();
        var scaled = new Standardizer().Fit(d).Transform(d);
        Assert.Equal(d.Y.ToArray(), scaled.Y.ToArray());
        Assert.Equal(0, scaled.X.ToArray().Where((_, i) => i % 2 == 0).Average(), 5);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double v) => 0;
    }
}
