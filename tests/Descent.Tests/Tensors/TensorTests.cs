namespace Descent.Tests.Tensors;

/// <summary>Broadcasting rules, indexing semantics, the float32 path and printing (src/Descent/Tensors).</summary>
public class TensorTests
{
    [Theory]
    [InlineData(new[] { 3, 1 }, new[] { 4 }, new[] { 3, 4 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 1, 4 }, new[] { 2, 3, 4 })]
    [InlineData(new int[0], new[] { 2, 2 }, new[] { 2, 2 })]
    [InlineData(new[] { 5, 1, 3 }, new[] { 2, 1 }, new[] { 5, 2, 3 })]
    public void BroadcastShapes(int[] a, int[] b, int[] expected)
    {
        Assert.Equal(expected, Shapes.Broadcast(a, b, "test"));
        Assert.Equal(expected, (Tensor.Zeros<double>(a) + Tensor.Zeros<double>(b)).ShapeArray);
    }

    [Fact]
    public void IncompatibleShapesNameBothShapesAndTheOperation()
    {
        var e = Assert.Throws<ShapeException>(() => Tensor.Zeros<double>(2, 3) * Tensor.Zeros<double>(4));
        Assert.Contains("multiply", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4]", e.Message);
        var m = Assert.Throws<ShapeException>(() => Tensor.Zeros<double>(2, 3).MatMul(Tensor.Zeros<double>(2, 3)));
        Assert.Contains("MatMul", m.Message);
    }

    [Fact]
    public void IndexingSemantics()
    {
        var x = Tensor.Arange(24.0).Reshape(2, 3, 4);
        Assert.Equal([3, 4], x[1].ShapeArray);
        Assert.Equal(12.0, x[1].GetValue(0, 0));
        Assert.Equal([4], x[^1, ^1].ShapeArray);
        Assert.Equal([20.0, 21, 22, 23], x[^1, ^1].ToArray());
        Assert.Equal([2, 2, 2], x[.., 1..3, ..2].ShapeArray);
        Assert.Equal([4.0, 5, 8, 9, 16, 17, 20, 21], x[.., 1..3, ..2].ToArray());
        Assert.Equal(Array.Empty<int>(), x[0, 1, 2].ShapeArray);
        Assert.Equal(6.0, x[0, 1, 2].Item());
        Assert.Equal(23.0, x.GetValue(-1, -1, -1));
        Assert.Throws<IndexOutOfRangeException>(() => x[2]);
        Assert.Throws<ShapeException>(() => x[0, 0, 0, 0]);
        Assert.Equal(0, x[.., 2..1].Size);
    }

    [Fact]
    public void ReshapeIsAViewAndSlicesAreCopies()
    {
        var x = Tensor.Arange(6.0);
        var r = x.Reshape(2, 3);
        r.SetValue(100, 0, 0);
        Assert.Equal(100.0, x.GetValue(0));
        var s = x[1..3];
        s.SetValue(-1, 0);
        Assert.Equal(1.0, x.GetValue(1));
    }

    [Fact]
    public void Float32AgreesWithFloat64()
    {
        var d = Tensor.RandomNormal<double>([3, 4], seed: 11);
        var w = Tensor.RandomNormal<double>([4, 2], seed: 12);
        Func<Tensor<double>, Tensor<double>, Tensor<double>> f64 = (x, y) => (x.MatMul(y).Tanh() + x.Sum(1, keepDims: true).Sigmoid()).LogSoftmax(0);
        Func<Tensor<float>, Tensor<float>, Tensor<float>> f32 = (x, y) => (x.MatMul(y).Tanh() + x.Sum(1, keepDims: true).Sigmoid()).LogSoftmax(0);

        var xd = d.Clone().WithGrad();
        var yd = f64(xd, w);
        yd.Sum().Backward();
        var xf = d.Cast<float>().WithGrad();
        var yf = f32(xf, w.Cast<float>());
        yf.Sum().Backward();

        Assert.Equal(yd.ShapeArray, yf.ShapeArray);
        var (a, b) = (yd.ToArray(), yf.ToDoubleArray());
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i], 1e-5);
        var (ga, gb) = (xd.Grad!.ToArray(), xf.Grad!.ToDoubleArray());
        for (int i = 0; i < ga.Length; i++) Assert.Equal(ga[i], gb[i], 1e-5);
    }

    [Fact]
    public void ToStringShowsValuesShapeAndOrigin()
    {
        Assert.Equal("tensor(2.5)", Tensor.Scalar(2.5).ToString());
        Assert.Equal("tensor([[1, 2], [3, 4.5]], shape=[2, 2])", Tensor.FromArray([1.0, 2, 3, 4.5], 2, 2).ToString());
        Assert.Equal("tensor([1, 2], shape=[2], requires_grad)", Tensor.FromArray([1.0, 2]).WithGrad().ToString());
        Assert.EndsWith("op=multiply)", (Tensor.FromArray([1.0, 2]).WithGrad() * 2.0).ToString());
        Assert.Contains("..., ", Tensor.Arange(20.0).ToString());
        Assert.Equal("tensor(0.333333)", Tensor.Scalar(1f / 3).ToString());
    }

    [Fact]
    public void ItemNeedsExactlyOneElement()
    {
        Assert.Equal(3.0, Tensor.FromArray([3.0], 1, 1).Item());
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros<double>(2).Item());
    }
}
