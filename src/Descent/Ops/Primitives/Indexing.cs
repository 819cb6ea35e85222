using System.Collections.Immutable;
using System.Numerics;
using Descent.Kernels;

namespace Descent.Ops;

// Indexing: slices, gathers, concatenation, selection. Each gradient scatters back into the places that were read.

/// <summary>Reads the strided region (<see cref="Offset"/>, <see cref="Strides"/>, <see cref="Shape"/>) as a new tensor. ∂: scatter-added back.</summary>
internal sealed record Slice<T>(int Offset, ImmutableArray<int> Strides, ImmutableArray<int> Shape) : UnaryOp<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public Slice(int offset, int[] strides, int[] shape) : this(offset, Own(strides), Own(shape)) { }

    public override string Name => "slice";
    public override string Label => $"slice(offset={Offset}, shape={Format(Shape)})";

    public override Tensor<T> Forward(Tensor<T> x)
    {
        var result = new Tensor<T>((int[])Raw(Shape).Clone());
        Copy.Strided(x.Buffer, Offset, Raw(Strides), Raw(Shape), result.Buffer);
        return result;
    }

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => new SliceBackward<T>(x.ShapeArray, Offset, Raw(Strides)).Apply(g);

    /// <summary>Linear: the JVP is the op itself on the tangent.</summary>
    public override Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y) => Apply(t);
}

/// <summary>Zeros of <see cref="Shape"/> with the input added into a strided region (the gradient of a slice). ∂: the slice.</summary>
internal sealed record SliceBackward<T>(ImmutableArray<int> Shape, int Offset, ImmutableArray<int> Strides) : UnaryOp<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public SliceBackward(int[] shape, int offset, int[] strides) : this(Own(shape), offset, Own(strides)) { }

    public override string Name => "slice_backward";

    public override Tensor<T> Forward(Tensor<T> x)
    {
        var result = new Tensor<T>((int[])Raw(Shape).Clone());
        Copy.ScatterAddStrided(x.Buffer, x.ShapeRef, result.Buffer, Offset, Raw(Strides));
        return result;
    }

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => new Slice<T>(Offset, Raw(Strides), x.ShapeArray).Apply(g);

    /// <summary>Linear: the JVP is the op itself on the tangent.</summary>
    public override Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y) => Apply(t);
}

/// <summary>Whole slices along <see cref="Axis"/> at <see cref="Indices"/> (validated, non-negative). ∂: added back at the same positions.</summary>
internal sealed record IndexSelect<T>(int Axis, ImmutableArray<int> Indices) : UnaryOp<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public IndexSelect(int axis, int[] indices) : this(axis, Own(indices)) { }

    public override string Name => "index_select";
    public override string Label => $"index_select(axis={Axis})";

    public override Tensor<T> Forward(Tensor<T> x)
    {
        var shape = x.ShapeArray;
        var (outer, n, inner) = Shapes.AroundAxis(shape, Axis);
        shape[Axis] = Indices.Length;
        var result = new Tensor<T>(shape);
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < Indices.Length; j++)
                x.Buffer.AsSpan((o * n + Indices[j]) * inner, inner).CopyTo(result.Buffer.AsSpan((o * Indices.Length + j) * inner, inner));
        return result;
    }

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => new IndexAdd<T>(x.ShapeArray, Axis, Raw(Indices)).Apply(g);

    /// <summary>Linear: the JVP is the op itself on the tangent.</summary>
    public override Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y) => Apply(t);
}

/// <summary>Zeros of <see cref="Shape"/> with the input's slices added at <see cref="Indices"/> along <see cref="Axis"/>. ∂: the selection.</summary>
internal sealed record IndexAdd<T>(ImmutableArray<int> Shape, int Axis, ImmutableArray<int> Indices) : UnaryOp<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public IndexAdd(int[] shape, int axis, int[] indices) : this(Own(shape), axis, Own(indices)) { }

    public override string Name => "index_add";

    public override Tensor<T> Forward(Tensor<T> x)
    {
        var result = new Tensor<T>((int[])Raw(Shape).Clone());
        var (outer, n, inner) = Shapes.AroundAxis(Raw(Shape), Axis);
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < Indices.Length; j++)
            {
                var dst = result.Buffer.AsSpan((o * n + Indices[j]) * inner, inner);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, x.Buffer.AsSpan((o * Indices.Length + j) * inner, inner), dst);
            }
        return result;
    }

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => new IndexSelect<T>(Axis, Raw(Indices)).Apply(g);

    /// <summary>Linear: the JVP is the op itself on the tangent.</summary>
    public override Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y) => Apply(t);
}

/// <summary>Joins the inputs along <see cref="Axis"/> (shapes validated). ∂: each input's slice of the gradient.</summary>
internal sealed record Concat<T>(int Axis) : NaryOp<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string Name => "concat";
    public override string Label => $"concat(axis={Axis})";

    public override Tensor<T> Forward(Tensor<T>[] inputs)
    {
        int total = 0;
        foreach (var t in inputs) total += t.ShapeRef[Axis];
        var shape = inputs[0].ShapeArray;
        shape[Axis] = total;
        var result = new Tensor<T>(shape);
        var (outer, _, inner) = Shapes.AroundAxis(shape, Axis);
        int start = 0;
        foreach (var t in inputs)
        {
            int len = t.ShapeRef[Axis] * inner;
            for (int o = 0; o < outer; o++)
                t.Buffer.AsSpan(o * len, len).CopyTo(result.Buffer.AsSpan(o * total * inner + start * inner, len));
            start += t.ShapeRef[Axis];
        }
        return result;
    }

    public override Tensor<T>?[] Vjp(Tensor<T> g, Tensor<T>[] inputs, Tensor<T> y)
    {
        var grads = new Tensor<T>?[inputs.Length];
        int start = 0;
        for (int k = 0; k < inputs.Length; k++)
        {
            int length = inputs[k].ShapeRef[Axis];
            var idx = new TensorIndex[Axis + 1];
            for (int d = 0; d < Axis; d++) idx[d] = TensorIndex.All;
            idx[Axis] = start..(start + length);
            grads[k] = g[idx];
            start += length;
        }
        return grads;
    }

    /// <summary>Linear: the tangents joined the same way.</summary>
    public override Tensor<T>? Jvp(Tensor<T>[] tangents, Tensor<T>[] inputs, Tensor<T> y) => Apply(tangents);
}

/// <summary>
/// <see cref="Condition"/> (a constant, already broadcast to the result's shape) selects the first input where non-zero
/// and the second elsewhere. ∂: the gradient where each was selected, zero elsewhere (no NaN leaks from the branch not taken).
/// </summary>
internal sealed record Where<T>(Tensor<T> Condition) : NaryOp<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string Name => "where";

    public override Tensor<T> Forward(Tensor<T>[] inputs)
    {
        var shape = Condition.ShapeArray;
        var c = Condition.Buffer;
        var x = ElementWise.BroadcastTo(inputs[0].Buffer, inputs[0].ShapeRef, shape);
        var y = ElementWise.BroadcastTo(inputs[1].Buffer, inputs[1].ShapeRef, shape);
        for (int i = 0; i < c.Length; i++) x[i] = c[i] != T.Zero ? x[i] : y[i];
        return new Tensor<T>(shape, x);
    }

    public override Tensor<T>?[] Vjp(Tensor<T> g, Tensor<T>[] inputs, Tensor<T> y)
    {
        var zero = Tensor.Scalar(T.Zero);
        return [Tensor<T>.Where(Condition, g, zero), Tensor<T>.Where(Condition, zero, g)];
    }

    /// <summary>Linear in the inputs: the tangents selected by the same condition.</summary>
    public override Tensor<T>? Jvp(Tensor<T>[] tangents, Tensor<T>[] inputs, Tensor<T> y) => Apply(tangents);
}
