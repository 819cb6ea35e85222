using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Kernels;

/// <summary>
/// Softmax and log-softmax along an axis with inner size 1 (the last axis, or one followed only by size-1 axes), fused:
/// each row is read once and written once, the intermediate passes running on the row while it is in cache, rows split
/// across cores. The arithmetic is the composition's, log-softmax x − (m′ + log Σ exp(x − m′)) with m′ the row maximum
/// (0 when that is not finite), bit for bit; softmax is exp(x − m′) / Σ exp(x − m′), within a few ulps of the
/// composition exp(x − lse), and takes the composition's exact route when m′ is not finite.
/// </summary>
internal static class Softmax
{
    /// <summary>Whether <paramref name="axis"/> of <paramref name="shape"/> can take the fused path (inner size 1).</summary>
    public static bool Applies(ReadOnlySpan<int> shape, int axis) => Shapes.AroundAxis(shape, axis).Inner == 1;

    /// <summary>
    /// Softmax (or log-softmax when <paramref name="log"/>) of <paramref name="src"/> (shaped <paramref name="shape"/>)
    /// along <paramref name="axis"/> into <paramref name="dst"/> (same shape); requires <see cref="Applies"/>.
    /// </summary>
    public static void Run<T>(T[] src, int[] shape, int axis, bool log, T[] dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (outer, n, _) = Shapes.AroundAxis(shape, axis);
        if (dst.Length == 0) return;
        int chunks = Math.Min(Split.Chunks(src.Length), outer);
        if (chunks == 1) Rows(src, dst, n, 0, outer, log);
        else Split.For(outer, chunks, (first, count) => Rows(src, dst, n, first, first + count, log), align: 1);
    }

    private static void Rows<T>(T[] src, T[] dst, int n, int first, int end, bool log) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int r = first; r < end; r++)
        {
            var s = src.AsSpan(r * n, n);
            var d = dst.AsSpan(r * n, n);
            T m = TensorPrimitives.Max<T>(s);
            bool finite = T.IsFinite(m);
            if (!finite) m = T.Zero;
            TensorPrimitives.Subtract(s, m, d);
            TensorPrimitives.Exp<T>(d, d);
            T sum = TensorPrimitives.Sum<T>(d);
            if (!log && finite)
            {
                TensorPrimitives.Divide(d, sum, d);
                continue;
            }
            TensorPrimitives.Subtract(s, T.Log(sum) + m, d);
            if (!log) TensorPrimitives.Exp<T>(d, d);
        }
    }
}
