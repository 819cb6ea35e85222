using System.Collections.Immutable;
using System.Numerics;
using Descent.Kernels;

namespace Descent.Ops;

// Gather along an axis and scatter-add, each the other's adjoint. The index is a constant: its validated whole-number
// positions and its shape are the records' parameters.

/// <summary>
/// Reads along <see cref="Axis"/> at <see cref="Positions"/> (one per element of an index of shape
/// <see cref="IndexShape"/>, row-major): the result has the index's shape. ∂: scatter-added back into the places read
/// (repeated positions add up). Linear, so its JVP is itself on the tangent.
/// </summary>
internal sealed record Gather<T>(int Axis, ImmutableArray<int> Positions, ImmutableArray<int> IndexShape) : UnaryOp<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public Gather(int axis, int[] positions, int[] indexShape) : this(axis, Own(positions), Own(indexShape)) { }

    public override string Name => "gather";
    public override string Label => $"gather(axis={Axis}, index={Format(IndexShape)})";

    public override Tensor<T> Forward(Tensor<T> x)
    {
        var result = new Tensor<T>((int[])Raw(IndexShape).Clone());
        GatherScatter.Gather(x.Buffer, x.ShapeArray, Axis, Raw(Positions), Raw(IndexShape), result.Buffer);
        return result;
    }

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y)
        => new ScatterAdd<T>(Axis, Positions, IndexShape).Apply(new Tensor<T>(x.ShapeArray), g);

    /// <summary>Linear: the tangent gathered the same way.</summary>
    public override Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y) => Apply(t);
}

/// <summary>
/// A copy of the first input with the second (the source, at least the index's size on every axis) added along
/// <see cref="Axis"/> at <see cref="Positions"/>. ∂ first input: the upstream gradient; ∂ source: the upstream gradient
/// gathered at the positions (zero where the index does not reach). Linear in both, so its JVP is itself on the tangents.
/// </summary>
internal sealed record ScatterAdd<T>(int Axis, ImmutableArray<int> Positions, ImmutableArray<int> IndexShape) : BinaryOp<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public ScatterAdd(int axis, int[] positions, int[] indexShape) : this(axis, Own(positions), Own(indexShape)) { }

    public override string Name => "scatter_add";
    public override string Label => $"scatter_add(axis={Axis}, index={Format(IndexShape)})";

    public override Tensor<T> Forward(Tensor<T> a, Tensor<T> b)
    {
        var result = new Tensor<T>(a.ShapeArray, (T[])a.Buffer.Clone());
        GatherScatter.ScatterAdd(b.Buffer, b.ShapeArray, Axis, Raw(Positions), Raw(IndexShape), result.Buffer, a.ShapeArray);
        return result;
    }

    public override Tensor<T> VjpA(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y) => g;

    public override Tensor<T> VjpB(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y)
    {
        var gathered = new Gather<T>(Axis, Positions, IndexShape).Apply(g);
        if (Shapes.Equal(b.ShapeRef, gathered.ShapeRef)) return gathered;
        var shape = b.ShapeArray; // the source is larger than the index: zeros where the index does not reach
        return new SliceBackward<T>(shape, 0, Shapes.Strides(shape)).Apply(gathered);
    }

    /// <summary>The first input's tangent passes through unchanged.</summary>
    public override Tensor<T>? JvpA(Tensor<T> t, Tensor<T> a, Tensor<T> b, Tensor<T> y) => t;

    /// <summary>The source's tangent scatter-added into zeros the same way.</summary>
    public override Tensor<T>? JvpB(Tensor<T> t, Tensor<T> a, Tensor<T> b, Tensor<T> y) => Apply(new Tensor<T>(a.ShapeArray), t);
}
