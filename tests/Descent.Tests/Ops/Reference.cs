namespace Descent.Tests.Ops;

/// <summary>
/// Scalar float64 references, written with plain loops and manual index arithmetic (no Descent kernels), against which
/// forward values are compared.
/// </summary>
public static class Reference
{
    /// <summary>All multi-indices of a shape in row-major order.</summary>
    public static IEnumerable<int[]> Indices(int[] shape)
    {
        int n = OpHarness.Size(shape);
        for (int flat = 0; flat < n; flat++)
        {
            var idx = new int[shape.Length];
            int rem = flat;
            for (int d = shape.Length - 1; d >= 0; d--) { idx[d] = rem % shape[d]; rem /= shape[d]; }
            yield return idx;
        }
    }

    /// <summary>The flat offset of an index into a shape, reading broadcast axes (size 1) at 0 and ignoring extra leading components.</summary>
    public static int Offset(int[] shape, int[] index)
    {
        int lead = index.Length - shape.Length, off = 0;
        for (int d = 0; d < shape.Length; d++) off = off * shape[d] + (shape[d] == 1 ? 0 : index[d + lead]);
        return off;
    }

    /// <summary>The NumPy broadcast shape, computed directly.</summary>
    public static int[] BroadcastShape(params int[][] shapes)
    {
        int rank = shapes.Max(s => s.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
            r[i] = shapes.Select(s => i - (rank - s.Length) is var j && j >= 0 ? s[j] : 1).Max();
        return r;
    }

    public static Tensor<double> Map(Tensor<double> x, Func<double, double> f)
        => OpHarness.Make(x.ToArray().Select(f).ToArray(), x.ShapeArray);

    public static Tensor<double> Zip(Tensor<double> a, Tensor<double> b, Func<double, double, double> f)
    {
        int[] sa = a.ShapeArray, sb = b.ShapeArray, shape = BroadcastShape(sa, sb);
        double[] da = a.ToArray(), db = b.ToArray();
        return OpHarness.Make(Indices(shape).Select(i => f(da[Offset(sa, i)], db[Offset(sb, i)])).ToArray(), shape);
    }

    public static Tensor<double> Zip3(Tensor<double> a, Tensor<double> b, Tensor<double> c, Func<double, double, double, double> f)
    {
        int[] sa = a.ShapeArray, sb = b.ShapeArray, sc = c.ShapeArray, shape = BroadcastShape(sa, sb, sc);
        double[] da = a.ToArray(), db = b.ToArray(), dc = c.ToArray();
        return OpHarness.Make(Indices(shape).Select(i => f(da[Offset(sa, i)], db[Offset(sb, i)], dc[Offset(sc, i)])).ToArray(), shape);
    }

    /// <summary>Reduces the given (normalised) axes with <paramref name="f"/> applied to each group's values in row-major order.</summary>
    public static Tensor<double> Reduce(Tensor<double> x, int[] axes, bool keepDims, Func<double[], double> f)
    {
        int[] shape = x.ShapeArray;
        var kept = shape.Select((n, d) => axes.Contains(d) ? 1 : n).ToArray();
        var groups = new List<double>[OpHarness.Size(kept)];
        for (int g = 0; g < groups.Length; g++) groups[g] = [];
        var data = x.ToArray();
        int flat = 0;
        foreach (var idx in Indices(shape)) groups[Offset(kept, idx)].Add(data[flat++]);
        var outShape = keepDims ? kept : shape.Where((_, d) => !axes.Contains(d)).ToArray();
        return OpHarness.Make(groups.Select(g => f(g.ToArray())).ToArray(), outShape);
    }

    /// <summary>Applies <paramref name="f"/> to every 1-D slice along <paramref name="axis"/> (slice in, slice out).</summary>
    public static Tensor<double> AlongAxis(Tensor<double> x, int axis, Func<double[], double[]> f)
    {
        int[] shape = x.ShapeArray;
        var data = x.ToArray();
        var result = new double[data.Length];
        var strides = new int[shape.Length];
        for (int d = shape.Length - 1, s = 1; d >= 0; d--) { strides[d] = s; s *= shape[d]; }
        foreach (var idx in Indices(shape))
        {
            if (idx[axis] != 0) continue;
            int start = idx.Select((v, d) => v * strides[d]).Sum();
            var slice = Enumerable.Range(0, shape[axis]).Select(k => data[start + k * strides[axis]]).ToArray();
            var o = f(slice);
            for (int k = 0; k < o.Length; k++) result[start + k * strides[axis]] = o[k];
        }
        return OpHarness.Make(result, shape);
    }

    /// <summary>NumPy matmul with batch broadcasting and 1-D promotion, by triple loops.</summary>
    public static Tensor<double> MatMul(Tensor<double> a, Tensor<double> b)
    {
        int[] sa = a.ShapeArray, sb = b.ShapeArray;
        bool va = sa.Length == 1, vb = sb.Length == 1;
        if (va) sa = [1, sa[0]];
        if (vb) sb = [sb[0], 1];
        int m = sa[^2], k = sa[^1], n = sb[^1];
        int[] ba = sa[..^2], bb = sb[..^2], batch = BroadcastShape(ba, bb);
        double[] da = a.ToArray(), db = b.ToArray();
        var result = new List<double>();
        foreach (var bi in Indices(batch))
        {
            int oa = Offset(ba, bi) * m * k, ob = Offset(bb, bi) * k * n;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += da[oa + i * k + p] * db[ob + p * n + j];
                    result.Add(s);
                }
        }
        var shape = batch.Concat(va ? [] : new[] { m }).Concat(vb ? [] : new[] { n }).ToArray();
        return OpHarness.Make(result.ToArray(), shape);
    }

    public static double LogSumExp(double[] v)
    {
        double m = v.Max();
        return m + Math.Log(v.Sum(x => Math.Exp(x - m)));
    }

    public static double Variance(double[] v, int correction)
    {
        double mean = v.Average();
        return v.Sum(x => (x - mean) * (x - mean)) / (v.Length - correction);
    }

    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    public static double Sinc(double x) => x == 0 ? 1 : Math.Sin(x) / x;
}
