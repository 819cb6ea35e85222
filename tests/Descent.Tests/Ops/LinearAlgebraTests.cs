namespace Descent.Tests.Ops;

/// <summary>Property tests of the LinearAlgebra ops (src/Descent/Ops/LinearAlgebra.cs): the registry lines of that family.</summary>
public partial class LinearAlgebraTests
{
    public static TheoryData<string> Ops => OpRegistry.Family("LinearAlgebra");

    [Theory]
    [MemberData(nameof(Ops))]
    public void ValuesMatchReferenceAndGradientsMatchFiniteDifferences(string op) => OpHarness.Verify(OpRegistry.Get(op));
}

public partial class LinearAlgebraTests
{
    /// <summary>
    /// The products allocate their result without clearing it (the GEMM writes every element), so an empty inner
    /// dimension must still give zeros: the memory is first filled with garbage and dropped, so a result that reuses it
    /// and is not cleared shows it. Plain, batched, linear (with bias) and the backward pass's transposed products.
    /// </summary>
    [Fact]
    public void AnEmptyInnerDimensionGivesZerosThoughTheResultIsNotCleared()
    {
        for (int round = 0; round < 3; round++)
        {
            var garbage = new Tensor<float>([700, 700]);
            garbage.Buffer.AsSpan().Fill(float.NaN);
            GC.KeepAlive(garbage);
            garbage = null!;
            var a = new Tensor<float>([700, 0]);
            var b = new Tensor<float>([0, 700]);
            Assert.All(a.MatMul(b).ToArray(), v => Assert.Equal(0f, v));
            Assert.All(new Tensor<float>([3, 200, 0]).MatMul(new Tensor<float>([0, 300])).ToArray(), v => Assert.Equal(0f, v));
            var bias = new Tensor<float>([700]);
            Assert.All(Tensor<float>.Linear(a, b, bias).ToArray(), v => Assert.Equal(0f, v));
        }
    }
}

public partial class LinearAlgebraTests
{
    [Fact]
    public void MatMulIntoADestinationEqualsMatMulBitForBitAndOverwritesIt()
    {
        var rng = new Random(17);
        foreach (var (m, k, n) in new[] { (1, 1, 1), (3, 5, 2), (64, 784, 10), (70, 33, 129), (130, 300, 97), (0, 4, 3), (4, 0, 3) })
        {
            var a = Tensor.RandomUniform<float>([m, k], rng.Next(), -1, 1);
            var b = Tensor.RandomUniform<float>([k, n], rng.Next(), -1, 1);
            var destination = Tensor.Full(float.NaN, m, n); // garbage that must be overwritten
            Assert.Same(destination, a.MatMulInto(b, destination));
            Assert.Equal(a.MatMul(b).ToArray(), destination.ToArray());
            var ad = a.Cast<double>();
            var bd = b.Cast<double>();
            var dd = Tensor.Zeros<double>(m, n);
            Assert.Equal(ad.MatMul(bd).ToArray(), ad.MatMulInto(bd, dd).ToArray());
        }
    }

    [Fact]
    public void MatMulIntoRefusesWrongShapesSharedStorageAndRecording()
    {
        var a = Tensor.RandomUniform<double>([3, 4], 1, -1, 1);
        var b = Tensor.RandomUniform<double>([4, 2], 2, -1, 1);
        Assert.Throws<ShapeException>(() => a.MatMulInto(b, Tensor.Zeros<double>(2, 3)));
        Assert.Throws<ShapeException>(() => a.MatMulInto(Tensor.Zeros<double>(3, 2), Tensor.Zeros<double>(3, 2)));
        Assert.Throws<ShapeException>(() => a.Reshape(12).MatMulInto(b, Tensor.Zeros<double>(3, 2)));
        var square = Tensor.RandomUniform<double>([3, 3], 3, -1, 1);
        var e = Assert.Throws<ArgumentException>(() => square.MatMulInto(square.Reshape(3, 3), square));
        Assert.Contains("shares storage", e.Message);
        Assert.Throws<ArgumentException>(() => square.MatMulInto(square.Reshape(3, 3), square.Reshape(9).Reshape(3, 3)));
        var w = Tensor.RandomUniform<double>([4, 2], 4, -1, 1).WithGrad();
        Assert.Throws<InvalidOperationException>(() => a.MatMulInto(w, Tensor.Zeros<double>(3, 2)));
        using (Autograd.NoGrad()) Assert.Equal(a.MatMul(w).ToArray(), a.MatMulInto(w, Tensor.Zeros<double>(3, 2)).ToArray());
    }
}
