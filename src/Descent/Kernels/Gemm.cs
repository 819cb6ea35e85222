using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Kernels;

/// <summary>
/// Matrix multiply of contiguous row-major matrices: C[m×n] = A[m×k] · B[k×n].
/// Each row of C is built as a sum of rows of B scaled by A's entries (SIMD multiply-add over contiguous rows);
/// rows are split across cores when the work is large enough to pay for it.
/// </summary>
internal static class Gemm
{
    /// <summary>Multiply-adds below this count stay on one thread.</summary>
    public const long ParallelThreshold = 1L << 17;

    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        c.Clear();
        if (n == 1)
        {
            for (int i = 0; i < m; i++) c[i] = TensorPrimitives.Dot(a.Slice(i * k, k), b[..k]);
            return;
        }
        for (int i = 0; i < m; i++) Row(a.Slice(i * k, k), b, c.Slice(i * n, n), k, n);
    }

    public static void Multiply<T>(T[] a, int aOffset, T[] b, int bOffset, T[] c, int cOffset, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if ((long)m * k * n < ParallelThreshold || m < 2)
        {
            Multiply<T>(a.AsSpan(aOffset, m * k), b.AsSpan(bOffset, k * n), c.AsSpan(cOffset, m * n), m, k, n);
            return;
        }
        int chunks = Math.Min(m, Environment.ProcessorCount * 4);
        int rows = (m + chunks - 1) / chunks;
        Parallel.For(0, chunks, ch =>
        {
            int r0 = ch * rows, r1 = Math.Min(m, r0 + rows);
            if (r0 >= r1) return;
            Multiply<T>(a.AsSpan(aOffset + r0 * k, (r1 - r0) * k), b.AsSpan(bOffset, k * n), c.AsSpan(cOffset + r0 * n, (r1 - r0) * n), r1 - r0, k, n);
        });
    }

    private static void Row<T>(ReadOnlySpan<T> aRow, ReadOnlySpan<T> b, Span<T> cRow, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int p = 0; p < k; p++)
        {
            T s = aRow[p];
            TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), s, cRow, cRow);
        }
    }
}
