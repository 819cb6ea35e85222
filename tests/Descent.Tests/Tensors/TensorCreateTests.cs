namespace Descent.Tests.Tensors;

/// <summary>Creation functions (src/Descent/Tensors/Tensor.Create.cs).</summary>
public class TensorCreateTests
{
    [Fact]
    public void ArangeExcludesStopAndHandlesFractionalSteps()
    {
        Assert.Equal([0.0, 1, 2, 3, 4], Tensor.Arange(5.0).ToArray());
        Assert.Equal([1.0, 1.5, 2.0, 2.5], Tensor.Arange(1.0, 3.0, 0.5).ToArray());
        Assert.Equal([3.0, 2.0, 1.0], Tensor.Arange(3.0, 0.0, -1.0).ToArray());
        Assert.Equal(0, Tensor.Arange(2.0, 1.0, 1.0).Size);
        Assert.Throws<ArgumentException>(() => Tensor.Arange(0.0, 1.0, 0.0));
    }

    [Fact]
    public void LinspaceHitsBothEndpointsExactly()
    {
        var t = Tensor.Linspace(-1.0, 0.7, 7);
        Assert.Equal(-1.0, t.GetValue(0));
        Assert.Equal(0.7, t.GetValue(-1));
        Assert.Equal(-1.0 + 1.7 / 6 * 3, t.GetValue(3), 1e-15);
        Assert.Equal([2.5], Tensor.Linspace(2.5, 9.0, 1).ToArray());
        Assert.Equal(0, Tensor.Linspace(0.0, 1.0, 0).Size);
    }

    [Fact]
    public void EyeAndFills()
    {
        Assert.Equal([1.0, 0, 0, 0, 1, 0], Tensor.Eye<double>(2, 3).ToArray());
        Assert.Equal([2, 2], Tensor.Eye<double>(2).ShapeArray);
        Assert.All(Tensor.Full(1.5, 2, 2).ToArray(), v => Assert.Equal(1.5, v));
        Assert.All(Tensor.Ones<float>(3).ToArray(), v => Assert.Equal(1f, v));
        Assert.Equal([0.0, 0, 0, 0, 0, 0], Tensor.Zeros<double>(2, 3).ToArray());
        Assert.Equal(Array.Empty<int>(), Tensor.Scalar(3.0).ShapeArray);
    }

    [Fact]
    public void SeededRandomIsReproducibleWithRoughMoments()
    {
        var a = Tensor.RandomNormal<double>([100, 100], seed: 7, mean: 2, std: 3);
        Assert.Equal(a.ToArray(), Tensor.RandomNormal<double>([100, 100], seed: 7, mean: 2, std: 3).ToArray());
        Assert.NotEqual(a.ToArray(), Tensor.RandomNormal<double>([100, 100], seed: 8, mean: 2, std: 3).ToArray());
        Assert.Equal(2, a.Mean().Item(), 0.1);
        Assert.Equal(3, a.Std().Item(), 0.1);

        var u = Tensor.RandomUniform<double>([10_000], seed: 3, low: -1, high: 5);
        Assert.Equal(u.ToArray(), Tensor.RandomUniform<double>([10_000], seed: 3, low: -1, high: 5).ToArray());
        Assert.All(u.ToArray(), v => Assert.InRange(v, -1, 5));
        Assert.Equal(2, u.Mean().Item(), 0.1);
        Assert.Equal(6 / Math.Sqrt(12), u.Std().Item(), 0.05);
    }

    [Fact]
    public void FromArrayInfersOneDimensionAndRejectsWrongCounts()
    {
        Assert.Equal([2, 3], Tensor.FromArray([1.0, 2, 3, 4, 5, 6], 2, -1).ShapeArray);
        var e = Assert.Throws<ShapeException>(() => Tensor.FromArray([1.0, 2, 3], 2, 2));
        Assert.Contains("[2, 2]", e.Message);
        Assert.Equal([2, 2], Tensor.FromArray(new double[,] { { 1, 2 }, { 3, 4 } }).ShapeArray);
    }
}
