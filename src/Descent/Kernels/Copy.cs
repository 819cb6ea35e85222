using System.Numerics;

namespace Descent.Kernels;

/// <summary>Strided copies: permutations of axes, and regions selected by per-axis start and step.</summary>
internal static class Copy
{
    /// <summary>
    /// Copies from <paramref name="src"/> into the contiguous <paramref name="dst"/> of shape <paramref name="shape"/>,
    /// where element (i0, i1, …) is read at <c>offset + Σ ik·strides[k]</c>.
    /// </summary>
    public static void Strided<T>(T[] src, int offset, int[] strides, int[] shape, T[] dst)
    {
        int rank = shape.Length;
        if (dst.Length == 0) return;
        if (rank == 0) { dst[0] = src[offset]; return; }
        int inner = shape[rank - 1], innerStride = strides[rank - 1];
        int outer = dst.Length / inner;
        Span<int> idx = stackalloc int[rank];
        int off = offset;
        for (int o = 0; o < outer; o++)
        {
            var d = dst.AsSpan(o * inner, inner);
            if (innerStride == 1) src.AsSpan(off, inner).CopyTo(d);
            else for (int j = 0, s = off; j < inner; j++, s += innerStride) d[j] = src[s];
            for (int k = rank - 2; k >= 0; k--)
            {
                idx[k]++;
                off += strides[k];
                if (idx[k] < shape[k]) break;
                off -= strides[k] * shape[k];
                idx[k] = 0;
            }
        }
    }

    /// <summary>The inverse of <see cref="Strided{T}"/>: adds the contiguous <paramref name="src"/> into strided places of <paramref name="dst"/>.</summary>
    public static void ScatterAddStrided<T>(T[] src, int[] shape, T[] dst, int offset, int[] strides) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int rank = shape.Length;
        if (src.Length == 0) return;
        if (rank == 0) { dst[offset] += src[0]; return; }
        int inner = shape[rank - 1], innerStride = strides[rank - 1];
        int outer = src.Length / inner;
        Span<int> idx = stackalloc int[rank];
        int off = offset;
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0, s = off; j < inner; j++, s += innerStride) dst[s] += src[o * inner + j];
            for (int k = rank - 2; k >= 0; k--)
            {
                idx[k]++;
                off += strides[k];
                if (idx[k] < shape[k]) break;
                off -= strides[k] * shape[k];
                idx[k] = 0;
            }
        }
    }

    /// <summary>Permutes axes of <paramref name="src"/> (shaped <paramref name="shape"/>): result axis k is source axis perm[k].</summary>
    public static void Permute<T>(T[] src, int[] shape, int[] perm, T[] dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var srcStrides = Shapes.Strides(shape);
        var outShape = PermutedShape(shape, perm);
        var strides = new int[perm.Length];
        for (int k = 0; k < perm.Length; k++) strides[k] = srcStrides[perm[k]];
        if (perm.Length == 2 && outShape[0] >= 16 && outShape[1] >= 16) Transpose2D<T>(src, shape[0], shape[1], dst);
        else Strided(src, 0, strides, outShape, dst);
    }

    /// <summary>The shape after <see cref="Permute{T}"/>.</summary>
    public static int[] PermutedShape(int[] shape, int[] perm)
    {
        var result = new int[perm.Length];
        for (int k = 0; k < perm.Length; k++) result[k] = shape[perm[k]];
        return result;
    }

    /// <summary>Cache-blocked transpose of a rows×cols matrix.</summary>
    public static void Transpose2D<T>(ReadOnlySpan<T> src, int rows, int cols, Span<T> dst)
    {
        const int B = 32;
        for (int i0 = 0; i0 < rows; i0 += B)
            for (int j0 = 0; j0 < cols; j0 += B)
            {
                int iMax = Math.Min(i0 + B, rows), jMax = Math.Min(j0 + B, cols);
                for (int i = i0; i < iMax; i++)
                    for (int j = j0; j < jMax; j++) dst[j * rows + i] = src[i * cols + j];
            }
    }
}
