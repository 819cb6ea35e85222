namespace Descent;

// Gather along an axis and its adjoint, scatter-add (PyTorch's torch.gather and Tensor.scatter_add, NumPy's
// take_along_axis). Indices are tensors of whole numbers, as ArgMax returns them, so x.Gather(1, x.ArgMax(1, true))
// picks each row's maximum. Each is the other's gradient: the gather's gradient scatter-adds back into the places
// read, the scatter-add's gradient (for its source) gathers from the places written. The validation lives here; the
// primitives are the records Ops.Gather and Ops.ScatterAdd (kernels in Kernels/GatherScatter.cs).
public sealed partial class Tensor<T>
{
    /// <summary>
    /// Gathers along <paramref name="axis"/> (PyTorch <c>torch.gather</c>): the result has the index's shape, and for axis 1
    /// of a rank-3 tensor <c>out[i, j, k] = x[i, index[i, j, k], k]</c>. The index has this tensor's rank, its sizes are at
    /// most this tensor's on every other axis, and its values are whole numbers in [0, size of the axis).
    /// ∂: the upstream gradient is scatter-added back into the places read (repeated indices add up).
    /// </summary>
    /// <param name="axis">The axis to gather along (negative counts from the end).</param>
    /// <param name="index">Whole-number positions along <paramref name="axis"/>; a constant (its gradient is not taken).</param>
    /// <exception cref="ShapeException">The index's rank differs, or it is larger than this tensor on another axis.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is not a whole number in [0, size of the axis).</exception>
    public Tensor<T> Gather(int axis, Tensor<T> index)
    {
        ArgumentNullException.ThrowIfNull(index);
        int a = Shapes.Axis(axis, Rank, "Gather");
        var positions = GatherPositions("Gather", a, index, ShapeRef, ShapeRef, index.ShapeRef);
        return new Ops.Gather<T>(a, positions, index.ShapeArray).Apply(this);
    }

    /// <summary>
    /// NumPy's <c>take_along_axis(x, indices, axis)</c>: like <see cref="Gather(int, Tensor{T})"/>, but the index and this tensor broadcast
    /// against each other on every axis but <paramref name="axis"/> (so a <c>[n, 1]</c> index picks one element per row of
    /// an <c>[n, m]</c> tensor, and a <c>[1, k]</c> index the same k positions in every row). ∂ as for Gather.
    /// </summary>
    /// <exception cref="ShapeException">The ranks differ or the other axes do not broadcast.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is not a whole number in [0, size of the axis).</exception>
    public Tensor<T> TakeAlongAxis(Tensor<T> indices, int axis)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int a = Shapes.Axis(axis, Rank, "TakeAlongAxis");
        if (indices.Rank != Rank)
            throw new ShapeException($"TakeAlongAxis: the indices have rank {indices.Rank} (shape {Shapes.Format(indices.ShapeRef)}) but the tensor has rank {Rank} (shape {Shapes.Format(ShapeRef)}); they must match.");
        var xShape = ShapeArray;
        var iShape = indices.ShapeArray;
        for (int d = 0; d < Rank; d++)
        {
            if (d == a) continue;
            int n = xShape[d], m = iShape[d];
            if (n != m && n != 1 && m != 1)
                throw new ShapeException($"TakeAlongAxis: axis {d} has size {m} in the indices and {n} in the tensor; they must be equal or one of them 1.");
            xShape[d] = iShape[d] = Math.Max(n, m);
        }
        var x = Shapes.Equal(xShape, ShapeRef) ? this : BroadcastTo(xShape);
        var index = Shapes.Equal(iShape, indices.ShapeRef) ? indices : indices.Detach().BroadcastTo(iShape);
        return x.Gather(a, index);
    }

    /// <summary>
    /// Scatter-add along <paramref name="axis"/> (PyTorch <c>Tensor.scatter_add</c>): a copy of this tensor with each
    /// element of <paramref name="source"/> at an index position added where the index points; for axis 0 of a matrix
    /// <c>out[index[i, j], j] += source[i, j]</c>. The index has this tensor's rank, is at most the source's size on every
    /// axis and at most this tensor's on every other axis. ∂ this tensor: the upstream gradient; ∂ source: the upstream
    /// gradient gathered at the index (zero where the index does not reach).
    /// </summary>
    /// <exception cref="ShapeException">The ranks differ or the index is too large.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is not a whole number in [0, size of the axis).</exception>
    public Tensor<T> ScatterAdd(int axis, Tensor<T> index, Tensor<T> source)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(source);
        int a = Shapes.Axis(axis, Rank, "ScatterAdd");
        var positions = GatherPositions("ScatterAdd", a, index, ShapeRef, source.ShapeRef, index.ShapeRef);
        return new Ops.ScatterAdd<T>(a, positions, index.ShapeArray).Apply(this, source);
    }

    /// <summary>Checks an index against the tensor read or written and the source, and returns its positions as integers.</summary>
    private static int[] GatherPositions(string op, int axis, Tensor<T> index, ReadOnlySpan<int> target, ReadOnlySpan<int> source, ReadOnlySpan<int> indexShape)
    {
        if (indexShape.Length != target.Length || source.Length != target.Length)
            throw new ShapeException($"{op}: the index has rank {indexShape.Length} (shape {Shapes.Format(indexShape)}) but the tensor has rank {target.Length} (shape {Shapes.Format(target)}); they must match.");
        for (int d = 0; d < target.Length; d++)
        {
            if (op != "Gather" && indexShape[d] > source[d])
                throw new ShapeException($"{op}: the index (shape {Shapes.Format(indexShape)}) is larger than the source (shape {Shapes.Format(source)}) on axis {d}; it may be at most the source's size on every axis.");
            if (d != axis && indexShape[d] > target[d])
                throw new ShapeException($"{op}: the index (shape {Shapes.Format(indexShape)}) is larger than the tensor (shape {Shapes.Format(target)}) on axis {d}, which is not the {op.ToLowerInvariant()} axis {axis}.");
        }
        int n = target[axis];
        var positions = new int[index.Size];
        for (int i = 0; i < positions.Length; i++)
        {
            T v = index.Buffer[i];
            if (!T.IsInteger(v) || v < T.Zero || v >= T.CreateTruncating(n))
                throw new IndexOutOfRangeException($"{op}: index {v} is not a whole number in [0, {n}) for axis {axis} of size {n}.");
            positions[i] = int.CreateTruncating(v);
        }
        return positions;
    }
}
