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
            return new Ops.Slice<T>(offset, outStrides.ToArray(), outShape.ToArray()).Apply(this);
        }
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
        return new Ops.IndexSelect<T>(a, idx).Apply(this);
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
        foreach (var t in tensors)
        {
            if (t.Rank != first.Rank)
                throw new ShapeException($"Concat: tensors of rank {first.Rank} and {t.Rank} cannot be joined (shapes {Shapes.Format(first.Shape)} and {Shapes.Format(t.Shape)}).");
            for (int d = 0; d < first.Rank; d++)
                if (d != a && t.ShapeRef[d] != first.ShapeRef[d])
                    throw new ShapeException($"Concat along axis {a}: shapes {Shapes.Format(first.Shape)} and {Shapes.Format(t.Shape)} differ in dimension {d}.");
        }
        return new Ops.Concat<T>(a).Apply((Tensor<T>[])tensors.Clone());
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
