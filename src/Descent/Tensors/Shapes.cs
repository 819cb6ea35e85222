namespace Descent;

/// <summary>Shape arithmetic shared by tensors and kernels: sizes, strides, broadcasting and axis normalisation.</summary>
public static class Shapes
{
    internal static readonly int[] Scalar = [];

    /// <summary>The number of elements of a tensor with this shape (1 for a scalar).</summary>
    public static int Size(ReadOnlySpan<int> shape)
    {
        long size = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ShapeException($"Dimension {d} in shape {Format(shape)} is negative; dimensions must be 0 or more.");
            size *= d;
            if (size > Array.MaxLength) throw new ShapeException($"Shape {Format(shape)} has more than {Array.MaxLength} elements.");
        }
        return (int)size;
    }

    /// <summary>Row-major strides (in elements) of a contiguous tensor with this shape.</summary>
    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { strides[i] = s; s *= shape[i]; }
        return strides;
    }

    /// <summary>Formats a shape as <c>[2, 3]</c>.</summary>
    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>True when both shapes have the same rank and dimensions.</summary>
    public static bool Equal(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>Whether two shapes are equal; the same array (results of one operation share it) answers at once.</summary>
    public static bool Equal(int[] a, int[] b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++) // a few dimensions: a loop, not a call into the span comparison
            if (a[i] != b[i]) return false;
        return true;
    }

    /// <summary>
    /// The shape two shapes broadcast to under NumPy's rules: align trailing dimensions; each pair must be equal or
    /// contain a 1. Throws <see cref="ShapeException"/> naming both shapes and the operation when they cannot.
    /// </summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string operation)
    {
        if (a.SequenceEqual(b)) return a.ToArray();
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da == db || db == 1) result[i] = da;
            else if (da == 1) result[i] = db;
            else
                throw new ShapeException(
                    $"{operation}: shapes {Format(a)} and {Format(b)} cannot broadcast: dimension {i} (counting from the left of the aligned shapes) is {da} in one and {db} in the other; " +
                    "each aligned dimension must be equal or 1. Reshape or unsqueeze one operand so they line up.");
        }
        return result;
    }

    /// <summary>True when <paramref name="from"/> broadcasts to exactly <paramref name="to"/>.</summary>
    public static bool CanBroadcastTo(ReadOnlySpan<int> from, ReadOnlySpan<int> to)
    {
        if (from.Length > to.Length) return false;
        int offset = to.Length - from.Length;
        for (int i = 0; i < from.Length; i++)
            if (from[i] != 1 && from[i] != to[i + offset]) return false;
        return true;
    }

    /// <summary>Normalises a possibly negative axis for a tensor of the given rank.</summary>
    public static int Axis(int axis, int rank, string operation)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ShapeException($"{operation}: axis {axis} is out of range for a tensor of rank {rank}; use an axis in [{-rank}, {rank - 1}].");
        return a;
    }

    /// <summary>Normalises, sorts and de-duplicates a list of axes; null means every axis.</summary>
    public static int[] Axes(int[]? axes, int rank, string operation)
    {
        if (axes is null)
        {
            var all = new int[rank];
            for (int i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        var result = new int[axes.Length];
        for (int i = 0; i < axes.Length; i++) result[i] = Axis(axes[i], rank, operation);
        Array.Sort(result);
        for (int i = 1; i < result.Length; i++)
            if (result[i] == result[i - 1]) throw new ShapeException($"{operation}: axis {result[i]} is listed twice.");
        return result;
    }

    /// <summary>
    /// Views a contiguous shape as [outer, length, inner] around <paramref name="axis"/>: the product of the dimensions
    /// before it, its own size, and the product of those after it — the layout every along-an-axis kernel loops over.
    /// </summary>
    internal static (int Outer, int Length, int Inner) AroundAxis(ReadOnlySpan<int> shape, int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, shape[axis], inner);
    }
}
