using Descent.Tests.Ops;

namespace Descent.Tests.Autodiff;

/// <summary>Second derivatives: Hessian–vector products of every smooth registry op, and exact higher derivatives.</summary>
public class SecondOrderTests
{
    public static TheoryData<string> SmoothOps()
    {
        var data = new TheoryData<string>();
        foreach (var spec in OpRegistry.All.Where(s => s.Smooth)) data.Add(spec.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(SmoothOps))]
    public void HessianVectorProductsMatchFiniteDifferences(string op) => OpHarness.VerifySecondOrder(OpRegistry.Get(op));

    [Theory]
    [InlineData(-2.0)]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(1.3)]
    [InlineData(3.0)]
    public void SecondDerivativeOfSineIsMinusSine(double at)
    {
        var x = Tensor.Scalar(at).WithGrad();
        var first = Autograd.Grad(x.Sin(), x, createGraph: true);
        Assert.Equal(Math.Cos(at), first.Item(), 1e-15);
        var second = Autograd.Grad(first, x);
        Assert.Equal(-Math.Sin(at), second.Item(), 1e-15);
    }

    [Fact]
    public void HessianOfQuadraticIsExactlyDiagonal()
    {
        var w = Tensor.FromArray([0.7, -1.9]).WithGrad();
        var f = (Tensor.FromArray([2.0, 3.0]) * w.Square()).Sum();
        var g = Autograd.Grad(f, w, createGraph: true);
        var hessian = new double[2, 2];
        for (int i = 0; i < 2; i++)
        {
            var row = Autograd.Grad(g[i], [w], retainGraph: true)[0];
            for (int j = 0; j < 2; j++) hessian[i, j] = row.GetValue(j);
        }
        Assert.Equal(new double[,] { { 4, 0 }, { 0, 6 } }, hessian);
    }

    [Theory]
    [InlineData(-1.5)]
    [InlineData(0.0)]
    [InlineData(2.0)]
    public void ThirdDerivativeOfFourthPowerIs24X(double at)
    {
        var x = Tensor.Scalar(at).WithGrad();
        var d1 = Autograd.Grad(x.Pow(4.0), x, createGraph: true);
        var d2 = Autograd.Grad(d1, x, createGraph: true);
        var d3 = Autograd.Grad(d2, x);
        Assert.Equal(4 * at * at * at, d1.Item(), 1e-12);
        Assert.Equal(12 * at * at, d2.Item(), 1e-12);
        Assert.Equal(24 * at, d3.Item(), 1e-12);
    }
}
