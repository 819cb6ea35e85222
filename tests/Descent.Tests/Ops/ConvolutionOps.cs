using CsCheck;
using static Descent.Tests.Ops.OpHarness;
using T = Descent.Tensor<double>;

namespace Descent.Tests.Ops;

/// <summary>
/// The registry lines of the convolution, pooling and normalisation families (spread into <see cref="OpRegistry.All"/>):
/// random shapes, strides, paddings, dilations and groups, each checked against the direct loops below and by finite differences.
/// </summary>
public static class ConvolutionOps
{
    public static readonly OpSpec[] Specs =
    [
        new("Convolution", "conv2d", ["Conv2d"],
            from groups in Gen.Int[1, 3]
            from cg in Gen.Int[1, 2]
            from og in Gen.Int[1, 2]
            from n in Gen.Int[1, 2]
            from kh in Gen.Int[1, 3]
            from kw in Gen.Int[1, 3]
            from sh in Gen.Int[1, 2]
            from sw in Gen.Int[1, 2]
            from dh in Gen.Int[1, 2]
            from dw in Gen.Int[1, 2]
            from pt in Gen.Int[0, 2]
            from pb in Gen.Int[0, 2]
            from pl in Gen.Int[0, 2]
            from pr in Gen.Int[0, 2]
            from h in Gen.Int[Math.Max(1, dh * (kh - 1) + 1 - pt - pb), 6]
            from w in Gen.Int[Math.Max(1, dw * (kw - 1) + 1 - pl - pr), 6]
            from bias in Gen.Bool
            from x in Values([n, groups * cg, h, w], -2, 2)
            from k in Values([groups * og, cg, kh, kw], -1, 1)
            from b in Values([groups * og], -1, 1)
            let pad = new ConvPadding(pt, pb, pl, pr)
            select new OpCase($"x[{n},{groups * cg},{h},{w}] w[{groups * og},{cg},{kh},{kw}] stride ({sh},{sw}) pad {pad} dilation ({dh},{dw}) groups {groups}{(bias ? " +bias" : "")}",
                bias ? [x, k, b] : [x, k],
                xs => T.Conv2d(xs[0], xs[1], xs.Length > 2 ? xs[2] : null, (sh, sw), pad, (dh, dw), groups),
                xs => Conv2dReference(xs[0], xs[1], xs.Length > 2 ? xs[2] : null, (sh, sw), pad, (dh, dw), groups)),
            Smooth: true, Samples: 30),
        // At least 16 rows of columns per group and two images: the per-image path (each core its own images, partial
        // weight gradients summed in a fixed order) rather than the batched one above.
        new("Convolution", "conv2d per image", ["Conv2d"],
            from groups in Gen.Int[1, 2]
            from cg in Gen.Int[2, 4]
            from og in Gen.Int[1, 3]
            from n in Gen.Int[2, 5]
            from s in Gen.Int[1, 2]
            from p in Gen.Int[0, 1]
            from h in Gen.Int[3, 6]
            from w in Gen.Int[3, 6]
            from bias in Gen.Bool
            from x in Values([n, groups * cg, h, w], -2, 2)
            from k in Values([groups * og, cg, 3, 3], -1, 1)
            from b in Values([groups * og], -1, 1)
            let pad = new ConvPadding(p, p, p, p)
            select new OpCase($"x[{n},{groups * cg},{h},{w}] w[{groups * og},{cg},3,3] stride {s} pad {p} groups {groups}{(bias ? " +bias" : "")}",
                bias ? [x, k, b] : [x, k],
                xs => T.Conv2d(xs[0], xs[1], xs.Length > 2 ? xs[2] : null, (s, s), pad, (1, 1), groups),
                xs => Conv2dReference(xs[0], xs[1], xs.Length > 2 ? xs[2] : null, (s, s), pad, (1, 1), groups)),
            Smooth: true, Samples: 12),
        // conv → ReLU → max pool as one primitive (what the layer stacks run for "conv relu maxpool"; internal, so it
        // covers no public member): values against the three references in a row, gradients by finite differences.
        // Cases with a convolution output near the ReLU's kink or a pool window near a tie are redrawn.
        new("Convolution", "conv2d relu max_pool2d (fused)", [],
            from c in Gen.Int[1, 3]
            from o in Gen.Int[1, 3]
            from n in Gen.Int[1, 3]
            from p in Gen.Int[0, 1]
            from k in Gen.Int[2, 3]
            from s in Gen.Int[1, 2]
            from pp in Gen.Int[0, k / 2]
            from h in Gen.Int[5, 7]
            from w in Gen.Int[5, 7]
            from bias in Gen.Bool
            from x in Values([n, c, h, w], -2, 2)
            from kk in Values([o, c, 3, 3], -1, 1)
            from b in Values([o], -1, 1)
            let pad = new ConvPadding(p, p, p, p)
            let z = Conv2dReference(x, kk, bias ? b : null, (1, 1), pad, (1, 1), 1)
            where NoKinks(z, k, s, pp)
            select new OpCase($"x[{n},{c},{h},{w}] w[{o},{c},3,3] pad {p}{(bias ? " +bias" : "")}, pool {k} stride {s} pad {pp}",
                bias ? [x, kk, b] : [x, kk],
                xs => T.Conv2dReluMaxPool(xs[0], xs[1], xs.Length > 2 ? xs[2] : null, (1, 1), pad, (1, 1), 1, (k, k), (s, s), (pp, pp)),
                xs => PoolReference(Reference.Map(Conv2dReference(xs[0], xs[1], xs.Length > 2 ? xs[2] : null, (1, 1), pad, (1, 1), 1), v => Math.Max(v, 0)), k, s, pp, max: true)),
            Smooth: false, Samples: 16),
        new("Convolution", "conv2d same", ["Conv2d"],
            from n in Gen.Int[1, 2]
            from c in Gen.Int[1, 3]
            from kh in Gen.Int[1, 4]
            from kw in Gen.Int[1, 4]
            from d in Gen.Int[1, 2]
            from h in Gen.Int[1, 5]
            from w in Gen.Int[1, 5]
            from x in Values([n, c, h, w], -2, 2)
            from k in Values([2, c, kh, kw], -1, 1)
            let total = (d * (kh - 1), d * (kw - 1))
            let pad = new ConvPadding(total.Item1 / 2, total.Item1 - total.Item1 / 2, total.Item2 / 2, total.Item2 - total.Item2 / 2)
            select new OpCase($"x[{n},{c},{h},{w}] w[2,{c},{kh},{kw}] same, dilation {d}", [x, k],
                xs => T.Conv2d(xs[0], xs[1], null, 1, ConvPadding.Same, d),
                xs => Conv2dReference(xs[0], xs[1], null, (1, 1), pad, (d, d), 1)),
            Smooth: true, Samples: 12),
        new("Convolution", "conv1d", ["Conv1d"],
            from groups in Gen.Int[1, 2]
            from n in Gen.Int[1, 2]
            from k in Gen.Int[1, 3]
            from s in Gen.Int[1, 2]
            from p in Gen.Int[0, 2]
            from l in Gen.Int[Math.Max(1, k - 2 * p), 7]
            from x in Values([n, 2 * groups, l], -2, 2)
            from wt in Values([3 * groups, 2, k], -1, 1)
            from b in Values([3 * groups], -1, 1)
            select new OpCase($"x[{n},{2 * groups},{l}] w[{3 * groups},2,{k}] stride {s} pad {p} groups {groups}", [x, wt, b],
                xs => T.Conv1d(xs[0], xs[1], xs[2], s, p, 1, groups),
                xs => Conv2dReference(xs[0].Unsqueeze(2), xs[1].Unsqueeze(2), xs[2], (1, s), new ConvPadding(0, 0, p, p), (1, 1), groups).Squeeze(2)),
            Smooth: true, Samples: 12),
        new("Pooling", "max_pool2d", ["MaxPool2d"],
            from n in Gen.Int[1, 2]
            from c in Gen.Int[1, 2]
            from k in Gen.Int[1, 3]
            from s in Gen.Int[1, 3]
            from p in Gen.Int[0, k / 2]
            from h in Gen.Int[Math.Max(1, k - 2 * p), 6]
            from w in Gen.Int[Math.Max(1, k - 2 * p), 6]
            from x in Values([n, c, h, w], -3, 3)
            where Distinct(x)
            select new OpCase($"x[{n},{c},{h},{w}] kernel {k} stride {s} pad {p}", [x],
                xs => xs[0].MaxPool2d(k, s, p), xs => PoolReference(xs[0], k, s, p, max: true)),
            Smooth: false),
        new("Pooling", "avg_pool2d", ["AvgPool2d"],
            from n in Gen.Int[1, 2]
            from c in Gen.Int[1, 2]
            from k in Gen.Int[1, 3]
            from s in Gen.Int[1, 3]
            from p in Gen.Int[0, k / 2]
            from h in Gen.Int[Math.Max(1, k - 2 * p), 6]
            from w in Gen.Int[Math.Max(1, k - 2 * p), 6]
            from x in Values([n, c, h, w], -3, 3)
            select new OpCase($"x[{n},{c},{h},{w}] kernel {k} stride {s} pad {p}", [x],
                xs => xs[0].AvgPool2d(k, s, p), xs => PoolReference(xs[0], k, s, p, max: false)),
            Smooth: true),
        new("Pooling", "adaptive_avg_pool2d", ["AdaptiveAvgPool2d", "GlobalAvgPool2d"],
            from c in Gen.Int[1, 3]
            from h in Gen.Int[1, 7]
            from w in Gen.Int[1, 7]
            from oh in Gen.Int[1, 4]
            from ow in Gen.Int[1, 4]
            from global in Gen.Bool
            from x in Values([2, c, h, w], -3, 3)
            select new OpCase($"x[2,{c},{h},{w}] → {(global ? "1×1 (global)" : $"{oh}×{ow}")}", [x],
                xs => global ? xs[0].GlobalAvgPool2d() : xs[0].AdaptiveAvgPool2d(oh, ow),
                xs => AdaptiveReference(xs[0], global ? 1 : oh, global ? 1 : ow)),
            Smooth: true),
        new("Normalization", "batch_norm", ["BatchNorm"],
            from n in Gen.Int[2, 3]
            from c in Gen.Int[1, 3]
            from rank in Gen.Int[2, 4]
            from s in Gen.Int[1, 3]
            let shape = rank == 2 ? new[] { n, c } : rank == 3 ? [n, c, s] : [n, c, s, 2]
            from x in Values(shape, -2, 2)
            from g in Values([c], 0.5, 2)
            from b in Values([c], -1, 1)
            select new OpCase($"x{Format(shape)} training", [x, g, b],
                xs => T.BatchNorm(xs[0], xs[1], xs[2], null, null, training: true),
                xs => BatchNormReference(xs[0], xs[1], xs[2], 1e-5)),
            Smooth: true, Samples: 16),
    ];

    /// <summary>
    /// No element of the convolution output <paramref name="z"/> [N, C, H, W] within 1e-4 of 0 (the ReLU's kink), and in
    /// every window of the k×k pool (stride s, padding pp) a positive largest value at least 1e-4 above the others.
    /// </summary>
    private static bool NoKinks(T z, int k, int s, int pp)
    {
        var v = z.ToArray();
        if (v.Any(e => Math.Abs(e) < 1e-4)) return false;
        int h = z.Shape[2], w = z.Shape[3], planes = v.Length / (h * w), oh = (h + 2 * pp - k) / s + 1, ow = (w + 2 * pp - k) / s + 1;
        for (int plane = 0; plane < planes; plane++)
            for (int r = 0; r < oh; r++)
                for (int q = 0; q < ow; q++)
                {
                    var window = new List<double>();
                    for (int i = Math.Max(0, r * s - pp); i < Math.Min(h, r * s - pp + k); i++)
                        for (int j = Math.Max(0, q * s - pp); j < Math.Min(w, q * s - pp + k); j++) window.Add(v[plane * h * w + i * w + j]);
                    var top = window.OrderDescending().ToArray();
                    if (top[0] > 0 && top.Length > 1 && top[0] - top[1] < 1e-4) return false;
                }
        return true;
    }

    private static bool Distinct(T x)
    {
        var v = x.ToArray().Order().ToArray();
        for (int i = 1; i < v.Length; i++) if (v[i] - v[i - 1] < 1e-3) return false;
        return true;
    }

    /// <summary>The convolution by its definition: six nested loops.</summary>
    public static T Conv2dReference(T x, T w, T? b, (int H, int W) stride, ConvPadding pad, (int H, int W) dilation, int groups)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3];
        int o = w.Shape[0], cg = w.Shape[1], kh = w.Shape[2], kw = w.Shape[3], og = o / groups;
        int oh = (h + pad.Top + pad.Bottom - dilation.H * (kh - 1) - 1) / stride.H + 1;
        int ow = (wd + pad.Left + pad.Right - dilation.W * (kw - 1) - 1) / stride.W + 1;
        var xv = x.ToArray();
        var wv = w.ToArray();
        var bv = b?.ToArray();
        var y = new double[n * o * oh * ow];
        for (int i = 0; i < n; i++)
            for (int oc = 0; oc < o; oc++)
                for (int r = 0; r < oh; r++)
                    for (int q = 0; q < ow; q++)
                    {
                        double sum = bv?[oc] ?? 0;
                        int grp = oc / og;
                        for (int ci = 0; ci < cg; ci++)
                            for (int a = 0; a < kh; a++)
                                for (int e = 0; e < kw; e++)
                                {
                                    int ih = r * stride.H - pad.Top + a * dilation.H, iw = q * stride.W - pad.Left + e * dilation.W;
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                                    sum += xv[((i * c + grp * cg + ci) * h + ih) * wd + iw] * wv[((oc * cg + ci) * kh + a) * kw + e];
                                }
                        y[((i * o + oc) * oh + r) * ow + q] = sum;
                    }
        return Tensor.FromArray(y, n, o, oh, ow);
    }

    /// <summary>Max or average pooling by its definition (padding never wins a max; counted in an average, as PyTorch).</summary>
    public static T PoolReference(T x, int k, int s, int p, bool max)
    {
        int planes = x.Shape[0] * x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
        var xv = x.ToArray();
        var y = new double[planes * oh * ow];
        for (int pl = 0; pl < planes; pl++)
            for (int r = 0; r < oh; r++)
                for (int q = 0; q < ow; q++)
                {
                    double best = double.NegativeInfinity, sum = 0;
                    int h0 = r * s - p, w0 = q * s - p;
                    int count = (Math.Min(h0 + k, h + p) - h0) * (Math.Min(w0 + k, w + p) - w0);
                    for (int a = h0; a < h0 + k; a++)
                        for (int e = w0; e < w0 + k; e++)
                        {
                            if (a < 0 || a >= h || e < 0 || e >= w) continue;
                            double v = xv[(pl * h + a) * w + e];
                            best = Math.Max(best, v);
                            sum += v;
                        }
                    y[(pl * oh + r) * ow + q] = max ? best : sum / count;
                }
        return Tensor.FromArray(y, x.Shape[0], x.Shape[1], oh, ow);
    }

    /// <summary>Adaptive average pooling by PyTorch's window formula.</summary>
    public static T AdaptiveReference(T x, int oh, int ow)
    {
        int planes = x.Shape[0] * x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        var xv = x.ToArray();
        var y = new double[planes * oh * ow];
        for (int pl = 0; pl < planes; pl++)
            for (int r = 0; r < oh; r++)
                for (int q = 0; q < ow; q++)
                {
                    int h0 = r * h / oh, h1 = ((r + 1) * h + oh - 1) / oh, w0 = q * w / ow, w1 = ((q + 1) * w + ow - 1) / ow;
                    double sum = 0;
                    for (int a = h0; a < h1; a++) for (int e = w0; e < w1; e++) sum += xv[(pl * h + a) * w + e];
                    y[(pl * oh + r) * ow + q] = sum / ((h1 - h0) * (w1 - w0));
                }
        return Tensor.FromArray(y, x.Shape[0], x.Shape[1], oh, ow);
    }

    /// <summary>Training-mode batch normalisation by its definition (biased batch variance).</summary>
    public static T BatchNormReference(T x, T gamma, T beta, double eps)
    {
        int n = x.Shape[0], c = x.Shape[1], s = x.Size / (n * c);
        var xv = x.ToArray();
        var g = gamma.ToArray();
        var b = beta.ToArray();
        var y = new double[xv.Length];
        for (int ch = 0; ch < c; ch++)
        {
            var idx = Enumerable.Range(0, n).SelectMany(i => Enumerable.Range((i * c + ch) * s, s)).ToArray();
            double mean = idx.Average(i => xv[i]);
            double variance = idx.Average(i => (xv[i] - mean) * (xv[i] - mean));
            foreach (int i in idx) y[i] = (xv[i] - mean) / Math.Sqrt(variance + eps) * g[ch] + b[ch];
        }
        return Tensor.FromArray(y, x.ShapeArray);
    }
}

/// <summary>Property tests of the convolution, pooling and normalisation ops (src/Descent/Ops/Convolution.cs, Pooling.cs, Normalization.cs).</summary>
public class ConvolutionOpsTests
{
    public static TheoryData<string> Ops()
    {
        var data = new TheoryData<string>();
        foreach (var spec in ConvolutionOps.Specs) data.Add(spec.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void ValuesMatchReferenceAndGradientsMatchFiniteDifferences(string op) => OpHarness.Verify(OpRegistry.Get(op));
}
