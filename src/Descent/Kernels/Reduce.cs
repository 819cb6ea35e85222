using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Kernels;

/// <summary>The reductions the kernels know.</summary>
internal enum Reduction { Sum, Max, Min, Product }

/// <summary>
/// Reductions over all elements, or along one axis of a contiguous tensor viewed as [outer, n, inner] — never through a
/// transpose. Inner size 1 reduces each row with one SIMD call; otherwise rows of length inner are combined element-wise
/// into the result (SIMD across the inner axis, the result row stays in cache). Large work is split across cores: by
/// rows, or into per-chunk partials (bands of rows; pieces of one long vector) combined in chunk order. Splitting changes
/// only the association of a floating-point sum or product (chunk partials are added left to right; within a chunk
/// TensorPrimitives sums lane-wise), never max or min.
/// </summary>
internal static class Reduce
{
    /// <summary>Reduces a span on the calling thread.</summary>
    public static T All<T>(ReadOnlySpan<T> x, Reduction op) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => op switch
        {
            Reduction.Sum => TensorPrimitives.Sum(x),
            Reduction.Max => TensorPrimitives.Max(x),
            Reduction.Min => TensorPrimitives.Min(x),
            _ => TensorPrimitives.Product(x),
        };

    /// <summary>
    /// A reduction only reads (4 bytes a float32 element, nothing allocated), an element-wise op moves 8–12 bytes and
    /// allocates its result, so reductions split from 2× the element-wise threshold (256K floats). It was 4× (512K),
    /// tuned on Zen 5, whose core sums 1 MB from L2 in ~9 µs; an Ice Lake core takes 21–23 µs, and split on two cores
    /// 12–13 µs (PyTorch on two threads 15 µs) — measured side by side, session 8.
    /// </summary>
    private const int ReadOnlyWeight = 2;

    /// <summary>Reduces all of <paramref name="x"/>, split across cores when large.</summary>
    public static T All<T>(T[] x, Reduction op) where T : unmanaged, IBinaryFloatingPointIeee754<T> => All(x, 0, x.Length, op);

    /// <summary>Reduces <paramref name="length"/> elements of <paramref name="x"/> from <paramref name="offset"/>, split across cores when large.</summary>
    public static T All<T>(T[] x, int offset, int length, Reduction op) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int chunks = Split.Chunks(length / ReadOnlyWeight);
        return chunks == 1 ? All<T>(x.AsSpan(offset, length), op) : AllSplit(x, offset, length, op, chunks);
    }

    private static T AllSplit<T>(T[] x, int offset, int length, Reduction op, int chunks) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var partial = new T[chunks];
        Split.Run(chunks, c =>
        {
            int start = Split.Start(length, chunks, c), end = Split.Start(length, chunks, c + 1);
            partial[c] = All<T>(x.AsSpan(offset + start, end - start), op);
        });
        T acc = partial[0];
        for (int c = 1; c < chunks; c++) acc = Combine(acc, partial[c], op);
        return acc;
    }

    private static T Combine<T>(T a, T b, Reduction op) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => op switch
        {
            Reduction.Sum => a + b,
            Reduction.Max => T.Max(a, b),
            Reduction.Min => T.Min(a, b),
            _ => a * b,
        };

    /// <summary>
    /// Reduces axis <paramref name="axis"/> of <paramref name="src"/> (shaped <paramref name="shape"/>) into
    /// <paramref name="dst"/>, which has the shape with that axis kept as size 1 (every element written).
    /// </summary>
    public static void Axis<T>(T[] src, int[] shape, int axis, Reduction op, T[] dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (outer, n, inner) = Shapes.AroundAxis(shape, axis);
        if (dst.Length == 0) return;
        if (n == 0)
        {
            // An empty sum is 0 and an empty product 1 (an empty max or min is rejected before it gets here).
            Array.Fill(dst, op == Reduction.Product ? T.One : T.Zero);
            return;
        }
        int chunks = Split.Chunks(src.Length / ReadOnlyWeight);
        if (inner == 1)
        {
            if (op is Reduction.Max or Reduction.Min && n >= Extreme.MinLength)
            {
                // Max or min of each row: the multi-accumulator loop below (one TensorPrimitives call per row paid
                // its set-up and per-vector NaN test on every short row).
                // A row max costs about twice a row sum per element (the max and the NaN test per vector; measured
                // 22 µs against a sum's ~10 µs for 256K floats on one core), so it splits from 256K elements as before.
                var isa = Isa.Current;
                bool max = op == Reduction.Max;
                chunks = Split.Chunks(src.Length / 2);
                if (chunks == 1 || outer < chunks) Extreme.Rows(src, n, 0, outer, max, dst, isa);
                else Split.For(outer, chunks, (first, count) => Extreme.Rows(src, n, first, first + count, max, dst, isa), align: 1);
                return;
            }
            if (chunks == 1 || outer < chunks)
                for (int o = 0; o < outer; o++) dst[o] = All(src, o * n, n, op);
            else
                Split.For(outer, chunks, (first, count) => { for (int o = first; o < first + count; o++) dst[o] = All<T>(src.AsSpan(o * n, n), op); }, align: 1);
            return;
        }
        if (chunks == 1) Columns(src, dst, n, inner, 0, outer, 0, inner, op);
        else if (outer >= chunks) Split.For(outer, chunks, (first, count) => Columns(src, dst, n, inner, first, first + count, 0, inner, op), align: 1);
        else for (int o = 0; o < outer; o++) RowBlocks(src, dst, o, n, inner, op, Math.Min(chunks, n));
    }

    /// <summary>
    /// One outer block of a column reduction split by rows: each chunk combines a contiguous band of rows into its own
    /// partial row (streaming memory in order), then the partials are combined in chunk order.
    /// </summary>
    private static void RowBlocks<T>(T[] src, T[] dst, int o, int n, int inner, Reduction op, int chunks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var partial = new T[chunks * inner];
        int baseOffset = o * n * inner;
        Split.Run(chunks, c =>
        {
            int k0 = Split.Start(n, chunks, c, 1), k1 = Split.Start(n, chunks, c + 1, 1);
            Columns(src, partial, k1 - k0, inner, 0, 1, 0, inner, op, baseOffset + k0 * inner, c * inner);
        });
        var acc = dst.AsSpan(o * inner, inner);
        partial.AsSpan(0, inner).CopyTo(acc);
        for (int c = 1; c < chunks; c++) Combine(acc, partial.AsSpan(c * inner, inner), op);
    }

    private static void Combine<T>(Span<T> acc, ReadOnlySpan<T> row, Reduction op) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (op)
        {
            case Reduction.Sum: TensorPrimitives.Add(acc, row, acc); break;
            case Reduction.Max: TensorPrimitives.Max(acc, row, acc); break;
            case Reduction.Min: TensorPrimitives.Min(acc, row, acc); break;
            default: TensorPrimitives.Multiply(acc, row, acc); break;
        }
    }

    /// <summary>
    /// Columns [j0, j1) of outer blocks [o0, o1): result row = Σₖ (or max, min, product) of the block's n rows, in k
    /// order. The source starts at <paramref name="srcOffset"/>, the result at <paramref name="dstOffset"/>.
    /// </summary>
    private static void Columns<T>(T[] src, T[] dst, int n, int inner, int o0, int o1, int j0, int j1, Reduction op, int srcOffset = 0, int dstOffset = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = j1 - j0;
        for (int o = o0; o < o1; o++)
        {
            var acc = dst.AsSpan(dstOffset + o * inner + j0, w);
            int baseOffset = srcOffset + o * n * inner + j0;
            src.AsSpan(baseOffset, w).CopyTo(acc);
            if (w < 8)
            {
                // Too short for a SIMD call per row: the same k-ordered combination, scalar.
                for (int k = 1; k < n; k++)
                {
                    int r = baseOffset + k * inner;
                    for (int j = 0; j < w; j++) acc[j] = Combine(acc[j], src[r + j], op);
                }
                continue;
            }
            for (int k = 1; k < n; k++) Combine(acc, src.AsSpan(baseOffset + k * inner, w), op);
        }
    }

    /// <summary>
    /// Index of the largest (or smallest) element along an axis of <paramref name="src"/> (shaped <paramref name="shape"/>),
    /// first occurrence on ties, into <paramref name="dst"/> (the shape with the axis kept as size 1).
    /// </summary>
    public static void ArgExtreme<T>(ReadOnlySpan<T> src, int[] shape, int axis, bool max, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (outer, n, inner) = Shapes.AroundAxis(shape, axis);
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < inner; j++)
            {
                int best = 0;
                T bv = src[o * n * inner + j];
                for (int k = 1; k < n; k++)
                {
                    T v = src[(o * n + k) * inner + j];
                    if (max ? v > bv : v < bv) { bv = v; best = k; }
                }
                dst[o * inner + j] = T.CreateTruncating(best);
            }
    }
}
