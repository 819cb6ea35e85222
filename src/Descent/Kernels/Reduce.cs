using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Kernels;

/// <summary>The reductions the kernels know.</summary>
internal enum Reduction { Sum, Max, Min, Product }

/// <summary>
/// Reductions along one axis of a contiguous tensor, viewed as [outer, n, inner]. Inner size 1 reduces each row with
/// one SIMD call; otherwise rows of length inner are combined element-wise, also SIMD.
/// </summary>
internal static class Reduce
{
    public static T All<T>(ReadOnlySpan<T> x, Reduction op) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => op switch
        {
            Reduction.Sum => TensorPrimitives.Sum(x),
            Reduction.Max => TensorPrimitives.Max(x),
            Reduction.Min => TensorPrimitives.Min(x),
            _ => TensorPrimitives.Product(x),
        };

    /// <summary>Reduces axis <paramref name="axis"/>; the result keeps the axis with size 1.</summary>
    public static Tensor<T> Axis<T>(Tensor<T> x, int axis, Reduction op) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var shape = x.ShapeArray;
        var (outer, n, inner) = Shapes.AroundAxis(shape, axis);
        shape[axis] = 1;
        var result = new Tensor<T>(shape);
        var src = x.Buffer;
        var dst = result.Buffer;
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++) dst[o] = All<T>(src.AsSpan(o * n, n), op);
            return result;
        }
        for (int o = 0; o < outer; o++)
        {
            var acc = dst.AsSpan(o * inner, inner);
            src.AsSpan(o * n * inner, inner).CopyTo(acc);
            for (int k = 1; k < n; k++)
            {
                var row = src.AsSpan((o * n + k) * inner, inner);
                switch (op)
                {
                    case Reduction.Sum: TensorPrimitives.Add(acc, row, acc); break;
                    case Reduction.Max: TensorPrimitives.Max(acc, row, acc); break;
                    case Reduction.Min: TensorPrimitives.Min(acc, row, acc); break;
                    default: TensorPrimitives.Multiply(acc, row, acc); break;
                }
            }
        }
        return result;
    }

    /// <summary>Index of the largest (or smallest) element along an axis, first occurrence on ties; the axis is kept with size 1.</summary>
    public static Tensor<T> ArgExtreme<T>(Tensor<T> x, int axis, bool max) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var shape = x.ShapeArray;
        var (outer, n, inner) = Shapes.AroundAxis(shape, axis);
        shape[axis] = 1;
        var result = new Tensor<T>(shape);
        var src = x.Buffer;
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
                result.Buffer[o * inner + j] = T.CreateTruncating(best);
            }
        return result;
    }
}
