using Descent.Kernels;

namespace Descent;

// Indexing: slices, gathers, masks, concatenation. Each gradient scatters back into the places that were read.
public sealed partial class Tensor<T>
{
    /// <summary>
    /// A slice (a copy): integers select and remove an axis, ranges keep it; missing trailing axes are taken whole.
    /// <c>x[0]</c> is the first row, <c>x[.., 1..3]</c> columns 1 and 2, <c>x[^1]</c> the last row.
    /// Differentiable: the gradient is scattered back into the sliced places.
    /// </summary>
    /// <exception cref="ShapeException">More indices than axes.</exception>
    /// <exception cref="IndexOutOfRangeException">An index out of range.</exception>
    [System.Runtime.CompilerServices.IndexerName("Slice")]
    public Tensor<T> this[params TensorIndex[] index]
    {
        get
        {
            if (index.Length > Rank)
                throw new ShapeException($"Indexing: {index.Length} indices for a tensor of rank {Rank} (shape {Shapes.Format(Shape)}).");
            var strides = Shapes.Strides(Shape);
            int offset = 0;
            var outShape = new List<int>();
            var outStrides = new List<int>();
            for (int d = 0; d < Rank; d++)
            {
                int n = ShapeRef[d];
                if (d < index.Length && index[d].Point is { } p)
                {
                    int i = p.GetOffset(n);
                    if ((uint)i >= (uint)n) throw new IndexOutOfRangeException($"Index {p} is out of range for axis {d} of size {n}.");
                    offset += i * strides[d];
                    continue;
                }
                var range = d < index.Length ? index[d].Span!.Value : Range.All;
                int start = Math.Clamp(range.Start.GetOffset(n), 0, n);
                int end = Math.Clamp(range.End.GetOffset(n), start, n);
                offset += start * strides[d];
                outShape.Add(end - start);
                outStrides.Add(strides[d]);
            }
            return Gather(offset, outStrides.ToArray(), outShape.ToArray(), "slice");
        }
    }

    /// <summary>Reads the strided region (offset, strides, shape) as a new tensor; its gradient scatter-adds back.</summary>
    private Tensor<T> Gather(int offset, int[] strides, int[] shape, string name)
    {
        var result = new Tensor<T>(shape);
        Copy.Strided(Buffer, offset, strides, shape, result.Buffer);
        if (!ShouldRecord(this)) return result;
        return result.Attach(new Autodiff.UnaryNode<T>(name, this, (g, x, _) => g.ScatterInto(x.ShapeArray, offset, strides, name),
            jvp: (t, _, _) => t.Gather(offset, strides, shape, name)));
    }

    /// <summary>Zeros of <paramref name="shape"/> with this tensor added into a strided region; its gradient gathers the region.</summary>
    private Tensor<T> ScatterInto(int[] shape, int offset, int[] strides, string name)
    {
        var result = new Tensor<T>(shape);
        Copy.ScatterAddStrided(Buffer, ShapeRef, result.Buffer, offset, strides);
        if (!ShouldRecord(this)) return result;
        return result.Attach(new Autodiff.UnaryNode<T>(name + "_backward", this, (g, _, _) => g.Gather(offset, strides, ShapeArray, name),
            jvp: (t, _, _) => t.ScatterInto(shape, offset, strides, name)));
    }

    /// <summary>
    /// Gathers whole slices along <paramref name="axis"/> at the given integer positions (repeats allowed; negative
    /// counts from the end). ∂: the gradient rows are added back at the same positions.
    /// </summary>
    public Tensor<T> IndexSelect(int axis, params int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int a = Shapes.Axis(axis, Rank, "IndexSelect");
        int n = ShapeRef[a];
        var idx = new int[indices.Length];
        for (int i = 0; i < idx.Length; i++)
        {
            int k = indices[i] < 0 ? indices[i] + n : indices[i];
            if ((uint)k >= (uint)n) throw new IndexOutOfRangeException($"IndexSelect: index {indices[i]} is out of range for axis {axis} of size {n}.");
            idx[i] = k;
        }
        var result = IndexSelectKernel(a, idx);
        if (!ShouldRecord(this)) return result;
        return result.Attach(new Autodiff.UnaryNode<T>("index_select", this, (g, x, _) => g.IndexAdd(x.ShapeArray, a, idx),
            jvp: (t, _, _) => t.IndexSelect(a, idx)));
    }

    private Tensor<T> IndexSelectKernel(int axis, int[] idx)
    {
        var shape = ShapeArray;
        var (outer, n, inner) = Shapes.AroundAxis(shape, axis);
        shape[axis] = idx.Length;
        var result = new Tensor<T>(shape);
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < idx.Length; j++)
                Buffer.AsSpan((o * n + idx[j]) * inner, inner).CopyTo(result.Buffer.AsSpan((o * idx.Length + j) * inner, inner));
        return result;
    }

    /// <summary>Zeros of <paramref name="shape"/> with this tensor's slices added at <paramref name="idx"/> along <paramref name="axis"/>.</summary>
    private Tensor<T> IndexAdd(int[] shape, int axis, int[] idx)
    {
        var result = new Tensor<T>(shape);
        var (outer, n, inner) = Shapes.AroundAxis(shape, axis);
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < idx.Length; j++)
            {
                var dst = result.Buffer.AsSpan((o * n + idx[j]) * inner, inner);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, Buffer.AsSpan((o * idx.Length + j) * inner, inner), dst);
            }
        if (!ShouldRecord(this)) return result;
        return result.Attach(new Autodiff.UnaryNode<T>("index_add", this, (g, _, _) => g.IndexSelect(axis, idx), jvp: (t, _, _) => t.IndexAdd(shape, axis, idx)));
    }

    /// <summary>The elements where <paramref name="mask"/> (same shape) is non-zero, as a 1-D tensor in row-major order.</summary>
    /// <exception cref="ShapeException">The mask's shape differs.</exception>
    public Tensor<T> MaskedSelect(Tensor<T> mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (!Shapes.Equal(mask.Shape, Shape))
            throw new ShapeException($"MaskedSelect: the mask has shape {Shapes.Format(mask.Shape)} but the tensor has {Shapes.Format(Shape)}; they must match.");
        var positions = new List<int>();
        for (int i = 0; i < mask.Size; i++) if (mask.Buffer[i] != T.Zero) positions.Add(i);
        return Flatten().IndexSelect(0, positions.ToArray());
    }

    /// <summary>The elements where <paramref name="mask"/> is true, as a 1-D tensor.</summary>
    public Tensor<T> MaskedSelect(bool[] mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Length != Size) throw new ShapeException($"MaskedSelect: the mask has {mask.Length} entries but the tensor has {Size} elements.");
        var positions = new List<int>();
        for (int i = 0; i < mask.Length; i++) if (mask[i]) positions.Add(i);
        return Flatten().IndexSelect(0, positions.ToArray());
    }

    /// <summary>Joins tensors along an existing axis; all other dimensions must match. ∂: slices of the gradient.</summary>
    public static Tensor<T> Concat(int axis, params Tensor<T>[] tensors)
    {
        if (tensors is null || tensors.Length == 0) throw new ArgumentException("Concat needs at least one tensor.", nameof(tensors));
        var first = tensors[0];
        int a = Shapes.Axis(axis, first.Rank, "Concat");
        int total = 0;
        foreach (var t in tensors)
        {
            if (t.Rank != first.Rank)
                throw new ShapeException($"Concat: tensors of rank {first.Rank} and {t.Rank} cannot be joined (shapes {Shapes.Format(first.Shape)} and {Shapes.Format(t.Shape)}).");
            for (int d = 0; d < first.Rank; d++)
                if (d != a && t.ShapeRef[d] != first.ShapeRef[d])
                    throw new ShapeException($"Concat along axis {a}: shapes {Shapes.Format(first.Shape)} and {Shapes.Format(t.Shape)} differ in dimension {d}.");
            total += t.ShapeRef[a];
        }
        var shape = first.ShapeArray;
        shape[a] = total;
        var result = new Tensor<T>(shape);
        var (outer, _, inner) = Shapes.AroundAxis(shape, a);
        var starts = new int[tensors.Length];
        int start = 0;
        for (int k = 0; k < tensors.Length; k++)
        {
            starts[k] = start;
            int len = tensors[k].ShapeRef[a] * inner;
            for (int o = 0; o < outer; o++)
                tensors[k].Buffer.AsSpan(o * len, len).CopyTo(result.Buffer.AsSpan(o * total * inner + start * inner, len));
            start += tensors[k].ShapeRef[a];
        }
        var inputs = (Tensor<T>[])tensors.Clone();
        return Record(result, "concat", inputs, g =>
        {
            var grads = new Tensor<T>?[inputs.Length];
            for (int k = 0; k < inputs.Length; k++)
            {
                var idx = new TensorIndex[a + 1];
                for (int d = 0; d < a; d++) idx[d] = TensorIndex.All;
                idx[a] = starts[k]..(starts[k] + inputs[k].ShapeRef[a]);
                grads[k] = g[idx];
            }
            return grads;
        }, jvp: t => Concat(a, t));
    }

    /// <summary>Joins equal-shaped tensors along a new axis.</summary>
    public static Tensor<T> Stack(int axis, params Tensor<T>[] tensors)
    {
        if (tensors is null || tensors.Length == 0) throw new ArgumentException("Stack needs at least one tensor.", nameof(tensors));
        foreach (var t in tensors)
            if (!Shapes.Equal(t.Shape, tensors[0].Shape))
                throw new ShapeException($"Stack: shapes {Shapes.Format(tensors[0].Shape)} and {Shapes.Format(t.Shape)} differ; stacked tensors must have equal shapes.");
        int a = Shapes.Axis(axis, tensors[0].Rank + 1, "Stack");
        return Concat(a, tensors.Select(t => t.Unsqueeze(a)).ToArray());
    }
}
