using System.Collections.Immutable;
using System.Numerics;
using Descent.Kernels;

namespace Descent.Ops;

// Reductions over chosen axes (already normalised: sorted, distinct, non-negative), with keep-dims.

/// <summary>Sum over <see cref="Axes"/>. ∂/∂x = 1: the gradient reshaped to the kept-dims shape and broadcast back.</summary>
internal sealed record Sum<T>(ImmutableArray<int> Axes, bool KeepDims) : UnaryOp<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public Sum(int[] axes, bool keepDims) : this(Own(axes), keepDims) { }

    public override string Name => "sum";
    public override string Label => $"sum(axes={Format(Axes)}{(KeepDims ? ", keepdims" : "")})";

    /// <summary>The input's shape with the reduced axes kept as 1.</summary>
    public int[] KeptShape(int[] inputShape) => Tensor<T>.KeptShape(inputShape, Raw(Axes));

    public override Tensor<T> Forward(Tensor<T> x)
    {
        var ax = Raw(Axes);
        if (ax.Length == x.Rank)
            return new Tensor<T>(KeepDims ? Tensor<T>.Ones(x.Rank) : Shapes.Scalar, [Reduce.All<T>(x.Buffer, Reduction.Sum)]);
        var result = x;
        for (int i = ax.Length - 1; i >= 0; i--) result = TensorKernels.ReduceAxis(result, ax[i], Reduction.Sum);
        if (ax.Length == 0) result = x.Clone();
        return KeepDims ? result : new Tensor<T>(Tensor<T>.DropAxes(x.ShapeRef, ax), result.Buffer);
    }

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g.Reshape(KeptShape(x.ShapeRef)).BroadcastTo(x.ShapeRef);

    /// <summary>Linear: the JVP is the op itself on the tangent.</summary>
    public override Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y) => Apply(t);
}

/// <summary>
/// Maximum (<see cref="IsMax"/>) or minimum over <see cref="Axes"/>. The gradient goes to the arg-extreme; on ties it
/// is shared evenly among the tied elements (a valid subgradient, as PyTorch's amax).
/// </summary>
internal sealed record Extreme<T>(ImmutableArray<int> Axes, bool KeepDims, bool IsMax) : UnaryOp<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public Extreme(int[] axes, bool keepDims, bool isMax) : this(Own(axes), keepDims, isMax) { }

    public override string Name => IsMax ? "max" : "min";
    public override string Label => $"{Name}(axes={Format(Axes)}{(KeepDims ? ", keepdims" : "")})";

    public override Tensor<T> Forward(Tensor<T> x)
    {
        var ax = Raw(Axes);
        var kept = x;
        for (int i = ax.Length - 1; i >= 0; i--) kept = TensorKernels.ReduceAxis(kept, ax[i], IsMax ? Reduction.Max : Reduction.Min);
        if (ax.Length == 0) kept = x.Clone();
        return new Tensor<T>(KeepDims ? Tensor<T>.KeptShape(x.ShapeRef, ax) : Tensor<T>.DropAxes(x.ShapeRef, ax), kept.Buffer);
    }

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y)
    {
        var ax = Raw(Axes);
        var keptShape = Tensor<T>.KeptShape(x.ShapeRef, ax);
        var mask = x.Detach().EqualTo(y.Detach().Reshape(keptShape));
        var ties = mask.Sum(ax, keepDims: true);
        return g.Reshape(keptShape) * mask / ties;
    }

    /// <summary>The tangent of the extreme: the mean of the tangents at the tied extreme positions (the VJP's split, transposed).</summary>
    public override Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y)
    {
        var ax = Raw(Axes);
        var mask = x.Detach().EqualTo(y.Detach().Reshape(Tensor<T>.KeptShape(x.ShapeRef, ax)));
        return (t * mask).Sum(ax, KeepDims) / mask.Sum(ax, KeepDims);
    }
}

/// <summary>
/// Product over <see cref="Axes"/>. ∂/∂xᵢ = Π_{j≠i} xⱼ, computed as y/xᵢ when no element is zero and by explicit
/// products of the others when one is (so a zero does not give NaN).
/// </summary>
internal sealed record Prod<T>(ImmutableArray<int> Axes, bool KeepDims) : UnaryOp<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public Prod(int[] axes, bool keepDims) : this(Own(axes), keepDims) { }

    public override string Name => "prod";
    public override string Label => $"prod(axes={Format(Axes)}{(KeepDims ? ", keepdims" : "")})";

    public override Tensor<T> Forward(Tensor<T> x)
    {
        var ax = Raw(Axes);
        var kept = x;
        for (int i = ax.Length - 1; i >= 0; i--) kept = TensorKernels.ReduceAxis(kept, ax[i], Reduction.Product);
        if (ax.Length == 0) kept = x.Clone();
        return new Tensor<T>(KeepDims ? Tensor<T>.KeptShape(x.ShapeRef, ax) : Tensor<T>.DropAxes(x.ShapeRef, ax), kept.Buffer);
    }

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y)
    {
        var ax = Raw(Axes);
        var keptShape = Tensor<T>.KeptShape(x.ShapeRef, ax);
        bool anyZero = Array.IndexOf(x.Buffer, T.Zero) >= 0;
        if (!anyZero) return g.Reshape(keptShape) * y.Reshape(keptShape) / x;
        return g.Reshape(keptShape) * x.Detach().ProductOfOthers(ax);
    }

    /// <summary>Σᵢ ẋᵢ Π_{j≠i} xⱼ (by the products of the others, so a zero gives no NaN).</summary>
    public override Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y)
    {
        var ax = Raw(Axes);
        return (t * x.Detach().ProductOfOthers(ax)).Sum(ax, KeepDims);
    }
}
