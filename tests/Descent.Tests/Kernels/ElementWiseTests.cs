namespace Descent.Tests.Kernels;

/// <summary>Every length 0..256 hits every SIMD width's tail; results must equal the scalar loop exactly.</summary>
public class ElementWiseTests
{
    [Fact]
    public void BinaryAndUnaryKernelsMatchScalarLoopsAtEveryLength()
    {
        var random = new Random(1);
        for (int n = 0; n <= 256; n++)
        {
            var a = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 4 - 2).ToArray();
            var b = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 4 + 0.5).ToArray();
            var ta = Tensor.FromArray(a);
            var tb = Tensor.FromArray(b);
            var sum = (ta + tb).ToArray();
            var product = (ta * tb).ToArray();
            var quotient = (ta / tb).ToArray();
            var relu = ta.Relu().ToArray();
            var scaled = (ta * 3.0).ToArray();
            var af = Tensor.FromArray(a.Select(v => (float)v).ToArray());
            var sumF = (af + af).ToArray();
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(a[i] + b[i], sum[i]);
                Assert.Equal(a[i] * b[i], product[i]);
                Assert.Equal(a[i] / b[i], quotient[i]);
                Assert.Equal(Math.Max(a[i], 0), relu[i]);
                Assert.Equal(a[i] * 3.0, scaled[i]);
                Assert.Equal((float)a[i] + (float)a[i], sumF[i]);
            }
            var exp = ta.Exp().ToArray();
            for (int i = 0; i < n; i++) Assert.Equal(Math.Exp(a[i]), exp[i], 1e-15 * Math.Exp(a[i]));
            Assert.Equal(a.Sum(), n == 0 ? 0 : ta.Sum().Item(), 1e-12);
        }
    }

    [Fact]
    public void LargeWorkSplitAcrossCoresGivesTheSameResult()
    {
        int n = (1 << 18) + 77;
        var a = Tensor.RandomNormal<double>([n], seed: 1);
        var b = Tensor.RandomNormal<double>([n], seed: 2);
        var sum = (a + b).ToArray();
        var exp = a.Exp().ToArray();
        for (int i = 0; i < n; i += 997)
        {
            Assert.Equal(a.Data[i] + b.Data[i], sum[i]);
            Assert.Equal(Math.Exp(a.Data[i]), exp[i], 1e-15 * Math.Exp(a.Data[i]));
        }
    }
}
