namespace Descent.Tests.Autodiff;

/// <summary>The reference numbers from DEVELOPERS.md, reproduced through the autodiff engine with a plain update loop.</summary>
public class ReferenceDescentTests
{
    [Theory]
    [InlineData(10.0, new[] { 10, 4, 1.6, 0.64, 0.256, 0.1024 })]
    [InlineData(-10.0, new[] { -10, -4, -1.6, -0.64, -0.256, -0.1024 })]
    public void ParabolaDescentMatchesReference(double start, double[] expected)
    {
        var w = Tensor.Scalar(start).WithGrad();
        var trajectory = new List<double> { w.Item() };
        for (int step = 0; step < 5; step++)
        {
            var loss = w * w;
            loss.Backward();
            w.SubtractInPlace(w.Grad!, 0.3);
            w.ZeroGrad();
            trajectory.Add(w.Item());
        }
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], trajectory[i], 1e-12);
    }

    [Fact]
    public void ParaboloidDescentMatchesReference()
    {
        var w = Tensor.FromArray([2.0, 4.0]).WithGrad();
        var coefficients = Tensor.FromArray([2.0, 3.0]);
        double[][] expected = [[1.2, 1.6], [0.72, 0.64], [0.432, 0.256], [0.2592, 0.1024], [0.15552, 0.04096]];
        foreach (var point in expected)
        {
            var loss = (coefficients * w * w).Sum();
            loss.Backward();
            w.SubtractInPlace(w.Grad!, 0.1);
            w.ZeroGrad();
            Assert.Equal(point[0], w.GetValue(0), 1e-12);
            Assert.Equal(point[1], w.GetValue(1), 1e-12);
        }
    }

    [Fact]
    public void LinearRegressionReachesReferenceWeights()
    {
        var x = Tensor.FromArray([1.0, 2, 3, 4, 5, 6, 8]);
        var y = Tensor.FromArray([5.5, 6, 6.5, 7, 7.5, 8, 9]);
        var w0 = Tensor.Scalar(0.0).WithGrad();
        var w1 = Tensor.Scalar(0.0).WithGrad();
        double m = x.Size;
        for (int epoch = 0; epoch < 5000; epoch++)
        {
            var residual = w0 + w1 * x - y;
            var loss = residual.Square().Sum() / (2 * m);
            loss.Backward();
            w0.SubtractInPlace(w0.Grad!, 8e-3);
            w1.SubtractInPlace(w1.Grad!, 8e-3);
            w0.ZeroGrad();
            w1.ZeroGrad();
        }
        Assert.Equal(5.0, w0.Item(), 2e-3);
        Assert.Equal(0.5, w1.Item(), 2e-3);
    }
}
