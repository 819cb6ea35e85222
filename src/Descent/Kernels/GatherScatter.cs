using System.Numerics;

namespace Descent.Kernels;

/// <summary>
/// Gather along an axis and its adjoint, scatter-add, on row-major arrays: element k of the index (of shape
/// <c>indexShape</c>, counted row-major) reads or writes at its own coordinates with the coordinate along the axis
/// replaced by <c>positions[k]</c> (already validated).
/// </summary>
internal static class GatherScatter
{
    /// <summary><c>dst[k] = src[coords(k) with axis → positions[k]]</c>; dst has the index's shape.</summary>
    public static void Gather<T>(T[] src, int[] srcShape, int axis, int[] positions, int[] indexShape, T[] dst)
    {
        var strides = Shapes.Strides(srcShape);
        var counter = new int[indexShape.Length];
        for (int k = 0; k < positions.Length; k++)
        {
            dst[k] = src[Offset(counter, strides, axis, positions[k])];
            Advance(counter, indexShape);
        }
    }

    /// <summary>
    /// <c>dst[coords(k) with axis → positions[k]] += src[coords(k)]</c>, src read with its own shape (at least the
    /// index's on every axis).
    /// </summary>
    public static void ScatterAdd<T>(T[] src, int[] srcShape, int axis, int[] positions, int[] indexShape, T[] dst, int[] dstShape)
        where T : unmanaged, INumberBase<T>
    {
        var strides = Shapes.Strides(dstShape);
        var srcStrides = Shapes.Strides(srcShape);
        var counter = new int[indexShape.Length];
        for (int k = 0; k < positions.Length; k++)
        {
            int from = 0;
            for (int d = 0; d < counter.Length; d++) from += counter[d] * srcStrides[d];
            dst[Offset(counter, strides, axis, positions[k])] += src[from];
            Advance(counter, indexShape);
        }
    }

    private static int Offset(int[] counter, int[] strides, int axis, int position)
    {
        int offset = 0;
        for (int d = 0; d < counter.Length; d++) offset += (d == axis ? position : counter[d]) * strides[d];
        return offset;
    }

    private static void Advance(int[] counter, int[] shape)
    {
        for (int d = counter.Length - 1; d >= 0; d--)
        {
            if (++counter[d] < shape[d]) return;
            counter[d] = 0;
        }
    }
}
