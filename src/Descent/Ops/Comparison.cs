using Descent.Kernels;

namespace Descent;

// Comparisons (constants: 1 where true, 0 where false), element-wise extremes, clipping and selection.
public sealed partial class Tensor<T>
{
    /// <summary>1 where this &gt; other (broadcasting), else 0. Not differentiable: a constant.</summary>
    public Tensor<T> GreaterThan(Tensor<T> other) => TensorKernels.Binary<T, GreaterOp<T>>(this, other, "greater");

    /// <summary>1 where this &gt; value, else 0.</summary>
    public Tensor<T> GreaterThan(T value) => GreaterThan(Tensor.Scalar(value));

    /// <summary>1 where this ≥ other (broadcasting), else 0.</summary>
    public Tensor<T> GreaterOrEqual(Tensor<T> other) => TensorKernels.Binary<T, GreaterEqualOp<T>>(this, other, "greater_equal");

    /// <summary>1 where this &lt; other (broadcasting), else 0.</summary>
    public Tensor<T> LessThan(Tensor<T> other) => other.GreaterThan(this);

    /// <summary>1 where this &lt; value, else 0.</summary>
    public Tensor<T> LessThan(T value) => Tensor.Scalar(value).GreaterThan(this);

    /// <summary>1 where this ≤ other (broadcasting), else 0.</summary>
    public Tensor<T> LessOrEqual(Tensor<T> other) => other.GreaterOrEqual(this);

    /// <summary>1 where this = other (broadcasting), else 0.</summary>
    public Tensor<T> EqualTo(Tensor<T> other) => TensorKernels.Binary<T, EqualOp<T>>(this, other, "equal");

    /// <summary>
    /// Element-wise maximum with broadcasting. The gradient goes to the larger input; on ties it is split evenly
    /// (as PyTorch does), a valid subgradient.
    /// </summary>
    public static Tensor<T> Maximum(Tensor<T> a, Tensor<T> b)
        => Ops.Maximum<T>.Instance.Apply(a, b);

    /// <summary>Element-wise minimum with broadcasting; ties split the gradient evenly.</summary>
    public static Tensor<T> Minimum(Tensor<T> a, Tensor<T> b)
        => Ops.Minimum<T>.Instance.Apply(a, b);

    /// <summary>Element-wise maximum with another tensor.</summary>
    public Tensor<T> Maximum(Tensor<T> other) => Maximum(this, other);

    /// <summary>Element-wise minimum with another tensor.</summary>
    public Tensor<T> Minimum(Tensor<T> other) => Minimum(this, other);

    /// <summary>
    /// Limits every element to [min, max]. ∂/∂x = 1 inside the interval (bounds included), 0 outside.
    /// </summary>
    /// <exception cref="ArgumentException">min &gt; max.</exception>
    public Tensor<T> Clip(T min, T max)
    {
        if (min > max) throw new ArgumentException($"Clip: min {min} is greater than max {max}; pass min ≤ max.", nameof(min));
        return new Ops.Clip<T>(min, max).Apply(this);
    }

    /// <summary>
    /// Selects <paramref name="a"/> where <paramref name="condition"/> is non-zero and <paramref name="b"/> elsewhere,
    /// broadcasting all three. Unlike <c>c·a + (1−c)·b</c>, an infinity or NaN in the branch not taken does not leak
    /// into the result or its gradient.
    /// </summary>
    public static Tensor<T> Where(Tensor<T> condition, Tensor<T> a, Tensor<T> b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var shape = Shapes.Broadcast(Shapes.Broadcast(condition.Shape, a.Shape, "Where"), b.Shape, "Where");
        var cond = new Tensor<T>(shape, ElementWise.BroadcastTo(condition.Buffer, condition.ShapeRef, shape));
        return new Ops.Where<T>(cond).Apply(a, b);
    }
}
