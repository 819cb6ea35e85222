using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Descent.Kernels;

/// <summary>The reductions the kernels know.</summary>
internal enum Reduction { Sum, Max, Min, Product }

/// <summary>
/// Reductions over all elements, or along one axis of a contiguous tensor viewed as [outer, n, inner] — never through a
/// transpose. Inner size 1 reduces each row with one SIMD call; otherwise rows of length inner are combined element-wise
/// into the result (SIMD across the inner axis, the result row stays in cache). Large work is split across cores: by
/// rows, or into per-chunk partials (bands of rows; pieces of one long vector) combined in chunk order. Splitting changes
/// only the association of a floating-point sum or product (chunk partials are added left to right; within a chunk
/// <see cref="Summation"/> sums lane-wise, by index), never max or min.
/// </summary>
internal static class Reduce
{
    /// <summary>
    /// Reduces a span on the calling thread. Max and min of 32 elements or more take <see cref="Extreme"/>'s loop
    /// (hardware max/min on four accumulators, NaN and the sign of zero settled once at the end — TensorPrimitives' IEEE
    /// max pays for both on every vector): the max of 256K floats 15.8 → 9.3–9.5 µs on Emerald Rapids, the same results.
    /// </summary>
    public static T All<T>(ReadOnlySpan<T> x, Reduction op) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => op switch
        {
            Reduction.Sum => Summation.Of(x, Isa.Current),
            Reduction.Max => x.Length >= Extreme.MinLength ? Extreme.Of<T, MaxSelect<T>>(x, Isa.Current) : TensorPrimitives.Max(x),
            Reduction.Min => x.Length >= Extreme.MinLength ? Extreme.Of<T, MinSelect<T>>(x, Isa.Current) : TensorPrimitives.Min(x),
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
                if (chunks == 1) Extreme.Rows(src, n, 0, outer, max, dst, isa);
                else if (outer >= chunks) Split.For(outer, chunks, (first, count) => Extreme.Rows(src, n, first, first + count, max, dst, isa), align: 1);
                // Fewer rows than chunks (the max of a whole tensor is one row): each row's chunks on the cores, their
                // extremes combined (max and min are exact, so the split cannot change the result). The max of 16M floats
                // 2.6–2.95 → 1.34–1.51 ms on two Emerald Rapids cores (a sum's speed; it ran on one core).
                else for (int o = 0; o < outer; o++) dst[o] = All(src, o * n, n, op);
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
            if (op == Reduction.Sum) SumBands(src, baseOffset, n, inner, acc);
            else for (int k = 1; k < n; k++) Combine(acc, src.AsSpan(baseOffset + k * inner, w), op);
        }
    }

    /// <summary>Rows combined per pass of <see cref="SumBands"/>: the partial row is loaded and stored once per band.</summary>
    private const int SumBand = 8;

    /// <summary>
    /// <paramref name="acc"/> (holding row 0) += rows 1..n−1 of the block at <paramref name="baseOffset"/> (rows
    /// <paramref name="inner"/> apart), in bands of <see cref="SumBand"/> rows: each vector of the partial row is loaded
    /// once, gets the band's rows added one after another, and is stored once — the same additions in the same order per
    /// column as one row at a time (bit-identical), with an eighth of the partial row's loads and stores; the band's rows
    /// stream in order. A bias gradient (the column sum of a 64×128 gradient) and sum(axis 0) of 512×512 floats gain
    /// most: on an Emerald Rapids core, 256K floats 25 → 11 µs.
    /// </summary>
    private static void SumBands<T>(T[] src, int baseOffset, int n, int inner, Span<T> acc) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = acc.Length;
        ref T s = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(src);
        ref T d = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(acc);
        for (int k = 1; k < n; k += SumBand)
        {
            int rows = Math.Min(SumBand, n - k);
            nuint first = (nuint)(baseOffset + k * inner), stride = (nuint)inner;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; j <= w - Vector512<T>.Count; j += Vector512<T>.Count)
                {
                    var a = Vector512.LoadUnsafe(ref d, (nuint)j);
                    nuint at = first + (nuint)j;
                    for (int r = 0; r < rows; r++, at += stride) a += Vector512.LoadUnsafe(ref s, at);
                    a.StoreUnsafe(ref d, (nuint)j);
                }
            if (Vector256.IsHardwareAccelerated)
                for (; j <= w - Vector256<T>.Count; j += Vector256<T>.Count)
                {
                    var a = Vector256.LoadUnsafe(ref d, (nuint)j);
                    nuint at = first + (nuint)j;
                    for (int r = 0; r < rows; r++, at += stride) a += Vector256.LoadUnsafe(ref s, at);
                    a.StoreUnsafe(ref d, (nuint)j);
                }
            if (Vector128.IsHardwareAccelerated)
                for (; j <= w - Vector128<T>.Count; j += Vector128<T>.Count)
                {
                    var a = Vector128.LoadUnsafe(ref d, (nuint)j);
                    nuint at = first + (nuint)j;
                    for (int r = 0; r < rows; r++, at += stride) a += Vector128.LoadUnsafe(ref s, at);
                    a.StoreUnsafe(ref d, (nuint)j);
                }
            for (; j < w; j++)
            {
                T a = acc[j];
                nuint at = first + (nuint)j;
                for (int r = 0; r < rows; r++, at += stride) a += System.Runtime.CompilerServices.Unsafe.Add(ref s, at);
                acc[j] = a;
            }
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
