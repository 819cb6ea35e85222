using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>
/// The convolution and pooling kernels' fast paths against plain loops, bit for bit: im2col is a copy and col2im adds
/// each element's column entries in the order of the column rows, so both must equal the naive loops exactly; the
/// vectorised 2×2 max pooling must pick the same values and indices as the scalar scan (ties, NaN, −0).
/// </summary>
public class ConvolutionKernelTests
{
    /// <summary>Random geometries: "same" padding with stride 1 (the whole-plane path) and others (the row path).</summary>
    private static IEnumerable<ConvGeometry> Geometries()
    {
        var r = new Random(18);
        for (int t = 0; t < 200; t++)
        {
            int n = r.Next(1, 4), c = r.Next(1, 4), h = r.Next(1, 12), w = r.Next(1, 12);
            int kh = r.Next(1, 4), kw = r.Next(1, 4), dh = r.Next(1, 3), dw = r.Next(1, 3);
            int sh = t % 3 == 0 ? r.Next(1, 3) : 1, sw = t % 3 == 0 ? r.Next(1, 3) : 1;
            int spanH = dh * (kh - 1) + 1, spanW = dw * (kw - 1) + 1;
            int pt, pb, pl, pr;
            if (t % 2 == 0) { pt = (spanH - 1) / 2; pb = spanH - 1 - pt; pl = (spanW - 1) / 2; pr = spanW - 1 - pl; }
            else { pt = r.Next(0, 3); pb = r.Next(0, 3); pl = r.Next(0, 3); pr = r.Next(0, 3); }
            if (h + pt + pb < spanH || w + pl + pr < spanW) continue;
            int oh = (h + pt + pb - spanH) / sh + 1, ow = (w + pl + pr - spanW) / sw + 1;
            yield return new ConvGeometry(n, c, h, w, 2, kh, kw, sh, sw, pt, pl, dh, dw, 1, oh, ow);
        }
    }

    [Fact]
    public void Im2ColAndCol2ImEqualNaiveLoopsBitForBit()
    {
        var r = new Random(1);
        int flat = 0;
        foreach (var g in Geometries())
        {
            if (g.StrideH == 1 && g.StrideW == 1 && g.OutW == g.Width) flat++;
            int rows = g.InChannels * g.KernelH * g.KernelW, np = g.Batch * g.Positions;
            var x = new float[g.Batch * g.InChannels * g.Height * g.Width];
            for (int i = 0; i < x.Length; i++) x[i] = r.Next(8) == 0 ? float.NaN : (float)(r.NextDouble() * 2 - 1);
            var cols = new float[rows * np];
            Array.Fill(cols, 7f);
            Convolution.Im2Col(x, 0, cols, g);
            var src = new float[rows * np];
            for (int i = 0; i < src.Length; i++) src[i] = r.Next(8) == 0 ? float.PositiveInfinity : (float)(r.NextDouble() * 2 - 1);
            var expected = new float[x.Length];
            var scratch = (float[])src.Clone();
            var gx = new float[x.Length];
            Array.Fill(gx, 3f);
            Convolution.Col2Im(scratch, gx, 0, g);
            for (int n = 0; n < g.Batch; n++)
                for (int ch = 0; ch < g.InChannels; ch++)
                    for (int ki = 0; ki < g.KernelH; ki++)
                        for (int kj = 0; kj < g.KernelW; kj++)
                        {
                            int row = (ch * g.KernelH + ki) * g.KernelW + kj;
                            for (int oy = 0; oy < g.OutH; oy++)
                                for (int ox = 0; ox < g.OutW; ox++)
                                {
                                    int iy = oy * g.StrideH - g.PadTop + ki * g.DilationH, ix = ox * g.StrideW - g.PadLeft + kj * g.DilationW;
                                    int at = row * np + n * g.Positions + oy * g.OutW + ox;
                                    bool inside = iy >= 0 && iy < g.Height && ix >= 0 && ix < g.Width;
                                    int xi = ((n * g.InChannels + ch) * g.Height + iy) * g.Width + ix;
                                    float want = inside ? x[xi] : 0f;
                                    Assert.True(want.Equals(cols[at]), $"im2col {g} at row {row}, image {n}, ({oy}, {ox}): {cols[at]} != {want}");
                                    if (inside) expected[xi] += src[at];
                                }
                        }
            for (int i = 0; i < gx.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(gx[i]) || (float.IsNaN(expected[i]) && float.IsNaN(gx[i])),
                    $"col2im {g} at {i}: {gx[i]} != {expected[i]}");
        }
        Assert.True(flat >= 50, $"only {flat} geometries took the whole-plane path");
    }

    [Fact]
    public void AThinWeightGradientSplitOverCoresEqualsOneProduct()
    {
        // One input channel, 3×3 (9 rows of columns): the weight gradient's output rows are split between the cores;
        // each row is the same dot products as in one whole product, so the result is bit-identical.
        var g = new ConvGeometry(8, 1, 28, 28, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 28, 28);
        var r = new Random(5);
        var x = new float[8 * 784];
        var gy = new float[8 * 20 * 784];
        for (int i = 0; i < x.Length; i++) x[i] = (float)r.NextDouble() - 0.5f;
        for (int i = 0; i < gy.Length; i++) gy[i] = (float)r.NextDouble() - 0.5f;
        var gw = new float[20 * 9];
        Convolution.WeightGrad(x, gy, gw, g);
        int np = 8 * 784;
        var cols = new float[9 * np];
        Convolution.Im2Col(x, 0, cols, g);
        var gT = new float[20 * np];
        for (int n = 0; n < 8; n++)
            for (int c = 0; c < 20; c++) Array.Copy(gy, (n * 20 + c) * 784, gT, c * np + n * 784, 784);
        var expected = new float[20 * 9];
        Gemm.Multiply(gT, 0, false, cols, 0, true, expected, 0, 20, np, 9);
        Assert.Equal(expected, gw);
    }

    [Theory]
    [InlineData(28, 28)]
    [InlineData(14, 14)]
    [InlineData(9, 17)]
    [InlineData(6, 8)]
    [InlineData(5, 3)]
    public void TwoByTwoMaxPoolEqualsTheScalarScan(int h, int w)
    {
        var r = new Random(h * 100 + w);
        int planes = 5;
        var x = new float[planes * h * w];
        // Few distinct values (many ties), NaNs and both zeros: the cases where the choice of the winner matters.
        float[] values = [0f, -0f, 1f, -1f, 2f, float.NaN, float.NegativeInfinity];
        for (int i = 0; i < x.Length; i++) x[i] = values[r.Next(values.Length)];
        var windows = PoolWindows.Sliding(h, w, (2, 2), (2, 2), (0, 0));
        var y = new float[planes * windows.OutH * windows.OutW];
        var index = new int[y.Length];
        Pooling.MaxForward(x, y, index, planes, windows);
        for (int p = 0; p < planes; p++)
            for (int oy = 0; oy < windows.OutH; oy++)
                for (int ox = 0; ox < windows.OutW; ox++)
                {
                    float best = float.NegativeInfinity;
                    int at = -1;
                    for (int dy = 0; dy < 2; dy++)
                        for (int dx = 0; dx < 2; dx++)
                        {
                            int pos = (2 * oy + dy) * w + 2 * ox + dx;
                            float v = x[p * h * w + pos];
                            if (v > best || at < 0 || (float.IsNaN(v) && !float.IsNaN(best))) { best = v; at = pos; }
                        }
                    int o = (p * windows.OutH + oy) * windows.OutW + ox;
                    Assert.Equal(at, index[o]);
                    Assert.Equal(BitConverter.SingleToInt32Bits(best), BitConverter.SingleToInt32Bits(y[o]));
                }
    }

    /// <summary>
    /// The fused conv → ReLU → max-pool kernels against central differences of their own forward pass, and two mutants
    /// that each drop one term of the backward pass — the ReLU's mask (every winner's gradient passed on) and the routing
    /// to the winner (every gradient sent to its window's first element) — must each disagree: the comparison is sharp
    /// enough to catch a lost term.
    /// </summary>
    [Fact]
    public void FusedConvReluMaxPoolGradientsMatchFiniteDifferencesAndDroppedTermsAreCaught()
    {
        var r = new Random(5);
        double[] Random(int n) => [.. Enumerable.Range(0, n).Select(_ => r.NextDouble() * 2 - 1)];
        var g = Tensor<double>.Geometry([2, 3, 6, 6], [4, 3, 3, 3], [4], (1, 1), 1, (1, 1), 1);
        var windows = PoolWindows.Sliding(6, 6, (2, 2), (2, 2), (0, 0));
        double[] x = Random(2 * 3 * 36), w = Random(4 * 27), b = Random(4), upstream = Random(2 * 4 * 9);
        int[] index = new int[upstream.Length];
        double[] pooled = new double[upstream.Length];
        double Loss(double[] weights)
        {
            var y = new double[upstream.Length];
            Convolution.ForwardReluMaxPool(x, weights, b, y, new int[y.Length], g, windows);
            return y.Zip(upstream, (p, q) => p * q).Sum();
        }
        Convolution.ForwardReluMaxPool(x, w, b, pooled, index, g, windows);
        Assert.Contains(0.0, pooled);   // some windows are wholly negative: their gradient must stop at the ReLU

        double[] WeightGrad(double[] pooledSeen, int[] indexSeen)
        {
            var gw = new double[w.Length];
            Convolution.BackwardReluMaxPool(x, w, upstream, pooledSeen, indexSeen, windows, new double[x.Length], gw, false, new double[4], false, g);
            return gw;
        }
        var numeric = new double[w.Length];
        for (int i = 0; i < w.Length; i++)
        {
            const double h = 1e-6;
            var plus = (double[])w.Clone();
            var minus = (double[])w.Clone();
            plus[i] += h;
            minus[i] -= h;
            numeric[i] = (Loss(plus) - Loss(minus)) / (2 * h);
        }
        static double Gap(double[] a, double[] e) => a.Zip(e, (p, q) => Math.Abs(p - q)).Max();
        Assert.True(Gap(WeightGrad(pooled, index), numeric) < 1e-6, $"gap {Gap(WeightGrad(pooled, index), numeric)}");

        var noMask = pooled.Select(_ => 1.0).ToArray();   // mutant: the ReLU's mask dropped
        Assert.True(Gap(WeightGrad(noMask, index), numeric) > 1e-3);
        var firstInWindow = index.Select((_, o) => o % 9 / 3 * 2 * 6 + o % 3 * 2).ToArray();   // mutant: no routing to the winner
        Assert.True(Gap(WeightGrad(pooled, firstInWindow), numeric) > 1e-3);
    }
}
