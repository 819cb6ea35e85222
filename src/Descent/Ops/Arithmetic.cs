using Descent.Kernels;

namespace Descent;

// Arithmetic primitives: each forward kernel with its vector–Jacobian product beside it.
// Gradients may come back with the broadcast shape; the engine reduces them to each input's shape.
public sealed partial class Tensor<T>
{
    /// <summary>Element-wise sum with broadcasting. ∂/∂a = 1, ∂/∂b = 1.</summary>
    public static Tensor<T> operator +(Tensor<T> a, Tensor<T> b)
        => Ops.Add<T>.Instance.Apply(a, b);

    /// <summary>Element-wise difference with broadcasting. ∂/∂a = 1, ∂/∂b = −1.</summary>
    public static Tensor<T> operator -(Tensor<T> a, Tensor<T> b)
        => Ops.Subtract<T>.Instance.Apply(a, b);

    /// <summary>Element-wise product with broadcasting. ∂/∂a = b, ∂/∂b = a.</summary>
    public static Tensor<T> operator *(Tensor<T> a, Tensor<T> b)
        => Ops.Multiply<T>.Instance.Apply(a, b);

    /// <summary>Element-wise quotient with broadcasting. ∂/∂a = 1/b, ∂/∂b = −a/b² = −y/b.</summary>
    public static Tensor<T> operator /(Tensor<T> a, Tensor<T> b)
        => Ops.Divide<T>.Instance.Apply(a, b);

    /// <summary>Negation. ∂/∂x = −1.</summary>
    public static Tensor<T> operator -(Tensor<T> x)
        => Ops.Negate<T>.Instance.Apply(x);

    /// <summary>Adds a scalar to every element.</summary>
    public static Tensor<T> operator +(Tensor<T> a, T b) => a + Tensor.Scalar(b);

    /// <summary>Adds a scalar to every element.</summary>
    public static Tensor<T> operator +(T a, Tensor<T> b) => Tensor.Scalar(a) + b;

    /// <summary>Subtracts a scalar from every element.</summary>
    public static Tensor<T> operator -(Tensor<T> a, T b) => a - Tensor.Scalar(b);

    /// <summary>Subtracts every element from a scalar.</summary>
    public static Tensor<T> operator -(T a, Tensor<T> b) => Tensor.Scalar(a) - b;

    /// <summary>Multiplies every element by a scalar.</summary>
    public static Tensor<T> operator *(Tensor<T> a, T b) => a * Tensor.Scalar(b);

    /// <summary>Multiplies every element by a scalar.</summary>
    public static Tensor<T> operator *(T a, Tensor<T> b) => Tensor.Scalar(a) * b;

    /// <summary>Divides every element by a scalar.</summary>
    public static Tensor<T> operator /(Tensor<T> a, T b) => a / Tensor.Scalar(b);

    /// <summary>Divides a scalar by every element.</summary>
    public static Tensor<T> operator /(T a, Tensor<T> b) => Tensor.Scalar(a) / b;

    /// <summary>Element-wise sum (same as <c>+</c>).</summary>
    public Tensor<T> Add(Tensor<T> other) => this + other;

    /// <summary>Element-wise difference (same as <c>-</c>).</summary>
    public Tensor<T> Subtract(Tensor<T> other) => this - other;

    /// <summary>Element-wise product (same as <c>*</c>).</summary>
    public Tensor<T> Multiply(Tensor<T> other) => this * other;

    /// <summary>Element-wise quotient (same as <c>/</c>).</summary>
    public Tensor<T> Divide(Tensor<T> other) => this / other;

    /// <summary>
    /// <c>this + other</c> with broadcasting, written into <paramref name="destination"/> instead of a new tensor (as
    /// PyTorch's <c>out=</c>): a loop that reuses its buffers allocates nothing and keeps them in cache. The destination
    /// must have the result's shape and may be an operand. Not recorded for gradients (throws when an operand or the
    /// destination requires one while recording).
    /// </summary>
    /// <returns><paramref name="destination"/>.</returns>
    /// <exception cref="ShapeException">The shapes do not broadcast, or the destination's is not the result's.</exception>
    /// <exception cref="InvalidOperationException">Called on tensors that require a gradient while recording.</exception>
    public Tensor<T> Add(Tensor<T> other, Tensor<T> destination) => TensorKernels.BinaryInto<T, AddOp<T>>(this, other, destination, "add");

    /// <summary><c>this - other</c> into <paramref name="destination"/>; see <see cref="Add(Tensor{T}, Tensor{T})"/>.</summary>
    /// <returns><paramref name="destination"/>.</returns>
    /// <exception cref="ShapeException">The shapes do not broadcast, or the destination's is not the result's.</exception>
    /// <exception cref="InvalidOperationException">Called on tensors that require a gradient while recording.</exception>
    public Tensor<T> Subtract(Tensor<T> other, Tensor<T> destination) => TensorKernels.BinaryInto<T, SubtractOp<T>>(this, other, destination, "subtract");

    /// <summary><c>this * other</c> into <paramref name="destination"/>; see <see cref="Add(Tensor{T}, Tensor{T})"/>.</summary>
    /// <returns><paramref name="destination"/>.</returns>
    /// <exception cref="ShapeException">The shapes do not broadcast, or the destination's is not the result's.</exception>
    /// <exception cref="InvalidOperationException">Called on tensors that require a gradient while recording.</exception>
    public Tensor<T> Multiply(Tensor<T> other, Tensor<T> destination) => TensorKernels.BinaryInto<T, MultiplyOp<T>>(this, other, destination, "multiply");

    /// <summary><c>this / other</c> into <paramref name="destination"/>; see <see cref="Add(Tensor{T}, Tensor{T})"/>.</summary>
    /// <returns><paramref name="destination"/>.</returns>
    /// <exception cref="ShapeException">The shapes do not broadcast, or the destination's is not the result's.</exception>
    /// <exception cref="InvalidOperationException">Called on tensors that require a gradient while recording.</exception>
    public Tensor<T> Divide(Tensor<T> other, Tensor<T> destination) => TensorKernels.BinaryInto<T, DivideOp<T>>(this, other, destination, "divide");

    /// <summary>Negation (same as unary <c>-</c>).</summary>
    public Tensor<T> Negate() => -this;

    /// <summary>
    /// In-place <c>this -= scale · other</c> on the data, not recorded: the update step of gradient descent
    /// (<c>w.SubtractInPlace(w.Grad!, learningRate)</c>). <paramref name="other"/> must have this tensor's shape.
    /// </summary>
    /// <exception cref="ShapeException">The shapes differ.</exception>
    public Tensor<T> SubtractInPlace(Tensor<T> other, T scale)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!Shapes.Equal(ShapeRef, other.ShapeRef)) ThrowShapesDiffer(other);
        T[] x = other.Buffer, y = Buffer;
        if (y.Length == 1) y[0] = x[0] * -scale + y[0]; // a scalar parameter: what the kernel's one-element path computes
        else ElementWise.MultiplyAddInPlace(x, -scale, y);
        return this;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void ThrowShapesDiffer(Tensor<T> other) => throw new ShapeException(
        $"SubtractInPlace: shapes {Shapes.Format(Shape)} and {Shapes.Format(other.Shape)} differ; an in-place update needs equal shapes.");

    /// <summary>In-place copy of <paramref name="source"/>'s values into this tensor (same shape), not recorded.</summary>
    public Tensor<T> CopyFrom(Tensor<T> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!Shapes.Equal(Shape, source.Shape))
            throw new ShapeException($"CopyFrom: shapes {Shapes.Format(Shape)} and {Shapes.Format(source.Shape)} differ.");
        source.Buffer.CopyTo(Buffer, 0);
        return this;
    }
}
