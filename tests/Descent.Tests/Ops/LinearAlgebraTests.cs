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
