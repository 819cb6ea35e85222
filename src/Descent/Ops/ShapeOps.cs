namespace Descent;

// Shape operations. Reshape is a view (shared storage); the others copy. Each gradient is the inverse shape change.
public sealed partial class Tensor<T>
{
    /// <summary>The same elements with a new shape (one dimension may be −1, inferred). Shares storage. ∂: reshape back.</summary>
    /// <exception cref="ShapeException">The new shape holds a different number of elements.</exception>
    public Tensor<T> Reshape(params int[] shape)
    {
        var s = Tensor.ResolveShape(shape, Size, "Reshape");
        return new Ops.Reshape<T>(s).Apply(this);
    }

    /// <summary>A 1-D view of all elements.</summary>
    public Tensor<T> Flatten() => Reshape(-1);

    /// <summary>Reorders axes: result axis k is axis <c>axes[k]</c> of this tensor. ∂: the inverse permutation.</summary>
    public Tensor<T> Permute(params int[] axes)
    {
        if (axes.Length != Rank)
            throw new ShapeException($"Permute: {axes.Length} axes given for a tensor of rank {Rank} (shape {Shapes.Format(Shape)}); give each axis once.");
        var perm = new int[Rank];
        var seen = new bool[Rank];
        for (int i = 0; i < Rank; i++)
        {
            perm[i] = Shapes.Axis(axes[i], Rank, "Permute");
            if (seen[perm[i]]) throw new ShapeException($"Permute: axis {perm[i]} is listed twice in {Shapes.Format(axes)}.");
            seen[perm[i]] = true;
        }
        return new Ops.Permute<T>(perm).Apply(this);
    }

    /// <summary>Swaps two axes (by default the last two: the matrix transpose).</summary>
    public Tensor<T> Transpose(int axis0 = -2, int axis1 = -1)
    {
        if (Rank < 2) return this;
        int a = Shapes.Axis(axis0, Rank, "Transpose"), b = Shapes.Axis(axis1, Rank, "Transpose");
        var perm = new int[Rank];
        for (int i = 0; i < Rank; i++) perm[i] = i;
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(perm);
    }

    /// <summary>Removes axes of size 1 (all of them, or only <paramref name="axis"/>).</summary>
    public Tensor<T> Squeeze(int? axis = null)
    {
        if (axis is { } ax)
        {
            int a = Shapes.Axis(ax, Rank, "Squeeze");
            if (ShapeRef[a] != 1) throw new ShapeException($"Squeeze: axis {ax} has size {ShapeRef[a]}, not 1 (shape {Shapes.Format(Shape)}).");
            return Reshape(DropAxes(ShapeRef, [a]));
        }
        return Reshape(ShapeRef.Where(d => d != 1).ToArray());
    }

    /// <summary>Inserts an axis of size 1 at <paramref name="axis"/> (negative counts from the end of the new shape).</summary>
    public Tensor<T> Unsqueeze(int axis)
    {
        int a = Shapes.Axis(axis, Rank + 1, "Unsqueeze");
        var s = new List<int>(ShapeRef);
        s.Insert(a, 1);
        return Reshape(s.ToArray());
    }

    /// <summary>Repeats this tensor along broadcast dimensions to <paramref name="shape"/> (a copy). ∂: summed back by the engine.</summary>
    /// <exception cref="ShapeException">This shape does not broadcast to <paramref name="shape"/>.</exception>
    public Tensor<T> BroadcastTo(params int[] shape)
    {
        if (!Shapes.CanBroadcastTo(Shape, shape))
            throw new ShapeException($"BroadcastTo: shape {Shapes.Format(Shape)} cannot broadcast to {Shapes.Format(shape)}; each trailing dimension must match or be 1.");
        if (Shapes.Equal(Shape, shape)) return this;
        return new Ops.BroadcastTo<T>((int[])shape.Clone()).Apply(this);
    }

    /// <summary>
    /// Sums this tensor down to <paramref name="shape"/>, the inverse of broadcasting: leading axes are summed away and
    /// axes where <paramref name="shape"/> has 1 are summed with keep-dims. The engine uses it to un-broadcast gradients.
    /// </summary>
    public Tensor<T> SumTo(int[] shape)
    {
        if (Shapes.Equal(Shape, shape)) return this;
        int lead = Rank - shape.Length;
        var axes = new List<int>();
        for (int i = 0; i < Rank; i++)
            if (i < lead || (shape[i - lead] == 1 && ShapeRef[i] != 1)) axes.Add(i);
        return Sum(axes.ToArray(), keepDims: true).Reshape(shape);
    }
}
