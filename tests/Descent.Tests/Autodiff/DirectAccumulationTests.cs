using CsCheck;

namespace Descent.Tests.Autodiff;

/// <summary>
/// MatMul's backward adds weight gradients straight into a leaf's Grad in a plain backward pass (no temporary): the
/// result must equal the hand-derived gradients (∂/∂A Σ R⊙(A·B) = R·Bᵀ, ∂/∂B = Aᵀ·R, by naive loops) however the
/// leaf is reached — once, twice in one graph, beside an element-wise use, across backward calls, with a Grad the user
/// set, with the first Grad still null, and in float32.
/// </summary>
public class DirectAccumulationTests
{
    private static double[] MatMulNaive(double[] a, bool ta, double[] b, bool tb, int m, int k, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = s;
            }
        return c;
    }

    private static void Near(double[] expected, ReadOnlySpan<double> actual, double tol = 1e-9)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void WeightUsedTwiceAndElementWiseGetsEverySummand()
        => Gen.Select(Gen.Int[1, 40], Gen.Int[1, 40], Gen.Int[1, 40], Gen.Int[0, 100_000]).Sample((m, k, n, seed) =>
        {
            var x = Tensor.RandomNormal<double>([m, k], seed);
            var z = Tensor.RandomNormal<double>([m, k], seed + 1);
            var r1 = Tensor.RandomNormal<double>([m, n], seed + 2);
            var r2 = Tensor.RandomNormal<double>([m, n], seed + 3);
            var w = Tensor.RandomNormal<double>([k, n], seed + 4).WithGrad();
            var loss = (x.MatMul(w) * r1).Sum() + (z.MatMul(w) * r2).Sum() + w.Square().Sum();
            loss.Backward();
            var expected = MatMulNaive(x.ToArray(), true, r1.ToArray(), false, k, m, n);
            var second = MatMulNaive(z.ToArray(), true, r2.ToArray(), false, k, m, n);
            var wv = w.ToArray();
            for (int i = 0; i < expected.Length; i++) expected[i] += second[i] + 2 * wv[i];
            Near(expected, w.Grad!.Data);
        }, iter: 40);

    [Fact]
    public void BothOperandsAccumulateAcrossCallsOntoAUserGrad()
        => Gen.Select(Gen.Int[1, 50], Gen.Int[1, 50], Gen.Int[1, 50], Gen.Int[0, 100_000]).Sample((m, k, n, seed) =>
        {
            var a = Tensor.RandomNormal<double>([m, k], seed).WithGrad();
            var b = Tensor.RandomNormal<double>([k, n], seed + 1).WithGrad();
            var r = Tensor.RandomNormal<double>([m, n], seed + 2);
            var start = Tensor.RandomNormal<double>([m, k], seed + 3);
            a.Grad = start.Clone();
            for (int call = 0; call < 2; call++) (a.MatMul(b) * r).Sum().Backward();
            var da = MatMulNaive(r.ToArray(), false, b.ToArray(), true, m, n, k);
            var db = MatMulNaive(a.ToArray(), true, r.ToArray(), false, k, m, n);
            var s = start.ToArray();
            Near(da.Select((v, i) => s[i] + 2 * v).ToArray(), a.Grad!.Data);
            Near(db.Select(v => 2 * v).ToArray(), b.Grad!.Data);
        }, iter: 40);

    [Fact]
    public void FloatLayerGradientsMatchTheNaiveProducts()
    {
        var x = Tensor.RandomNormal<float>([64, 100], 1);
        var w = Tensor.RandomNormal<float>([100, 30], 2).WithGrad();
        var r = Tensor.RandomNormal<float>([64, 30], 3);
        (x.MatMul(w).Relu() * r).Sum().Backward();
        var h = MatMulNaive(x.ToDoubleArray(), false, w.ToDoubleArray(), false, 64, 100, 30);
        var g = r.ToDoubleArray().Select((v, i) => h[i] > 0 ? v : 0).ToArray();
        var expected = MatMulNaive(x.ToDoubleArray(), true, g, false, 100, 64, 30);
        var actual = w.Grad!.ToDoubleArray();
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-3 * (1 + Math.Abs(expected[i])));
    }

    [Fact]
    public void HigherOrderStillRecordsTheGradient()
    {
        // With createGraph the weight gradient must be a differentiable tensor, not written into a buffer:
        // L = Σ (x·w)², ∂L/∂w = 2xᵀxw, and Σ ∂L/∂w differentiated again is 2xᵀx·1.
        var x = Tensor.FromArray([1.0, 2.0, 3.0, 4.0], 2, 2);
        var w = Tensor.FromArray([0.5, -1.0], 2, 1).WithGrad();
        x.MatMul(w).Square().Sum().Backward(createGraph: true);
        var g = w.Grad!;
        Assert.NotNull(g.Node);
        Near([2 * (1 * (1 * 0.5 + 2 * -1.0) + 3 * (3 * 0.5 + 4 * -1.0)), 2 * (2 * (1 * 0.5 + 2 * -1.0) + 4 * (3 * 0.5 + 4 * -1.0))], g.Data);
        var w2 = Tensor.FromArray([0.5, -1.0], 2, 1).WithGrad();
        var second = Autograd.Grad(x.MatMul(w2).Square().Sum(), [w2], createGraph: true)[0].Sum();
        var hessianRowSums = Autograd.Grad(second, [w2])[0];
        Near([2 * (1 * 1 + 3 * 3 + 1 * 2 + 3 * 4), 2 * (2 * 1 + 4 * 3 + 2 * 2 + 4 * 4)], hessianRowSums.Data);
    }
}

/// <summary>
/// The fused Linear op (product, bias and ReLU in one node) against the composition it replaces: values and the
/// gradients of input, weight and bias equal over random shapes, in float64 and float32, with and without ReLU, with
/// gradients already present, and the Mlp (which fuses Linear+ReLU) equal to running its layers one by one.
/// </summary>
public class FusedLinearTests
{
    [Fact]
    public void EqualsTheCompositionWithItsGradients()
        => Gen.Select(Gen.Int[1, 70], Gen.Int[1, 70], Gen.Int[1, 70], Gen.Int[0, 100_000], Gen.Bool).Sample((m, k, n, seed, relu) =>
        {
            Tensor<double>[] Make() =>
            [
                Tensor.RandomNormal<double>([m, k], seed).WithGrad(),
                Tensor.RandomNormal<double>([k, n], seed + 1).WithGrad(),
                Tensor.RandomNormal<double>([n], seed + 2).WithGrad(),
            ];
            var r = Tensor.RandomNormal<double>([m, n], seed + 3);
            var fused = Make();
            var composed = Make();
            foreach (var t in fused.Concat(composed)) t.Grad = Tensor.Full(0.5, t.ShapeArray);
            var yf = Tensor<double>.Linear(fused[0], fused[1], fused[2], relu);
            var z = composed[0].MatMul(composed[1]) + composed[2];
            var yc = relu ? z.Relu() : z;
            Assert.Equal(yc.ToArray(), yf.ToArray());
            (yf * r).Sum().Backward();
            (yc * r).Sum().Backward();
            for (int i = 0; i < 3; i++)
            {
                var a = composed[i].Grad!.ToArray();
                var b = fused[i].Grad!.ToArray();
                for (int j = 0; j < a.Length; j++) Assert.True(Math.Abs(a[j] - b[j]) <= 1e-12 * (1 + Math.Abs(a[j])), $"input {i}, element {j}: {a[j]} vs {b[j]}");
            }
        }, iter: 60);

    [Fact]
    public void MlpGivesTheLayerByLayerResultInFloat32()
    {
        var mlp = new Descent.Learning.Modules.Mlp<float>(30, [20, 10], 4, seed: 3);
        var x = Tensor.RandomNormal<float>([16, 30], 9);
        var labels = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => (float)(i % 4)).ToArray());
        Descent.Learning.Losses.Loss.SoftmaxCrossEntropy(mlp.Forward(x), labels).Backward();
        var fusedGrads = mlp.Parameters().Select(p => p.Grad!.ToArray()).ToArray();
        // The same network by hand, from copies of its parameters: relu(x·W0 + b0) → relu(·W2 + b2) → ·W4 + b4.
        var ps = mlp.Parameters().Select(p => p.Clone().WithGrad()).ToArray();
        var h = (x.MatMul(ps[0]) + ps[1]).Relu();
        h = (h.MatMul(ps[2]) + ps[3]).Relu();
        Descent.Learning.Losses.Loss.SoftmaxCrossEntropy(h.MatMul(ps[4]) + ps[5], labels).Backward();
        var plain = ps.Select(p => p.Grad!.ToArray()).ToArray();
        Assert.Equal(6, plain.Length);
        for (int i = 0; i < plain.Length; i++)
            for (int j = 0; j < plain[i].Length; j++) Assert.True(Math.Abs(plain[i][j] - fusedGrads[i][j]) <= 1e-5f * (1 + Math.Abs(plain[i][j])));
    }
}
